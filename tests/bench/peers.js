// The peers of the benchmark, one adapter each, all with the same shape so
// every workload (workloads.js: in the page bench.js, and the in-memory ones
// in the Node mode node.mjs) drives them alike:
//
//   load()                  imports the library (timed as part of a cold open)
//   open(db)                -> handle on the database / store named `db`
//   get(h, key)             -> the value (a fresh JS object) or undefined
//   set(h, key, value)      resolves when the write is durable
//   fired(h, entries)       every set called at once, resolves when all are durable
//   bulk(h, entries)        the peer's bulk API (boltkv: sets fired together)
//   coldGet(h, key)         after open in a fresh page: until the first get answers
//   prefix/field/ordered/paged(h, ...) the query workloads, as arrays of values
//   close(h), destroy(db)   release, and delete what the database holds
//
// `sync: true` marks a peer whose get/set are synchronous (the Map and
// localStorage): the loops then call them without an `await`.
// `storage` says where records live: memory, indexeddb or localStorage; the
// ratios compare each peer with boltkv on the same kind of storage.

import { PlainKvStore } from './plain-store.js';

const NM = '/tests/js/node_modules';
const INSTANCE = 'bench';
const NS = 'ns';

const byScoreDesc = (a, b) => b.score - a.score;

// ------------------------------------------------------------------ JS Map (JSON copies)

const map = {
  name: 'Map',
  label: 'JS Map (JSON copies)',
  storage: 'memory',
  sync: true,
  async load() {},
  async open() {
    return new Map();
  },
  get(h, k) {
    const s = h.get(k);
    return s === undefined ? undefined : JSON.parse(s);
  },
  set(h, k, v) {
    h.set(k, JSON.stringify(v));
  },
  async fired(h, entries) {
    for (const [k, v] of entries) h.set(k, JSON.stringify(v));
  },
  async bulk(h, entries) {
    for (const [k, v] of entries) h.set(k, JSON.stringify(v));
  },
  async prefix(h, p) {
    const out = [];
    for (const [k, s] of h) if (k.startsWith(p)) out.push(JSON.parse(s));
    return out;
  },
  async field(h, g) {
    const out = [];
    for (const s of h.values()) {
      const v = JSON.parse(s);
      if (v.group === g) out.push(v);
    }
    return out;
  },
  async ordered(h, n) {
    return [...h.values()].map((s) => JSON.parse(s)).sort(byScoreDesc).slice(0, n);
  },
  async paged(h, offset, limit) {
    return [...h.keys()].sort().slice(offset, offset + limit).map((k) => JSON.parse(h.get(k)));
  },
  close() {},
  async destroy() {},
};

// ------------------------------------------------------------------ raw IndexedDB, written the best way

const req = (r) => new Promise((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
const done = (tx) => new Promise((resolve, reject) => ((tx.oncomplete = () => resolve()), (tx.onerror = tx.onabort = () => reject(tx.error || new Error('transaction aborted')))));
const PAGE = 1000;

/** Deletes an IndexedDB database; throws when a connection still open blocks it for 10 s. */
function delDb(name) {
  return new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    const timer = setTimeout(() => reject(new Error(`deleting ${name} stayed blocked by an open connection`)), 10000);
    r.onsuccess = () => (clearTimeout(timer), resolve());
    r.onerror = () => (clearTimeout(timer), reject(r.error));
  });
}

/** Every record of the store, read with getAll pages of PAGE keys (one readonly transaction). */
async function rawGetAll(h) {
  const out = [];
  const store = h.transaction('kv', 'readonly').objectStore('kv');
  let range = null;
  for (;;) {
    const [keys, values] = await Promise.all([req(store.getAllKeys(range, PAGE)), req(store.getAll(range, PAGE))]);
    for (let i = 0; i < keys.length; i++) out.push([keys[i], values[i]]);
    if (keys.length < PAGE) return out;
    range = IDBKeyRange.lowerBound(keys[keys.length - 1], true);
  }
}

async function rawPut(h, entries) {
  const tx = h.transaction('kv', 'readwrite', { durability: 'relaxed' });
  const store = tx.objectStore('kv');
  for (const [k, v] of entries) store.put(v, k);
  tx.commit?.();
  await done(tx);
}

const rawIdb = {
  name: 'rawIDB',
  label: 'raw IndexedDB',
  storage: 'indexeddb',
  async load() {},
  async open(db) {
    const r = indexedDB.open(`raw:${db}`, 1);
    r.onupgradeneeded = () => r.result.createObjectStore('kv');
    return req(r);
  },
  async get(h, k) {
    return req(h.transaction('kv', 'readonly').objectStore('kv').get(k));
  },
  set: (h, k, v) => rawPut(h, [[k, v]]),
  fired: rawPut, // one transaction for all of them: the best way
  bulk: rawPut,
  // Hydrates everything with paged getAll, then answers from memory: the
  // reference for the cold-open target.
  async coldGet(h, k) {
    const all = new Map(await rawGetAll(h));
    return all.get(k);
  },
  async prefix(h, p) {
    return req(h.transaction('kv', 'readonly').objectStore('kv').getAll(IDBKeyRange.bound(p, p + '\uffff')));
  },
  async field(h, g) {
    return (await rawGetAll(h)).map((e) => e[1]).filter((v) => v.group === g);
  },
  async ordered(h, n) {
    return (await rawGetAll(h)).map((e) => e[1]).sort(byScoreDesc).slice(0, n);
  },
  async paged(h, offset, limit) {
    const store = h.transaction('kv', 'readonly').objectStore('kv');
    const keys = await req(store.getAllKeys(null, offset + 1));
    if (keys.length <= offset) return [];
    return req(store.getAll(IDBKeyRange.lowerBound(keys[offset]), limit));
  },
  close: (h) => h.close(),
  destroy: (db) => delDb(`raw:${db}`),
};

// ------------------------------------------------------------------ idb-keyval

let idbk;
const idbKeyval = {
  name: 'idbKeyval',
  label: 'idb-keyval',
  storage: 'indexeddb',
  async load() {
    idbk ??= await import(`${NM}/idb-keyval/dist/index.js`);
  },
  async open(db) {
    return idbk.createStore(`idbkv:${db}`, 'kv');
  },
  get: (h, k) => idbk.get(k, h),
  set: (h, k, v) => idbk.set(k, v, h),
  fired: (h, entries) => Promise.all(entries.map(([k, v]) => idbk.set(k, v, h))),
  bulk: (h, entries) => idbk.setMany(entries, h),
  coldGet: (h, k) => idbk.get(k, h),
  async prefix(h, p) {
    return (await idbk.entries(h)).filter(([k]) => k.startsWith(p)).map((e) => e[1]);
  },
  async field(h, g) {
    return (await idbk.values(h)).filter((v) => v.group === g);
  },
  async ordered(h, n) {
    return (await idbk.values(h)).sort(byScoreDesc).slice(0, n);
  },
  async paged(h, offset, limit) {
    const keys = (await idbk.keys(h)).slice(offset, offset + limit);
    return idbk.getMany(keys, h);
  },
  // idb-keyval keeps its connection open; close it so the database can be deleted.
  close: (h) => h('readonly', (store) => store.transaction.db.close()),
  destroy: (db) => delDb(`idbkv:${db}`),
};

// ------------------------------------------------------------------ Dexie

let Dexie;
const dexie = {
  name: 'Dexie',
  label: 'Dexie',
  storage: 'indexeddb',
  async load() {
    Dexie ??= (await import(`${NM}/dexie/dist/dexie.mjs`)).default;
  },
  async open(db) {
    const d = new Dexie(`dexie:${db}`);
    // Indexes on the fields the queries use: Dexie's own way to query them.
    d.version(1).stores({ kv: 'k, v.group, v.score' });
    await d.open();
    return d;
  },
  async get(h, k) {
    return (await h.kv.get(k))?.v;
  },
  set: (h, k, v) => h.kv.put({ k, v }),
  fired: (h, entries) => Promise.all(entries.map(([k, v]) => h.kv.put({ k, v }))),
  bulk: (h, entries) => h.kv.bulkPut(entries.map(([k, v]) => ({ k, v }))),
  async coldGet(h, k) {
    return (await h.kv.get(k))?.v;
  },
  async prefix(h, p) {
    return (await h.kv.where('k').startsWith(p).toArray()).map((r) => r.v);
  },
  async field(h, g) {
    return (await h.kv.where('v.group').equals(g).toArray()).map((r) => r.v);
  },
  async ordered(h, n) {
    return (await h.kv.orderBy('v.score').reverse().limit(n).toArray()).map((r) => r.v);
  },
  async paged(h, offset, limit) {
    return (await h.kv.orderBy('k').offset(offset).limit(limit).toArray()).map((r) => r.v);
  },
  close: (h) => h.close(),
  destroy: (db) => Dexie.delete(`dexie:${db}`),
};

// ------------------------------------------------------------------ localForage (IndexedDB driver)

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

const localForage = {
  name: 'localForage',
  label: 'localForage',
  storage: 'indexeddb',
  async load() {
    if (!window.localforage) await loadScript(`${NM}/localforage/dist/localforage.min.js`);
  },
  async open(db) {
    const lf = window.localforage.createInstance({ name: `lf:${db}`, storeName: 'kv', driver: window.localforage.INDEXEDDB });
    await lf.ready();
    return lf;
  },
  get: async (h, k) => (await h.getItem(k)) ?? undefined,
  set: (h, k, v) => h.setItem(k, v),
  fired: (h, entries) => Promise.all(entries.map(([k, v]) => h.setItem(k, v))),
  bulk: (h, entries) => Promise.all(entries.map(([k, v]) => h.setItem(k, v))), // it has no bulk API
  coldGet: async (h, k) => (await h.getItem(k)) ?? undefined,
  async prefix(h, p) {
    const out = [];
    await h.iterate((v, k) => {
      if (k.startsWith(p)) out.push(v);
    });
    return out;
  },
  async field(h, g) {
    const out = [];
    await h.iterate((v) => {
      if (v.group === g) out.push(v);
    });
    return out;
  },
  async ordered(h, n) {
    const all = [];
    await h.iterate((v) => {
      all.push(v);
    });
    return all.sort(byScoreDesc).slice(0, n);
  },
  async paged(h, offset, limit) {
    const keys = (await h.keys()).slice(offset, offset + limit);
    return Promise.all(keys.map((k) => h.getItem(k)));
  },
  close() {},
  destroy: (db) => window.localforage.dropInstance({ name: `lf:${db}` }),
};

// ------------------------------------------------------------------ localStorage with JSON

const lsKeys = (prefix) => {
  const out = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k.startsWith(prefix)) out.push(k);
  }
  return out;
};

const localStorageJson = {
  name: 'localStorage',
  label: 'localStorage (JSON)',
  storage: 'localStorage',
  sync: true,
  async load() {},
  async open(db) {
    return `lsjson/${db}/`;
  },
  get(h, k) {
    const s = localStorage.getItem(h + k);
    return s === null ? undefined : JSON.parse(s);
  },
  set(h, k, v) {
    localStorage.setItem(h + k, JSON.stringify(v));
  },
  async fired(h, entries) {
    for (const [k, v] of entries) localStorage.setItem(h + k, JSON.stringify(v));
  },
  async bulk(h, entries) {
    for (const [k, v] of entries) localStorage.setItem(h + k, JSON.stringify(v));
  },
  async coldGet(h, k) {
    const s = localStorage.getItem(h + k);
    return s === null ? undefined : JSON.parse(s);
  },
  async prefix(h, p) {
    return lsKeys(h + p).map((k) => JSON.parse(localStorage.getItem(k)));
  },
  async field(h, g) {
    return lsKeys(h).map((k) => JSON.parse(localStorage.getItem(k))).filter((v) => v.group === g);
  },
  async ordered(h, n) {
    return lsKeys(h).map((k) => JSON.parse(localStorage.getItem(k))).sort(byScoreDesc).slice(0, n);
  },
  async paged(h, offset, limit) {
    return lsKeys(h).sort().slice(offset, offset + limit).map((k) => JSON.parse(localStorage.getItem(k)));
  },
  close() {},
  async destroy(db) {
    for (const k of lsKeys(`lsjson/${db}/`)) localStorage.removeItem(k);
  },
};

// ------------------------------------------------------------------ stores with the kvStore API

const ok = (r) => {
  if (!r.success) throw new Error(r.error);
  return r.data;
};

/**
 * A peer over any store with the twelve kvStore calls (boltkv, the plain
 * JavaScript store), all in one instance and namespace: `openStore(db)` makes
 * the store, and the calls are the same for every such store.
 */
function kvStorePeer({ openStore, ...peer }) {
  const q = (h, rest) => h.query({ from: { instance: INSTANCE, namespace: NS }, ...rest }).then((r) => ok(r).result.records.map((x) => x.value));
  const setAll = async (h, entries) => {
    const rs = await Promise.all(entries.map(([k, v]) => h.set(INSTANCE, NS, k, v)));
    for (const r of rs) ok(r);
  };
  const get = async (h, k) => {
    const d = ok(await h.get(INSTANCE, NS, k));
    return d.exists ? d.value : undefined;
  };
  return {
    ...peer,
    async open(db) {
      const h = await openStore(db);
      const r = await h.getInstance(INSTANCE);
      if (!r.success) ok(await h.createInstance(INSTANCE));
      return h;
    },
    get,
    async set(h, k, v) {
      ok(await h.set(INSTANCE, NS, k, v));
    },
    fired: setAll,
    bulk: setAll, // no bulk call in the API: the sets fired together (boltkv: one group commit)
    coldGet: get,
    prefix: (h, p) => q(h, { where: [{ field: 'key', operator: 'startsWith', value: p }], limit: 1e9 }),
    field: (h, g) => q(h, { where: [{ field: 'value.group', operator: 'eq', value: g }], limit: 1e9 }),
    ordered: (h, n) => q(h, { orderBy: { field: 'value.score', direction: 'desc' }, limit: n }),
    paged: (h, offset, limit) => q(h, { orderBy: { field: 'key', direction: 'asc' }, offset, limit }),
  };
}

// The kvStore calls written in plain JavaScript over Maps, as a user would
// (plain-store.js): what boltkv's memory backend must beat.
const plain = kvStorePeer({
  name: 'plain',
  label: 'plain JS kvStore',
  storage: 'memory',
  async load() {},
  openStore: () => new PlainKvStore(),
  close() {},
  async destroy() {},
});

let KvStore;
/** boltkv on `backend`, its KvStore imported from `from` (the page's entry, or pkg/node.js in the Node mode). */
export function boltkv(backend, from = '/pkg/browser.js') {
  return kvStorePeer({
    name: `boltkv-${backend}`,
    label: `boltkv (${backend})`,
    storage: backend,
    boltkv: true,
    async load() {
      KvStore ??= (await import(from)).KvStore;
    },
    openStore: (db) => KvStore.open({ backend, name: `bolt-${db}` }),
    close: (h) => h.free(),
    async destroy(db) {
      if (backend === 'indexeddb') await delDb(`boltkv:bolt-${db}`);
      if (backend === 'localStorage') for (const k of lsKeys(`boltkv/bolt-${db}/`)) localStorage.removeItem(k);
    },
  });
}

export const PEERS = [map, plain, rawIdb, idbKeyval, dexie, localForage, localStorageJson, boltkv('memory'), boltkv('indexeddb'), boltkv('localStorage')];
export const peerByName = (n) => PEERS.find((p) => p.name === n);
