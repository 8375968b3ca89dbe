// The benchmark page (bench.html), driven by tests/bench/bench.mjs. One
// phase per page load; the page POSTs each phase's measurements to
// /report/bench and then navigates to the next page of the plan, so the
// same sequence runs in any browser without a driver protocol:
//
//   main      workloads 1-4, 6, 7, 10 and the long tasks of 4, every peer in this
//             one page, each in its own database, in shuffled order per run
//   seed      writes the stores that the cold opens read (every persistent peer)
//   open      one page per (peer, size, repetition): import the library, open
//             the store, until the first get answers (workload 5, and 8 for it)
//   memory    workload 9: boltkv (memory backend), the JS Map and the plain
//             JavaScript store at N records
//   cleanup   deletes the seeded stores, then reports done
//
// Query: ?run=<token>&quick=1&seed=<n>&phase=...&i=<index in the plan>;
// &only=<workload ids> runs just those of the main page, and nothing else.

import { PEERS, peerByName } from './peers.js';
import { SKIP_NOTES, entries, errorText, key, makeValue, now, rng, sizes, skip, sleep, workbench } from './workloads.js';

const params = new URLSearchParams(location.search);
const run = params.get('run') || String(Date.now());
const quick = params.get('quick') === '1';
const seed = Number(params.get('seed') || 1);
const index = Number(params.get('i') || 0);
const statusEl = document.getElementById('status');
const status = (t) => (statusEl.textContent = t);
const S = sizes(quick);
const only = params.get('only')?.split(',');

/** The longest long task overlapping [t0, t1], in ms (0 when none), or null when the browser reports none at all. */
async function longestTask(t0, t1) {
  if (!window.__longtasks) return null;
  await sleep(30); // entries arrive after the task
  let max = 0;
  for (const [start, d] of window.__longtasks) if (start < t1 && start + d > t0) max = Math.max(max, d);
  return max;
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

const progress = (step) => fetch('/report/progress', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ run, step }) }).catch(() => {});

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

// The workloads (workloads.js), with what only the page has: the status line,
// progress to the driver (?verbose=1), CPU profiles and long tasks.
const bench = workbench({
  S,
  run,
  seed,
  index,
  hooks: {
    onStep(w, peer) {
      status(`main: ${w} ${peer}`);
      if (params.get('verbose')) progress(`${w} ${peer}`);
    },
    profiled,
    longestTask,
  },
});

// ------------------------------------------------------------------ main: workloads 1-4, 6, 7, 8

async function mainPhase() {
  for (const p of PEERS) await p.load();
  localStorage.clear();
  const steps = [
    ['get', '1. hot get', bench.hotGets],
    ['sequential', '2. sequential set', bench.sequentialSets],
    ['fired', '3. fired sets', bench.firedSets],
    ['bulk', '4. bulk import', bench.bulkImports],
    ['query', '6. query', bench.queries],
    ['mixed', '7. mixed', bench.mixed],
    ['reactive', '10. reactive loop', bench.reactive],
  ].filter(([id]) => !only || only.includes(id));
  const timing = {};
  for (const [, label, fn] of steps) {
    status(`main: ${label}`);
    progress(label);
    const t0 = now();
    await fn(PEERS);
    timing[label] = Math.round(now() - t0);
  }
  return { results: bench.results, errors: bench.errors, timing, sizes: S, longtaskSupported: !!window.__longtasks };
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
      const why = skip(S, peer, size, { big: size >= 100000 });
      if (why) continue;
      status(`seed ${peer.name} ${size}`);
      await bench.guarded(`seed-${size}`, peer, async () => {
        await peer.destroy(openDb(size));
        const h = await peer.open(openDb(size));
        await peer.bulk(h, data);
        await peer.close(h);
        (seeded[size] ??= []).push(peer.name);
      });
    }
  }
  return { seeded, errors: bench.errors };
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
  const glue = await import('/pkg/glue/browser/boltkv.js');
  const exports = await glue.default(); // already initialised by browser.js: returns its exports
  return exports.memory.buffer.byteLength;
}
async function heap() {
  const js = typeof window.benchHeap === 'function' ? await window.benchHeap() : null;
  return { js, wasm: await wasmBytes() };
}

/** Writes records 0..n-1 into a kvStore peer, 10,000 fired at a time, and checks the last one. */
async function fill(peer, h, n) {
  for (let i = 0; i < n; i += 10000) {
    const chunk = [];
    for (let j = i; j < Math.min(i + 10000, n); j++) chunk.push([key(j), makeValue(j)]);
    await peer.fired(h, chunk);
  }
  if ((await peer.get(h, key(n - 1)))?.id !== n - 1) throw new Error(`${peer.name} lost a record`);
}

async function memoryPhase() {
  const bolt = peerByName('boltkv-memory');
  const plain = peerByName('plain');
  await bolt.load();
  const n = S.memory;
  // boltkv first in this fresh page: wasm memory only grows, so it must start from the page's baseline.
  const base = await heap();
  const store = await bolt.open('memory');
  await fill(bolt, store, n);
  const afterBolt = await heap();
  const m = new Map();
  for (let j = 0; j < n; j++) m.set(key(j), JSON.stringify(makeValue(j)));
  const afterMap = await heap();
  const plainStore = await plain.open('memory');
  await fill(plain, plainStore, n);
  const afterPlain = await heap();
  const jsBytes = (a, b) => (a.js === null ? null : b.js - a.js);
  const out = {
    records: n,
    boltkv: { wasm: afterBolt.wasm - base.wasm, js: jsBytes(base, afterBolt) },
    map: { js: jsBytes(afterBolt, afterMap) },
    plain: { js: jsBytes(afterMap, afterPlain) },
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
  if (only) return [{ phase: 'main' }];
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
      for (const peer of order(openPeers())) if (!skip(S, peer, size, { big: size >= 100000 })) pages.push({ phase: 'open', peer: peer.name, size, rep });
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
  await post({ ...page, ...body, pages: pages.length, last, skipNotes: SKIP_NOTES });
  status(`${page.phase}: reported`);
  if (!last) {
    const q = new URLSearchParams(params);
    q.set('i', String(index + 1));
    location.href = `${location.pathname}?${q}`;
  }
}

main().catch((e) => status(`failed: ${errorText(e)}`));
