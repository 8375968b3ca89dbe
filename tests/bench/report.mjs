// Turns the benchmark's page reports (tests/bench/bench.mjs) into statistics,
// ratios against boltkv, the targets met or missed, a markdown table and a
// hand-written SVG chart; and checks a results JSON for completeness.

export const PEERS = ['Map', 'plain', 'rawIDB', 'idbKeyval', 'Dexie', 'localForage', 'localStorage', 'boltkv-memory', 'boltkv-indexeddb', 'boltkv-localStorage'];
const LABEL = {
  Map: 'JS Map (JSON)',
  plain: 'plain JS kvStore',
  rawIDB: 'raw IndexedDB',
  idbKeyval: 'idb-keyval',
  Dexie: 'Dexie',
  localForage: 'localForage',
  localStorage: 'localStorage (JSON)',
  'boltkv-memory': 'boltkv memory',
  'boltkv-indexeddb': 'boltkv indexeddb',
  'boltkv-localStorage': 'boltkv localStorage',
  boltkvWorker: 'boltkv (worker build)',
};
const STORAGE = { Map: 'memory', plain: 'memory', rawIDB: 'indexeddb', idbKeyval: 'indexeddb', Dexie: 'indexeddb', localForage: 'indexeddb', localStorage: 'localStorage' };
/** The boltkv peer a peer is compared with: boltkv on the same kind of storage. */
export const refOf = (peer) => (peer.startsWith('boltkv-') ? null : `boltkv-${STORAGE[peer]}`);
const inMemory = (peer) => peer === 'boltkv-memory' || STORAGE[peer] === 'memory';

const OPEN = ['open-1k', 'open-10k', 'open-100k'];
export const WORKLOADS = [
  ['get-hit', '1. hot `get`, existing key (awaited one at a time)'],
  ['get-miss', '1. hot `get`, missing key'],
  ['set-seq-1KB', '2. durable `set` awaited one at a time, 1 KB'],
  ['set-seq-64KB', '2. durable `set` awaited one at a time, 64 KB'],
  ['fired-sets', '3. 10,000 `set` fired together, until all durable'],
  ['bulk-10k-100B', '4. bulk import 10,000 × 100 B'],
  ['bulk-10k-1KB', '4. bulk import 10,000 × 1 KB'],
  ['bulk-100k-100B', '4. bulk import 100,000 × 100 B'],
  ['bulk-100k-1KB', '4. bulk import 100,000 × 1 KB'],
  ['open-1k', '5. cold open, 1,000 records, until the first `get` (fresh page)'],
  ['open-10k', '5. cold open, 10,000 records'],
  ['open-100k', '5. cold open, 100,000 records'],
  ['query-prefix', '6. query 10,000: key prefix (1,000 matches)'],
  ['query-field', '6. query 10,000: value field `group` (1,000 matches)'],
  ['query-ordered', '6. query 10,000: top 100 by `score` desc'],
  ['query-paged', '6. query 10,000: key order, offset 5,000, 100'],
  ['mixed-90-10', '7. mixed 90/10 get/set, 100,000 ops over 1,000 keys (windows of 100)'],
  ['longtask-bulk', '8. longest task during the bulk imports (4)'],
  ['longtask-open', '8. longest task during the cold opens (5)'],
  ['memory', '9. memory at 100,000 × 1 KB records (JS heap + wasm)'],
  ['reactive', '10. reactive loop: a 10 KB write to the last of the 5 of 100 live queries it affects (10,000 records)'],
];

const sorted = (xs) => [...xs].sort((a, b) => a - b);
export function median(xs) {
  const s = sorted(xs);
  const n = s.length;
  return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
export const p95 = (xs) => (xs.length ? sorted(xs)[Math.ceil(0.95 * xs.length) - 1] : null);

function stat(slot) {
  if (slot.skipped || slot.failed) return slot;
  const xs = slot.samples.filter((x) => x !== null);
  const { samples, ...rest } = slot;
  if (xs.length === 0) return { ...rest, median: null, p95: null, n: 0, note: 'not reported by this browser' };
  return { ...rest, median: median(xs), p95: p95(xs), n: xs.length };
}

/** Workload -> peer -> { median, p95, n, unit, ... } | { skipped } | { failed }, plus ratios and targets. */
export function aggregate(b) {
  const byPhase = (p) => b.reports.filter((r) => r.phase === p);
  const w = {};
  const problems = [];
  for (const r of b.reports) if (!r.ok) problems.push(`${r.phase}${r.peer ? ` ${r.peer} ${r.size}` : ''}: ${r.error.split('\n')[0]}`);
  const main = byPhase('main')[0];
  const notes = main?.skipNotes ?? b.reports[0]?.skipNotes ?? {};
  if (main?.ok) {
    for (const [wl, peers] of Object.entries(main.data.results)) {
      w[wl] = {};
      for (const [peer, slot] of Object.entries(peers)) w[wl][peer] = stat(slot);
    }
    for (const e of main.data.errors) problems.push(e);
    // 8 (bulk): the longest task over every bulk import of the peer.
    w['longtask-bulk'] = {};
    for (const peer of PEERS) {
      const xs = Object.keys(main.data.results)
        .filter((k) => k.startsWith('longtask-bulk-'))
        .flatMap((k) => main.data.results[k][peer]?.samples ?? []);
      const skippedAll = Object.keys(main.data.results).filter((k) => k.startsWith('longtask-bulk-')).every((k) => main.data.results[k][peer]?.skipped);
      w['longtask-bulk'][peer] = skippedAll ? { skipped: main.data.results['longtask-bulk-10k-1KB']?.[peer]?.skipped } : xs.length && xs.every((x) => x === null) ? { unit: 'ms', median: null, p95: null, max: null, note: 'no longtask entries in this browser' } : { unit: 'ms', median: median(xs.filter((x) => x !== null)), p95: p95(xs.filter((x) => x !== null)), max: Math.max(...xs.filter((x) => x !== null)), n: xs.length };
    }
  }
  // 5 and 8 (open): one page load per measurement.
  const sizes = main?.data?.sizes?.open ?? [];
  const opens = byPhase('open').filter((r) => r.ok);
  const seeded = byPhase('seed')[0]?.data?.seeded ?? {};
  w['longtask-open'] = {};
  const lt = {};
  sizes.forEach((size, i) => {
    const wl = OPEN[i];
    w[wl] = {};
    for (const peer of PEERS) {
      const mine = opens.filter((r) => r.data.peer === peer && r.data.size === size).map((r) => r.data);
      if (inMemory(peer)) w[wl][peer] = { skipped: 'in memory: nothing to reopen' };
      else if (mine.length) {
        w[wl][peer] = { unit: 'ms', median: median(mine.map((d) => d.ms)), p95: p95(mine.map((d) => d.ms)), n: mine.length, records: size };
        (lt[peer] ??= []).push(...mine.map((d) => d.longtask));
      } else if (!(seeded[size] ?? []).includes(peer)) w[wl][peer] = { skipped: peer.endsWith('ocalStorage') ? notes.localStorage : peer === 'localForage' ? notes.localForage : 'not seeded (see the errors)' };
      else w[wl][peer] = { failed: 'no measurement' };
    }
  });
  for (const peer of PEERS) {
    const xs = lt[peer] ?? [];
    if (inMemory(peer)) w['longtask-open'][peer] = { skipped: 'in memory: nothing to reopen' };
    else if (!xs.length) w['longtask-open'][peer] = { failed: 'no measurement' };
    else if (xs.every((x) => x === null)) w['longtask-open'][peer] = { unit: 'ms', median: null, p95: null, max: null, note: 'no longtask entries in this browser' };
    else w['longtask-open'][peer] = { unit: 'ms', median: median(xs), p95: p95(xs), max: Math.max(...xs), n: xs.length };
  }
  // 9: memory.
  const mem = byPhase('memory')[0];
  const jsOnly = { Map: 'map', plain: 'plain' }; // the peers that live in the JS heap, and their field in the report
  w.memory = {};
  for (const peer of PEERS) w.memory[peer] = { skipped: 'measured for boltkv (memory backend), the Map and the plain JS kvStore only' };
  if (mem?.ok) {
    const d = mem.data;
    const noHeap = 'no JS heap figure in this browser (CDP is Chromium only)';
    for (const [peer, field] of Object.entries(jsOnly)) {
      const js = d[field]?.js;
      w.memory[peer] = js === undefined ? { failed: 'not reported' } : js === null ? { unit: 'MB', median: null, note: noHeap } : { unit: 'MB', median: js / 1e6, p95: js / 1e6, n: 1, records: d.records };
    }
    w.memory['boltkv-memory'] = d.boltkv.total === null ? { unit: 'MB', median: null, wasm: d.boltkv.wasm / 1e6, note: `${noHeap}; wasm memory grew ${(d.boltkv.wasm / 1e6).toFixed(1)} MB` } : { unit: 'MB', median: d.boltkv.total / 1e6, p95: d.boltkv.total / 1e6, n: 1, wasm: d.boltkv.wasm / 1e6, js: d.boltkv.js / 1e6, records: d.records };
  } else for (const peer of [...Object.keys(jsOnly), 'boltkv-memory']) w.memory[peer] = { failed: mem ? mem.error.split('\n')[0] : 'no report' };
  // Ratios: boltkv (same storage) ÷ peer, from the same run.
  for (const peers of Object.values(w))
    for (const [peer, s] of Object.entries(peers)) {
      const ref = refOf(peer) && peers[refOf(peer)];
      if (ref && typeof ref.median === 'number' && typeof s.median === 'number' && s.median > 0) s.ratio = ref.median / s.median;
    }
  return { workloads: w, problems, timing: main?.data?.timing, sizes: main?.data?.sizes, longtaskSupported: main?.data?.longtaskSupported };
}

// ------------------------------------------------------------------ targets

const med = (w, wl, peer) => w[wl]?.[peer]?.median;
function target(name, value, limit, how, detail) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return { name, ratio: null, met: null, detail: detail ?? 'not measured in this browser' };
  return { name, ratio: value, limit, met: how === '<=' ? value <= limit : value >= limit, detail };
}
export function targets(b, bundles) {
  const w = b.workloads;
  const out = [];
  const bolt = (wl) => med(w, wl, 'boltkv-indexeddb');
  out.push(target('hot get (existing) within 3× of the JS Map: boltkv memory ÷ Map', med(w, 'get-hit', 'boltkv-memory') / med(w, 'get-hit', 'Map'), 3, '<='));
  out.push(target('hot get (existing) within 3× of the JS Map: boltkv indexeddb ÷ Map', med(w, 'get-hit', 'boltkv-indexeddb') / med(w, 'get-hit', 'Map'), 3, '<='));
  out.push(target('hot get (missing) within 3× of the JS Map: boltkv memory ÷ Map', med(w, 'get-miss', 'boltkv-memory') / med(w, 'get-miss', 'Map'), 3, '<='));
  out.push(target('10,000 fired sets ≥ 10× faster than localForage: localForage ÷ boltkv', med(w, 'fired-sets', 'localForage') / bolt('fired-sets'), 10, '>='));
  out.push(target('10,000 fired sets no slower than idb-keyval setMany of 10,000 × 1 KB: boltkv ÷ setMany', bolt('fired-sets') / med(w, 'bulk-10k-1KB', 'idbKeyval'), 1, '<='));
  for (const wl of ['bulk-10k-100B', 'bulk-10k-1KB', 'bulk-100k-100B', 'bulk-100k-1KB'])
    out.push(target(`bulk import within 1.1× of raw IndexedDB (${wl.slice(5)}): boltkv ÷ raw`, bolt(wl) / med(w, wl, 'rawIDB'), 1.1, '<='));
  for (const wl of OPEN) {
    const raw = med(w, wl, 'rawIDB');
    const b1 = bolt(wl);
    out.push(target(`cold open within 1.25× raw getAll + 10 ms (${wl.slice(5)}): boltkv ÷ (1.25 × raw + 10 ms), met at ≤ 1`, b1 / (1.25 * raw + 10), 1, '<=', typeof b1 === 'number' && typeof raw === 'number' ? `boltkv ${fmt(b1, 'ms')} ms, raw ${fmt(raw, 'ms')} ms, bound ${fmt(1.25 * raw + 10, 'ms')} ms` : undefined));
  }
  const ltB = w['longtask-bulk']?.['boltkv-indexeddb']?.max;
  const ltO = w['longtask-open']?.['boltkv-indexeddb']?.max;
  const lt = [ltB, ltO].filter((x) => typeof x === 'number');
  out.push(target('longest task ≤ 50 ms (boltkv indexeddb, bulk imports and cold opens): longest ÷ 50 ms', lt.length ? Math.max(...lt) / 50 : null, 1, '<=', lt.length ? `bulk ${fmt(ltB, 'ms')} ms, cold open ${fmt(ltO, 'ms')} ms` : 'this browser reports no longtask entries'));
  out.push(target('memory within 1.5× of the Map: boltkv memory ÷ Map', med(w, 'memory', 'boltkv-memory') / med(w, 'memory', 'Map'), 1.5, '<='));
  for (const backend of ['memory', 'indexeddb']) {
    const loop = w.reactive?.[`boltkv-${backend}`];
    out.push(target(`reactive loop median ≤ 3 ms (boltkv ${backend}): median ÷ 3 ms`, loop?.median / 3, 1, '<=', loop?.median === undefined ? undefined : `median ${fmt(loop.median, 'ms')} ms`));
    out.push(target(`reactive loop p95 ≤ 7 ms (boltkv ${backend}): p95 ÷ 7 ms`, loop?.p95 / 7, 1, '<=', loop?.p95 === undefined ? undefined : `p95 ${fmt(loop.p95, 'ms')} ms`));
  }
  out.push(target('browser build ≤ 80 KB brotli: boltkv ÷ 80,000 bytes', bundles.boltkv.brotli / 80000, 1, '<=', `${bundles.boltkv.brotli.toLocaleString('en-US')} bytes`));
  out.push(target('bundle ≤ 1.3× Dexie brotli: boltkv ÷ Dexie', bundles.boltkv.brotli / bundles.Dexie.brotli, 1.3, '<=', `${bundles.boltkv.brotli.toLocaleString('en-US')} vs ${bundles.Dexie.brotli.toLocaleString('en-US')} bytes`));
  return out;
}

// ------------------------------------------------------------------ markdown

export function fmt(x, unit) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  if (unit === 'µs/op') return x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US');
  return x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US');
}
const fmtRatio = (r) => (r < 0.1 ? r.toFixed(3) : r < 10 ? r.toFixed(2) : r.toFixed(0)) + '×';

function unitOf(peers) {
  for (const s of Object.values(peers)) if (s.unit) return s.unit;
  return '';
}

export function table(b) {
  const w = b.workloads;
  const notes = [];
  const noteIndex = (text) => {
    let i = notes.indexOf(text);
    if (i < 0) i = notes.push(text) - 1;
    return i + 1;
  };
  const lines = [`| workload | unit | ${PEERS.map((p) => LABEL[p]).join(' | ')} |`, `|---|---|${PEERS.map(() => '---:').join('|')}|`];
  for (const [wl, label] of WORKLOADS) {
    const peers = w[wl] ?? {};
    const unit = unitOf(peers);
    const cells = PEERS.map((p) => {
      const s = peers[p];
      if (!s) return 'missing';
      if (s.skipped) return `n/a[^${noteIndex(s.skipped)}]`;
      if (s.failed) return `failed[^${noteIndex(s.failed)}]`;
      if (s.median === null) return `–[^${noteIndex(s.note ?? 'not measured')}]`;
      const shown = wl.startsWith('longtask') ? `${fmt(s.max, unit)} (median ${fmt(s.median, unit)})` : `${fmt(s.median, unit)} (${fmt(s.p95, unit)})`;
      return typeof s.ratio === 'number' ? `${shown} · **${fmtRatio(s.ratio)}**` : shown;
    });
    lines.push(`| ${label} | ${unit} | ${cells.join(' | ')} |`);
  }
  return { lines, notes };
}

export function markdown(out) {
  const L = [];
  const m = out.machine;
  L.push(`## Benchmark results${out.quick ? ' (--quick smoke run: a few hundred records, 1 run; not for comparison)' : ''}`);
  L.push('');
  L.push(`${out.date.slice(0, 10)} · ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, ${m.os} · ${out.browsers.map((b) => `${b.version} (headless)`).join(' · ')}`);
  L.push('');
  L.push('Cells: median (p95) over the runs; `µs/op` and `ms/op` are per call. **N×** is boltkv on the same storage (memory, IndexedDB or localStorage) divided by that peer, from the same run: below 1× boltkv is faster. Longest task: the longest over all measurements (the median in brackets). Every peer ran in the same page, each in its own database, in shuffled order; cold opens are one fresh page load each.');
  for (const b of out.browsers) {
    L.push('');
    L.push(`### ${b.version}`);
    L.push('');
    if (b.error) L.push(`**The run did not finish: ${b.error}**\n`);
    const s = b.sizes;
    if (s) L.push(`${s.runs} runs (${s.runsBig} for the 100,000-record workloads: bulk 100k and mixed; cold opens ${s.openReps} page loads per store, ${s.openRepsBig} at 100k) · ${Math.round(b.seconds)} s · longtask entries: ${b.longtaskSupported ? 'yes' : 'not supported by this browser'}`);
    L.push('');
    const { lines, notes } = table(b);
    L.push(...lines);
    L.push('');
    L.push('| target (same run) | ratio | limit | |');
    L.push('|---|---:|---:|---|');
    for (const t of b.targets) L.push(`| ${t.name} | ${t.ratio === null ? '–' : fmtRatio(t.ratio)} | ${t.limit ?? ''} | ${t.met === null ? 'not measured' : t.met ? 'met' : '**missed**'}${t.detail ? ` (${t.detail})` : ''} |`);
    if (notes.length) {
      L.push('');
      notes.forEach((n, i) => L.push(`[^${i + 1}]: ${n}`));
    }
    if (b.problems?.length) {
      L.push('');
      L.push('Errors in this run:');
      for (const p of b.problems) L.push(`- ${p}`);
    }
  }
  L.push('');
  L.push('### 10. Bundle (what a page loads; brotli quality 11, gzip level 9)');
  L.push('');
  L.push('| | files | raw | gzip | brotli | boltkv ÷ it (brotli) |');
  L.push('|---|---|---:|---:|---:|---:|');
  const bb = out.bundles;
  for (const [k, v] of Object.entries(bb)) L.push(`| ${LABEL[k] ?? k}${v.version ? ` ${v.version}` : ''} | ${v.what} | ${v.raw.toLocaleString('en-US')} | ${v.gzip.toLocaleString('en-US')} | ${v.brotli.toLocaleString('en-US')} | ${k.startsWith('boltkv') ? '' : fmtRatio(bb.boltkv.brotli / v.brotli)} |`);
  L.push('');
  return L.join('\n');
}

// ------------------------------------------------------------------ SVG

const COLORS = { Map: '#555', plain: '#e377c2', rawIDB: '#1f77b4', idbKeyval: '#2ca02c', Dexie: '#9467bd', localForage: '#ff7f0e', localStorage: '#8c564b' };
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** For each workload, one bar per peer: boltkv (same storage) ÷ peer, log scale, centred on 1×. */
export function svg(out) {
  const peers = Object.keys(COLORS);
  const rows = WORKLOADS.filter(([wl]) => !wl.startsWith('longtask'));
  const bar = 7;
  const group = peers.length * bar + 10;
  const labelW = 300;
  const panelW = 360;
  const top = 70;
  const height = top + rows.length * group + 40;
  const gap = 60; // between panels, so the axis labels of two panels do not meet
  const width = labelW + out.browsers.length * (panelW + gap) + 10;
  const lo = -3; // log10 range: 0.001× .. 1000×
  const hi = 3;
  const x = (panel, r) => labelW + panel * (panelW + gap) + ((Math.max(lo, Math.min(hi, Math.log10(r))) - lo) / (hi - lo)) * panelW;
  const s = [];
  s.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  s.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  s.push(`<text x="10" y="18" font-size="14" font-weight="bold">boltkv ÷ peer, same run (log scale; left of 1× boltkv is faster) · ${esc(out.date.slice(0, 10))}</text>`);
  peers.forEach((p, i) => {
    s.push(`<rect x="${10 + i * 130}" y="30" width="10" height="10" fill="${COLORS[p]}"/><text x="${24 + i * 130}" y="39">${esc(LABEL[p])}</text>`);
  });
  out.browsers.forEach((b, panel) => {
    const x0 = labelW + panel * (panelW + gap);
    s.push(`<text x="${x0}" y="62" font-weight="bold">${esc(b.version)}</text>`);
    for (let e = lo; e <= hi; e++) {
      const xe = x(panel, 10 ** e);
      s.push(`<line x1="${xe}" y1="${top - 4}" x2="${xe}" y2="${height - 30}" stroke="${e === 0 ? '#000' : '#ddd'}"/>`);
      s.push(`<text x="${xe}" y="${height - 16}" text-anchor="middle">${10 ** e}×</text>`);
    }
    rows.forEach(([wl], i) => {
      const y0 = top + i * group;
      peers.forEach((p, j) => {
        const st = b.workloads[wl]?.[p];
        const y = y0 + j * bar;
        if (typeof st?.ratio !== 'number') return;
        const a = x(panel, 1);
        const c = x(panel, st.ratio);
        s.push(`<rect x="${Math.min(a, c).toFixed(1)}" y="${y}" width="${Math.max(1, Math.abs(c - a)).toFixed(1)}" height="${bar - 1}" fill="${COLORS[p]}"><title>${esc(`${wl} ${LABEL[p]}: ${fmtRatio(st.ratio)}`)}</title></rect>`);
      });
    });
  });
  rows.forEach(([, label], i) => {
    // The table's label without its explanation in brackets, which the chart has no room for.
    const short = label.replace(/`/g, '').replace(/ \(.*\)$/, '').replace(/, until the first get$/, '');
    s.push(`<text x="${labelW - 8}" y="${top + i * group + group / 2}" text-anchor="end">${esc(short)}</text>`);
  });
  s.push('</svg>');
  return s.join('\n') + '\n';
}

// ------------------------------------------------------------------ CPU profiles

/** The functions with the most self time in a CDP Profiler profile: [{ fn, pct }]. */
export function summariseProfile(p) {
  const self = new Map();
  let total = 0;
  for (const n of p.nodes) {
    const cf = n.callFrame;
    const where = cf.url ? cf.url.replace(/^.*\//, '') : '';
    const fn = `${cf.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(fn, (self.get(fn) ?? 0) + (n.hitCount ?? 0));
    total += n.hitCount ?? 0;
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([fn, hits]) => ({ fn, pct: Math.round((1000 * hits) / Math.max(1, total)) / 10 }));
}

// ------------------------------------------------------------------ check (scripts/test.sh)

/** What is missing or broken in a results JSON: [] when every browser has every peer and workload. */
export function check(out) {
  const problems = [];
  if (!out.bundles?.boltkv?.brotli || !out.bundles?.Dexie?.brotli) problems.push('bundle sizes missing');
  if (!out.browsers?.length) problems.push('no browser ran');
  for (const b of out.browsers ?? []) {
    if (b.error) problems.push(`${b.browser}: ${b.error}`);
    for (const p of b.problems ?? []) problems.push(`${b.browser}: ${p}`);
    for (const [wl] of WORKLOADS)
      for (const peer of PEERS) {
        const s = b.workloads?.[wl]?.[peer];
        if (!s) problems.push(`${b.browser}: ${wl} has no entry for ${peer}`);
        else if (s.failed) problems.push(`${b.browser}: ${wl} ${peer} failed: ${s.failed}`);
        else if (!s.skipped && !(typeof s.median === 'number' || (s.median === null && s.note))) problems.push(`${b.browser}: ${wl} ${peer} has no figure`);
      }
    if (!b.targets?.length) problems.push(`${b.browser}: no targets`);
  }
  return problems;
}
