// Atomic batches and bulk reads (docs/beyond.md, atomic batches and bulk
// reads). `open.backend` names the backend; Workers KV ('kv') answers a
// batch with checks or ifVersion as UNSUPPORTED, and writes one without
// them as it writes everything (no transactions).

import { deepEqual, equal, ok } from './assert.js';
import { checkRecord, expectErr, expectOk, put, query, read } from './support.js';

export const cases = [];
const test = (name, fn) => cases.push({ name, fn });

const at = (key) => ({ instanceId: 'i', namespace: 'ns', key });
const set = (key, value, more = {}) => ({ op: 'set', ...at(key), value, ...more });
const del = (key, more = {}) => ({ op: 'delete', ...at(key), ...more });
const check = (key, version) => ({ op: 'check', ...at(key), version });

/** Every record of instance i, as [key, value] pairs in key order. */
async function pairsOf(kv) {
  const found = await query(kv, { from: { instance: 'i' } });
  return found.records.map((r) => [r.key, r.value]);
}

test('batch: operations apply in order, in one call, and answer in order', async (open) => {
  const kv = await open();
  const data = expectOk(await kv.batch([set('k', 1, { autoCreateInstance: true }), set('k', 2), set('other', 'x'), del('k'), del('k'), set('k', 3)]), 'batch');
  const results = data.results;
  equal(results.length, 6);
  checkRecord(results[0].record, { key: 'k', value: 1 });
  checkRecord(results[1].record, { key: 'k', value: 2, id: results[0].record.id });
  ok(results[1].record.version > results[0].record.version, 'a later write of one key gets a greater version');
  deepEqual([results[3], results[4]], [{ deleted: true }, { deleted: false }]);
  ok(results[5].record.id !== results[0].record.id, 'written again after its delete: a new record');
  deepEqual(await pairsOf(kv), [['k', 3], ['other', 'x']]);
  equal(expectOk(await kv.listInstances(), 'listInstances').instances.length, 1, 'the instance was created once');
});

test('batch: a check that holds lets the batch through; one that fails, last, writes nothing', async (open) => {
  const kv = await open();
  const first = await put(kv, 'i', 'ns', 'k', 'v1', true);
  const checked = await kv.batch([set('a', 1), check('k', first.version), check('missing', null)]);
  if (open.backend === 'kv') {
    expectErr(checked, 'batch', 'UNSUPPORTED', 'Operation 1 of the batch failed');
    deepEqual(await pairsOf(kv), [['k', 'v1']], 'nothing was written');
    return;
  }
  deepEqual(expectOk(checked, 'batch').results.slice(1), [{ ok: true }, { ok: true }]);
  const refused = await kv.batch([set('b', 1), del('k'), set('c', 2), check('k', first.version)]);
  expectErr(refused, 'batch', 'CONFLICT', 'Operation 3 of the batch failed, so none was carried out: The key ns/k is absent but the write required it at version');
  deepEqual(await pairsOf(kv), [['a', 1], ['k', 'v1']], 'nothing of the refused batch was written');
  const stale = await kv.batch([set('k', 'v2', { ifVersion: first.version + 1000 })]);
  expectErr(stale, 'batch', 'CONFLICT', 'Operation 0 of the batch failed');
  deepEqual(await read(kv, 'i', 'ns', 'k'), { value: 'v1', exists: true });
});

test('batch: the first failing operation gives its own code and index, and nothing changes', async (open) => {
  const kv = await open({ limits: { maxValueBytes: 64, maxBatchOperations: 3 } });
  await put(kv, 'i', 'ns', 'kept', 'before', true);
  const cases = [
    [[set('a', 1), { op: 'set', instanceId: 'nowhere', namespace: 'ns', key: 'k', value: 1 }], 'NOT_FOUND', 'Operation 1 of the batch failed, so none was carried out: Instance "nowhere" not found'],
    [[set('a', 1), set('b', 'x'.repeat(100))], 'TOO_LARGE', 'Operation 1 of the batch failed'],
    [[set('a', 1), { op: 'rename', ...at('a') }], 'INVALID_ARGUMENT', "op must be 'set', 'delete' or 'check', not a string."],
    [[del('a', { ifversion: 1 })], 'INVALID_ARGUMENT', 'ifversion is not a member of an operation'],
    [[check('a', 0)], 'INVALID_ARGUMENT', 'version must be a record'],
    [[set('a', undefined)], 'INVALID_ARGUMENT', 'Operation 0 of the batch failed'],
    [['not an object'], 'INVALID_ARGUMENT', 'Each entry (an operation) must be an object, not a string.'],
    [[], 'INVALID_ARGUMENT', 'operations must hold 1 to 3 entries (maxBatchOperations), not 0.'],
    [[set('a', 1), set('b', 2), set('c', 3), set('d', 4)], 'INVALID_ARGUMENT', 'operations must hold 1 to 3 entries (maxBatchOperations), not 4.'],
  ];
  for (const [operations, code, says] of cases) {
    expectErr(await kv.batch(operations), 'batch', code, says, JSON.stringify(operations).slice(0, 80));
  }
  expectErr(await kv.batch('set'), 'batch', 'INVALID_ARGUMENT', 'operations must be an array, not a string.');
  deepEqual(await pairsOf(kv), [['kept', 'before']]);
});

test('getMany: a record or null per key, in order', async (open) => {
  const kv = await open();
  const a = await put(kv, 'i', 'ns', 'a', { n: 1 }, true);
  const b = await put(kv, 'i', 'other', 'b', [2]);
  const records = expectOk(await kv.getMany([at('a'), at('missing'), { instanceId: 'nowhere', namespace: 'ns', key: 'a' }, { instanceId: 'i', namespace: 'other', key: 'b' }]), 'getMany').records;
  deepEqual(records, [a, null, null, b]);
  expectErr(await kv.getMany([at('a'), { instanceId: 'i', namespace: '', key: 'b' }]), 'getMany', 'INVALID_ARGUMENT', 'Key 1 of the list is refused, so none was read: The namespace must not be empty.');
  expectErr(await kv.getMany([{ ...at('a'), extra: 1 }]), 'getMany', 'INVALID_ARGUMENT', 'Key 0 of the list is refused, so none was read: extra is not a member of a key');
  expectErr(await kv.getMany([]), 'getMany', 'INVALID_ARGUMENT', 'keys must hold 1 to');
});
