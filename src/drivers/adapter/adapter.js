// JavaScript's half of the adapter backend: the one adapter shape boltkv
// writes through, the wrappers that give Workers KV and Durable Object
// storage that shape, and the calls the Rust side makes, with every answer
// checked so that a misbehaving adapter becomes an error sentence.
//
// The adapter shape (README, "In Cloudflare Workers: Workers KV, Durable
// Objects, any async key-value store"; `KVAdapter` in src/wasm/boltkv.d.ts):
//   get(key)            -> Promise<string | null>
//   put(key, value, options?) -> Promise<void>         value is a string; options
//                          { expiresAt } (epoch ms) when the record expires,
//                          which storage may use to drop the item itself
//   delete(key)         -> Promise<void>
//   list(prefix, cursor?) -> Promise<{ keys: string[], cursor?: string }>
//                          keys in any order; a cursor means "more after this"
// and optionally:
//   getMany(keys)       -> Promise<(string | null)[]>  at most 100 keys, same order
//   putMany(entries)    -> Promise<void>               entries: [key, value, expiresAt?][]
//   deleteMany(keys)    -> Promise<void>
//   transaction(fn)     -> Promise<void>   runs fn(txn), txn an adapter whose
//                          writes all happen when fn's promise resolves, or
//                          none of them when it rejects

const KINDS = ['kv', 'durableObject', 'adapter'];
const REQUIRED = ['get', 'put', 'delete', 'list'];
const OPTIONAL = ['getMany', 'putMany', 'deleteMany', 'transaction'];
// How many keys a Workers KV list page and a Durable Object list page hold.
const LIST_PAGE = 1000;
// Keys per getMany call: Workers KV reads up to 100 keys at once.
const GET_MANY = 100;
// Keys per call to a Durable Object's put, get and delete (its limit).
const DURABLE_OBJECT_BATCH = 128;
// Calls in flight at once when an adapter has no batch methods.
const CONCURRENCY = 16;

// `options.backend` when it is an object (a live value that JSON cannot
// carry), with the other options apart; undefined otherwise.
export function splitBackend(options) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return undefined;
  const backend = options.backend;
  if (backend === null || typeof backend !== 'object') return undefined;
  const rest = { ...options };
  delete rest.backend;
  return { rest, backend };
}

// { kind, adapter } for a `backend` object; throws a TypeError saying what
// is wrong with it.
export function plug(backend) {
  const given = Object.keys(backend);
  const named = KINDS.filter((kind) => backend[kind] !== undefined && backend[kind] !== null);
  if (named.length !== 1 || given.some((key) => !KINDS.includes(key))) {
    throw new TypeError(`backend must be 'memory', 'indexeddb', 'localStorage', or an object with exactly one of ${KINDS.join(', ')} (got ${given.length ? given.join(', ') : 'an empty object'}).`);
  }
  const kind = named[0];
  const target = backend[kind];
  const needs = kind === 'durableObject' ? [...REQUIRED, 'transaction'] : REQUIRED;
  const missing = needs.filter((method) => typeof target[method] !== 'function');
  if (missing.length) {
    const what = { kv: 'a Workers KV namespace binding', durableObject: 'a Durable Object storage (ctx.storage)', adapter: 'an adapter' }[kind];
    throw new TypeError(`backend.${kind} must be ${what}; it has no ${missing.join(', ')} method.`);
  }
  const wrongOptional = kind === 'adapter' ? OPTIONAL.filter((m) => target[m] !== undefined && typeof target[m] !== 'function') : [];
  if (wrongOptional.length) throw new TypeError(`backend.adapter.${wrongOptional[0]} must be a function when present.`);
  const adapter = kind === 'kv' ? fromWorkersKv(target) : kind === 'durableObject' ? fromDurableObject(target) : target;
  return { kind, adapter };
}

// A Workers KV namespace as an adapter: no transactions, reads in bulk.
function fromWorkersKv(kv) {
  return {
    get: (key) => kv.get(key, 'text'),
    getMany: async (keys) => {
      const found = await kv.get(keys, 'text');
      return keys.map((key) => found.get(key) ?? null);
    },
    put: (key, value, options) => kv.put(key, value, kvExpiration(options?.expiresAt)),
    delete: (key) => kv.delete(key),
    list: async (prefix, cursor) => {
      const page = await kv.list({ prefix, cursor, limit: LIST_PAGE });
      return { keys: page.keys.map((k) => k.name), cursor: page.list_complete ? undefined : page.cursor };
    },
  };
}

// Durable Object storage (or one of its transactions) as an adapter, with
// batch calls cut to the storage's 128-key limit.
function durableObjectCalls(storage) {
  const chunks = (list) => Array.from({ length: Math.ceil(list.length / DURABLE_OBJECT_BATCH) }, (_, i) => list.slice(i * DURABLE_OBJECT_BATCH, (i + 1) * DURABLE_OBJECT_BATCH));
  return {
    get: async (key) => (await storage.get(key)) ?? null,
    getMany: async (keys) => {
      const found = await storage.get(keys);
      return keys.map((key) => found.get(key) ?? null);
    },
    put: (key, value) => storage.put(key, value),
    putMany: async (entries) => {
      for (const chunk of chunks(entries)) await storage.put(Object.fromEntries(chunk));
    },
    delete: async (key) => {
      await storage.delete(key);
    },
    deleteMany: async (keys) => {
      for (const chunk of chunks(keys)) await storage.delete(chunk);
    },
    list: async (prefix, cursor) => {
      const page = await storage.list(cursor === undefined ? { prefix, limit: LIST_PAGE } : { prefix, startAfter: cursor, limit: LIST_PAGE });
      const keys = [...page.keys()];
      return { keys, cursor: keys.length === LIST_PAGE ? keys[keys.length - 1] : undefined };
    },
  };
}

function fromDurableObject(storage) {
  return { ...durableObjectCalls(storage), transaction: (fn) => storage.transaction((txn) => fn(durableObjectCalls(txn))) };
}

// One page of the keys under `prefix`: { keys, cursor } with cursor a
// string or undefined.
export async function listPage(adapter, prefix, cursor) {
  const page = await adapter.list(prefix, cursor);
  const keys = page?.keys;
  if (!Array.isArray(keys) || keys.some((key) => typeof key !== 'string')) {
    throw new TypeError('the adapter\'s list() must resolve with { keys: string[], cursor?: string }.');
  }
  const next = page.cursor ?? undefined;
  if (next !== undefined && (typeof next !== 'string' || next === '')) {
    throw new TypeError('the adapter\'s list() gave a cursor that is not a non-empty string.');
  }
  return { keys, cursor: next };
}

// The contents of `keys`, in order: strings, null for a missing key, or
// whatever else the storage holds there (the Rust side reports it).
export async function getAll(adapter, keys) {
  const out = [];
  if (typeof adapter.getMany === 'function') {
    for (let i = 0; i < keys.length; i += GET_MANY) {
      const chunk = keys.slice(i, i + GET_MANY);
      const got = await adapter.getMany(chunk);
      if (!Array.isArray(got) || got.length !== chunk.length) {
        throw new TypeError('the adapter\'s getMany() must resolve with one value per key, in order.');
      }
      out.push(...got);
    }
    return out;
  }
  for (let i = 0; i < keys.length; i += CONCURRENCY) {
    out.push(...(await Promise.all(keys.slice(i, i + CONCURRENCY).map((key) => adapter.get(key)))));
  }
  return out;
}

// Writes every [key, value, expiresAt?] of `entries`, through putMany when
// there is one.
export async function putAll(adapter, entries) {
  if (typeof adapter.putMany === 'function') return void (await adapter.putMany(entries));
  const put = ([key, value, expiresAt]) => (expiresAt === undefined ? adapter.put(key, value) : adapter.put(key, value, { expiresAt }));
  for (let i = 0; i < entries.length; i += CONCURRENCY) {
    await Promise.all(entries.slice(i, i + CONCURRENCY).map(put));
  }
}

// Workers KV's own expiration for a record expiring at `expiresAt`: KV takes
// whole seconds at least 60 s ahead, so the expiry is rounded up, and one
// sooner than that is put off to 60 s from now (the item must not vanish
// before the record expires, and the store hides it from its expiry on).
// KV removes expired items itself: the store cannot (src/commit/mod.rs,
// `expire`).
function kvExpiration(expiresAt) {
  if (expiresAt === undefined) return undefined;
  return { expiration: Math.max(Math.ceil(expiresAt / 1000), Math.ceil(Date.now() / 1000) + 60) };
}

// Removes every key of `keys`, through deleteMany when there is one.
export async function deleteAll(adapter, keys) {
  if (typeof adapter.deleteMany === 'function') return void (await adapter.deleteMany(keys));
  for (let i = 0; i < keys.length; i += CONCURRENCY) {
    await Promise.all(keys.slice(i, i + CONCURRENCY).map((key) => adapter.delete(key)));
  }
}

export function hasTransaction(adapter) {
  return typeof adapter.transaction === 'function';
}

// Runs `work(txn)` in the adapter's transaction.
export async function transaction(adapter, work) {
  await adapter.transaction(work);
}

// What a failed call threw, as a sentence part.
export function errorText(thrown) {
  try {
    if (thrown instanceof Error) return thrown.message || thrown.name;
    return String(thrown);
  } catch {
    return 'an exception that cannot be shown';
  }
}
