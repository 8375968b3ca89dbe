// Record versions and conditional writes (docs/beyond.md, sections 1 and 3).
// `open.backend` names the backend under test; Workers KV ('kv') cannot
// check and write in one step, so there every conditional write must be
// refused as UNSUPPORTED and change nothing.

import { deepEqual, equal, ok } from './assert.js';
import { checkRecord, expectErr, expectOk, put, query, read } from './support.js';

export const cases = [];
const test = (name, fn, skip) => cases.push({ name, fn, skip });

const cannotCheck = (open) => open.backend === 'kv';

/** Why a case cannot run on this store (`skip`, see index.js). */
const unchecked = (open) => cannotCheck(open) && 'Workers KV cannot check versions; the cases before check that it answers UNSUPPORTED';

/** The record's version as a query finds it (`get` answers only the
 * value, as the twelve calls define it). */
async function versionOf(kv, key) {
  const found = await query(kv, { from: { instance: 'i', namespace: 'ns' }, where: [{ field: 'key', operator: '==', value: key }] });
  return found.records[0]?.version;
}

test('versions: every write of a key gets a version above all versions handed out before', async (open) => {
  const kv = await open();
  const first = await put(kv, 'i', 'ns', 'a', 1, true);
  const other = await put(kv, 'i', 'ns', 'b', 1);
  const second = await put(kv, 'i', 'ns', 'a', 2);
  checkRecord(first, { key: 'a', value: 1 });
  ok(other.version > first.version && second.version > other.version, `versions grow: ${first.version}, ${other.version}, ${second.version}`);
  equal(second.id, first.id, 'an overwrite keeps the id');
  equal(await versionOf(kv, 'a'), second.version, 'a query tells the version set answered');
  const listed = await query(kv, { from: { instance: 'i' } });
  deepEqual(listed.records.map((r) => [r.key, r.version]), [['a', second.version], ['b', other.version]]);
});

test('versions: a key deleted and written again never gets an old version back', async (open) => {
  const kv = await open();
  const seen = [];
  for (let round = 0; round < 3; round++) {
    seen.push((await put(kv, 'i', 'ns', 'k', round, true)).version);
    equal(expectOk(await kv.delete('i', 'ns', 'k'), 'delete').deleted, true);
  }
  deepEqual([...seen].sort((x, y) => x - y), seen, 'growing');
  equal(new Set(seen).size, 3, `distinct: ${seen}`);
});

test('conditional: ifVersion null writes only an absent key', async (open) => {
  const kv = await open();
  const absent = await kv.set('i', 'ns', 'k', 'first', true, { ifVersion: null });
  if (cannotCheck(open)) {
    expectErr(absent, 'set', 'UNSUPPORTED', 'Workers KV');
    deepEqual(await read(kv, 'i', 'ns', 'k'), { value: null, exists: false }, 'nothing was written');
    return;
  }
  const record = expectOk(absent, 'set').record;
  const again = await kv.set('i', 'ns', 'k', 'second', false, { ifVersion: null });
  expectErr(again, 'set', 'CONFLICT', `is at version ${record.version} but the write required it absent`);
  deepEqual(await read(kv, 'i', 'ns', 'k'), { value: 'first', exists: true }, 'the refused write changed nothing');
  equal(await versionOf(kv, 'k'), record.version);
});

test('conditional: ifVersion n writes only while the key is at version n', async (open) => {
  const kv = await open();
  const first = await put(kv, 'i', 'ns', 'k', 1, true);
  const matching = await kv.set('i', 'ns', 'k', 2, false, { ifVersion: first.version });
  if (cannotCheck(open)) {
    expectErr(matching, 'set', 'UNSUPPORTED', 'ifVersion');
    deepEqual(await read(kv, 'i', 'ns', 'k'), { value: 1, exists: true });
    expectErr(await kv.delete('i', 'ns', 'k', { ifVersion: first.version }), 'delete', 'UNSUPPORTED', 'ifVersion');
    deepEqual(await read(kv, 'i', 'ns', 'k'), { value: 1, exists: true }, 'nor deleted');
    return;
  }
  const second = expectOk(matching, 'set').record;
  ok(second.version > first.version, 'the write got a new version');
  const stale = await kv.set('i', 'ns', 'k', 3, false, { ifVersion: first.version });
  expectErr(stale, 'set', 'CONFLICT', `is at version ${second.version} but the write required it at version ${first.version}`);
  deepEqual(await read(kv, 'i', 'ns', 'k'), { value: 2, exists: true });
  const missing = await kv.set('i', 'ns', 'other', 1, false, { ifVersion: first.version });
  expectErr(missing, 'set', 'CONFLICT', 'is absent');
  deepEqual(await read(kv, 'i', 'ns', 'other'), { value: null, exists: false });
});

test('conditional: delete with ifVersion removes only the version it names', async (open) => {
  const kv = await open();
  const record = await put(kv, 'i', 'ns', 'k', 'v', true);
  expectErr(await kv.delete('i', 'ns', 'k', { ifVersion: record.version + 1000 }), 'delete', 'CONFLICT', 'nothing was written');
  expectErr(await kv.delete('i', 'ns', 'k', { ifVersion: null }), 'delete', 'CONFLICT', 'required it absent');
  deepEqual(await read(kv, 'i', 'ns', 'k'), { value: 'v', exists: true });
  deepEqual(expectOk(await kv.delete('i', 'ns', 'k', { ifVersion: record.version }), 'delete'), { deleted: true });
  deepEqual(expectOk(await kv.delete('i', 'ns', 'k', { ifVersion: null }), 'delete'), { deleted: false }, 'absent, as required');
  expectErr(await kv.delete('i', 'ns', 'k', { ifVersion: record.version }), 'delete', 'CONFLICT', 'is absent');
}, unchecked);

test('conditional: of two writes checking one version together, exactly one succeeds', async (open) => {
  const kv = await open();
  const record = await put(kv, 'i', 'ns', 'k', 0, true);
  const both = await Promise.all([
    kv.set('i', 'ns', 'k', 'a', false, { ifVersion: record.version }),
    kv.set('i', 'ns', 'k', 'b', false, { ifVersion: record.version }),
    kv.set('i', 'ns', 'fresh', 'c', false, { ifVersion: null }),
  ]);
  deepEqual(both.map((r) => r.success), [true, false, true]);
  expectErr(both[1], 'set', 'CONFLICT', 'was changed meanwhile');
  deepEqual(await read(kv, 'i', 'ns', 'k'), { value: 'a', exists: true });
}, unchecked);

test('conditional: malformed options are refused and nothing is written', async (open) => {
  const kv = await open();
  await put(kv, 'i', 'ns', 'k', 'kept', true);
  const cases = [
    [{ ifVersion: 0 }, 'options.ifVersion must be a record'],
    [{ ifVersion: -1 }, 'options.ifVersion must be a record'],
    [{ ifVersion: 1.5 }, 'options.ifVersion must be a record'],
    [{ ifVersion: '1' }, 'options.ifVersion must be a record'],
    [{ ifVersion: 2 ** 53 }, 'options.ifVersion must be a record'],
    [{ ifversion: 1 }, 'unknown field `ifversion`'],
    ['yes', 'options must be an object, not a string.'],
  ];
  for (const [options, says] of cases) {
    expectErr(await kv.set('i', 'ns', 'k', 'changed', false, options), 'set', 'INVALID_ARGUMENT', says, JSON.stringify(options));
    expectErr(await kv.delete('i', 'ns', 'k', options), 'delete', 'INVALID_ARGUMENT', says, JSON.stringify(options));
  }
  deepEqual(await read(kv, 'i', 'ns', 'k'), { value: 'kept', exists: true });
  expectOk(await kv.set('i', 'ns', 'k', 'plain', false, undefined), 'set', 'options may be undefined');
  expectOk(await kv.set('i', 'ns', 'k', 'plain', false, {}), 'set', 'or empty');
});
