// The example worker for the edge tests: bundled into a temporary folder and
// run under workerd (miniflare) on loopback, with its KV namespace and
// Durable Objects persisted in that folder, and `bindings` as its secrets
// and vars (examples/worker/local.mjs).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { bundle, miniflareOptions } from '../../examples/worker/local.mjs';

export function service(bindings) {
  const work = mkdtempSync(join(tmpdir(), 'boltkv-edge-'));
  const dist = join(work, 'dist');
  bundle(dist);
  let runtime;
  return {
    // The service's URL while it runs.
    base: undefined,
    // Starts the runtime; after `stop`, again on the same storage.
    async start() {
      runtime = new Miniflare(miniflareOptions(dist, join(work, 'persist'), bindings));
      this.base = await runtime.ready;
    },
    // The Workers KV namespace the worker writes, as miniflare holds it.
    kv() {
      return runtime.getKVNamespace('STORE_KV');
    },
    async stop() {
      await runtime?.dispose();
      runtime = undefined;
    },
    async dispose() {
      await this.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
