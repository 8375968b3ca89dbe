// The example worker as the edge tests run it, with two test-only routes
// beside its own (no token: the runtime listens on loopback only). This file
// runs from the bundle service.mjs lays out, where './index.js' is the
// example's entry (examples/worker/src/index.js) and './boltkv/worker.js'
// the package.
//
//   POST /probe/records?store=<name>   the record items of that store's
//        Durable Object, read from the object's storage without its store
//        (which may not be open), relative to the store: ['r/<id>/<ns>/<key>']
//   POST /probe/kv-versions?store=<name>&writes=<n>   two store objects on
//        one Workers KV prefix, as two isolates would hold it, writing one key
//        in turn; answers the versions they gave, in order
//   POST /probe/conformance?suite=<name>&case=<n>&backend=durableObject|kv
//        runs one case of the conformance suite (tests/js/conformance, laid
//        out under ./conformance/) inside the worker: in a Durable Object of
//        its own on the object's storage, or in the worker on Workers KV;
//        answers { ok } or { ok: false, error }

import example, { StoreObject as ExampleObject } from './index.js';
import { KvStore } from './boltkv/worker.js';
import { suites } from './conformance/index.js';

// The name the example gives every Durable Object's store (store-object.js).
const PREFIX = 'boltkv/store/';

export class StoreObject extends ExampleObject {
  async records() {
    const items = await this.ctx.storage.list({ prefix: `${PREFIX}r/` });
    return [...items.keys()].map((key) => key.slice(PREFIX.length)).sort();
  }

  // One conformance case on stores in this object's storage.
  conformance(suite, index) {
    return runCase(suite, index, 'durableObject', { durableObject: this.ctx.storage });
  }
}

// Runs case `index` of `suite` with fresh stores on `backend`, named apart.
async function runCase(suite, index, label, backend) {
  const found = suites[suite]?.[index];
  if (!found) return { ok: false, error: `no case ${index} in suite ${suite}` };
  let stores = 0;
  const open = (options = {}) => KvStore.open({ ...options, backend, name: `conformance-${suite}-${index}-${++stores}` });
  try {
    await found.fn(Object.assign(open, { backend: label }));
    return { ok: true, name: found.name };
  } catch (e) {
    return { ok: false, name: found.name, error: `${e?.message ?? e}` };
  }
}

// Waits until the clock has moved past `ms` (workerd moves it only across
// I/O, which a timer is): versions on KV follow the time of the write.
async function after(ms) {
  while (Date.now() <= ms) await new Promise((resolve) => setTimeout(resolve, 1));
}

async function kvVersions(env, name, writes) {
  const stores = [await KvStore.open({ backend: { kv: env.STORE_KV }, name }), await KvStore.open({ backend: { kv: env.STORE_KV }, name })];
  const versions = [];
  for (let n = 0; n < writes; n++) {
    const answer = await stores[n % 2].set('app', 'ns', 'k', n, true);
    if (!answer.success) return Response.json(answer);
    versions.push(answer.data.record.version);
    await after(Date.parse(answer.data.record.updatedAt));
  }
  return Response.json({ success: true, versions });
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const name = url.searchParams.get('store') ?? '';
    if (url.pathname === '/probe/records') return Response.json(await env.STORES.get(env.STORES.idFromName(name)).records());
    if (url.pathname === '/probe/kv-versions') return kvVersions(env, name, Number(url.searchParams.get('writes')));
    if (url.pathname === '/probe/conformance') {
      const [suite, index] = [url.searchParams.get('suite'), Number(url.searchParams.get('case'))];
      if (url.searchParams.get('backend') === 'kv') return Response.json(await runCase(suite, index, 'kv', { kv: env.STORE_KV }));
      return Response.json(await env.STORES.get(env.STORES.idFromName(`conformance-${suite}-${index}`)).conformance(suite, index));
    }
    return example.fetch(request, env, ctx);
  },
};
