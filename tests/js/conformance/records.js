// Records: set, get, delete, deleteNamespace, getNamespaces, getRecordCount,
// auto-creation, unknown instances, names and keys.

import { deepEqual, equal, notEqual, ok } from './assert.js';
import {
  UUID_V4,
  checkInstance,
  checkRecord,
  count,
  expectErr,
  expectOk,
  instances,
  makeInstance,
  ms,
  namespaces,
  put,
  query,
  read,
  sortedKeys,
} from './support.js';

export const cases = [];
const test = (name, fn) => cases.push({ name, fn });

test('records: set returns exactly id, instanceId, namespace, key, value, createdAt, updatedAt', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'store');
  const data = expectOk(await kv.set('store', 'prefs', 'theme', 'dark'), 'set');
  deepEqual(sortedKeys(data), ['record']);
  checkRecord(data.record, { instanceId: inst.id, namespace: 'prefs', key: 'theme', value: 'dark' });
  equal(data.record.createdAt, data.record.updatedAt, 'a new record has createdAt == updatedAt');
  match36(data.record.id);
});

function match36(id) {
  ok(UUID_V4.test(id), `record id ${id} is a UUID v4`);
}

test('records: set by id and by name both record the instance id', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'named');
  const byName = await put(kv, 'named', 'ns', 'a', 1);
  const byId = await put(kv, inst.id, 'ns', 'b', 2);
  equal(byName.instanceId, inst.id);
  equal(byId.instanceId, inst.id);
  deepEqual(await read(kv, inst.id, 'ns', 'a'), { value: 1, exists: true });
  deepEqual(await read(kv, 'named', 'ns', 'b'), { value: 2, exists: true });
});

test('records: get returns exactly { value, exists } for a stored key', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  await put(kv, 'i', 'ns', 'k', { nested: [1, 'two', { three: true }] });
  const data = expectOk(await kv.get('i', 'ns', 'k'), 'get');
  deepEqual(data, { value: { nested: [1, 'two', { three: true }] }, exists: true });
});

test('records: a missing key or namespace is not an error: value null, exists false', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  await put(kv, 'i', 'ns', 'k', 1);
  deepEqual(await read(kv, 'i', 'ns', 'other'), { value: null, exists: false });
  deepEqual(await read(kv, 'i', 'other', 'k'), { value: null, exists: false });
});

test('records: a stored null is present: value null, exists true', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  const rec = await put(kv, 'i', 'ns', 'nothing', null);
  checkRecord(rec, { namespace: 'ns', key: 'nothing', value: null });
  equal(rec.value, null);
  deepEqual(await read(kv, 'i', 'ns', 'nothing'), { value: null, exists: true });
  equal(await count(kv, 'i'), 1);
});

test('records: an overwrite keeps id and createdAt and moves updatedAt strictly forward', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  const first = await put(kv, 'i', 'ns', 'k', { v: 1 });
  const second = await put(kv, 'i', 'ns', 'k', { v: 2 });
  checkRecord(second, { id: first.id, instanceId: first.instanceId, namespace: 'ns', key: 'k', createdAt: first.createdAt, value: { v: 2 } });
  ok(ms(second.updatedAt) > ms(first.updatedAt), `updatedAt ${second.updatedAt} > ${first.updatedAt}`);
  deepEqual(await read(kv, 'i', 'ns', 'k'), { value: { v: 2 }, exists: true });
  equal(await count(kv, 'i'), 1);
  const result = await query(kv, { from: { instance: 'i' } });
  deepEqual(result.records, [second], 'the stored record is the overwrite');
});

test('records: back-to-back overwrites each move updatedAt by at least a millisecond', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  const first = await put(kv, 'i', 'ns', 'k', 0);
  let last = first;
  for (let n = 1; n <= 20; n++) {
    const rec = await put(kv, 'i', 'ns', 'k', n);
    equal(rec.id, first.id);
    equal(rec.createdAt, first.createdAt);
    ok(ms(rec.updatedAt) >= ms(last.updatedAt) + 1, `overwrite ${n}: ${rec.updatedAt} >= ${last.updatedAt} + 1ms`);
    last = rec;
  }
  deepEqual(await read(kv, 'i', 'ns', 'k'), { value: 20, exists: true });
});

test('records: concurrent overwrites of one key all answer with the same record id and createdAt', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  const results = await Promise.all(Array.from({ length: 10 }, (_, n) => kv.set('i', 'ns', 'k', n)));
  const recs = results.map((r) => expectOk(r, 'set').record);
  for (const r of recs) {
    equal(r.id, recs[0].id);
    equal(r.createdAt, recs[0].createdAt);
  }
  equal(new Set(recs.map((r) => r.updatedAt)).size, 10, 'ten distinct updatedAt values');
  equal(await count(kv, 'i'), 1);
});

test('records: overwriting one key leaves its neighbours alone', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  const a = await put(kv, 'i', 'ns', 'a', 'A');
  const b = await put(kv, 'i', 'ns', 'b', 'B');
  await put(kv, 'i', 'ns', 'a', 'A2');
  const result = await query(kv, { from: { instance: 'i' }, where: [{ field: 'key', operator: 'eq', value: 'b' }] });
  deepEqual(result.records, [b]);
  notEqual(a.id, b.id);
});

test('records: set on an unknown instance fails with "not found" unless autoCreateInstance is true', async (open) => {
  const kv = await open();
  expectErr(await kv.set('nowhere', 'ns', 'k', 1), 'set', 'NOT_FOUND', 'not found', 'omitted');
  expectErr(await kv.set('nowhere', 'ns', 'k', 1, false), 'set', 'NOT_FOUND', 'not found', 'false');
  expectErr(await kv.set('nowhere', 'ns', 'k', 1, undefined), 'set', 'NOT_FOUND', 'not found', 'undefined');
  expectErr(await kv.set('nowhere', 'ns', 'k', 1, null), 'set', 'NOT_FOUND', 'not found', 'null');
  deepEqual(await instances(kv), [], 'nothing created');
  deepEqual(await read(kv, 'nowhere', 'ns', 'k'), { value: null, exists: false });
});

test('records: autoCreateInstance true creates an instance named by the argument', async (open) => {
  const kv = await open();
  const rec = await put(kv, 'fresh', 'cache', 'key1', { data: 'value' }, true);
  checkRecord(rec, { namespace: 'cache', key: 'key1', value: { data: 'value' } });
  const inst = expectOk(await kv.getInstance('fresh'), 'getInstance').instance;
  checkInstance(inst, { name: 'fresh', id: rec.instanceId });
  equal(inst.createdAt, inst.updatedAt);
  deepEqual(await instances(kv), [inst]);
  deepEqual(await read(kv, 'fresh', 'cache', 'key1'), { value: { data: 'value' }, exists: true });
});

test('records: autoCreateInstance true on an existing instance uses it', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'exists', 'desc');
  const rec = await put(kv, 'exists', 'ns', 'k', 1, true);
  equal(rec.instanceId, inst.id);
  const rec2 = await put(kv, inst.id, 'ns', 'k2', 2, true);
  equal(rec2.instanceId, inst.id);
  deepEqual(await instances(kv), [inst], 'no second instance, the first unchanged');
});

test('records: autoCreateInstance must be a boolean, undefined or null', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'there');
  for (const flag of ['true', 'false', 1, 0, '', {}, [], [true], NaN, new Boolean(true), 'yes']) {
    expectErr(await kv.set('absent', 'ns', 'k', 1, flag), 'set', 'INVALID_ARGUMENT', undefined, `flag ${String(flag)}`);
    expectErr(await kv.set('there', 'ns', 'k', 1, flag), 'set', 'INVALID_ARGUMENT', undefined, `flag ${String(flag)} on an existing instance`);
  }
  deepEqual((await instances(kv)).map((i) => i.name), ['there'], 'nothing auto-created');
  equal(await count(kv, 'there'), 0, 'nothing stored');
});

test('records: delete removes a key and answers deleted true, then false', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  await put(kv, 'i', 'ns', 'k', 'v');
  await put(kv, 'i', 'ns', 'other', 'w');
  deepEqual(expectOk(await kv.delete('i', 'ns', 'k'), 'delete'), { deleted: true });
  deepEqual(await read(kv, 'i', 'ns', 'k'), { value: null, exists: false });
  deepEqual(expectOk(await kv.delete('i', 'ns', 'k'), 'delete'), { deleted: false });
  deepEqual(expectOk(await kv.delete('i', 'ns', 'never'), 'delete'), { deleted: false });
  deepEqual(expectOk(await kv.delete('i', 'nons', 'k'), 'delete'), { deleted: false });
  deepEqual(await read(kv, 'i', 'ns', 'other'), { value: 'w', exists: true });
  equal(await count(kv, 'i'), 1);
});

test('records: a stored null can be deleted', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  await put(kv, 'i', 'ns', 'k', null);
  deepEqual(expectOk(await kv.delete('i', 'ns', 'k'), 'delete'), { deleted: true });
  deepEqual(await read(kv, 'i', 'ns', 'k'), { value: null, exists: false });
});

test('records: a key written again after delete is a new record', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  const old = await put(kv, 'i', 'ns', 'k', 1);
  expectOk(await kv.delete('i', 'ns', 'k'), 'delete');
  const neu = await put(kv, 'i', 'ns', 'k', 2);
  notEqual(neu.id, old.id, 'new id');
  equal(neu.createdAt, neu.updatedAt, 'a new record');
  ok(ms(neu.createdAt) >= ms(old.createdAt));
});

test('records: deleteNamespace removes every record of that namespace and counts them', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  await makeInstance(kv, 'j');
  for (const k of ['a', 'b', 'c']) await put(kv, 'i', 'gone', k, k);
  const keep = await put(kv, 'i', 'kept', 'a', 'x');
  const other = await put(kv, 'j', 'gone', 'a', 'y');
  const data = expectOk(await kv.deleteNamespace('i', 'gone'), 'deleteNamespace');
  deepEqual(data, { deletedCount: 3 });
  deepEqual(await namespaces(kv, 'i'), ['kept']);
  equal(await count(kv, 'i'), 1);
  equal(await count(kv, 'i', 'gone'), 0);
  for (const k of ['a', 'b', 'c']) deepEqual(await read(kv, 'i', 'gone', k), { value: null, exists: false });
  deepEqual((await query(kv, { from: { instance: 'i' } })).records, [keep]);
  deepEqual((await query(kv, { from: { instance: 'j' } })).records, [other], 'same namespace in another instance untouched');
  deepEqual(expectOk(await kv.deleteNamespace('i', 'gone'), 'deleteNamespace'), { deletedCount: 0 }, 'second time');
  deepEqual(expectOk(await kv.deleteNamespace('i', 'never'), 'deleteNamespace'), { deletedCount: 0 });
});

test('records: deleteNamespace of a large namespace counts all of it', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  await Promise.all(Array.from({ length: 250 }, (_, n) => kv.set('i', 'big', `k${n}`, n)));
  await put(kv, 'i', 'big2', 'k', 1);
  deepEqual(expectOk(await kv.deleteNamespace('i', 'big'), 'deleteNamespace'), { deletedCount: 250 });
  equal(await count(kv, 'i'), 1);
});

test('records: getNamespaces lists each namespace once, sorted in UTF-16 code-unit order', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  // Inserted out of order; expected order is what Array.prototype.sort gives:
  // digits < uppercase < '_' < lowercase < 'é' < astral (surrogates D800-DFFF) < U+FF61.
  const names = ['｡half', 'beta', 'Beta', '😀smile', 'alpha', 'éclair', '_under', 'Alpha', '10', '9', 'a', 'alpha beta'];
  for (const n of names) {
    await put(kv, 'i', n, 'k1', 1);
    await put(kv, 'i', n, 'k2', 2);
  }
  const expected = ['10', '9', 'Alpha', 'Beta', '_under', 'a', 'alpha', 'alpha beta', 'beta', 'éclair', '😀smile', '｡half'];
  deepEqual(expected, names.slice().sort(), 'the expected list is the UTF-16 sort');
  const data = expectOk(await kv.getNamespaces('i'), 'getNamespaces');
  deepEqual(data, { namespaces: expected });
});

test('records: a namespace exists only through its records', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  deepEqual(await namespaces(kv, 'i'), []);
  await put(kv, 'i', 'ns', 'a', 1);
  await put(kv, 'i', 'ns', 'b', 1);
  deepEqual(await namespaces(kv, 'i'), ['ns']);
  expectOk(await kv.delete('i', 'ns', 'a'), 'delete');
  deepEqual(await namespaces(kv, 'i'), ['ns']);
  expectOk(await kv.delete('i', 'ns', 'b'), 'delete');
  deepEqual(await namespaces(kv, 'i'), [], 'gone with its last record');
});

test('records: getRecordCount counts the instance or one namespace', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  equal(await count(kv, 'i'), 0);
  for (let n = 0; n < 5; n++) await put(kv, 'i', 'a', `k${n}`, n);
  for (let n = 0; n < 3; n++) await put(kv, 'i', 'b', `k${n}`, n);
  await put(kv, 'i', 'a', 'k0', 'overwrite');
  deepEqual(expectOk(await kv.getRecordCount('i'), 'getRecordCount'), { count: 8 });
  deepEqual(expectOk(await kv.getRecordCount('i', 'a'), 'getRecordCount'), { count: 5 });
  deepEqual(expectOk(await kv.getRecordCount('i', 'b'), 'getRecordCount'), { count: 3 });
  deepEqual(expectOk(await kv.getRecordCount('i', 'c'), 'getRecordCount'), { count: 0 });
  deepEqual(expectOk(await kv.getRecordCount('i', undefined), 'getRecordCount'), { count: 8 });
  expectOk(await kv.delete('i', 'a', 'k1'), 'delete');
  equal(await count(kv, 'i'), 7);
  equal(await count(kv, 'i', 'a'), 4);
});

test('records: reads and deletes on an unknown instance succeed as if it were empty', async (open) => {
  const kv = await open();
  deepEqual(expectOk(await kv.get('ghost', 'ns', 'k'), 'get'), { value: null, exists: false });
  deepEqual(expectOk(await kv.delete('ghost', 'ns', 'k'), 'delete'), { deleted: false });
  deepEqual(expectOk(await kv.deleteNamespace('ghost', 'ns'), 'deleteNamespace'), { deletedCount: 0 });
  deepEqual(expectOk(await kv.getNamespaces('ghost'), 'getNamespaces'), { namespaces: [] });
  deepEqual(expectOk(await kv.getRecordCount('ghost'), 'getRecordCount'), { count: 0 });
  deepEqual(expectOk(await kv.getRecordCount('ghost', 'ns'), 'getRecordCount'), { count: 0 });
  deepEqual(expectOk(await kv.deleteInstance('ghost'), 'deleteInstance'), { deleted: false });
  const result = await query(kv, { from: { instance: 'ghost' } });
  deepEqual(result, { records: [], total: 0, limit: 100, offset: 0 });
  const result2 = await query(kv, { from: { instance: 'ghost', namespace: 'ns' }, where: [{ field: 'key', operator: 'eq', value: 'k' }] });
  deepEqual(result2, { records: [], total: 0, limit: 100, offset: 0 });
  deepEqual(await instances(kv), [], 'reads create nothing');
});

test('records: keys and namespaces are case-sensitive', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  const a = await put(kv, 'i', 'NS', 'Key', 'upper');
  const b = await put(kv, 'i', 'ns', 'key', 'lower');
  const c = await put(kv, 'i', 'ns', 'Key', 'mixed');
  notEqual(a.id, b.id);
  notEqual(b.id, c.id);
  deepEqual(await read(kv, 'i', 'NS', 'Key'), { value: 'upper', exists: true });
  deepEqual(await read(kv, 'i', 'ns', 'key'), { value: 'lower', exists: true });
  deepEqual(await read(kv, 'i', 'ns', 'Key'), { value: 'mixed', exists: true });
  deepEqual(await read(kv, 'i', 'NS', 'key'), { value: null, exists: false });
  deepEqual(await read(kv, 'i', 'Ns', 'Key'), { value: null, exists: false });
  equal(await count(kv, 'i'), 3);
  deepEqual(await namespaces(kv, 'i'), ['NS', 'ns']);
  deepEqual(expectOk(await kv.deleteNamespace('i', 'Ns'), 'deleteNamespace'), { deletedCount: 0 });
  deepEqual(expectOk(await kv.delete('i', 'ns', 'KEY'), 'delete'), { deleted: false });
});

test('records: the same namespace and key in two instances are independent', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'one');
  await makeInstance(kv, 'two');
  const r1 = await put(kv, 'one', 'ns', 'k', 1);
  const r2 = await put(kv, 'two', 'ns', 'k', 2);
  notEqual(r1.id, r2.id);
  notEqual(r1.instanceId, r2.instanceId);
  deepEqual(await read(kv, 'one', 'ns', 'k'), { value: 1, exists: true });
  deepEqual(await read(kv, 'two', 'ns', 'k'), { value: 2, exists: true });
  expectOk(await kv.delete('one', 'ns', 'k'), 'delete');
  deepEqual(await read(kv, 'two', 'ns', 'k'), { value: 2, exists: true });
});

test('records: names that look like separators never collide', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  await makeInstance(kv, 'i/ns');
  const cases = [
    ['a', 'b\u0000c'],
    ['a\u0000b', 'c'],
    ['a/b', 'c'],
    ['a', 'b/c'],
    ['a:b', 'c'],
    ['a', 'b:c'],
    ['a.b', 'c'],
    ['a', 'b.c'],
    ['a b', 'c'],
    ['a\nb', 'c'],
    ['a', 'b\nc'],
  ];
  for (const [ns, key] of cases) await put(kv, 'i', ns, key, `${JSON.stringify(ns)}|${JSON.stringify(key)}`);
  await put(kv, 'i/ns', 'k', 'v', 'other instance');
  for (const [ns, key] of cases) {
    deepEqual(await read(kv, 'i', ns, key), { value: `${JSON.stringify(ns)}|${JSON.stringify(key)}`, exists: true }, JSON.stringify([ns, key]));
  }
  equal(await count(kv, 'i'), cases.length);
  deepEqual(await namespaces(kv, 'i'), [...new Set(cases.map((c) => c[0]))].sort());
  deepEqual(await read(kv, 'i', 'ns/k', 'v'), { value: null, exists: false });
  equal(await count(kv, 'i', 'a'), 5);
  deepEqual(expectOk(await kv.deleteNamespace('i', 'a'), 'deleteNamespace'), { deletedCount: 5 });
  equal(await count(kv, 'i'), cases.length - 5);
});

test('records: prototype-looking names are ordinary instance names, namespaces and keys', async (open) => {
  const kv = await open();
  const names = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'];
  for (const name of names) {
    const inst = await makeInstance(kv, name);
    for (const ns of names) for (const key of names) await put(kv, name, ns, key, `${name}/${ns}/${key}`);
    deepEqual(await namespaces(kv, name), names.slice().sort());
    equal(await count(kv, name), names.length * names.length);
    equal(await count(kv, name, '__proto__'), names.length);
    deepEqual(await read(kv, inst.id, 'constructor', '__proto__'), { value: `${name}/constructor/__proto__`, exists: true });
  }
  deepEqual((await instances(kv)).map((i) => i.name), names);
  deepEqual(await read(kv, '__proto__', 'toString', 'valueOf'), { value: '__proto__/toString/valueOf', exists: true });
  deepEqual(await read(kv, 'toString', 'ns', 'valueOf'), { value: null, exists: false });
  deepEqual(expectOk(await kv.deleteNamespace('__proto__', '__proto__'), 'deleteNamespace'), { deletedCount: names.length });
  deepEqual(expectOk(await kv.deleteInstance('constructor'), 'deleteInstance'), { deleted: true });
  equal(({}).constructor, Object, 'Object.prototype untouched');
});

test('records: empty namespaces and keys are refused by every method, reads too', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  await put(kv, 'i', 'ns', 'k', 1);
  expectErr(await kv.set('i', '', 'k', 1), 'set', 'INVALID_ARGUMENT', undefined, 'empty namespace');
  expectErr(await kv.set('i', 'ns', '', 1), 'set', 'INVALID_ARGUMENT', undefined, 'empty key');
  expectErr(await kv.set('', 'ns', 'k', 1, true), 'set', 'INVALID_ARGUMENT', undefined, 'empty instance');
  expectErr(await kv.get('i', '', 'k'), 'get', 'INVALID_ARGUMENT');
  expectErr(await kv.get('i', 'ns', ''), 'get', 'INVALID_ARGUMENT');
  expectErr(await kv.get('', 'ns', 'k'), 'get', 'INVALID_ARGUMENT');
  expectErr(await kv.delete('i', '', 'k'), 'delete', 'INVALID_ARGUMENT');
  expectErr(await kv.delete('i', 'ns', ''), 'delete', 'INVALID_ARGUMENT');
  expectErr(await kv.delete('', 'ns', 'k'), 'delete', 'INVALID_ARGUMENT');
  expectErr(await kv.deleteNamespace('i', ''), 'deleteNamespace', 'INVALID_ARGUMENT');
  expectErr(await kv.deleteNamespace('', 'ns'), 'deleteNamespace', 'INVALID_ARGUMENT');
  expectErr(await kv.getNamespaces(''), 'getNamespaces', 'INVALID_ARGUMENT');
  expectErr(await kv.getRecordCount(''), 'getRecordCount', 'INVALID_ARGUMENT');
  expectErr(await kv.getRecordCount('i', ''), 'getRecordCount', 'INVALID_ARGUMENT');
  expectErr(await kv.query({ from: { instance: '' } }), 'query', 'INVALID_ARGUMENT');
  expectErr(await kv.query({ from: { instance: 'i', namespace: '' } }), 'query', 'INVALID_ARGUMENT');
  equal(await count(kv, 'i'), 1);
  deepEqual((await instances(kv)).map((i) => i.name), ['i']);
});

test('records: keys up to 512 and namespaces up to 256 UTF-8 bytes work; one byte more is refused everywhere', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  const key = 'k'.repeat(512);
  const keyEmoji = '😀'.repeat(128); // 512 bytes
  const ns = 'n'.repeat(256);
  const nsAccent = 'é'.repeat(128); // 256 bytes
  checkRecord(await put(kv, 'i', ns, key, 1), { namespace: ns, key, value: 1 });
  checkRecord(await put(kv, 'i', nsAccent, keyEmoji, 2), { namespace: nsAccent, key: keyEmoji, value: 2 });
  deepEqual(await read(kv, 'i', ns, key), { value: 1, exists: true });
  deepEqual(await read(kv, 'i', nsAccent, keyEmoji), { value: 2, exists: true });
  const longKeys = ['k'.repeat(513), '😀'.repeat(128) + 'a', 'é'.repeat(256) + 'a'];
  const longNs = ['n'.repeat(257), 'é'.repeat(128) + 'a', '€'.repeat(85) + 'ab'];
  for (const k of longKeys) {
    expectErr(await kv.set('i', 'ns', k, 1), 'set', 'TOO_LARGE', undefined, `key of ${k.length} units`);
    expectErr(await kv.get('i', 'ns', k), 'get', 'TOO_LARGE');
    expectErr(await kv.delete('i', 'ns', k), 'delete', 'TOO_LARGE');
  }
  for (const n of longNs) {
    expectErr(await kv.set('i', n, 'k', 1), 'set', 'TOO_LARGE', undefined, `namespace of ${n.length} units`);
    expectErr(await kv.get('i', n, 'k'), 'get', 'TOO_LARGE');
    expectErr(await kv.delete('i', n, 'k'), 'delete', 'TOO_LARGE');
    expectErr(await kv.deleteNamespace('i', n), 'deleteNamespace', 'TOO_LARGE');
    expectErr(await kv.getRecordCount('i', n), 'getRecordCount', 'TOO_LARGE');
    expectErr(await kv.query({ from: { instance: 'i', namespace: n } }), 'query', 'TOO_LARGE');
  }
  equal(await count(kv, 'i'), 2);
});

test('records: configured key and namespace limits apply at the limit and one byte over', async (open) => {
  const kv = await open({ limits: { maxKeyBytes: 4, maxNamespaceBytes: 3 } });
  await makeInstance(kv, 'i');
  checkRecord(await put(kv, 'i', 'abc', 'abcd', 1), { namespace: 'abc', key: 'abcd', value: 1 });
  checkRecord(await put(kv, 'i', 'aé', 'éé', 2), { namespace: 'aé', key: 'éé', value: 2 });
  expectErr(await kv.set('i', 'abc', 'abcde', 1), 'set', 'TOO_LARGE');
  expectErr(await kv.set('i', 'abc', 'ééa', 1), 'set', 'TOO_LARGE');
  expectErr(await kv.set('i', 'abcd', 'k', 1), 'set', 'TOO_LARGE');
  expectErr(await kv.set('i', 'éé', 'k', 1), 'set', 'TOO_LARGE');
  expectErr(await kv.get('i', 'abc', 'abcde'), 'get', 'TOO_LARGE');
  expectErr(await kv.get('i', 'abcd', 'k'), 'get', 'TOO_LARGE');
  expectErr(await kv.getRecordCount('i', 'abcd'), 'getRecordCount', 'TOO_LARGE');
  expectErr(await kv.deleteNamespace('i', 'abcd'), 'deleteNamespace', 'TOO_LARGE');
  equal(await count(kv, 'i'), 2);
});

test('records: namespaces and keys with lone surrogates are refused; emoji round-trip', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  for (const bad of ['\uD800', 'a\uDBFFb', '\uDC00', '\uDE00\uD83D', 'end\uD83D']) {
    expectErr(await kv.set('i', bad, 'k', 1), 'set', 'INVALID_ARGUMENT', undefined, `namespace ${JSON.stringify(bad)}`);
    expectErr(await kv.set('i', 'ns', bad, 1), 'set', 'INVALID_ARGUMENT', undefined, `key ${JSON.stringify(bad)}`);
    expectErr(await kv.set(bad, 'ns', 'k', 1, true), 'set', 'INVALID_ARGUMENT', undefined, `instance ${JSON.stringify(bad)}`);
    expectErr(await kv.get('i', bad, 'k'), 'get', 'INVALID_ARGUMENT');
    expectErr(await kv.get('i', 'ns', bad), 'get', 'INVALID_ARGUMENT');
    expectErr(await kv.delete('i', 'ns', bad), 'delete', 'INVALID_ARGUMENT');
    expectErr(await kv.deleteNamespace('i', bad), 'deleteNamespace', 'INVALID_ARGUMENT');
    expectErr(await kv.getRecordCount('i', bad), 'getRecordCount', 'INVALID_ARGUMENT');
  }
  equal(await count(kv, 'i'), 0);
  deepEqual((await instances(kv)).map((i) => i.name), ['i']);
  const rec = await put(kv, 'i', 'ns 😀', 'key 🎉', 'ok');
  checkRecord(rec, { namespace: 'ns 😀', key: 'key 🎉', value: 'ok' });
  deepEqual(await read(kv, 'i', 'ns 😀', 'key 🎉'), { value: 'ok', exists: true });
  deepEqual(await namespaces(kv, 'i'), ['ns 😀']);
});

test('records: many records across namespaces are counted and listed exactly', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  const writes = [];
  for (let n = 0; n < 30; n++) for (const ns of ['x', 'y', 'z']) writes.push(kv.set('i', ns, `k${n}`, { n, ns }));
  const results = await Promise.all(writes);
  for (const r of results) expectOk(r, 'set');
  equal(await count(kv, 'i'), 90);
  for (const ns of ['x', 'y', 'z']) equal(await count(kv, 'i', ns), 30);
  deepEqual(await namespaces(kv, 'i'), ['x', 'y', 'z']);
  for (let n = 0; n < 30; n += 7) deepEqual(await read(kv, 'i', 'y', `k${n}`), { value: { n, ns: 'y' }, exists: true });
});
