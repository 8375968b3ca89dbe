// The adapter backend in Node, on adapters made here: what a failure part
// way through a commit leaves, with and without transactions; paging; items
// that cannot be loaded; and backend objects of the wrong shape.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { KvStore } from '../../pkg/node.js';

// An in-memory adapter over `data`; `failPut(key)` may throw to fail a put.
function memoryAdapter(data, { failPut = () => false, page = 2 } = {}) {
  return {
    get: async (key) => data.get(key) ?? null,
    put: async (key, value) => {
      if (failPut(key)) throw new Error(`put ${key} refused`);
      data.set(key, value);
    },
    delete: async (key) => {
      data.delete(key);
    },
    list: async (prefix, cursor) => {
      const keys = [...data.keys()].filter((key) => key.startsWith(prefix)).sort();
      const start = cursor === undefined ? 0 : keys.indexOf(cursor) + 1;
      const slice = keys.slice(start, start + page);
      return { keys: slice, cursor: start + page < keys.length ? slice[slice.length - 1] : undefined };
    },
  };
}

// The same, with a transaction that applies its writes only when it succeeds.
function transactionalAdapter(data, options) {
  const adapter = memoryAdapter(data, options);
  adapter.transaction = async (fn) => {
    const copy = new Map(data);
    await fn(memoryAdapter(copy, options));
    data.clear();
    for (const [key, value] of copy) data.set(key, value);
  };
  return adapter;
}

test('loading pages through the list cursor and reloads what was written', async () => {
  const data = new Map();
  const kv = await KvStore.open({ backend: { adapter: memoryAdapter(data) }, name: 'paged' });
  assert.deepEqual(kv.storage, { backend: 'adapter', name: 'paged', skipped: [] });
  await Promise.all(Array.from({ length: 7 }, (_, n) => kv.set('app', 'ns', `k${n}`, n, true)));
  const again = await KvStore.open({ backend: { adapter: memoryAdapter(data) }, name: 'paged' });
  assert.equal((await again.getRecordCount('app')).data.count, 7);
  const other = await KvStore.open({ backend: { adapter: memoryAdapter(data) }, name: 'paged2' });
  assert.equal((await other.getRecordCount('app')).data.count, 0, 'another name is another store');
});

test('without transactions, a failure part way keeps the writes before it, and the store says so', async () => {
  const data = new Map();
  let refuse = false;
  const adapter = memoryAdapter(data, { failPut: (key) => refuse && key.endsWith('/b') });
  const kv = await KvStore.open({ backend: { adapter }, name: 'partial' });
  await kv.createInstance('app');
  refuse = true;
  const [a, b] = await Promise.all([kv.set('app', 'ns', 'a', 1), kv.set('app', 'ns', 'b', 2)]);
  for (const answer of [a, b]) {
    assert.equal(answer.success, false);
    assert.match(answer.error, /writing records failed \(put .* refused\)\. This storage has no transactions/);
  }
  // Memory was rolled back to the state before the batch...
  assert.equal((await kv.getRecordCount('app')).data.count, 0);
  // ...while storage kept the write that succeeded, as the error says.
  const reopened = await KvStore.open({ backend: { adapter }, name: 'partial' });
  assert.deepEqual((await reopened.query({ from: { instance: 'app' } })).data.result.records.map((r) => r.key), ['a']);
  // A delete afterwards still finds the item the failed batch left behind.
  refuse = false;
  assert.equal((await kv.deleteInstance('app')).data.deleted, true);
  assert.deepEqual([...data.keys()].filter((key) => key.includes('/r/')), []);
});

test('with a transaction, a failure keeps nothing of the batch', async () => {
  const data = new Map();
  let refuse = false;
  const adapter = transactionalAdapter(data, { failPut: (key) => refuse && key.endsWith('/b') });
  const kv = await KvStore.open({ backend: { adapter }, name: 'atomic' });
  await kv.createInstance('app');
  await kv.set('app', 'ns', 'old', 0);
  const before = new Map(data);
  refuse = true;
  const answers = await Promise.all([kv.set('app', 'ns', 'a', 1), kv.set('app', 'ns', 'b', 2), kv.delete('app', 'ns', 'old')]);
  for (const answer of answers) assert.match(answer.error, /the transaction failed \(.*\); nothing of the batch was kept/);
  assert.deepEqual(data, before);
  assert.deepEqual((await kv.get('app', 'ns', 'old')).data, { value: 0, exists: true });
});

test('items that cannot be loaded are reported and left alone; the rest loads', async () => {
  const data = new Map();
  const kv = await KvStore.open({ backend: { adapter: memoryAdapter(data) }, name: 's' });
  await kv.set('app', 'ns', 'k', 1, true);
  const record = [...data.keys()].find((key) => key.includes('/r/'));
  data.set(record.replace(/\/k$/, '/damaged'), '{"not":"a record"}');
  data.set('boltkv/s/zzz', 'foreign');
  const again = await KvStore.open({ backend: { adapter: memoryAdapter(data) }, name: 's' });
  assert.equal(again.storage.skipped.length, 2, again.storage.skipped.join('\n'));
  assert.equal((await again.getRecordCount('app')).data.count, 1);
  assert.equal(data.get('boltkv/s/zzz'), 'foreign');
});

test('items the last release wrote, written here by hand, open unchanged, a key over 512 bytes under its hash too', async () => {
  const id = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
  const recordDoc = (rid, key, value) => JSON.stringify({
    id: rid, instanceId: id, namespace: 'ns', key, value, createdAt: 1764633600002, updatedAt: 1764633600003, version: 7,
  });
  const long = 'L'.repeat(500); // within the key limit, but over 512 bytes with its prefix
  const data = new Map([
    ['boltkv/old/v', '1'],
    [`boltkv/old/i/${id}`, JSON.stringify({ id, name: 'app', createdAt: 1764633600000, updatedAt: 1764633600001, seq: 0 })],
    [`boltkv/old/r/${id}/ns/k`, recordDoc('0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d', 'k', { a: [1, 'x'] })],
    [`boltkv/old/h/${createHash('sha256').update(`r/${id}/ns/${long}`).digest('hex')}`, recordDoc('1a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d', long, 'long')],
  ]);
  const kv = await KvStore.open({ backend: { adapter: memoryAdapter(data) }, name: 'old' });
  assert.deepEqual(kv.storage.skipped, []);
  assert.deepEqual((await kv.listInstances()).data.instances, [
    { id, name: 'app', createdAt: '2025-12-02T00:00:00.000Z', updatedAt: '2025-12-02T00:00:00.001Z' },
  ]);
  assert.deepEqual((await kv.get('app', 'ns', 'k')).data, { value: { a: [1, 'x'] }, exists: true });
  assert.deepEqual((await kv.get('app', 'ns', long)).data, { value: 'long', exists: true });
  const again = (await kv.set('app', 'ns', 'k', 2)).data.record;
  assert.deepEqual([again.id, again.createdAt], ['0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d', '2025-12-02T00:00:00.002Z']);
  assert.equal((await kv.deleteNamespace('app', 'ns')).data.deletedCount, 2);
  assert.deepEqual([...data.keys()].sort(), ['boltkv/old/i/' + id, 'boltkv/old/v'], 'the hashed item went with its namespace');
});

test('a store in an unknown format, or an unreadable storage, is not opened (or falls back to memory)', async () => {
  const data = new Map([['boltkv/new/v', '99']]);
  await assert.rejects(KvStore.open({ backend: { adapter: memoryAdapter(data) }, name: 'new' }), /in format 99, and this boltkv reads only format 1/);
  const broken = { ...memoryAdapter(new Map()), list: async () => ({ keys: 'nope' }) };
  await assert.rejects(KvStore.open({ backend: { adapter: broken } }), /list\(\) must resolve with \{ keys: string\[\]/);
  const fallen = await KvStore.open({ backend: { adapter: broken }, fallback: 'memory' });
  assert.equal(fallen.storage.backend, 'memory');
  assert.match(fallen.storage.fallbackReason, /listing the storage failed/);
});

test('backend objects of the wrong shape and names too long for KV keys are refused', async () => {
  const adapter = memoryAdapter(new Map());
  for (const [backend, says] of [
    [{}, /exactly one of kv, durableObject, adapter/],
    [{ kv: adapter, adapter }, /exactly one of/],
    [{ redis: adapter }, /exactly one of/],
    [{ kv: { get() {} } }, /backend\.kv must be a Workers KV namespace binding; it has no put, delete, list method/],
    [{ durableObject: adapter }, /backend\.durableObject must be a Durable Object storage \(ctx\.storage\); it has no transaction method/],
    [{ adapter: { ...adapter, putMany: 5 } }, /backend\.adapter\.putMany must be a function/],
  ]) {
    await assert.rejects(KvStore.open({ backend }), says);
  }
  await assert.rejects(KvStore.open({ backend: { adapter }, limits: { maxDepth: 0 } }), /maxDepth/);
  await assert.rejects(KvStore.open({ backend: { adapter }, name: '/'.repeat(250) }), /too long for key-value storage/);
});
