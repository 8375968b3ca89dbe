// Export and import (docs/beyond.md, export and import): JSON Lines with
// every field, a round trip that gives back deep-equal instances and
// records, all-or-nothing imports that name the line they refuse, and
// versions kept by the import with every later write above them. On
// Workers KV ('kv') an import is checked whole before anything is written,
// as everywhere, but KV has no transactions: README ("Export and import")
// says what a failure of storage part-way leaves; no case here fails
// storage, so every case holds there too.

import { deepEqual, equal, ok } from './assert.js';
import { expectErr, expectOk, isoTimestamp, query } from './support.js';

export const cases = [];
const test = (name, fn) => cases.push({ name, fn });

const sleep = (n) => new Promise((resolve) => setTimeout(resolve, n));

/** Backends where a second `open` with the same name reaches the same storage. */
const reopens = (open) => open.backend === 'indexeddb' || open.backend === 'localStorage';

async function exported(kv, selector) {
  const data = expectOk(selector === undefined ? await kv.export() : await kv.export(selector), 'export');
  deepEqual(Object.keys(data), ['text']);
  equal(typeof data.text, 'string');
  ok(data.text.endsWith('\n'), 'every line ends with a newline');
  return data.text;
}

/** The export's lines as objects. */
const parsed = (text) => text.trimEnd().split('\n').map((line) => JSON.parse(line));

/** Every instance and record of a store, to compare two stores. */
async function contents(kv) {
  const instances = expectOk(await kv.listInstances(), 'listInstances').instances;
  const records = [];
  for (const instance of instances) records.push(...(await query(kv, { from: { instance: instance.id }, limit: 100000 })).records);
  return { instances, records };
}

/** A store holding two instances, overwritten records, and an expiry. */
async function filled(kv, n = 40) {
  expectOk(await kv.createInstance('described', 'with a description'), 'createInstance');
  for (let i = 0; i < n; i++) {
    const instance = i % 2 ? 'described' : 'plain';
    const options = i % 5 === 0 ? { expireIn: 3_600_000 } : undefined;
    expectOk(await kv.set(instance, `ns${i % 3}`, `k${i}`, { i, nested: [i, 'x', null] }, true, options), 'set');
    if (i % 4 === 0) expectOk(await kv.set(instance, `ns${i % 3}`, `k${i}`, `overwritten ${i}`, false, options), 'set');
  }
}

test('export: a header, then every instance, then every record, each with every field', async (open) => {
  const kv = await open();
  await filled(kv, 12);
  const before = Date.now();
  const [header, ...items] = parsed(await exported(kv));
  deepEqual(Object.keys(header), ['format', 'version', 'exportedAt']);
  equal(header.format, 'boltkv-export');
  equal(header.version, 1);
  isoTimestamp(header.exportedAt, 'exportedAt');
  ok(Math.abs(Date.parse(header.exportedAt) - before) < 60_000, 'exportedAt is now');
  const { instances, records } = await contents(kv);
  deepEqual(items.filter((line) => 'instance' in line).map((line) => line.instance), instances, 'instances as listInstances answers them');
  deepEqual(items.slice(0, instances.length).map((line) => Object.keys(line)), instances.map(() => ['instance']), 'instances come first');
  deepEqual(items.slice(instances.length).map((line) => line.record), records, 'records as query answers them');
  ok(records.some((r) => typeof r.expiresAt === 'string') && records.every((r) => Number.isSafeInteger(r.version)), 'versions and expiries are kept');
});

test('export: a selector takes one instance, by id or name, or one namespace', async (open) => {
  const kv = await open();
  await kv.set('a', 'ns', 'k', 1, true);
  await kv.set('a', 'other', 'k', 2);
  const b = expectOk(await kv.set('b', 'ns', 'k', 3, true), 'set').record;
  const shown = async (selector) => parsed(await exported(kv, selector)).slice(1).map((line) => line.instance ? `instance ${line.instance.name}` : `${line.record.namespace}/${line.record.key}=${line.record.value}`);
  deepEqual(await shown({ instance: 'a' }), ['instance a', 'ns/k=1', 'other/k=2']);
  deepEqual(await shown({ instance: b.instanceId }), ['instance b', 'ns/k=3']);
  deepEqual(await shown({ namespace: 'ns' }), ['instance a', 'instance b', 'ns/k=1', 'ns/k=3']);
  deepEqual(await shown({ instance: 'a', namespace: 'other' }), ['instance a', 'other/k=2']);
  deepEqual(await shown({}), await shown(undefined));
  deepEqual(await shown({ instance: 'missing' }), [], 'a missing instance exports as empty, as reads of one answer');
  expectErr(await kv.export({ instance: 'a', key: 'k' }), 'export', 'INVALID_ARGUMENT', 'selector');
  expectErr(await kv.export('a'), 'export', 'INVALID_ARGUMENT', 'selector must be an object');
  expectErr(await kv.export({ instance: '' }), 'export', 'INVALID_ARGUMENT', 'must not be empty');
});

test('export: expired records are left out', async (open) => {
  const kv = await open();
  await kv.set('i', 'ns', 'brief', 1, true, { expireIn: 40 });
  await kv.set('i', 'ns', 'kept', 2);
  await sleep(120);
  deepEqual(parsed(await exported(kv)).slice(1).map((line) => line.instance?.name ?? line.record.key), ['i', 'kept']);
});

test('import: an export imported into an empty store gives deep-equal instances and records', async (open) => {
  const kv = await open();
  await filled(kv, 200);
  const text = await exported(kv);
  const empty = await open();
  deepEqual(expectOk(await empty.import(text), 'import'), { instances: 2, records: 200 });
  const [source, copy] = [await contents(kv), await contents(empty)];
  deepEqual(copy, source);
  deepEqual(parsed(await exported(empty)).slice(1), parsed(text).slice(1), 'and exports the same lines');
});

test('import: replace empties the store in the same call', async (open) => {
  const kv = await open();
  await kv.set('old', 'ns', 'gone', 1, true);
  await kv.set('backup', 'ns', 'k', 'saved', true);
  const text = await exported(kv, { instance: 'backup' });
  await kv.set('backup', 'ns', 'k', 'changed after the backup');
  await kv.set('backup', 'ns', 'new', 'written after the backup');
  deepEqual(expectOk(await kv.import(text, { mode: 'replace' }), 'import'), { instances: 1, records: 1 });
  const { instances, records } = await contents(kv);
  deepEqual(instances.map((i) => i.name), ['backup']);
  deepEqual(records.map((r) => [r.key, r.value]), [['k', 'saved']]);
});

test('import: merge overwrites by instance name and key, keeping what the file does not hold', async (open) => {
  const source = await open();
  const saved = expectOk(await source.set('app', 'ns', 'shared', 'from the file', true), 'set').record;
  await source.set('app', 'ns', 'only-in-file', 1);
  const text = await exported(source);
  const kv = await open();
  const local = expectOk(await kv.set('app', 'ns', 'only-here', 'kept', true), 'set').record;
  await kv.set('app', 'ns', 'shared', 'overwritten');
  await kv.set('other', 'ns', 'k', 'untouched', true);
  deepEqual(expectOk(await kv.import(text, { mode: 'merge' }), 'import'), { instances: 1, records: 2 });
  const app = expectOk(await kv.getInstance('app'), 'getInstance').instance;
  deepEqual(app, expectOk(await source.getInstance('app'), 'getInstance').instance, 'the imported instance, id and createdAt kept');
  const records = (await query(kv, { from: { instance: 'app' } })).records;
  deepEqual(records.map((r) => [r.key, r.value]), [['only-here', 'kept'], ['only-in-file', 1], ['shared', 'from the file']]);
  deepEqual(records[0], { ...local, instanceId: app.id }, 'a record of the instance the import took the name of moves whole');
  deepEqual(records[2], saved, 'an imported record keeps every field');
  equal((await query(kv, { from: { instance: 'other' } })).records[0].value, 'untouched');
  deepEqual(expectOk(await kv.listInstances(), 'listInstances').instances.map((i) => i.name), ['app', 'other'], 'in the place of the instance it took the name of');
});

test('import: a refused line changes nothing and is named, counted from 1', async (open) => {
  const kv = await open({ limits: { maxValueBytes: 128 } });
  await kv.set('app', 'ns', 'k', 'before', true);
  const text = await exported(kv);
  const before = await contents(kv);
  const lines = text.trimEnd().split('\n');
  const record = JSON.parse(lines[2]).record;
  const withLine = (at, line) => [...lines.slice(0, at), line, ...lines.slice(at)].join('\n');
  const cases = [
    [withLine(2, '{"record": '), 3, 'INVALID_ARGUMENT', 'is not an'],
    [withLine(3, JSON.stringify({ record: { ...record, key: 'x', version: -1 } })), 4, 'INVALID_ARGUMENT', 'version'],
    [withLine(3, JSON.stringify({ record: { ...record, key: 'y', instanceId: crypto.randomUUID() } })), 4, 'INVALID_ARGUMENT', 'neither in the file nor in the store'],
    [withLine(3, JSON.stringify({ record: { ...record, key: 'z', value: 'v'.repeat(200) } })), 4, 'TOO_LARGE', 'limit is 128 bytes'],
    [withLine(3, JSON.stringify({ record: { ...record, key: 'w', createdAt: 'yesterday' } })), 4, 'INVALID_ARGUMENT', 'record.createdAt'],
    [text.replace('"version":1', '"version":2'), 1, 'INVALID_ARGUMENT', 'reads only version 1'],
    [text.replace('boltkv-export', 'something-else'), 1, 'INVALID_ARGUMENT', 'not a boltkv export'],
    ['', 1, 'INVALID_ARGUMENT', 'is not the header'],
  ];
  for (const [bad, line, code, says] of cases) {
    const error = expectErr(await kv.import(bad, { mode: 'replace' }), 'import', code, says);
    ok(error.startsWith(`Line ${line} of the import is refused, so nothing was imported`), error);
    deepEqual(await contents(kv), before, `nothing changed: ${error}`);
  }
  expectErr(await kv.import(text, { mode: 'overwrite' }), 'import', 'INVALID_ARGUMENT', 'options');
  expectErr(await kv.import(42), 'import', 'INVALID_ARGUMENT', 'text must be a string');
  expectErr(await kv.import(text, {}, 'extra'), 'import', 'INVALID_ARGUMENT', 'remove the extra argument');
  deepEqual(await contents(kv), before);
});

test('import: records keep their versions and every later write gets a greater one', async (open) => {
  const source = await open();
  for (let i = 0; i < 30; i++) await source.set('app', 'ns', 'counter', i, true);
  await source.set('app', 'ns', 'early', 'e');
  const text = await exported(source);
  const versions = (await query(source, { from: { instance: 'app' } })).records.map((r) => [r.key, r.version]);
  const highest = Math.max(...versions.map(([, v]) => v));
  const kv = await open();
  await kv.set('mine', 'ns', 'k', 'a write before the import', true);
  expectOk(await kv.import(text), 'import');
  deepEqual((await query(kv, { from: { instance: 'app' } })).records.map((r) => [r.key, r.version]), versions, 'kept');
  const after = expectOk(await kv.set('mine', 'ns', 'k', 'a write after the import'), 'set').record;
  ok(after.version > highest, `version ${after.version} is above the imported ${highest}`);
  if (!reopens(open)) return;
  const again = await open({ name: kv.storage.name });
  deepEqual(await contents(again), await contents(kv), 'storage holds the import');
  const reopened = expectOk(await again.set('app', 'ns', 'early', 'after a reopen'), 'set').record;
  ok(reopened.version > after.version, `after a reopen, version ${reopened.version} is above ${after.version}`);
});
