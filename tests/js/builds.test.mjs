// The two builds (scripts/build.sh): each opens its own backends and refuses
// the other's with a sentence naming the build that has them. Node loads
// the worker build (pkg/node.js); the browser build's glue is instantiated
// here from its file, which Node can do for memory stores.

import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvStore as WorkerKvStore } from '../../pkg/node.js';
import { initSync, KvStore as BrowserKvStore } from '../../pkg/glue/browser/boltkv.js';

initSync({ module: readFileSync(new URL('../../pkg/glue/browser/boltkv_bg.wasm', import.meta.url)) });

test('the worker build refuses IndexedDB and localStorage as unavailable, so fallback applies', async () => {
  for (const backend of ['indexeddb', 'localStorage']) {
    await assert.rejects(WorkerKvStore.open({ backend }), (e) => {
      assert.match(e.message, /^The storage is unavailable: .* is not in the worker build of boltkv, .*the browser build, which a page loads, has it\.$/);
      return true;
    });
    const fallen = await WorkerKvStore.open({ backend, fallback: 'memory' });
    assert.equal(fallen.storage.backend, 'memory');
    assert.match(fallen.storage.fallbackReason, /is not in the worker build of boltkv/);
  }
});

test('the browser build refuses backend objects, naming the worker build', async () => {
  const adapter = { get: async () => null, put: async () => {}, delete: async () => {}, list: async () => ({ keys: [] }) };
  await assert.rejects(BrowserKvStore.open({ backend: { adapter } }), /backend objects .* are not in the browser build of boltkv; the worker build, which Workers and Node load, has them\./);
  const kvStore = await BrowserKvStore.open({ backend: 'memory' });
  const set = await kvStore.set('app', 'ns', 'key', 1, true);
  assert.equal(set.success, true);
  assert.equal(kvStore.storage.backend, 'memory');
});
