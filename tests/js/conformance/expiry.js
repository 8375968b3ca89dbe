// Expiry (docs/beyond.md, expiry): expiresAt on the record, invisibility
// from that instant everywhere, the end of an expiry with a later set, and
// refused options that store nothing. Real expiries here are short; the
// exact instant is tested natively with the injectable clock (tests/expiry.rs).

import { deepEqual, equal, ok } from './assert.js';
import { expectErr, expectOk, ms, query, read } from './support.js';

export const cases = [];
const test = (name, fn) => cases.push({ name, fn });

const sleep = (n) => new Promise((resolve) => setTimeout(resolve, n));

test('expiry: expireIn and expireAt give the record expiresAt', async (open) => {
  const kv = await open();
  const soon = expectOk(await kv.set('i', 'ns', 'a', 1, true, { expireIn: 60000 }), 'set').record;
  equal(ms(soon.expiresAt) - ms(soon.updatedAt), 60000, 'expiresAt is the write time plus expireIn');
  const at = new Date(Date.now() + 3600000).toISOString();
  equal(expectOk(await kv.set('i', 'ns', 'b', 2, false, { expireAt: at }), 'set').record.expiresAt, at);
  const epoch = Date.now() + 7200000;
  equal(expectOk(await kv.set('i', 'ns', 'c', 3, false, { expireAt: epoch }), 'set').record.expiresAt, new Date(epoch).toISOString());
  const plain = expectOk(await kv.set('i', 'ns', 'a', 4), 'set').record;
  ok(!('expiresAt' in plain), 'a later set without an expiry keeps none');
  const found = await query(kv, { from: { instance: 'i' } });
  deepEqual(found.records.map((r) => [r.key, r.expiresAt]), [['a', undefined], ['b', at], ['c', new Date(epoch).toISOString()]]);
});

test('expiry: from its expiry a key reads as absent everywhere', async (open) => {
  const kv = await open();
  // A second, so that the calls before the expiry finish before it even
  // over HTTP on a busy machine (40 ms did not, once in about ten runs).
  const brief = expectOk(await kv.set('i', 'gone', 'k', 'brief', true, { expireIn: 1000 }), 'set').record;
  await kv.set('i', 'kept', 'k', 'stays');
  deepEqual(await read(kv, 'i', 'gone', 'k'), { value: 'brief', exists: true });
  await sleep(Math.max(0, ms(brief.expiresAt) - Date.now()) + 50);
  deepEqual(await read(kv, 'i', 'gone', 'k'), { value: null, exists: false });
  equal((await query(kv, { from: { instance: 'i', namespace: 'gone' } })).total, 0);
  equal(expectOk(await kv.getRecordCount('i'), 'getRecordCount').count, 1);
  deepEqual(expectOk(await kv.getNamespaces('i'), 'getNamespaces').namespaces, ['kept']);
  deepEqual(expectOk(await kv.getMany([{ instanceId: 'i', namespace: 'gone', key: 'k' }]), 'getMany').records, [null]);
  if (open.backend !== 'kv') {
    expectOk(await kv.set('i', 'gone', 'k', 'again', false, { ifVersion: null }), 'set', 'an expired key is absent to ifVersion: null');
  }
});

test('expiry: bad expiries are refused and store nothing', async (open) => {
  const kv = await open();
  const past = new Date(Date.now() - 1000).toISOString();
  const cases = [
    [{ expireIn: 0 }, 'options.expireIn must be a positive whole number of milliseconds'],
    [{ expireIn: -5 }, 'options.expireIn must be a positive whole number of milliseconds'],
    [{ expireIn: 1.5 }, 'options.expireIn must be a positive whole number of milliseconds'],
    [{ expireIn: '10' }, 'options.expireIn must be a positive whole number of milliseconds'],
    [{ expireIn: 10, expireAt: Date.now() + 1000 }, 'options.expireIn and expireAt cannot both be given'],
    [{ expireAt: past }, 'options.expireAt must be after the write'],
    [{ expireAt: 'next tuesday' }, 'options.expireAt must be an ISO-8601 time or epoch milliseconds'],
  ];
  for (const [options, says] of cases) {
    expectErr(await kv.set('i', 'ns', 'k', 'v', true, options), 'set', 'INVALID_ARGUMENT', says, JSON.stringify(options));
  }
  expectErr(await kv.delete('i', 'ns', 'k', { expireIn: 10 }), 'delete', 'INVALID_ARGUMENT', 'unknown field `expireIn`');
  expectErr(await kv.batch([{ op: 'set', instanceId: 'i', namespace: 'ns', key: 'k', value: 1, autoCreateInstance: true, expireIn: 0 }]), 'batch', 'INVALID_ARGUMENT', 'Operation 0 of the batch failed, so none was carried out: expireIn must be');
  deepEqual(expectOk(await kv.listInstances(), 'listInstances').instances, [], 'nothing was stored, not even the instance');
  const batched = expectOk(await kv.batch([{ op: 'set', instanceId: 'i', namespace: 'ns', key: 'k', value: 1, autoCreateInstance: true, expireIn: 60000 }]), 'batch');
  equal(ms(batched.results[0].record.expiresAt) - ms(batched.results[0].record.updatedAt), 60000);
});
