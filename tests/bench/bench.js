// The benchmark page (bench.html), driven by tests/bench/bench.mjs. One
// phase per page load; the page POSTs each phase's measurements to
// /report/bench and then navigates to the next page of the plan, so the
// same sequence runs in any browser without a driver protocol:
//
//   main      workloads 1-4, 6, 7 and the long tasks of 4, every peer in this
//             one page, each in its own database, in shuffled order per run
//   seed      writes the stores that the cold opens read (every persistent peer)
//   open      one page per (peer, size, repetition): import the library, open
//             the store, until the first get answers (workload 5, and 8 for it)
//   memory    workload 9: boltkv (memory backend) and the JS Map at N records
//   cleanup   deletes the seeded stores, then reports done
//
// Query: ?run=<token>&quick=1&seed=<n>&phase=...&i=<index in the plan>.

import { PEERS, peerByName } from './peers.js';

const params = new URLSearchParams(location.search);
const run = params.get('run') || String(Date.now());
const quick = params.get('quick') === '1';
const seed = Number(params.get('seed') || 1);
const index = Number(params.get('i') || 0);
const statusEl = document.getElementById('status');
const status = (t) => (statusEl.textContent = t);

// ------------------------------------------------------------------ sizes

export const SIZES = quick
  ? { runs: 1, runsBig: 1, hotKeys: 200, hotFast: 2000, hotSlow: 200, seq: 20, seq64: 5, fired: 300, bulkSmall: 300, bulkLarge: 600, open: [100, 200, 300], openReps: 1, openRepsBig: 1, query: 300, mixedOps: 1000, mixedKeys: 200, mixedWindow: 100, memory: 300, lsMaxKB: 2500 }
  : { runs: 5, runsBig: 2, hotKeys: 1000, hotFast: 50000, hotSlow: 2000, seq: 200, seq64: 30, fired: 10000, bulkSmall: 10000, bulkLarge: 100000, open: [1000, 10000, 100000], openReps: 3, openRepsBig: 1, query: 10000, mixedOps: 100000, mixedKeys: 1000, mixedWindow: 100, memory: 100000, lsMaxKB: 2500 };
const S = SIZES;

// localStorage holds about 5 M characters per origin: its peers take part
// only where the data fits (at most S.lsMaxKB KB of values).
const LS_NOTE = 'over the ~5 M-character localStorage quota';
// localForage writes one transaction per setItem: 100,000 of them take
// minutes, so its 100k imports and 100k cold-open store are left out to
// keep the run bounded.
const LF_NOTE = 'localForage has no bulk API; 100,000 setItem calls take minutes: left out to bound the run';

/** Why `peer` sits out a workload of `kb` KB of values (1 KB records: the record count), or null. */
function skip(peer, kb, { big = false } = {}) {
  if (peer.storage === 'localStorage' && kb > S.lsMaxKB) return LS_NOTE;
  if (peer.name === 'localForage' && big && !quick) return LF_NOTE;
  return null;
}

// ------------------------------------------------------------------ data

export const key = (i, p = 'k') => p + String(i).padStart(15, '0'); // 16 characters

/** A JSON value of exactly `bytes` bytes of JSON text (ASCII), with nested fields, a group and a score. */
export function makeValue(i, bytes = 1024) {
  const v =
    bytes >= 1024
      ? {
          id: i,
          group: `g${i % 10}`,
          score: (i * 7919) % 100003,
          user: { name: `user-${i}`, email: `user${i}@example.com`, address: { street: `${i} Main St`, city: 'Springfield', zip: String(10000 + (i % 90000)) } },
          prefs: { theme: i % 2 ? 'dark' : 'light', lang: 'en', notifications: { email: true, push: false, digest: 'weekly' } },
          tags: ['alpha', 'beta', `t${i % 17}`],
          history: [
            { at: 1700000000000 + i, action: 'create' },
            { at: 1700000500000 + i, action: 'update' },
          ],
          note: '',
        }
      : { id: i, group: `g${i % 10}`, score: (i * 7919) % 100003, u: { n: `u${i}` }, note: '' };
  if (bytes > 4096) v.blocks = Array.from({ length: Math.floor(bytes / 2048) }, (_, j) => ({ j, text: 'x'.repeat(1900) }));
  v.note = 'n'.repeat(Math.max(0, bytes - JSON.stringify(v).length));
  return v;
}
const entries = (n, bytes = 1024, p = 'k') => Array.from({ length: n }, (_, i) => [key(i, p), makeValue(i, bytes)]);

// ------------------------------------------------------------------ helpers

function rng(s) {
  // mulberry32
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(seed * 7919 + index);
function shuffled(xs) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

/** The longest long task overlapping [t0, t1], in ms (0 when none), or null when the browser reports none at all. */
async function longestTask(t0, t1) {
  if (!window.__longtasks) return null;
  await sleep(30); // entries arrive after the task
  let max = 0;
  for (const [start, d] of window.__longtasks) if (start < t1 && start + d > t0) max = Math.max(max, d);
  return max;
}

function errorText(e) {
  if (e && typeof e === 'object' && 'message' in e) return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`;
  return String(e);
}

async function post(body) {
  const text = JSON.stringify({ run, index, userAgent: navigator.userAgent, ...body });
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch('/report/bench', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
      if (res.ok) return;
      throw new Error(`HTTP ${res.status}`);
    } catch (e) {
      if (attempt >= 2) throw new Error(`could not post: ${errorText(e)}`);
      await sleep(200);
    }
  }
}

// Measurements: results[workload][peer] = { samples: [...], unit, ... } or { skipped }.
const results = {};
function slot(w, peer, unit, extra = {}) {
  results[w] ??= {};
  return (results[w][peer.name] ??= { unit, samples: [], ...extra });
}
function skipped(w, peer, why) {
  results[w] ??= {};
  results[w][peer.name] = { skipped: why };
}
const errors = [];
const progress = (step) => fetch('/report/progress', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ run, step }) }).catch(() => {});
async function guarded(w, peer, fn) {
  status(`main: ${w} ${peer.name}`);
  if (params.get('verbose')) progress(`${w} ${peer.name}`);
  try {
    await fn();
  } catch (e) {
    errors.push(`${w} ${peer.name}: ${errorText(e)}`);
    results[w] ??= {};
    results[w][peer.name] = { failed: errorText(e) };
  }
}

/** A database name that no other run, workload or peer uses. */
const dbName = (w, r) => `${run}-${w}-${r}`.replace(/[^A-Za-z0-9-]/g, '-');

async function fresh(peer, w, r) {
  const db = dbName(w, r);
  await peer.destroy(db);
  return { db, h: await peer.open(db) };
}
async function drop(peer, { db, h }) {
  await peer.close(h);
  await peer.destroy(db);
}

// CPU profiles of chosen boltkv measurements, when the driver asks
// (bench.mjs --cpu-profile): it exposes window.benchProfile.
async function profiled(label, peer, fn) {
  const on = peer.boltkv && typeof window.benchProfile === 'function';
  if (on) await window.benchProfile('start', label);
  try {
    return await fn();
  } finally {
    if (on) await window.benchProfile('stop', label);
  }
}

// ------------------------------------------------------------------ main: workloads 1-4, 6, 7, 8

async function hotGets(peers) {
  const data = entries(S.hotKeys);
  const handles = new Map();
  for (const peer of peers) {
    await guarded('get-hit', peer, async () => {
      const st = await fresh(peer, 'hot', 0);
      await peer.bulk(st.h, data);
      handles.set(peer, st);
    });
  }
  for (let r = 0; r < S.runs; r++) {
    for (const peer of shuffled([...handles.keys()])) {
      const { h } = handles.get(peer);
      const n = peer.storage === 'indexeddb' && !peer.boltkv ? S.hotSlow : S.hotFast;
      for (const [w, p] of [['get-hit', 'k'], ['get-miss', 'm']]) {
        await guarded(w, peer, async () => {
          const keys = Array.from({ length: n }, (_, i) => key(i % S.hotKeys, p));
          const want = p === 'k';
          let bad = 0;
          await profiled(`${w}-${peer.name}`, peer, async () => {
            const t0 = now();
            if (peer.sync) for (const k of keys) bad += (peer.get(h, k) !== undefined) !== want;
            else for (const k of keys) bad += ((await peer.get(h, k)) !== undefined) !== want;
            slot(w, peer, 'µs/op', { ops: n }).samples.push(((now() - t0) * 1000) / n);
          });
          if (bad) throw new Error(`${bad} of ${n} gets answered wrongly`);
        });
      }
    }
  }
  for (const [peer, st] of handles) await drop(peer, st);
}

async function sequentialSets(peers) {
  for (const [w, bytes, n] of [['set-seq-1KB', 1024, S.seq], ['set-seq-64KB', 65536, S.seq64]]) {
    const values = Array.from({ length: n + 3 }, (_, i) => makeValue(i, bytes));
    for (let r = 0; r < S.runs; r++) {
      for (const peer of shuffled(peers)) {
        const why = skip(peer, (n * bytes) / 1024);
        if (why) {
          skipped(w, peer, why);
          continue;
        }
        await guarded(w, peer, async () => {
          const st = await fresh(peer, w, r);
          const s = slot(w, peer, 'ms/op', { ops: n, pooled: true });
          for (let i = 0; i < n + 3; i++) {
            const t0 = now();
            await peer.set(st.h, key(i), values[i]);
            if (i >= 3) s.samples.push(now() - t0); // the first 3 warm up
          }
          await drop(peer, st);
        });
      }
    }
  }
}

async function firedSets(peers) {
  const data = entries(S.fired);
  for (let r = 0; r < S.runs; r++) {
    for (const peer of shuffled(peers)) {
      const why = skip(peer, S.fired);
      if (why) {
        skipped('fired-sets', peer, why);
        continue;
      }
      await guarded('fired-sets', peer, async () => {
        const st = await fresh(peer, 'fired', r);
        await profiled(`fired-sets-${peer.name}`, peer, async () => {
          const t0 = now();
          await peer.fired(st.h, data);
          slot('fired-sets', peer, 'ms', { records: S.fired }).samples.push(now() - t0);
        });
        await drop(peer, st);
      });
    }
  }
}

async function bulkImports(peers) {
  const cases = [
    ['bulk-10k-100B', S.bulkSmall, 100, S.runs, false],
    ['bulk-10k-1KB', S.bulkSmall, 1024, S.runs, false],
    ['bulk-100k-100B', S.bulkLarge, 100, S.runsBig, true],
    ['bulk-100k-1KB', S.bulkLarge, 1024, S.runsBig, true],
  ];
  for (const [w, n, bytes, runs, big] of cases) {
    let data = entries(n, bytes);
    for (let r = 0; r < runs; r++) {
      for (const peer of shuffled(peers)) {
        const why = skip(peer, (n * bytes) / 1024, { big });
        if (why) {
          skipped(w, peer, why);
          skipped(`longtask-${w}`, peer, why);
          continue;
        }
        await guarded(w, peer, async () => {
          const st = await fresh(peer, w, r);
          await sleep(50);
          await profiled(`${w}-${peer.name}`, peer, async () => {
            const t0 = now();
            await peer.bulk(st.h, data);
            const t1 = now();
            slot(w, peer, 'ms', { records: n }).samples.push(t1 - t0);
            slot(`longtask-${w}`, peer, 'ms').samples.push(await longestTask(t0, t1));
          });
          await drop(peer, st);
        });
      }
    }
    data = null;
  }
}

async function queries(peers) {
  const n = S.query;
  const data = entries(n);
  const d = 10 ** (Math.floor(Math.log10(n)) - 1);
  const prefix = key(d).slice(0, 16 - Math.log10(d)); // n/10 keys (i in [d, 2d))
  const offset = Math.floor(n / 2);
  const qs = [
    ['query-prefix', (p, h) => p.prefix(h, prefix), d],
    ['query-field', (p, h) => p.field(h, 'g3'), n / 10],
    ['query-ordered', (p, h) => p.ordered(h, 100), 100],
    ['query-paged', (p, h) => p.paged(h, offset, 100), 100],
  ];
  const wantOrdered = data.map((e) => e[1]).sort((a, b) => b.score - a.score).slice(0, 100).map((v) => v.id).join();
  const wantPaged = data.slice(offset, offset + 100).map((e) => e[1].id).join();
  const handles = new Map();
  for (const peer of peers) {
    const why = skip(peer, n);
    if (why) {
      for (const [w] of qs) skipped(w, peer, why);
      continue;
    }
    await guarded('query-prefix', peer, async () => {
      const st = await fresh(peer, 'query', 0);
      await peer.bulk(st.h, data);
      handles.set(peer, st);
    });
  }
  for (let r = 0; r < S.runs; r++) {
    for (const peer of shuffled([...handles.keys()])) {
      const { h } = handles.get(peer);
      for (const [w, fn, count] of qs) {
        await guarded(w, peer, async () => {
          const t0 = now();
          const got = await fn(peer, h);
          slot(w, peer, 'ms', { records: n, matches: count }).samples.push(now() - t0);
          if (got.length !== count) throw new Error(`${got.length} results, want ${count}`);
          if (w === 'query-ordered' && got.map((v) => v.id).join() !== wantOrdered) throw new Error('not the top 100 by score');
          if (w === 'query-paged' && got.map((v) => v.id).join() !== wantPaged) throw new Error('not the page in key order');
        });
      }
    }
  }
  for (const [peer, st] of handles) await drop(peer, st);
}

async function mixed(peers) {
  // 90% get, 10% set (1 KB), uniform over S.mixedKeys keys, issued in windows
  // of S.mixedWindow calls at once (synchronous peers: one after another).
  const pick = rng(seed);
  const ops = Array.from({ length: S.mixedOps }, () => [pick() < 0.1, Math.floor(pick() * S.mixedKeys)]);
  const values = Array.from({ length: 64 }, (_, i) => makeValue(i));
  const data = entries(S.mixedKeys);
  for (let r = 0; r < S.runsBig; r++) {
    for (const peer of shuffled(peers)) {
      await guarded('mixed-90-10', peer, async () => {
        const st = await fresh(peer, 'mixed', r);
        await peer.bulk(st.h, data);
        const { h } = st;
        const t0 = now();
        if (peer.sync) {
          for (const [write, k] of ops) write ? peer.set(h, key(k), values[k & 63]) : peer.get(h, key(k));
        } else {
          for (let i = 0; i < ops.length; i += S.mixedWindow) {
            const win = [];
            for (let j = i; j < Math.min(i + S.mixedWindow, ops.length); j++) {
              const [write, k] = ops[j];
              win.push(write ? peer.set(h, key(k), values[k & 63]) : peer.get(h, key(k)));
            }
            await Promise.all(win);
          }
        }
        slot('mixed-90-10', peer, 'ms', { ops: S.mixedOps, keys: S.mixedKeys }).samples.push(now() - t0);
        await drop(peer, st);
      });
    }
  }
}

async function mainPhase() {
  for (const p of PEERS) await p.load();
  localStorage.clear();
  const steps = [
    ['1. hot get', hotGets],
    ['2. sequential set', sequentialSets],
    ['3. fired sets', firedSets],
    ['4. bulk import', bulkImports],
    ['6. query', queries],
    ['7. mixed', mixed],
  ];
  const timing = {};
  for (const [label, fn] of steps) {
    status(`main: ${label}`);
    progress(label);
    const t0 = now();
    await fn(PEERS);
    timing[label] = Math.round(now() - t0);
  }
  return { results, errors, timing, sizes: S, longtaskSupported: !!window.__longtasks };
}

// ------------------------------------------------------------------ cold open (5, 8)

const openPeers = () => PEERS.filter((p) => p.storage !== 'memory');
const openDb = (size) => `open-${size}`;

async function seedPhase() {
  localStorage.clear();
  const seeded = {};
  for (const size of S.open) {
    const data = entries(size);
    for (const peer of openPeers()) {
      await peer.load();
      const why = skip(peer, size, { big: size >= 100000 });
      if (why) continue;
      status(`seed ${peer.name} ${size}`);
      await guarded(`seed-${size}`, peer, async () => {
        await peer.destroy(openDb(size));
        const h = await peer.open(openDb(size));
        await peer.bulk(h, data);
        await peer.close(h);
        (seeded[size] ??= []).push(peer.name);
      });
    }
  }
  return { seeded, errors };
}

async function openPhase(page) {
  const peer = peerByName(page.peer);
  const size = page.size;
  const t0 = now();
  const got = await profiled(`open-${size}-${peer.name}`, peer, async () => {
    await peer.load();
    const h = await peer.open(openDb(size));
    return peer.coldGet(h, key(0));
  });
  const t1 = now();
  if (got?.id !== 0) throw new Error(`the first get answered ${JSON.stringify(got)?.slice(0, 80)}`);
  return { peer: peer.name, size, ms: t1 - t0, sinceNavigation: t1, longtask: await longestTask(0, t1) };
}

async function cleanupPhase() {
  for (const size of S.open) for (const peer of openPeers()) {
    await peer.load();
    await peer.destroy(openDb(size));
  }
  localStorage.clear();
  return {};
}

// ------------------------------------------------------------------ memory (9)

async function wasmBytes() {
  const glue = await import('/pkg/glue/boltkv.js');
  const exports = await glue.default(); // already initialised by browser.js: returns its exports
  return exports.memory.buffer.byteLength;
}
async function heap() {
  const js = typeof window.benchHeap === 'function' ? await window.benchHeap() : null;
  return { js, wasm: await wasmBytes() };
}

async function memoryPhase() {
  const bolt = peerByName('boltkv-memory');
  await bolt.load();
  const n = S.memory;
  // boltkv first in this fresh page: wasm memory only grows, so it must start from the page's baseline.
  const base = await heap();
  const store = await bolt.open('memory');
  for (let i = 0; i < n; i += 10000) {
    const chunk = [];
    for (let j = i; j < Math.min(i + 10000, n); j++) chunk.push([key(j), makeValue(j)]);
    await bolt.fired(store, chunk);
  }
  if ((await bolt.get(store, key(n - 1)))?.id !== n - 1) throw new Error('boltkv lost a record');
  const afterBolt = await heap();
  const m = new Map();
  for (let j = 0; j < n; j++) m.set(key(j), JSON.stringify(makeValue(j)));
  const afterMap = await heap();
  const jsBytes = (a, b) => (a.js === null ? null : b.js - a.js);
  const out = {
    records: n,
    boltkv: { wasm: afterBolt.wasm - base.wasm, js: jsBytes(base, afterBolt) },
    map: { js: jsBytes(afterBolt, afterMap) },
    jsonBytes: n * (16 + 1024),
    base,
  };
  out.boltkv.total = out.boltkv.js === null ? null : out.boltkv.wasm + out.boltkv.js;
  await bolt.close(store);
  m.clear();
  return out;
}

// ------------------------------------------------------------------ the plan: one page load each

function plan() {
  const pages = [{ phase: 'main' }, { phase: 'seed' }];
  const r = rng(seed * 31);
  const order = (xs) => {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  for (const size of S.open) {
    const reps = size >= 100000 ? S.openRepsBig : S.openReps;
    for (let rep = 0; rep < reps; rep++)
      for (const peer of order(openPeers())) if (!skip(peer, size, { big: size >= 100000 })) pages.push({ phase: 'open', peer: peer.name, size, rep });
  }
  pages.push({ phase: 'memory' }, { phase: 'cleanup' });
  return pages;
}

const PHASES = { main: mainPhase, seed: seedPhase, open: openPhase, memory: memoryPhase, cleanup: cleanupPhase };

async function main() {
  const pages = plan();
  const page = pages[index];
  if (!page) throw new Error(`no page ${index} in the plan`);
  document.title = `boltkv bench: ${page.phase}`;
  status(`${page.phase} ${page.peer || ''} ${page.size || ''}: running`);
  let body;
  try {
    body = { ok: true, data: await PHASES[page.phase](page) };
  } catch (e) {
    body = { ok: false, error: `${errorText(e)}${e && e.stack ? `\n${e.stack}` : ''}` };
  }
  const last = index === pages.length - 1;
  await post({ ...page, ...body, pages: pages.length, last, skipNotes: { localStorage: LS_NOTE, localForage: LF_NOTE } });
  status(`${page.phase}: reported`);
  if (!last) {
    const q = new URLSearchParams(params);
    q.set('i', String(index + 1));
    location.href = `${location.pathname}?${q}`;
  }
}

main().catch((e) => status(`failed: ${errorText(e)}`));
