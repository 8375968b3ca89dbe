// The example service: the twelve kvStore methods over HTTP.
//
//   POST /kv/<method>?store=<name>[&backend=kv]   body { "args": [...] }
//   POST /open?store=<name>[&backend=kv]          body { "args": [options] }
//   GET  /kv/watch?store=<name>                   a WebSocket: the live feed (feed.js)
//   Authorization: Bearer <token>                 (or, on a WebSocket, a subprotocol: auth.js)
//
// The answer is the method's envelope as JSON. Each store name is one
// Durable Object (the default backend) or, with backend=kv, one prefix in
// the Workers KV namespace STORE_KV. A request is admitted (token, method,
// parameters, body size) before any store is touched. See README.md beside
// this folder.

import { access, permit } from './auth.js';
import { admitSocket, allowOrigin, listedOrigin, preflight } from './cors.js';
import { unsupportedFeed } from './feed.js';
import { METHODS, Refusal, callText, failure, refused } from './http.js';
import { openStore, serveCall, serveOpen } from './serve.js';
import { settings } from './settings.js';

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

// What a path names: the envelope type of its answers and its operation (a
// method name or `open`), or, for a path with nothing, why not.
function route(pathname) {
  if (pathname === '/open') return { type: 'boltkv.open', operation: 'open' };
  if (pathname === '/kv/watch') return { type: 'kvStore.watch', operation: 'watch' };
  if (!pathname.startsWith('/kv/')) return { type: 'boltkv.http', missing: `There is nothing at ${pathname}; call POST /kv/<method> or POST /open.` };
  const method = pathname.slice('/kv/'.length);
  if (!METHODS.includes(method)) return { type: 'boltkv.http', missing: `Unknown method ${JSON.stringify(method)}; the methods are ${METHODS.join(', ')}.` };
  return { type: `kvStore.${method}`, operation: method };
}

// The store `url` names: ?store= and ?backend=, or a Refusal saying which is wrong.
function addressed(url) {
  const name = url.searchParams.get('store') ?? 'default';
  if (!STORE_NAME.test(name)) throw new Refusal(400, 'The store name (?store=) must be 1 to 64 letters, digits, dots, dashes or underscores.');
  const backend = url.searchParams.get('backend') ?? 'durableObject';
  if (!BACKENDS.includes(backend)) throw new Refusal(400, `The backend (?backend=) must be ${BACKENDS.join(' or ')}.`);
  return { name, backend };
}

// The answer to an admitted request for the feed: a WebSocket upgrade from
// no page or a listed one, passed to the store's Durable Object.
function serveFeed(request, env, config) {
  if (request.method !== 'GET' || request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
    throw new Refusal(426, 'Open /kv/watch as a WebSocket (GET with Upgrade: websocket).');
  }
  admitSocket(request, config.origins);
  const { name, backend } = addressed(new URL(request.url));
  if (backend === 'kv') return unsupportedFeed(request);
  return env.STORES.get(env.STORES.idFromName(name)).fetch(request);
}

// The answer to a request once it is admitted: token, path, permission,
// method, parameters and body are checked in that order, and the first that
// fails throws its Refusal. The token comes first, so that without one even
// a path's existence is not told.
async function serve(request, env, config, target) {
  const grant = await access(request, config);
  if (target.operation === undefined) throw new Refusal(404, target.missing);
  permit(grant, target.operation);
  if (target.operation === 'watch') return serveFeed(request, env, config);
  if (request.method !== 'POST') throw new Refusal(405, `Use POST, not ${request.method}.`, { headers: { allow: 'POST, OPTIONS' } });
  const url = new URL(request.url);
  const { name, backend } = addressed(url);
  const text = await callText(request, config.maxBodyBytes);

  if (backend === 'durableObject') return env.STORES.get(env.STORES.idFromName(name)).fetch(url, { method: 'POST', body: text });
  return inTurn(name, async () => {
    if (target.operation === 'open') return serveOpen(text, (options) => kvStore(env, name, options), config.maxBodyBytes);
    let store;
    try {
      store = await kvStore(env, name);
    } catch (e) {
      return failure(503, target.type, `The store cannot be opened: ${e?.message ?? e}`);
    }
    return serveCall(text, target.operation, store);
  });
}

export default {
  async fetch(request, env) {
    const target = route(new URL(request.url).pathname);
    let config;
    let answer;
    try {
      config = settings(env);
      answer = request.method === 'OPTIONS' ? preflight(request, config.origins) : await serve(request, env, config, target);
    } catch (e) {
      answer = refused(e, target.type);
    }
    // A WebSocket answer goes out as it is: CORS does not apply to it
    // (cors.js), and a copy of the answer would lose the socket.
    const origin = config && !answer.webSocket && listedOrigin(request, config.origins);
    return origin ? allowOrigin(answer, origin) : answer;
  },
};
