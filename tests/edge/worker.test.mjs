// The example worker under workerd (miniflare), on loopback, with its KV
// namespace and Durable Objects persisted in a temporary folder and a token
// set: the whole conformance suite over HTTP on both backends (a fresh store
// per case), data surviving a restart of the runtime, conditional
// increments racing inside one Durable Object, and malformed requests. access.test.mjs covers tokens, limits and CORS;
// feed.test.mjs the live feed.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'undici';
import { openRemote, remoteStore } from '../../examples/worker/client.js';
import { suites } from '../js/conformance/index.js';
import { service } from './service.mjs';

const TOKEN = 'conformance-token-0123456789abcdef';
const edge = service({ BOLTKV_TOKEN: TOKEN });

before(() => edge.start());
after(() => edge.dispose());

const BACKENDS = ['durableObject', 'kv'];
let stores = 0;

// Where each store a case opened lives.
const places = new WeakMap();

// The `open.storage` of tests/js/conformance/lifetime.js on Durable Objects:
// closing a store restarts the runtime (every object, with its store and
// timers, is gone; storage stays), reopening opens the same object's store
// with POST /open, and its records are read from the object's storage by
// probe.js.
const objectStorage = {
  async close() {
    await edge.stop();
    await edge.start();
  },
  async reopen(store) {
    const where = places.get(store);
    const again = await openRemote(edge.base, [], where);
    places.set(again, where);
    return again;
  },
  records: (store) => edge.probe('records', { store: places.get(store).store }),
};

for (const backend of BACKENDS) {
  for (const [suite, cases] of Object.entries(suites)) {
    // The feed answers UNSUPPORTED on Workers KV (feed.test.mjs).
    if (suite === 'watch' && backend === 'kv') continue;
    describe(`${backend}: ${suite}`, () => {
      for (const { name, fn, skip: inapplicable } of cases) {
        // Each call to open is a new store: a new Durable Object, or a new
        // prefix in the KV namespace.
        const open = async (...args) => {
          const where = { store: `case-${++stores}`, backend, token: TOKEN, WebSocket };
          const store = await openRemote(edge.base, args, where);
          places.set(store, where);
          return store;
        };
        const remote = backend === 'durableObject' ? { storage: objectStorage, feed: true } : {};
        Object.assign(open, { backend }, remote);
        const skip = (name.startsWith('watchQuery:') && 'the service has no live query; a client can watch and query again') || inapplicable?.(open) || false;
        test(name, { skip }, () => fn(open));
      }
    });
  }
}

// The watch suite inside the worker too: on a Durable Object's own store,
// where every request's commits are this store's, and on Workers KV, where
// a store object hears its own writes (probe.js runs each case).
for (const backend of BACKENDS) {
  describe(`${backend}: watch, inside the worker`, () => {
    suites.watch.forEach(({ name }, index) => {
      test(name, async () => {
        const answer = await edge.probe('conformance', { suite: 'watch', case: index, backend });
        assert.deepEqual(answer, { ok: true, name });
      });
    });
  });
}

describe('restart', () => {
  for (const backend of BACKENDS) {
    test(`${backend}: records survive disposing the runtime and starting it again on the same storage`, async () => {
      const where = { store: `restart-${backend}`, backend, token: TOKEN };
      const kv = remoteStore(edge.base, where);
      assert.equal((await kv.createInstance('app', 'kept')).success, true);
      const long = 'k'.repeat(512);
      const writes = await Promise.all([
        kv.set('app', 'settings', 'theme', { mode: 'dark', sizes: [1, 2.5, null] }),
        kv.set('app', 'settings', long, 'a key stored under its hash'),
        kv.set('app', 'gone', 'x', 1),
      ]);
      assert.deepEqual(writes.map((w) => w.success), [true, true, true]);
      assert.equal((await kv.deleteNamespace('app', 'gone')).data.deletedCount, 1);

      await edge.stop();
      await edge.start();

      const again = remoteStore(edge.base, where);
      const instances = (await again.listInstances()).data.instances;
      assert.deepEqual(instances.map((i) => [i.name, i.description]), [['app', 'kept']]);
      assert.deepEqual((await again.get('app', 'settings', 'theme')).data, { value: { mode: 'dark', sizes: [1, 2.5, null] }, exists: true });
      assert.deepEqual((await again.get('app', 'settings', long)).data, { value: 'a key stored under its hash', exists: true });
      assert.deepEqual((await again.getNamespaces('app')).data.namespaces, ['settings']);
      const open = await fetch(new URL(`/open?store=${where.store}&backend=${backend}`, edge.base), {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: '{"args":[]}',
      });
      assert.deepEqual((await open.json()).storage, { backend, name: backend === 'kv' ? where.store : 'store', skipped: [] });
    });
  }
});

describe('requests racing inside one Durable Object', () => {
  test('20 concurrent clients x 20 increments with ifVersion, retried on CONFLICT, end at exactly 400', async () => {
    const where = { store: 'counter-race', backend: 'durableObject', token: TOKEN };
    const kv = remoteStore(edge.base, where);
    assert.equal((await kv.set('app', 'c', 'n', 0, true)).success, true);
    const key = { instanceId: 'app', namespace: 'c', key: 'n' };
    let conflicts = 0;
    const client = async () => {
      const mine = remoteStore(edge.base, where);
      for (let i = 0; i < 20; i++) {
        for (;;) {
          const [now] = (await mine.getMany([key])).data.records;
          const next = await mine.set('app', 'c', 'n', now.value + 1, false, { ifVersion: now.version });
          if (next.success) break;
          assert.equal(next.code, 'CONFLICT', next.error);
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    const [final] = (await kv.getMany([key])).data.records;
    assert.equal(final.value, 400, `conflicts along the way: ${conflicts}`);
    assert.ok(conflicts > 0, 'the clients did race');
  });
});

describe('expiry on Workers KV', () => {
  test("every expiring record's item gets KV's own expiration: its expiry rounded up to a second, and at least 60 s ahead", async () => {
    const kv = remoteStore(edge.base, { store: 'kv-expiry', backend: 'kv', token: TOKEN });
    const later = (await kv.set('app', 'ns', 'later', 1, true, { expireIn: 120_000 })).data.record;
    const before = Math.ceil(Date.now() / 1000);
    await kv.set('app', 'ns', 'soon', 2, false, { expireIn: 30_000 });
    const after = Math.ceil(Date.now() / 1000);
    await kv.set('app', 'ns', 'kept', 3);
    const namespace = await edge.kv();
    const { keys } = await namespace.list({ prefix: 'boltkv/kv-expiry/r/' });
    const expiration = (name) => keys.find((k) => k.name.endsWith(`/ns/${name}`))?.expiration;
    assert.equal(expiration('later'), Math.ceil(Date.parse(later.expiresAt) / 1000));
    const soon = expiration('soon');
    assert.ok(soon >= before + 60 && soon <= after + 60, `an expiry 30 s ahead is put off to KV's least, 60 s from the write: ${soon} (${before + 60} to ${after + 60})`);
    assert.equal(expiration('kept'), undefined, 'none without an expiry');
    assert.equal(keys.length, 3);
  });
});

describe('versions on Workers KV', () => {
  test('two store objects on one KV prefix writing one key in turn give strictly growing, distinct versions', async () => {
    const answer = await edge.probe('kv-versions', { store: 'kv-versions', writes: 12 });
    assert.equal(answer.success, true, answer.error);
    const { versions } = answer;
    assert.equal(versions.length, 12);
    assert.ok(versions.every((v, n) => Number.isSafeInteger(v) && v > 0 && (n === 0 || v > versions[n - 1])), `versions: ${versions}`);
    const kv = remoteStore(edge.base, { store: 'kv-versions', backend: 'kv', token: TOKEN });
    const [stored] = (await kv.getMany([{ instanceId: 'app', namespace: 'ns', key: 'k' }])).data.records;
    assert.deepEqual([stored.value, stored.version], [11, versions[11]], 'a third copy loads the last write');
  });
});

describe('malformed requests', () => {
  const send = (path, { method = 'POST', headers = { 'content-type': 'application/json' }, body } = {}) =>
    fetch(new URL(path, edge.base), { method, headers: { authorization: `Bearer ${TOKEN}`, ...headers }, body });

  // Each answer is a failure envelope with a 4xx status, a sentence and the
  // code of that status.
  const CODE_OF = { 400: 'INVALID_ARGUMENT', 404: 'NOT_FOUND', 405: 'INVALID_ARGUMENT', 413: 'TOO_LARGE', 415: 'INVALID_ARGUMENT' };
  async function refused(response, status, type, says) {
    assert.equal(response.status, status);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const body = await response.json();
    assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'requestId', 'success', 'timestamp', 'type']);
    assert.equal(body.code, CODE_OF[status]);
    assert.equal(body.success, false);
    assert.equal(body.type, type);
    assert.match(body.error, says);
  }

  for (const backend of BACKENDS) {
    test(`${backend}: each gets a clear 4xx envelope, and the service keeps answering`, async () => {
      const q = `store=malformed-${backend}&backend=${backend}`;
      const kv = remoteStore(edge.base, { store: `malformed-${backend}`, backend, token: TOKEN });
      assert.equal((await kv.set('app', 'ns', 'k', 1, true)).success, true);
      const cases = [
        [send(`/kv/get?${q}`, { body: '{"args": [' }), 400, 'kvStore.get', /not valid JSON/],
        [send(`/kv/get?${q}`, { body: '' }), 400, 'kvStore.get', /not valid JSON/],
        [send(`/kv/get?${q}`, { body: '[1, 2]' }), 400, 'kvStore.get', /must be a JSON object/],
        [send(`/kv/get?${q}`, { body: '{"args": "app"}' }), 400, 'kvStore.get', /"args" must be an array/],
        [send(`/kv/get?${q}`, { body: '{"arguments": []}' }), 400, 'kvStore.get', /unknown members \(arguments\)/],
        [send(`/kv/get?${q}`, { body: '{"args": [], "js": [[[5], "undefined"]]}' }), 400, 'kvStore.get', /js\[0\].*index of an argument/],
        [send(`/kv/get?${q}`, { body: '{"args": [1], "js": [[[0], "eval"]]}' }), 400, 'kvStore.get', /js\[0\].*not one of/],
        [send(`/kv/get?${q}`, { body: new Uint8Array([0x7b, 0xff, 0x7d]) }), 400, 'kvStore.get', /not UTF-8/],
        [send(`/kv/get?${q}`, { headers: { 'content-type': 'text/plain' }, body: '{"args":[]}' }), 415, 'kvStore.get', /application\/json/],
        [send(`/kv/get?${q}`, { headers: {}, body: '{"args":[]}' }), 415, 'kvStore.get', /application\/json/],
        [send(`/kv/get?${q}`, { method: 'GET' }), 405, 'kvStore.get', /Use POST, not GET/],
        [send(`/kv/drop?${q}`, { body: '{"args":[]}' }), 404, 'boltkv.http', /Unknown method "drop"/],
        [send(`/kv/__proto__?${q}`, { body: '{"args":[]}' }), 404, 'boltkv.http', /Unknown method/],
        [send(`/admin?${q}`, { body: '{"args":[]}' }), 404, 'boltkv.http', /nothing at \/admin/],
        [send(`/kv/get?store=${'x'.repeat(65)}&backend=${backend}`, { body: '{"args":[]}' }), 400, 'kvStore.get', /store name/],
        [send(`/kv/get?store=a&backend=redis`, { body: '{"args":[]}' }), 400, 'kvStore.get', /backend/],
        [send(`/open?store=${'x'.repeat(65)}&backend=${backend}`, { body: '{"args":[]}' }), 400, 'boltkv.open', /store name/],
        [send(`/open?${q}`, { body: '{"args":[5]}' }), 400, 'boltkv.open', /options must be an object/],
        [send(`/open?${q}`, { body: '{"args":[{"name":"x"}]}' }), 400, 'boltkv.open', /chooses the backend and the name/],
      ];
      for (const [pending, status, type, says] of cases) {
        await refused(await pending, status, type, says);
        // Still serving, with the data intact.
        assert.deepEqual((await kv.get('app', 'ns', 'k')).data, { value: 1, exists: true });
      }
      // Wrong argument types are the store's own failures: HTTP 200, success false.
      const typed = await send(`/kv/get?${q}`, { body: '{"args":[1, {}, []]}' });
      assert.equal(typed.status, 200);
      const envelope = await typed.json();
      assert.equal(envelope.success, false);
      assert.equal(envelope.code, 'INVALID_ARGUMENT');
      assert.match(envelope.error, /instanceId must be a string, not a number/);
    });
  }
});
