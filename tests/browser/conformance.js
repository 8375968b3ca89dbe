// Runs every case of tests/js/conformance against pkg/browser.js in this
// page, on the backend named by `?backend=` (memory, indexeddb or
// localStorage), and POSTs the results to the server that served the page
// (tests/browser/server.mjs):
//   /report/case   { run, browser, backend, index, total, name, ok, error, skipped, ms, stored }   after each case
//   /report/done   { run, browser, backend, userAgent, results: [{ name, ok, error, skipped, ms, stored }],
//                    storedCases, leftovers }
//                  stored: how many of the case's stores had data on the backend
//                  before cleanup; storedCases: cases with stored > 0 (a
//                  persistent backend that never stores anything is not in
//                  use); leftovers: databases and items of this run still
//                  there at the end (cleanup failed); skipped: why a case
//                  cannot run on this backend (its `skip`), when it was not run
//   /report/fatal  { run, browser, backend, error }   when the page cannot run the suite
//
// Every call of a case's `open(options?)` opens a fresh store. On the
// persistent backends each store gets a name no other store of the run uses;
// after the case, its databases (`boltkv:` + name) are deleted and its
// localStorage items (under `boltkv/` + name + `/`) removed. A case that does
// not settle within the per-case timeout fails and the run goes on.

const params = new URLSearchParams(location.search);
const BACKENDS = ['memory', 'indexeddb', 'localStorage'];
const backend = params.get('backend') || 'memory';
const browser = params.get('browser') || guessBrowser();
const run = params.get('run') || String(Date.now());
const caseTimeout = Number(params.get('caseTimeout')) || 15000;
const grep = params.get('grep') || '';
const CLEANUP_TIMEOUT = 10000;

const statusEl = document.getElementById('status');
const listEl = document.getElementById('results');

function guessBrowser() {
  const ua = navigator.userAgent;
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/Chrom(e|ium)\//.test(ua)) return 'chromium';
  return ua;
}

function errorText(e) {
  try {
    if (e && typeof e === 'object' && 'message' in e) {
      const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
      return `${name}${e.message}`;
    }
    return String(e);
  } catch {
    return '[unprintable error]';
  }
}

async function post(kind, body) {
  const text = JSON.stringify({ run, browser, backend, ...body });
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`/report/${kind}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
      if (res.ok) return;
      throw new Error(`HTTP ${res.status}`);
    } catch (e) {
      if (attempt >= 2) {
        console.error(`could not post ${kind}:`, e);
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

class TimeoutError extends Error {}

/** Settles with `promise`, or rejects with a TimeoutError after `ms`. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}

/**
 * The store factory a case gets: KvStore.open with the case's arguments,
 * plus, on a persistent backend, `backend` and a fresh `name` (the case's own
 * options are kept; arguments that are not options objects, which the cases
 * pass to check that open() rejects them, go through unchanged).
 */
function factory(KvStore, caseIndex, opened) {
  let count = 0;
  return Object.assign(async (...args) => {
    if (backend === 'memory') return KvStore.open(...args);
    const name = `conf-${run}-${caseIndex}-${count++}`;
    const rest = args.slice(1);
    let options = args[0];
    if (options === undefined) options = { backend, name };
    else if (isPlainObject(options)) options = { backend, name, ...options };
    if (!isPlainObject(options)) return KvStore.open(options, ...rest);
    const entry = { store: null, backend: options.backend, name: options.name };
    opened.push(entry); // before opening: a failed open may still have made its database
    const store = (entry.store = await KvStore.open(options, ...rest));
    names.set(store, options.name);
    const info = store.storage;
    if (!info || info.backend !== options.backend || info.name !== options.name) {
      throw new Error(`open(${JSON.stringify(options)}) gave a store on ${JSON.stringify(info)}, not on ${options.backend} '${options.name}'`);
    }
    return store;
  }, { backend, ...(backend === 'memory' ? {} : { storage: storageOf(KvStore, opened) }) });
}

/** The name each store was opened with (a freed store cannot tell it). */
const names = new WeakMap();

/**
 * The `open.storage` of tests/js/conformance/lifetime.js on a persistent
 * backend: a store is closed by freeing it, reopened by opening its name
 * again, and its records are listed from the database or the items.
 */
function storageOf(KvStore, opened) {
  return {
    close: (store) => store.free(),
    async reopen(store) {
      const name = names.get(store);
      const entry = { store: null, backend, name };
      opened.push(entry);
      const again = (entry.store = await KvStore.open({ backend, name }));
      names.set(again, name);
      return again;
    },
    records: (store) => (backend === 'indexeddb' ? storedRecordKeys(names.get(store)) : localStorageRecordKeys(names.get(store))),
  };
}

/** The keys of the database's `records` object store, sorted. */
function storedRecordKeys(name) {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(`boltkv:${name}`);
    opening.onerror = () => reject(new Error(`opening boltkv:${name} failed: ${errorText(opening.error)}`));
    opening.onsuccess = () => {
      const db = opening.result;
      const keys = db.transaction('records', 'readonly').objectStore('records').getAllKeys();
      keys.onsuccess = () => {
        db.close();
        resolve(keys.result.map(String).sort());
      };
      keys.onerror = () => {
        db.close();
        reject(new Error(`reading the records of boltkv:${name} failed: ${errorText(keys.error)}`));
      };
    };
  });
}

/** The record items of the store `name`, without the store's prefix, sorted. */
function localStorageRecordKeys(name) {
  const prefix = `boltkv/${name}/`;
  return leftovers(`${prefix}r/`).map((key) => key.slice(prefix.length)).sort();
}

function deleteDatabase(dbName) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(dbName);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(new Error(`deleteDatabase(${dbName}) failed: ${errorText(req.error)}`));
    // `blocked` only means a connection is still open; the store closes on
    // versionchange, so keep waiting for success (the timeout bounds it).
  });
}

function removeLocalStorage(prefix) {
  for (const k of leftovers(prefix)) localStorage.removeItem(k);
  const left = leftovers(prefix);
  if (left.length) throw new Error(`${left.length} localStorage items still under ${prefix}`);
}

/** How many of the case's stores have something in their storage (before cleanup). */
async function storedCount(opened) {
  let n = 0;
  const dbs = opened.some((o) => o.backend === 'indexeddb') ? new Set((await indexedDB.databases()).map((d) => d.name)) : null;
  for (const { backend: b, name } of opened) {
    if (b === 'indexeddb' && dbs.has(`boltkv:${name}`)) n++;
    else if (b === 'localStorage' && leftovers(`boltkv/${name}/`).length) n++;
  }
  return n;
}

function leftovers(prefix) {
  const found = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k !== null && k.startsWith(prefix)) found.push(k);
  }
  return found;
}

/** What the run left in storage: databases and items this page's stores made. */
async function runLeftovers() {
  const dbs = (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith(`boltkv:conf-${run}-`));
  return [...dbs, ...leftovers(`boltkv/conf-${run}-`)];
}

async function cleanup(opened, settled) {
  // Release stores whose case has settled (freeing one still in use by a
  // hung case could break what it is doing): this closes their connections.
  if (settled) for (const { store } of opened) if (store) try { store.free(); } catch {}
  for (const { backend: b, name } of opened) {
    if (typeof name !== 'string') continue;
    if (b === 'indexeddb') await deleteDatabase(`boltkv:${name}`);
    else if (b === 'localStorage') removeLocalStorage(`boltkv/${name}/`);
  }
}

function show(index, total, name, ok, error) {
  const li = document.createElement('li');
  li.className = ok ? 'ok' : 'fail';
  li.textContent = ok ? name : `${name}\n    ${error}`;
  listEl.appendChild(li);
  statusEl.textContent = `${browser} ${backend}: ${index + 1}/${total}`;
}

async function main() {
  if (!BACKENDS.includes(backend)) throw new Error(`unknown backend '${backend}' (want one of ${BACKENDS.join(', ')})`);
  const [{ KvStore }, { suites }] = await Promise.all([import('/pkg/browser.js'), import('/tests/js/conformance/index.js')]);

  const all = [];
  for (const [suite, cases] of Object.entries(suites)) for (const c of cases) all.push({ suite, ...c });
  const selected = grep ? all.filter((c) => c.name.includes(grep)) : all;
  document.title = `boltkv conformance: ${browser} ${backend}`;

  const results = [];
  const seen = new Set();
  for (const [index, { suite, name, fn, skip }] of selected.entries()) {
    const opened = [];
    const t0 = performance.now();
    let ok = true;
    let error = null;
    let settled = true;
    let skipped = false;
    try {
      if (seen.has(name)) throw new Error(`duplicate case name in suite ${suite}`);
      seen.add(name);
      const open = factory(KvStore, index, opened);
      skipped = skip?.(open) || false;
      if (!skipped) await withTimeout(Promise.resolve().then(() => fn(open)), caseTimeout, 'the case');
    } catch (e) {
      ok = false;
      error = errorText(e);
      settled = !(e instanceof TimeoutError);
    }
    let stored = 0;
    try {
      stored = await withTimeout(storedCount(opened), CLEANUP_TIMEOUT, 'looking at storage');
      await withTimeout(cleanup(opened, settled), CLEANUP_TIMEOUT, 'cleanup');
    } catch (e) {
      if (ok) error = `the case passed, but cleaning up its storage failed: ${errorText(e)}`;
      else error += `; cleanup failed too: ${errorText(e)}`;
      ok = false;
    }
    const ms = Math.round(performance.now() - t0);
    const result = { name, ok, error, skipped, ms, stored };
    results.push(result);
    show(index, selected.length, name, ok, error);
    await post('case', { index, total: selected.length, ...result });
  }
  const failed = results.filter((r) => !r.ok).length;
  const skippedCount = results.filter((r) => r.ok && r.skipped).length;
  statusEl.textContent = `${browser} ${backend}: ${results.length - failed - skippedCount} passed, ${skippedCount} skipped, ${failed} failed`;
  document.title = `boltkv conformance: done`;
  // Proof the backend was in use, and that cleaning up worked.
  const storedCases = results.filter((r) => r.stored > 0).length;
  const left = await runLeftovers();
  await post('done', { userAgent: navigator.userAgent, results, storedCases, leftovers: left });
}

main().catch(async (e) => {
  statusEl.textContent = `could not run the suite: ${errorText(e)}`;
  await post('fatal', { userAgent: navigator.userAgent, error: errorText(e) });
});
