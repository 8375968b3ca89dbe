// The example worker for the edge tests: bundled into a temporary folder and
// run under workerd (miniflare) on loopback, with its KV namespace and
// Durable Objects persisted in that folder, and `bindings` as its secrets
// and vars (examples/worker/local.mjs). Its entry is probe.js beside this
// file: the example with test-only routes that look at storage directly.

import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { bundle, miniflareOptions } from '../../examples/worker/local.mjs';

const here = dirname(fileURLToPath(import.meta.url));

export function service(bindings) {
  const work = mkdtempSync(join(tmpdir(), 'boltkv-edge-'));
  const dist = join(work, 'dist');
  bundle(dist);
  copyFileSync(join(here, 'probe.js'), join(dist, 'probe.js'));
  cpSync(join(here, '../js/conformance'), join(dist, 'conformance'), { recursive: true });
  let runtime;
  return {
    // The service's URL while it runs.
    base: undefined,
    // Starts the runtime; after `stop`, again on the same storage.
    async start() {
      runtime = new Miniflare({ ...miniflareOptions(dist, join(work, 'persist'), bindings), scriptPath: join(dist, 'probe.js') });
      this.base = await runtime.ready;
    },
    // The answer of one of probe.js's routes, as JSON.
    async probe(route, params) {
      const answer = await fetch(new URL(`/probe/${route}?${new URLSearchParams(params)}`, this.base), { method: 'POST' });
      if (!answer.ok) throw new Error(`/probe/${route} answered ${answer.status}: ${await answer.text()}`);
      return answer.json();
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
