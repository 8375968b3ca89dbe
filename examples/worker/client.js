// A kvStore for JavaScript callers of the example service: the
// methods with the API's positional arguments, each POSTing to the service
// and resolving with the envelope it answers (4xx answers included, which
// have the same shape).
//
// Arguments go as JSON. What JSON cannot carry is listed in `js` (see
// src/revive.js), so the service answers as a store in this process would:
// `set`'s value is first converted as JSON.stringify converts it (toJSON
// runs here, in the caller's process, at the time of the call), and the
// other arguments are sent as they are, with undefined, NaN, BigInt,
// functions, symbols, boxed primitives and class instances marked.
//
//   const where = { store: 'app', token: env.BOLTKV_TOKEN };
//   const kvStore = await openRemote('https://example.workers.dev', [{ limits: { maxDepth: 8 } }], where);
//   await kvStore.set('app', 'settings', 'theme', 'dark', true);
//
// `where.token` is sent as `Authorization: Bearer <token>`: the service's
// BOLTKV_TOKEN, or its BOLTKV_READ_TOKEN for a store that is only read.
//
// `kvStore.watch(selector, listener)` follows the store's live feed over a
// WebSocket (client-watch.js): `where.WebSocket` is the class to use, by
// default the global one (browsers, Deno, Node 22 and later; on Node 20,
// pass undici's).

import { Feeds } from './client-watch.js';

const METHODS = [
  'createInstance', 'getInstance', 'listInstances', 'updateInstance', 'deleteInstance',
  'get', 'set', 'delete', 'deleteNamespace', 'query', 'getNamespaces', 'getRecordCount',
  'batch', 'getMany', 'export', 'import',
];

// Which argument of a method is a value, converted the way JSON.stringify does.
const VALUE_ARGUMENT = { set: 3 };

// Whether JSON.stringify gave up because the value nests deeper than the
// engine's stack (a RangeError in V8, an InternalError in SpiderMonkey).
function tooDeep(thrown) {
  return (thrown instanceof RangeError && /call stack/i.test(thrown.message))
    || (thrown?.name === 'InternalError' && /recursion/i.test(thrown.message));
}

function messageOf(thrown) {
  try {
    return thrown instanceof Error ? thrown.message : String(thrown);
  } catch {
    return 'it threw';
  }
}

function define(object, key, value) {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

// A value as JSON.stringify makes it, with non-finite numbers (which it would
// turn into null) and a missing JSON form marked in `js`.
function jsonValue(value, path, js) {
  const mark = `\u0000boltkv-non-finite:${Math.random().toString(36).slice(2)}:`;
  const text = JSON.stringify(value, (key, v) => (typeof v === 'number' && !Number.isFinite(v) ? mark + String(v) : v));
  if (text === undefined) {
    js.push([path, value !== null && typeof value === 'object' ? 'noJson' : typeof value]);
    return null;
  }
  const unmark = (node, at) => {
    if (typeof node === 'string' && node.startsWith(mark)) {
      js.push([at, node.slice(mark.length)]);
      return null;
    }
    if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) define(node, key, unmark(node[key], [...at, Array.isArray(node) ? Number(key) : key]));
    }
    return node;
  };
  return unmark(JSON.parse(text), path);
}

// Any other argument, as it is: plain data as JSON, everything else marked.
function plain(value, path, js, seen) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const mark = (tag) => {
    js.push([path, tag]);
    return null;
  };
  if (typeof value === 'number') return mark(String(value));
  if (typeof value === 'bigint') return mark({ bigint: String(value) });
  if (typeof value !== 'object') return mark(typeof value);
  if (value instanceof Boolean || value instanceof Number || value instanceof String) return mark({ boxed: value.valueOf() });
  if (seen.has(value)) throw new TypeError('Converting circular structure to JSON');
  seen.add(value);
  let out;
  if (Array.isArray(value)) {
    out = Array.from(value, (member, i) => plain(member, [...path, i], js, seen));
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== null && proto !== Object.prototype) {
      seen.delete(value);
      return mark({ object: proto.constructor?.name || 'Object' });
    }
    out = {};
    for (const key of Object.keys(value)) define(out, key, plain(value[key], [...path, key], js, seen));
  }
  seen.delete(value);
  return out;
}

// The request body for `method(...args)`.
export function encodeCall(method, args) {
  const js = [];
  const encoded = args.map((arg, i) => {
    try {
      return i === VALUE_ARGUMENT[method] ? jsonValue(arg, [i], js) : plain(arg, [i], js, new Set());
    } catch (e) {
      for (let n = js.length - 1; n >= 0; n--) if (js[n][0][0] === i) js.splice(n, 1);
      js.push([[i], tooDeep(e) ? 'tooDeep' : { throws: messageOf(e) }]);
      return null;
    }
  });
  return js.length ? { args: encoded, js } : { args: encoded };
}

async function post(base, path, { store, backend, token }, body) {
  const url = new URL(path, base);
  url.searchParams.set('store', store);
  if (backend) url.searchParams.set('backend', backend);
  const headers = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body });
  return response.json();
}

// `method(...args)` on the service. While the store watches, the call
// waits until the service has taken every selector, and resolves after the
// events it caused have been delivered (client-watch.js).
async function call(base, where, feeds, method, args) {
  // Read the arguments now, as an in-process store does, before any wait.
  const body = JSON.stringify(encodeCall(method, args));
  await feeds.opening();
  const answer = await send(base, where, method, body);
  await feeds.synced();
  return answer;
}

// Sends `method`'s call `body`, or, for a body over the service's limit (known
// once openRemote has asked), answers the failure the service would answer,
// without sending it: the service stops reading such a body at its limit,
// and a client still sending sees its connection closed, not the answer.
function send(base, where, method, body) {
  if (where.maxBodyBytes !== undefined && new TextEncoder().encode(body).byteLength > where.maxBodyBytes) {
    return {
      type: `kvStore.${method}`,
      success: false,
      error: `The request body is over the limit of ${where.maxBodyBytes} bytes (BOLTKV_MAX_BODY_BYTES); it was not sent.`,
      code: 'TOO_LARGE',
      timestamp: new Date().toISOString(),
      requestId: crypto.randomUUID(),
    };
  }
  return post(base, `/kv/${method}`, where, body);
}

// The store `where.store` (on `where.backend`, default the Durable Object)
// of the service at `base`, as a kvStore, called with `where.token` (none
// for a service that allows anonymous calls).
export function remoteStore(base, where) {
  const feeds = new Feeds();
  const store = {};
  for (const method of METHODS) store[method] = async (...args) => call(base, where, feeds, method, args);
  store.watch = (selector, listener) => feeds.watch(base, where, selector, listener);
  return store;
}

// Opens that store anew with `open`'s options (the first of `openArgs`), as
// KvStore.open would: rejects with the service's reason when they are
// unusable. The store it gives knows the service's body limit.
export async function openRemote(base, openArgs, where) {
  const answer = await post(base, '/open', where, JSON.stringify(encodeCall('open', openArgs)));
  if (!answer.success) throw new Error(answer.error);
  return remoteStore(base, { ...where, maxBodyBytes: answer.maxBodyBytes });
}
