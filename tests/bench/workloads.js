// The benchmark's workloads, shared by the browser page (bench.js, every
// peer) and the Node mode (node.mjs, the in-memory peers), so both measure
// the same thing the same way: the data, the sizes, and one function per
// workload that drives any peer of peers.js's shape and checks its answers.

// ------------------------------------------------------------------ sizes

export function sizes(quick) {
  return quick
    ? { runs: 1, runsBig: 1, hotKeys: 200, hotFast: 2000, hotSlow: 200, seq: 20, seq64: 5, fired: 300, bulkSmall: 300, bulkLarge: 600, open: [100, 200, 300], openReps: 1, openRepsBig: 1, query: 300, mixedOps: 1000, mixedKeys: 200, mixedWindow: 100, memory: 300, lsMaxKB: 2500, reactiveRecords: 1000, reactiveWrites: 5 }
    : { runs: 5, runsBig: 2, hotKeys: 1000, hotFast: 50000, hotSlow: 2000, seq: 200, seq64: 30, fired: 10000, bulkSmall: 10000, bulkLarge: 100000, open: [1000, 10000, 100000], openReps: 3, openRepsBig: 1, query: 10000, mixedOps: 100000, mixedKeys: 1000, mixedWindow: 100, memory: 100000, lsMaxKB: 2500, reactiveRecords: 10000, reactiveWrites: 100 };
}

// localStorage holds about 5 M characters per origin: its peers take part
// only where the data fits (at most S.lsMaxKB KB of values).
const LS_NOTE = 'over the ~5 M-character localStorage quota';
// localForage writes one transaction per setItem: 100,000 of them take
// minutes, so its 100k imports and 100k cold-open store are left out to
// keep the run bounded.
const LF_NOTE = 'localForage has no bulk API; 100,000 setItem calls take minutes: left out to bound the run';
export const SKIP_NOTES = { localStorage: LS_NOTE, localForage: LF_NOTE };

/** Why `peer` sits out a workload of `kb` KB of values (1 KB records: the record count) at sizes `S`, or null. */
export function skip(S, peer, kb, { big = false } = {}) {
  if (peer.storage === 'localStorage' && kb > S.lsMaxKB) return LS_NOTE;
  if (peer.name === 'localForage' && big && S.bulkLarge >= 100000) return LF_NOTE;
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
export const entries = (n, bytes = 1024, p = 'k') => Array.from({ length: n }, (_, i) => [key(i, p), makeValue(i, bytes)]);

// ------------------------------------------------------------------ helpers

export function rng(s) {
  // mulberry32
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.now();

export function errorText(e) {
  if (e && typeof e === 'object' && 'message' in e) return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`;
  return String(e);
}

// ------------------------------------------------------------------ the workloads

/**
 * The workloads at sizes `S`, recording into `results[workload][peer]` =
 * { samples: [...], unit, ... } | { skipped } | { failed } and `errors`.
 * `run` names the databases; `seed` and `index` seed the shuffles and the
 * mixed workload's operations. The hooks are what only a browser has:
 * onStep(workload, peer) before each step, profiled(label, peer, fn) around
 * a measurement (CPU profiles), longestTask(t0, t1) (ms, or null when not
 * reported).
 */
export function workbench({ S, run, seed, index = 0, hooks = {} }) {
  const { onStep = () => {}, profiled = (label, peer, fn) => fn(), longestTask = async () => null } = hooks;
  const random = rng(seed * 7919 + index);
  function shuffled(xs) {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }

  const results = {};
  const errors = [];
  function slot(w, peer, unit, extra = {}) {
    results[w] ??= {};
    const s = (results[w][peer.name] ??= { unit, samples: [], ...extra });
    return s.failed ? { samples: [] } : s; // once failed, later rounds measure into nothing: the failure stays
  }
  function skipped(w, peer, why) {
    results[w] ??= {};
    results[w][peer.name] = { skipped: why };
  }
  async function guarded(w, peer, fn) {
    onStep(w, peer.name);
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

  /** A store per peer holding `data`, kept over every round (a failure to fill one counts against workload `w`): peer -> { db, h }. */
  async function filled(peers, w, name, data) {
    const handles = new Map();
    for (const peer of peers) {
      await guarded(w, peer, async () => {
        const st = await fresh(peer, name, 0);
        await peer.bulk(st.h, data);
        handles.set(peer, st);
      });
    }
    return handles;
  }

  async function hotGets(peers) {
    const handles = await filled(peers, 'get-hit', 'hot', entries(S.hotKeys));
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
          const why = skip(S, peer, (n * bytes) / 1024);
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
        const why = skip(S, peer, S.fired);
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
          const why = skip(S, peer, (n * bytes) / 1024, { big });
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
    const fits = peers.filter((peer) => {
      const why = skip(S, peer, n);
      if (why) for (const [w] of qs) skipped(w, peer, why);
      return !why;
    });
    const handles = await filled(fits, 'query-prefix', 'query', data);
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

  /**
   * 10. The reactive loop (Replicache publishes 3 ms median, 7 ms p95 for
   * its own): 100 live queries (watchQuery, top 10 by score) over
   * S.reactiveRecords records in 100 namespaces, 5 of them on the namespace
   * where one key is then written again and again with a 10 KB value of a
   * growing score, the greatest, so all 5 results change each time. A sample is the time from the write call to the last of
   * the 5 listeners; every write must run exactly those 5 queries again
   * (the store's liveQueryReruns) and tell no other listener. boltkv only:
   * no other peer has live queries over its own storage.
   */
  async function reactive(peers) {
    const w = 'reactive';
    for (const peer of peers) {
      if (!peer.boltkv || !['memory', 'indexeddb'].includes(peer.storage)) {
        skipped(w, peer, peer.boltkv ? 'measured on the memory and IndexedDB backends' : 'no live queries');
        continue;
      }
      await guarded(w, peer, async () => {
        const st = await fresh(peer, w, 0);
        const { h } = st;
        const spaces = 100;
        const per = S.reactiveRecords / spaces;
        for (let n = 0; n < spaces; n++) {
          const ops = Array.from({ length: per }, (_, i) => ({ op: 'set', instanceId: 'r', namespace: `ns${n}`, key: key(i), value: makeValue(n * per + i, 100), autoCreateInstance: true }));
          const done = await h.batch(ops);
          if (!done.success) throw new Error(done.error);
        }
        const live = (namespace, limit, told) => h.watchQuery({ from: { instance: 'r', namespace }, orderBy: { field: 'value.score', direction: 'desc' }, limit }, told);
        let others = 0;
        let first = 0;
        const stops = [];
        for (let n = 1; n < 96; n++) stops.push(live(`ns${n}`, 10, () => (first < 100 ? first++ : others++)));
        let written = null;
        let hits = 0;
        let last = 0;
        let allTold = () => {};
        for (let n = 0; n < 5; n++) {
          stops.push(live('ns0', 10 + n, (result) => {
            if (first < 100) return void first++;
            if (result.records[0]?.key !== written || result.records[0].value.score !== value.score) return;
            last = now();
            if (++hits === 5) allTold();
          }));
        }
        while (first < 100) await sleep(1);
        const value = makeValue(0, 10240);
        written = key(0, 'w');
        for (let r = 0; r < S.reactiveWrites; r++) {
          hits = 0;
          const told = new Promise((resolve) => (allTold = resolve));
          const reruns = h.liveQueryReruns;
          value.score = 1e9 + r;
          const t0 = now();
          const answer = h.set('r', 'ns0', written, value);
          await told;
          slot(w, peer, 'ms', { records: S.reactiveRecords, subscriptions: 100, affected: 5 }).samples.push(last - t0);
          if (!(await answer).success) throw new Error('the write failed');
          if (h.liveQueryReruns - reruns !== 5) throw new Error(`${h.liveQueryReruns - reruns} queries ran again for one write, want the 5 it affects`);
        }
        if (others) throw new Error(`${others} unaffected live queries were told`);
        for (const stop of stops) stop();
        await drop(peer, st);
      });
    }
  }

  return { results, errors, guarded, hotGets, sequentialSets, firedSets, bulkImports, queries, mixed, reactive };
}
