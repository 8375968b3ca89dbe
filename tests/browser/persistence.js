// The in-page half of tests/browser/persistence.mjs: one step per page load
// (`?step=`), against pkg/browser.js on `?backend=` (indexeddb or
// localStorage) and the store `?name=`. Each step POSTs what it saw to
// /report/step as { run, browser, backend, step, ok, data } (or ok: false
// and an error when the step could not run); the driver makes every
// assertion, comparing what pages of one browser profile reported. With
// `?next=<step>` the page then navigates to that step (a new document of the
// same origin, same browser process); with `?quit=1` (and no next) it then
// closes its window, which quits Firefox cleanly before a restart.
//
// Steps:
//   reload-write  creates instances, sets records of every JSON type, an
//                 overwrite and a delete, then a batch whose last operation is
//                 a failing check (two sets of new keys, one into an instance
//                 it would create); reports each envelope, the batch's, gets of
//                 the batch's keys and the store's full contents (dump)
//   reload-check  opens the store and reports its dump, a get of every key
//                 and gets of the failed batch's keys
//   race          the top page of the two-page race: two same-origin iframes
//                 (step race-frame, side A and B) open the same store, fire
//                 1,000 distinct writes each plus shared keys, create keys the
//                 other side overwrites, then the page polls both until their
//                 dumps are equal (bounded) and reports
//   race-check    opens the store in a fresh page and reports its dump
//   tabs          one of two top-level tabs (?side=A or B) racing on what
//                 storage decides (tabs.js); reports as tabs-A / tabs-B
//   watch         one of two top-level tabs: A watches a namespace and a
//                 query while B makes 1,000 random writes (watching.js);
//                 reports as watch-A / watch-B
//   paging        one of two top-level tabs: A walks 10,000 records by
//                 cursor while B inserts and deletes (paging.js); reports as
//                 paging-A / paging-B
//   quota-fill    sets 200 KB values until the storage is full, then probes:
//                 an overwrite and a batch that cannot fit, deletes, a small
//                 write; reports every call and the dump (long strings as digests)
//   quota-check   opens the store and reports its dump (digests)

import { tabs } from './tabs.js';
import { paging } from './paging.js';
import { watching } from './watching.js';

const params = new URLSearchParams(location.search);
const step = params.get('step') || '';
const backend = params.get('backend') || 'indexeddb';
const name = params.get('name') || 'persistence';
const run = params.get('run') || String(Date.now());
const browser = params.get('browser') || (/Firefox\//.test(navigator.userAgent) ? 'firefox' : 'chromium');
const next = params.get('next');
// The two tabs of steps `tabs` and `watch` report apart: tabs-A and tabs-B.
const reported = ['tabs', 'watch', 'paging'].includes(step) ? `${step}-${params.get('side')}` : step;
const statusEl = document.getElementById('status');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const macrotask = () => new Promise((r) => setTimeout(r, 0));

function errorText(e) {
  if (e && typeof e === 'object' && 'message' in e) return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`;
  return String(e);
}

async function post(kind, body) {
  const text = JSON.stringify({ run, browser, backend, step, ...body });
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`/report/${kind}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
      if (res.ok) return;
      throw new Error(`HTTP ${res.status}`);
    } catch (e) {
      if (attempt >= 2) throw new Error(`could not post ${kind}: ${errorText(e)}`);
      await sleep(200);
    }
  }
}

/** Polls `probe` every `every` ms until it returns a truthy value; gives up (returns undefined) after `ms`. */
async function until(probe, ms, every = 20) {
  const end = performance.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (performance.now() > end) return undefined;
    await sleep(every);
  }
}

async function sha256(text) {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Long strings become { sha256, length } so reports stay small; equality is kept. */
async function digestValue(v) {
  return typeof v === 'string' && v.length > 4096 ? { sha256: await sha256(v), length: v.length } : v;
}

let KvStore;
const open = (storeName = name) => KvStore.open({ backend, name: storeName });

/**
 * Everything the store holds, as a page sees it: the instances in
 * listInstances order and every record of each (a query with no limit worth
 * the name), sorted by instance, namespace, key.
 */
async function dump(store, { digests = false } = {}) {
  const li = await store.listInstances();
  if (!li.success) throw new Error(`listInstances failed: ${li.error}`);
  const records = [];
  for (const inst of li.data.instances) {
    const q = await store.query({ from: { instance: inst.id }, limit: 1000000 });
    if (!q.success) throw new Error(`query of ${inst.id} failed: ${q.error}`);
    if (q.data.result.total !== q.data.result.records.length) throw new Error(`query of ${inst.id}: total ${q.data.result.total}, ${q.data.result.records.length} records`);
    for (const r of q.data.result.records) records.push(digests ? { ...r, value: await digestValue(r.value) } : r);
  }
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  records.sort((a, b) => cmp(a.instanceId, b.instanceId) || cmp(a.namespace, b.namespace) || cmp(a.key, b.key));
  return { instances: li.data.instances, records };
}

/** What is in the browser's storage for this store, read around the store. */
async function onDisk(storeName = name) {
  if (backend === 'indexeddb') return { database: (await indexedDB.databases()).some((d) => d.name === `boltkv:${storeName}`) };
  let items = 0;
  for (let i = 0; i < localStorage.length; i++) if (localStorage.key(i)?.startsWith(`boltkv/${storeName}/`)) items++;
  return { items };
}

// ---------------------------------------------------------------- reload

const RELOAD_WRITES = [
  ['alpha', 'prefs', 'theme', 'dark'],
  ['alpha', 'prefs', 'fontSize', 14],
  ['alpha', 'prefs', 'ratio', -0.125],
  ['alpha', 'flags', 'enabled', true],
  ['alpha', 'flags', 'disabled', false],
  ['alpha', 'flags', 'nothing', null],
  ['alpha', 'lists', 'tags', ['admin', 1, 2.5, false, null, { nested: ['x'] }, []]],
  ['alpha', 'users', 'user-1', { name: 'Zoë', prefs: { theme: 'dark', notifications: { email: true, push: false } }, tags: ['a'] }],
  ['beta', 'cache', 'big', 'x'.repeat(3000)],
  ['beta', 'ключ/🔑', 'a/b\\c"d', { emoji: '🦀', empty: {}, zero: 0, big: 12345678901234 }],
  ['beta', 'cache', 'empty-string', ''],
];

// The batch reload-write issues after its writes: sets of two new keys (one
// into the instance 'delta', which only the batch would create), then a
// check of an existing key at a version it does not have. It must fail at
// operation 2 and leave nothing, in memory and in storage.
const FAILED_BATCH = [
  { op: 'set', instanceId: 'alpha', namespace: 'batch', key: 'one', value: { from: 'the failed batch' } },
  { op: 'set', instanceId: 'delta', namespace: 'batch', key: 'two', value: [2], autoCreateInstance: true },
  { op: 'check', instanceId: 'alpha', namespace: 'prefs', key: 'theme', version: 999999 },
];

/** get of each key the failed batch would have set, and of the key it checked. */
async function batchGets(store) {
  const gets = [];
  for (const { instanceId, namespace, key } of FAILED_BATCH) {
    gets.push({ label: `get ${instanceId}/${namespace}/${key}`, envelope: await store.get(instanceId, namespace, key) });
  }
  return gets;
}

async function reloadWrite() {
  const store = await open();
  const calls = [];
  const call = async (label, promise) => {
    const envelope = await promise;
    calls.push({ label, envelope });
    return envelope;
  };
  await call('createInstance alpha', store.createInstance('alpha', 'the first instance'));
  await sleep(3);
  await call('createInstance beta', store.createInstance('beta'));
  for (const [inst, ns, key, value] of RELOAD_WRITES) await call(`set ${inst}/${ns}/${key}`, store.set(inst, ns, key, value));
  await sleep(5);
  await call('overwrite alpha/users/user-1', store.set('alpha', 'users', 'user-1', { name: 'Zoë Q.', prefs: { theme: 'light' }, tags: [] }));
  await call('set gamma/auto/k (autoCreateInstance)', store.set('gamma', 'auto', 'k', { auto: true }, true));
  await call('set alpha/temp/gone', store.set('alpha', 'temp', 'gone', 1));
  await call('delete alpha/temp/gone', store.delete('alpha', 'temp', 'gone'));
  const batch = { operations: FAILED_BATCH, envelope: await store.batch(FAILED_BATCH), gets: await batchGets(store) };
  return { storage: store.storage, calls, batch, dump: await dump(store), onDisk: await onDisk() };
}

async function reloadCheck() {
  const store = await open();
  const gets = [];
  for (const [inst, ns, key] of [...RELOAD_WRITES, ['alpha', 'users', 'user-1'], ['gamma', 'auto', 'k'], ['alpha', 'temp', 'gone']]) {
    gets.push({ label: `get ${inst}/${ns}/${key}`, envelope: await store.get(inst, ns, key) });
  }
  return { storage: store.storage, dump: await dump(store), gets, batchGets: await batchGets(store), onDisk: await onDisk() };
}

// ---------------------------------------------------------------- two-page race

const RACE = { rounds: 20, perRound: 50, shared: 20, handoff: 10, mixed: 300 };
const pad = (i) => String(i).padStart(4, '0');

/** The race as one side (an iframe) runs it; the top page calls these methods. */
async function raceFrame() {
  const side = params.get('side');
  const store = await open();
  window.race = {
    storage: store.storage,
    /** 1,000 distinct keys and RACE.shared shared ones, fired in rounds without awaiting, so commits interleave with the other side's. */
    async burst(instanceId) {
      const pending = [];
      for (let round = 0; round < RACE.rounds; round++) {
        for (let j = 0; j < RACE.perRound; j++) {
          const i = round * RACE.perRound + j;
          pending.push(store.set(instanceId, 'writes', `${side}-${pad(i)}`, { side, i, nested: { round } }));
        }
        if (round < RACE.shared) pending.push(store.set(instanceId, 'shared', `shared-${pad(round)}`, { side, round }));
        await macrotask();
      }
      const results = await Promise.all(pending);
      const failures = results.filter((r) => !r.success).map((r) => r.error);
      return { calls: results.length, failures: failures.length, firstFailures: failures.slice(0, 3) };
    },
    async create(instanceId, n) {
      const out = [];
      for (let j = 0; j < n; j++) out.push(await store.set(instanceId, 'handoff', `from-${side}-${pad(j)}`, { by: side, j }));
      return out;
    },
    /** Waits (bounded) until the other side's keys are visible here, then overwrites them. */
    async overwrite(instanceId, otherSide, n) {
      const out = [];
      for (let j = 0; j < n; j++) {
        const key = `from-${otherSide}-${pad(j)}`;
        const seen = await until(async () => (await store.get(instanceId, 'handoff', key)).data?.exists, 15000);
        out.push({ seen: !!seen, envelope: await store.set(instanceId, 'handoff', key, { by: side, over: otherSide, j }) });
      }
      return out;
    },
    /** RACE.mixed sets, deletes and one deleteNamespace of namespace 'mixed', fired in groups of ten (see mixedKey). */
    async mixed(instanceId) {
      const pending = [];
      for (let i = 0; i < RACE.mixed; i++) {
        const [op, key] = mixedOp(i);
        if (op === 'clear') pending.push(store.deleteNamespace(instanceId, 'mixed'));
        else if (op === 'delete') pending.push(store.delete(instanceId, 'mixed', key));
        else pending.push(store.set(instanceId, 'mixed', key, { i }));
        if (i % 10 === 9) await macrotask();
      }
      const results = await Promise.all(pending);
      return results.filter((r) => !r.success).map((r) => r.error);
    },
    /** Only reads and queries, until stopReading(); answers how many rounds. */
    async read(instanceId) {
      reading = true;
      let rounds = 0;
      while (reading) {
        await store.get(instanceId, 'mixed', `m-${pad(rounds % 60)}`);
        await store.query({ from: { instance: instanceId, namespace: 'mixed' } });
        rounds++;
        await macrotask();
      }
      return rounds;
    },
    stopReading() {
      reading = false;
    },
    dump: () => dump(store),
  };
}

let reading = false;

/** Operation i of the mixed writes: a deleteNamespace at 200, a delete every seventh, else a set; 60 keys. */
function mixedOp(i) {
  if (i === 200) return ['clear'];
  return [i % 7 === 3 ? 'delete' : 'set', `m-${pad((i * 13) % 60)}`];
}

function loadFrame(side) {
  const frame = document.createElement('iframe');
  const q = new URLSearchParams(params);
  q.set('step', 'race-frame');
  q.set('side', side);
  q.delete('next');
  frame.src = `${location.pathname}?${q}`;
  document.body.appendChild(frame);
  return until(() => frame.contentWindow?.race || frame.contentWindow?.raceError, 30000, 50).then((api) => {
    if (!api) throw new Error(`iframe ${side} did not open its store within 30 s`);
    if (typeof api === 'string') throw new Error(`iframe ${side}: ${api}`);
    return api;
  });
}

async function race() {
  // The shared instance is made first, by a store that is then closed: the
  // frames load it from storage.
  const first = await open();
  const created = await first.createInstance('race', 'two pages at once');
  if (!created.success) throw new Error(`createInstance failed: ${created.error}`);
  first.free();
  const id = created.data.instance.id;
  const [A, B] = await Promise.all([loadFrame('A'), loadFrame('B')]);
  const t0 = performance.now();
  const burst = await Promise.all([A.burst(id), B.burst(id)]);
  const createdA = await A.create(id, RACE.handoff);
  const overwrittenByB = await B.overwrite(id, 'A', RACE.handoff);
  const createdB = await B.create(id, RACE.handoff);
  const overwrittenByA = await A.overwrite(id, 'B', RACE.handoff);
  // A page that only reads must not change what another page writes.
  const readRounds = A.read(id);
  const mixedFailures = await B.mixed(id);
  A.stopReading();
  const mixed = { failures: mixedFailures, readRounds: await readRounds };
  // Converge: both dumps equal, polled for at most 30 s.
  let polls = 0;
  let dumps;
  const converged = !!(await until(
    async () => {
      polls++;
      dumps = await Promise.all([A.dump(), B.dump()]);
      return JSON.stringify(dumps[0]) === JSON.stringify(dumps[1]);
    },
    30000,
    200,
  ));
  return {
    instance: created.data.instance,
    storage: [A.storage, B.storage],
    burst: { A: burst[0], B: burst[1] },
    handoff: { createdA, overwrittenByB, createdB, overwrittenByA },
    mixed,
    converged,
    polls,
    ms: Math.round(performance.now() - t0),
    dump: dumps[0],
    dumpB: converged ? undefined : dumps[1],
    onDisk: await onDisk(),
  };
}

async function raceCheck() {
  const store = await open();
  return { storage: store.storage, dump: await dump(store) };
}

// ---------------------------------------------------------------- quota

const BLOB = 200 * 1024;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `n` random characters: incompressible for the storage engines that compress values. */
function randomString(n) {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + 65536)));
  let s = '';
  for (let i = 0; i < n; i += 8192) s += String.fromCharCode(...Array.from(bytes.subarray(i, Math.min(n, i + 8192)), (b) => ALPHABET.charCodeAt(b & 63)));
  return s;
}

async function quotaFill() {
  const maxBlobs = Number(params.get('maxBlobs')) || 400;
  const store = await open();
  const inst = await store.createInstance('quota');
  if (!inst.success) throw new Error(`createInstance failed: ${inst.error}`);
  const id = inst.data.instance.id;
  const digestOf = (r) => r.data && { ...r.data, record: { ...r.data.record, value: undefined } };
  const sets = [];
  let failed = null;
  for (let i = 0; i < maxBlobs && !failed; i++) {
    const key = `blob-${pad(i)}`;
    const value = randomString(BLOB);
    const r = await store.set(id, 'blobs', key, value);
    const entry = { key, sha256: await sha256(value), length: value.length, success: r.success, error: r.error, code: r.code, record: digestOf(r)?.record };
    sets.push(entry);
    if (!r.success) failed = entry;
  }
  const out = { storage: store.storage, instance: inst.data.instance, sets, failed };
  if (!failed) return out;
  const get = async (key) => {
    const r = await store.get(id, 'blobs', key);
    return { success: r.success, exists: r.data?.exists, value: await digestValue(r.data?.value) };
  };
  out.afterFull = { failedKey: await get(failed.key), count: (await store.getRecordCount(id, 'blobs')).data?.count, first: await get('blob-0000') };
  // An overwrite that cannot fit (a value four times the one that did not):
  // it must fail and leave the old value.
  const big = randomString(4 * BLOB);
  const over = await store.set(id, 'blobs', 'blob-0000', big);
  out.overwrite = { success: over.success, error: over.error, code: over.code, sha256: await sha256(big), after: await get('blob-0000') };
  // A batch fired in one tick that cannot fit: one transaction, every call fails.
  const batchKeys = [0, 1, 2, 3].map((j) => `batch-${j}`);
  const batch = await Promise.all(batchKeys.map((k) => store.set(id, 'blobs', k, randomString(BLOB))));
  out.batch = { results: batch.map((r) => ({ success: r.success, error: r.error, code: r.code })), after: await Promise.all(batchKeys.map(get)) };
  // Make room, then a small write.
  out.deletes = [];
  for (const s of sets) {
    if (s.success && Number(s.key.slice(5)) % 2 === 1) {
      const r = await store.delete(id, 'blobs', s.key);
      out.deletes.push({ key: s.key, success: r.success, deleted: r.data?.deleted, error: r.error });
    }
  }
  const small = await store.set(id, 'small', 'after-delete', { ok: true, n: 1 });
  out.small = { success: small.success, error: small.error, record: small.data?.record };
  out.dump = await dump(store, { digests: true });
  return out;
}

async function quotaCheck() {
  const store = await open();
  return { storage: store.storage, dump: await dump(store, { digests: true }) };
}

/** This tab's side of a two-tab step; tab A opens tab B when told to (`?opens=B`). */
async function twoTabs(side) {
  const opens = params.get('opens');
  if (opens) {
    const q = new URLSearchParams(params);
    q.set('side', opens);
    q.delete('opens');
    if (!window.open(`${location.pathname}?${q}`)) throw new Error(`the browser blocked opening tab ${opens}`);
  }
  return side(await open(), params.get('side'), run);
}

// ----------------------------------------------------------------

const STEPS = {
  'reload-write': reloadWrite,
  'reload-check': reloadCheck,
  race,
  'race-frame': raceFrame,
  'race-check': raceCheck,
  tabs: () => twoTabs(tabs),
  watch: () => twoTabs(watching),
  paging: () => twoTabs(paging),
  'quota-fill': quotaFill,
  'quota-check': quotaCheck,
};

async function main() {
  if (!STEPS[step]) throw new Error(`unknown step '${step}'`);
  ({ KvStore } = await import('/pkg/browser.js'));
  document.title = `boltkv persistence: ${step}`;
  statusEl.textContent = `${browser} ${backend} ${step}: running`;
  const data = await STEPS[step]();
  if (step === 'race-frame') return; // driven by the top page
  if (params.get('quit') && !next && backend === 'localStorage') {
    // The driver quits the browser once this step reports. Chromium writes
    // localStorage to disk a few seconds after a change, and a browser that
    // quits sooner may keep none of it: wait that out before the restart,
    // so the check is of boltkv, not of that delay.
    await sleep(6000);
  }
  await post('step', { step: reported, ok: true, data, userAgent: navigator.userAgent });
  statusEl.textContent = `${browser} ${backend} ${step}: reported`;
  document.title = `boltkv persistence: ${step} done`;
  if (next) {
    const q = new URLSearchParams(params);
    q.set('step', next);
    q.delete('next');
    location.href = `${location.pathname}?${q}`;
  } else if (params.get('quit')) {
    // The driver is about to quit the browser: Firefox quits cleanly when
    // its last window closes (tests/browser/browsers.mjs, quitBrowser).
    setTimeout(() => window.close(), 100);
  }
}

main().catch(async (e) => {
  statusEl.textContent = `${step} failed: ${errorText(e)}`;
  if (step === 'race-frame') {
    window.raceError = errorText(e);
    return;
  }
  await post('step', { step: reported, ok: false, error: `${errorText(e)}${e && e.stack ? `\n${e.stack}` : ''}`, userAgent: navigator.userAgent }).catch(() => {});
});
