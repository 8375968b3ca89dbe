// What outlives a store object (docs/beyond.md, sections 1 and 4): expired
// records leaving storage itself, at open and by the sweep while the store
// is open, and versions continuing across a reopen. These cases look at the
// storage directly, so they run only where the runner gives `open.storage`:
//   close(store)    drops the store object for good (its timers with it);
//                   the storage stays
//   reopen(store)   a new store object on the storage `store` used
//   records(store)  the item keys of the records in that storage, relative
//                   to the store ('r/<instanceId>/<namespace>/<key>'),
//                   sorted, read without the store (which may be closed)
// (the browser runner on IndexedDB and localStorage, and the edge suite on
// Durable Objects). Elsewhere (memory, Workers KV) the runners skip them,
// saying why (`skip`, see index.js).

import { deepEqual, ok } from './assert.js';
import { expectOk, ms, query, read } from './support.js';

export const cases = [];
const test = (name, fn) => cases.push({ name, fn, skip: withoutStorage });

/** Why a case cannot run on this store: its runner gives no `open.storage`. */
function withoutStorage(open) {
  return !open.storage && 'it looks at storage directly, which this runner does not give (open.storage)';
}

const sleep = (n) => new Promise((resolve) => setTimeout(resolve, n));

/** Waits until `expiresAt` (ISO) has passed by this process's clock. */
async function pastExpiry(expiresAt) {
  const left = ms(expiresAt) - Date.now();
  if (left >= 0) await sleep(left + 50);
}

/**
 * Polls `look` until it answers `expected` (deep-equal), for at most
 * `seconds`; then asserts what it answers last.
 */
async function until(look, expected, seconds, label) {
  const end = Date.now() + seconds * 1000;
  let seen = await look();
  while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < end) {
    await sleep(100);
    seen = await look();
  }
  deepEqual(seen, expected, label);
}

const item = (record) => `r/${record.instanceId}/${record.namespace}/${record.key}`;

test('lifetime: a record that expired while the store was closed leaves storage when the store opens again', async (open) => {
  const storage = open.storage;
  const kv = await open();
  const brief = expectOk(await kv.set('i', 'ns', 'brief', 1, true, { expireIn: 300 }), 'set').record;
  const kept = expectOk(await kv.set('i', 'ns', 'kept', 2), 'set').record;
  deepEqual(await storage.records(kv), [item(brief), item(kept)], 'both stored');
  await storage.close(kv);
  await pastExpiry(brief.expiresAt);
  deepEqual(await storage.records(kv), [item(brief), item(kept)], 'expired, but no store is open to remove it');
  const again = await storage.reopen(kv);
  // No call on the reopened store: only its open removes the record.
  await until(() => storage.records(again), [item(kept)], 10, "the open's sweep removed it from storage");
  deepEqual(await read(again, 'i', 'ns', 'brief'), { value: null, exists: false });
  deepEqual(await read(again, 'i', 'ns', 'kept'), { value: 2, exists: true });
});

test('lifetime: while the store is open, its sweep removes an expired record from storage without any call', async (open) => {
  const storage = open.storage;
  const kv = await open();
  const brief = expectOk(await kv.set('i', 'ns', 'brief', 1, true, { expireIn: 300 }), 'set').record;
  const kept = expectOk(await kv.set('i', 'ns', 'kept', 2), 'set').record;
  deepEqual(await storage.records(kv), [item(brief), item(kept)], 'both stored');
  await pastExpiry(brief.expiresAt);
  await until(() => storage.records(kv), [item(kept)], 10, 'the sweep removed it from storage');
  deepEqual(await read(kv, 'i', 'ns', 'kept'), { value: 2, exists: true });
});

test('lifetime: versions continue across a reopen; a key deleted and written again never gets an old version', async (open) => {
  const storage = open.storage;
  const kv = await open();
  const handed = [];
  const set = async (store, key, value) => {
    const record = expectOk(await store.set('i', 'ns', key, value, true), 'set', key).record;
    handed.push(record.version);
    return record;
  };
  await set(kv, 'k', 1);
  await set(kv, 'other', 1);
  await set(kv, 'k', 2);
  deepEqual(expectOk(await kv.delete('i', 'ns', 'k'), 'delete'), { deleted: true });
  await storage.close(kv);
  const again = await storage.reopen(kv);
  const before = Math.max(...handed);
  const recreated = await set(again, 'k', 3);
  ok(recreated.version > before, `the key written again after the reopen has version ${recreated.version}, above every earlier one (${handed.slice(0, -1)})`);
  const other = await set(again, 'other', 2);
  ok(other.version > recreated.version, `versions keep growing: ${other.version} after ${recreated.version}`);
  const found = await query(again, { from: { instance: 'i', namespace: 'ns' } });
  deepEqual(found.records.map((r) => [r.key, r.value, r.version]), [['k', 3, recreated.version], ['other', 2, other.version]]);
  const third = await storage.reopen(again);
  deepEqual(expectOk(await third.getMany([{ instanceId: 'i', namespace: 'ns', key: 'k' }]), 'getMany').records.map((r) => r.version), [recreated.version]);
});
