// The example service: the twelve kvStore methods over HTTP.
//
//   POST /kv/<method>?store=<name>[&backend=kv]   body { "args": [...] }
//   POST /open?store=<name>[&backend=kv]          body { "args": [options] }
//
// The answer is the method's envelope as JSON. Each store name is one
// Durable Object (the default backend) or, with backend=kv, one prefix in
// the Workers KV namespace STORE_KV. See README.md beside this folder.

import { METHODS, failure } from './http.js';
import { openStore, serveCall, serveOpen } from './serve.js';

export { StoreObject } from './store-object.js';

const STORE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const BACKENDS = ['durableObject', 'kv'];

// Workers KV stores of this isolate, by name. Each isolate keeps its own
// index; see README.md for what that means on Workers KV.
const kvStores = new Map();

// The last request in line for each KV store of this isolate. An isolate
// serves requests concurrently, but workerd cancels a request whose answer
// waits on storage I/O that another request started and then finished
// without (a store's batches commit one after another, so a write can wait
// on a batch another request put in flight). Requests to one KV store
// therefore take turns: each one's writes are durable, by its own I/O,
// before the next one starts. (A Durable Object needs none of this: its
// storage belongs to the object, not to a request.)
const kvTurns = new Map();

function inTurn(name, serve) {
  const turn = (kvTurns.get(name) ?? Promise.resolve()).then(serve);
  const done = turn.catch(() => undefined);
  kvTurns.set(name, done);
  done.then(() => kvTurns.get(name) === done && kvTurns.delete(name));
  return turn;
}

function kvStore(env, name, options) {
  if (options !== undefined || !kvStores.has(name)) {
    const opening = openStore({ kv: env.STORE_KV }, name, options ?? {});
    // A failed open is not kept: the next request tries again.
    opening.catch(() => kvStores.get(name) === opening && kvStores.delete(name));
    kvStores.set(name, opening);
  }
  return kvStores.get(name);
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const method = url.pathname.startsWith('/kv/') ? url.pathname.slice('/kv/'.length) : undefined;
    const type = method !== undefined && METHODS.includes(method) ? `kvStore.${method}` : 'boltkv.http';
    if (method === undefined && url.pathname !== '/open') {
      return failure(404, type, `There is nothing at ${url.pathname}; call POST /kv/<method> or POST /open.`);
    }
    if (method !== undefined && !METHODS.includes(method)) {
      return failure(404, type, `Unknown method ${JSON.stringify(method)}; the methods are ${METHODS.join(', ')}.`);
    }
    const name = url.searchParams.get('store') ?? 'default';
    if (!STORE_NAME.test(name)) return failure(400, type, 'The store name (?store=) must be 1 to 64 letters, digits, dots, dashes or underscores.');
    const backend = url.searchParams.get('backend') ?? 'durableObject';
    if (!BACKENDS.includes(backend)) return failure(400, type, `The backend (?backend=) must be ${BACKENDS.join(' or ')}.`);

    if (backend === 'durableObject') return env.STORES.get(env.STORES.idFromName(name)).fetch(request);
    return inTurn(name, async () => {
      if (method === undefined) return serveOpen(request, (options) => kvStore(env, name, options));
      let store;
      try {
        store = await kvStore(env, name);
      } catch (e) {
        return failure(503, type, `The store cannot be opened: ${e?.message ?? e}`);
      }
      return serveCall(request, method, store);
    });
  },
};
