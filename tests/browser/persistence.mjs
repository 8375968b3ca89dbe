// Persistence checks in headless Chromium and Firefox ESR, on the indexeddb
// and localStorage backends, against pkg/browser.js (scripts/build.sh makes
// it). The pages are tests/browser/persistence.html?step=... (persistence.js);
// they report what they saw, and every assertion is made here.
//
//   node tests/browser/persistence.mjs [--browsers chromium,firefox]
//                                      [--backends indexeddb,localStorage]
//                                      [--only reload,race,tabs,watch,paging,quota] [--timeout 120]
//
//   a. reload  a page writes instances and records (every JSON type, an
//              overwrite, a delete) and reports their envelopes and the store's
//              full contents, then issues a batch whose last operation is a
//              failing check (it must answer CONFLICT at operation 2 and write
//              nothing); it navigates to a new page of the origin, which
//              must find exactly the same contents, without the batch's keys;
//              then the browser quits and a new browser process on the same
//              profile must too.
//   b. race    two same-origin iframes open one store and fire 1,000 distinct
//              writes each plus 20 shared keys, then create keys the other
//              overwrites (first id and createdAt kept); both must converge to
//              identical contents within 30 s, and a new browser process on
//              the profile must load exactly those.
//   c. tabs    two top-level tabs race on what storage decides
//              (tests/browser/tabs.js): one instance name created by both
//              (exactly one succeeds), one instance auto-created by both (both
//              write into it), 2 x 200 conditional increments (exactly 400),
//              two renames to one name (exactly one succeeds) and two updates
//              of one instance (each succeeds or answers CONFLICT; storage
//              keeps a successful one), writes into instances the other tab
//              deletes (written, then deleted, or NOT_FOUND; a fresh open
//              skips no orphan record).
//   d. watch   tab A watches a namespace and a live query while tab B makes
//              1,000 random writes (tests/browser/watching.js): A's events,
//              applied in order to its first state, equal a fresh read in A
//              and B's own; A's last live result equals a fresh query.
//   e. paging  tab A walks 10,000 records by cursor, 100 a page, while tab B
//              inserts keys between them and deletes every seventh record
//              (tests/browser/paging.js): no record is on two pages, and
//              every record B never touched is on one, in key order.
//   f. quota   a real quota: IndexedDB in Firefox under a profile whose
//              user.js sets dom.quotaManager.temporaryStorage.fixedLimit, in
//              Chromium under Storage.overrideQuotaForOrigin (CDP, through
//              playwright-core); localStorage under each browser's own limit.
//              The page sets 200 KB values until one fails with "The storage is
//              full"; memory must be unchanged, an overwrite and a batch that
//              cannot fit fail whole, deletes make room for a small write, and
//              a new browser process loads exactly what the successful calls
//              stored.
//
// Measurements (boltkv beside idb-keyval, Dexie, localForage, ...) live in
// the benchmark, tests/bench/bench.mjs (scripts/bench.sh), not here.
//
// Browsers are started with fresh profiles in their own process groups
// (tests/browser/browsers.mjs), quit the way a user closes them when the
// profile is to be reused (Chromium: SIGTERM to the main process; Firefox:
// the page closes its last window, as SIGTERM loses recent localStorage
// writes), and killed and their profiles deleted at the end. Every wait is bounded. Prints one line per
// failed assertion and ends with `N passed, N failed`; exits 1 on failure.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer } from './server.mjs';
import { browserVersion, findBrowser, launch, launchPlaywrightChromium, makeProfile, quitBrowser, removeDir, stopBrowser } from './browsers.mjs';

const SCENARIOS = ['reload', 'race', 'tabs', 'watch', 'paging', 'quota'];
const BACKENDS = ['indexeddb', 'localStorage'];
// Firefox's whole temporary storage, in KB: an origin gets at most this much
// (10 MB), so IndexedDB runs out after about fifty 200 KB values.
const FIREFOX_QUOTA_KB = 10240;
// Chromium's IndexedDB quota for the test origin, in bytes.
const CHROMIUM_QUOTA_BYTES = 4 * 1024 * 1024;
const FULL = /storage is full/i;

function parseArgs(argv) {
  const opts = { browsers: ['chromium', 'firefox'], backends: BACKENDS, only: SCENARIOS, timeout: 120 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--browsers') opts.browsers = value().split(',').filter(Boolean);
    else if (flag === '--backends') opts.backends = value().split(',').filter(Boolean);
    else if (flag === '--only') opts.only = value().split(',').filter(Boolean);
    else if (flag === '--timeout') opts.timeout = Number(value());
    else throw new Error(`unknown argument ${argv[i]} (see the top of tests/browser/persistence.mjs)`);
  }
  for (const b of opts.browsers) findBrowser(b); // throws on an unknown name
  for (const b of opts.backends) if (!BACKENDS.includes(b)) throw new Error(`unknown backend '${b}' (want ${BACKENDS.join(', ')})`);
  for (const s of opts.only) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario '${s}' (want ${SCENARIOS.join(', ')})`);
  if (!(opts.timeout > 0)) throw new Error('--timeout takes a number of seconds');
  return opts;
}

// ------------------------------------------------------------------ reports

const reports = new Map(); // `${run}/${step}` -> { promise, resolve }
function reportSlot(run, step) {
  const key = `${run}/${step}`;
  if (!reports.has(key)) {
    let resolve;
    const promise = new Promise((r) => (resolve = r));
    reports.set(key, { promise, resolve });
  }
  return reports.get(key);
}

/** What the page of `run` reported for `step`; throws when it failed, the browser died, or `seconds` passed. */
async function waitReport(run, step, browser, seconds) {
  let timer;
  const timeout = new Promise((r) => (timer = setTimeout(() => r({ timedOut: true }), seconds * 1000)));
  const outcome = await Promise.race([
    reportSlot(run, step).promise.then((report) => ({ report })),
    browser.exited,
    browser.spawnError,
    timeout,
  ]);
  clearTimeout(timer);
  if (outcome.report) {
    if (outcome.report.ok) return outcome.report.data;
    throw new Error(`the ${step} page failed: ${outcome.report.error}`);
  }
  if (outcome.timedOut) throw new Error(`no report from the ${step} page within ${seconds} s`);
  throw new Error(`${step}: ${outcome.exited || outcome.fatal}`);
}

let server;
let runCount = 0;
const newRun = (label) => `${label.replace(/[^a-z0-9]+/gi, '-')}-${process.pid}-${++runCount}`;
const pageUrl = (query) => `${server.url}/tests/browser/persistence.html?${new URLSearchParams(query)}`;

// ------------------------------------------------------------------ assertions

let passed = 0;
let failed = 0;

/** One scenario's assertions: `check(name, fn)` passes when fn does not throw. */
function scenario(label) {
  const t0 = Date.now();
  let p = 0;
  let f = 0;
  return {
    check(name, fn) {
      try {
        fn();
        p++;
      } catch (e) {
        f++;
        const msg = String(e && e.message ? e.message : e).split('\n').slice(0, 12).join('\n         ');
        console.log(`FAIL [${label}] ${name}\n         ${msg}`);
      }
    },
    /** The scenario could not finish: counts as one failure. */
    broke(e, output) {
      f++;
      console.log(`FAIL [${label}] did not finish: ${e && e.message ? e.message : e}`);
      const tail = (output || '').trim().split('\n').filter(Boolean).slice(-10);
      if (tail.length) console.log(`         browser output (last lines):\n${tail.map((l) => `           ${l}`).join('\n')}`);
    },
    end() {
      passed += p;
      failed += f;
      const line = `${label.padEnd(34)} ${String(p).padStart(3)} passed, ${f} failed  ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`;
      console.log(line);
      return line;
    },
  };
}

const storageIs = (storage, backend, name) => assert.deepEqual(storage, { backend, name, skipped: [] });
const onDiskHas = (onDisk, backend) =>
  backend === 'indexeddb' ? assert.equal(onDisk.database, true, 'no boltkv: database in indexedDB.databases()') : assert.ok(onDisk.items > 0, `no localStorage items under the prefix (${onDisk.items})`);
const later = (a, b, what) => assert.ok(Date.parse(a) > Date.parse(b), `${what}: ${a} is not after ${b}`);

// ------------------------------------------------------------------ a. reload

async function reloadScenario(browserName, backend, opts) {
  const label = `${browserName} ${backend}`.padEnd(22) + ' a. reload';
  const sc = scenario(label);
  const name = newRun('reload');
  const profile = makeProfile(browserName);
  const handles = [];
  try {
    const run1 = newRun(label);
    const first = launch(browserName, { profile, url: pageUrl({ step: 'reload-write', next: 'reload-check', quit: 1, backend, name, run: run1, browser: browserName }) });
    handles.push(first);
    const w = await waitReport(run1, 'reload-write', first, opts.timeout);
    const nav = await waitReport(run1, 'reload-check', first, opts.timeout);
    const clean = await quitBrowser(first);
    const run2 = newRun(label);
    const second = launch(browserName, { profile, url: pageUrl({ step: 'reload-check', backend, name, run: run2, browser: browserName }) });
    handles.push(second);
    const restarted = await waitReport(run2, 'reload-check', second, opts.timeout);

    const env = (label) => w.calls.find((c) => c.label === label).envelope;
    sc.check('page 1: every call succeeded', () => assert.deepEqual(w.calls.filter((c) => !c.envelope.success).map((c) => `${c.label}: ${c.envelope.error}`), []));
    sc.check(`page 1: the store is on ${backend}`, () => storageIs(w.storage, backend, name));
    sc.check(`page 1: the data is in ${backend}`, () => onDiskHas(w.onDisk, backend));
    sc.check('page 1: an overwrite keeps id and createdAt, moves updatedAt', () => {
      const a = env('set alpha/users/user-1').data.record;
      const b = env('overwrite alpha/users/user-1').data.record;
      assert.equal(b.id, a.id);
      assert.equal(b.createdAt, a.createdAt);
      later(b.updatedAt, a.updatedAt, 'updatedAt');
    });
    sc.check("page 1: the contents are what the calls' envelopes said", () => {
      const ids = Object.fromEntries(w.dump.instances.map((i) => [i.name, i.id]));
      assert.deepEqual(w.dump.instances.map((i) => i.name), ['alpha', 'beta', 'gamma'], 'instances, oldest first');
      for (const n of ['alpha', 'beta']) {
        const made = env(`createInstance ${n}`).data.instance;
        const listed = w.dump.instances.find((i) => i.name === n);
        assert.deepEqual({ id: listed.id, createdAt: listed.createdAt, description: listed.description }, { id: made.id, createdAt: made.createdAt, description: made.description });
      }
      // The last envelope of each key that was set and not deleted.
      const want = new Map();
      for (const { label: l, envelope } of w.calls) {
        const r = envelope.data && envelope.data.record;
        if (r) want.set(`${r.instanceId}/${r.namespace}/${r.key}`, r);
        if (l.startsWith('delete ')) want.delete(`${ids.alpha}/temp/gone`);
      }
      const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
      const expected = [...want.values()].sort((a, b) => cmp(a.instanceId, b.instanceId) || cmp(a.namespace, b.namespace) || cmp(a.key, b.key));
      assert.deepEqual(w.dump.records, expected);
      assert.equal(w.dump.records.length, 12);
    });
    const ids = Object.fromEntries(w.dump.instances.map((i) => [i.name, i.id]));
    const theme = env('set alpha/prefs/theme').data.record;
    const themeIn = (dump) => dump.records.find((x) => x.instanceId === ids.alpha && x.namespace === 'prefs' && x.key === 'theme');
    /** The failed batch left nothing: its keys are absent, there is no instance 'delta', the checked key is as its set left it. */
    const batchLeftNothing = (gets, dump) => {
      assert.deepEqual(gets.map((g) => [g.label, g.envelope.success, g.envelope.data]), [
        ['get alpha/batch/one', true, { value: null, exists: false }],
        ['get delta/batch/two', true, { value: null, exists: false }],
        ['get alpha/prefs/theme', true, { value: 'dark', exists: true }],
      ]);
      assert.deepEqual(dump.instances.map((i) => i.name), ['alpha', 'beta', 'gamma'], 'instances');
      assert.deepEqual(dump.records.filter((x) => x.namespace === 'batch'), [], "records in namespace 'batch'");
      assert.deepEqual(themeIn(dump), theme, 'the checked key alpha/prefs/theme');
    };
    sc.check('page 1: a batch of two sets and a failing check (last) answers success false, CONFLICT, "Operation 2 of the batch failed"', () => {
      assert.notEqual(theme.version, 999999, 'the check at version 999999 would hold');
      assert.deepEqual(w.batch.operations.map((o) => o.op), ['set', 'set', 'check']);
      const e = w.batch.envelope;
      assert.equal(e.type, 'kvStore.batch');
      assert.equal(e.success, false);
      assert.equal(e.code, 'CONFLICT');
      assert.ok(typeof e.error === 'string' && e.error.startsWith('Operation 2 of the batch failed'), `error: ${e.error}`);
    });
    sc.check("page 1: after the failed batch, its keys are absent and the checked key unchanged", () => batchLeftNothing(w.batch.gets, w.dump));
    for (const [what, r] of [
      ['page 2 (navigated, same browser)', nav],
      ['page 3 (a new browser process on the same profile)', restarted],
    ]) {
      sc.check(`${what}: the store is on ${backend}, nothing skipped`, () => storageIs(r.storage, backend, name));
      sc.check(`${what}: the same instances, records, ids, createdAt/updatedAt and order as page 1`, () => assert.deepEqual(r.dump, w.dump));
      sc.check(`${what}: get answers every key with its value`, () => {
        const byKey = new Map(w.dump.records.map((rec) => [`${w.dump.instances.find((i) => i.id === rec.instanceId).name}/${rec.namespace}/${rec.key}`, rec.value]));
        for (const { label: l, envelope } of r.gets) {
          const k = l.slice(4);
          assert.equal(envelope.success, true, `${l}: ${envelope.error}`);
          if (k === 'alpha/temp/gone') assert.equal(envelope.data.exists, false, `${l} exists after its delete`);
          else assert.deepEqual(envelope.data, { value: byKey.get(k), exists: true }, l);
        }
      });
      sc.check(`${what}: the failed batch's keys are absent, and the checked key unchanged`, () => batchLeftNothing(r.batchGets, r.dump));
    }
    sc.check('the browser quit cleanly before the restart', () => assert.equal(clean, true));
  } catch (e) {
    sc.broke(e, handles.at(-1)?.output());
  } finally {
    for (const h of handles) await stopBrowser(h.child);
    removeDir(profile);
  }
  return sc.end();
}

// ------------------------------------------------------------------ b. two-page race

async function raceScenario(browserName, backend, opts) {
  const label = `${browserName} ${backend}`.padEnd(22) + ' b. two-page race';
  const sc = scenario(label);
  const name = newRun('race');
  const profile = makeProfile(browserName);
  const handles = [];
  try {
    const run1 = newRun(label);
    const first = launch(browserName, { profile, url: pageUrl({ step: 'race', quit: 1, backend, name, run: run1, browser: browserName }) });
    handles.push(first);
    const r = await waitReport(run1, 'race', first, opts.timeout);
    const clean = await quitBrowser(first);
    const run2 = newRun(label);
    const second = launch(browserName, { profile, url: pageUrl({ step: 'race-check', backend, name, run: run2, browser: browserName }) });
    handles.push(second);
    const again = await waitReport(run2, 'race-check', second, opts.timeout);

    sc.check(`both pages' stores are on ${backend}`, () => {
      storageIs(r.storage[0], backend, name);
      storageIs(r.storage[1], backend, name);
    });
    sc.check('page A: 1,020 writes fired in 20 rounds, all succeeded', () => assert.deepEqual(r.burst.A, { calls: 1020, failures: 0, firstFailures: [] }));
    sc.check('page B: 1,020 writes fired in 20 rounds, all succeeded', () => assert.deepEqual(r.burst.B, { calls: 1020, failures: 0, firstFailures: [] }));
    for (const [maker, taker] of [
      ['A', 'B'],
      ['B', 'A'],
    ]) {
      sc.check(`a key created in page ${maker} and overwritten in page ${taker} keeps its first id and createdAt`, () => {
        const made = r.handoff[`created${maker}`];
        const over = r.handoff[`overwrittenBy${taker}`];
        assert.equal(made.length, 10);
        assert.equal(over.length, 10);
        made.forEach((m, j) => {
          assert.equal(m.success, true, m.error);
          assert.equal(over[j].seen, true, `page ${taker} never saw from-${maker}-${j}`);
          const o = over[j].envelope;
          assert.equal(o.success, true, o.error);
          assert.equal(o.data.record.id, m.data.record.id, `from-${maker}-${j}: id`);
          assert.equal(o.data.record.createdAt, m.data.record.createdAt, `from-${maker}-${j}: createdAt`);
          later(o.data.record.updatedAt, m.data.record.updatedAt, `from-${maker}-${j}: updatedAt`);
          assert.deepEqual(o.data.record.value, { by: taker, over: maker, j });
        });
      });
    }
    sc.check('page B: 300 mixed writes while page A only reads, all succeeded', () => {
      assert.deepEqual(r.mixed.failures, []);
      assert.ok(r.mixed.readRounds > 0, 'page A read while page B wrote');
    });
    sc.check("namespace 'mixed' holds exactly what page B's acknowledged writes leave, in both pages and after a restart", () => {
      const want = new Map();
      for (let i = 0; i < 300; i++) {
        const key = `m-${String((i * 13) % 60).padStart(4, '0')}`;
        if (i === 200) want.clear();
        else if (i % 7 === 3) want.delete(key);
        else want.set(key, { i });
      }
      const expected = [...want.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => [key, value]);
      const mixedOf = (dump) => dump.records.filter((x) => x.namespace === 'mixed').map((x) => [x.key, x.value]);
      assert.deepEqual(mixedOf(r.dump), expected, 'page A');
      if (r.dumpB) assert.deepEqual(mixedOf(r.dumpB), expected, 'page B');
      assert.deepEqual(mixedOf(again.dump), expected, 'a fresh page after a restart');
    });
    sc.check('both pages converge to identical full contents (polled for at most 30 s)', () =>
      assert.equal(r.converged, true, `still different after ${r.polls} polls: ${diffSummary(r.dump, r.dumpB)}`),
    );
    sc.check('the contents: 2,000 distinct keys, 20 shared keys, 20 handed-off keys, exact values', () => {
      const { instances, records } = r.dump;
      assert.deepEqual(instances.map((i) => [i.id, i.name, i.createdAt]), [[r.instance.id, r.instance.name, r.instance.createdAt]]);
      const ns = (n) => records.filter((x) => x.namespace === n);
      const writes = ns('writes');
      const wantKeys = [];
      for (const side of ['A', 'B']) for (let i = 0; i < 1000; i++) wantKeys.push(`${side}-${String(i).padStart(4, '0')}`);
      assert.deepEqual(writes.map((x) => x.key), wantKeys);
      for (const x of writes) {
        const i = Number(x.key.slice(2));
        assert.deepEqual(x.value, { side: x.key[0], i, nested: { round: Math.floor(i / 50) } }, x.key);
      }
      const shared = ns('shared');
      assert.deepEqual(shared.map((x) => x.key), Array.from({ length: 20 }, (_, j) => `shared-${String(j).padStart(4, '0')}`));
      for (const [j, x] of shared.entries()) assert.ok(['A', 'B'].includes(x.value.side) && x.value.round === j && Object.keys(x.value).length === 2, `${x.key}: ${JSON.stringify(x.value)}`);
      const handoff = ns('handoff');
      assert.equal(handoff.length, 20);
      for (const [maker, taker] of [
        ['A', 'B'],
        ['B', 'A'],
      ]) {
        r.handoff[`created${maker}`].forEach((m, j) => {
          const x = handoff.find((h) => h.key === `from-${maker}-${String(j).padStart(4, '0')}`);
          assert.ok(x, `from-${maker}-${j} missing`);
          assert.deepEqual([x.id, x.createdAt, x.value], [m.data.record.id, m.data.record.createdAt, { by: taker, over: maker, j }], x.key);
        });
      }
      assert.equal(records.filter((x) => x.namespace !== 'mixed').length, 2040, 'besides the mixed namespace');
    });
    sc.check('a new browser process on the profile loads exactly the converged contents', () => {
      storageIs(again.storage, backend, name);
      assert.deepEqual(again.dump, r.dump, `the reloaded contents differ from the converged ones: ${diffSummary(r.dump, again.dump, 'converged', 'reloaded')}`);
    });
    sc.check('the browser quit cleanly before the restart', () => assert.equal(clean, true));
  } catch (e) {
    sc.broke(e, handles.at(-1)?.output());
  } finally {
    for (const h of handles) await stopBrowser(h.child);
    removeDir(profile);
  }
  return sc.end();
}

/**
 * Two top-level tabs of one browser on one store race on what storage must
 * decide (tests/browser/tabs.js): one instance name created by both, one
 * instance auto-created by both, 2 x 200 conditional increments of one
 * counter, two renames to one name and two updates of one instance, and
 * writes into instances the other tab deletes.
 */
async function tabsScenario(browserName, backend, opts) {
  return twoTabsScenario(browserName, backend, opts, 'tabs', 'c. two tabs decide', (sc, a, b) => {
    sc.check('of two tabs creating one instance name at once, exactly one succeeds; the other answers ALREADY_EXISTS', () => {
      const outcomes = [a.created, b.created].map((c) => (c.success ? 'created' : c.code)).sort();
      assert.deepEqual(outcomes, ['ALREADY_EXISTS', 'created']);
    });
    sc.check('both tabs then list one instance of that name, the winner', () => {
      const winner = [a.created, b.created].find((c) => c.success)?.id;
      assert.deepEqual(a.named, [winner]);
      assert.deepEqual(b.named, [winner]);
    });
    sc.check("two tabs auto-creating one instance with set both succeed, into the same instance, and reach each other's record by name", () => {
      assert.deepEqual([a.auto.success, b.auto.success], [true, true]);
      assert.equal(a.auto.instanceId, b.auto.instanceId);
      assert.deepEqual([a.auto.reachable, b.auto.reachable], [true, true]);
      assert.deepEqual(a.auto.instances, [a.auto.instanceId]);
      assert.deepEqual(b.auto.instances, [a.auto.instanceId]);
    });
    sc.check('the counter is created once (ifVersion: null); the other attempt answers CONFLICT', () =>
      assert.deepEqual([a.counter.made, b.counter.made].map(String).sort(), ['CONFLICT', 'true']),
    );
    sc.check(`2 tabs x 200 increments with ifVersion, retried on CONFLICT, end at exactly 400 in both tabs (conflicts: ${a.counter.conflicts} + ${b.counter.conflicts})`, () => {
      assert.deepEqual([a.counter.failures, b.counter.failures], [[], []]);
      assert.deepEqual([a.counter.final, b.counter.final], [400, 400]);
    });
    sc.check('of two tabs renaming their instances to one new name at once, exactly one succeeds; the other answers ALREADY_EXISTS and keeps its name', () => {
      const outcomes = [a.updates.renamed, b.updates.renamed];
      const winner = outcomes.find((o) => o !== 'ALREADY_EXISTS');
      assert.deepEqual(outcomes.filter((o) => o === 'ALREADY_EXISTS'), ['ALREADY_EXISTS']);
      assert.deepEqual([a.updates.stored.renamed, a.updates.stored.left], [[winner], 1]);
    });
    sc.check(`of two tabs updating one instance at once, each succeeds or answers CONFLICT, and storage keeps a successful one's change (${a.updates.described}, ${b.updates.described})`, () => {
      const succeeded = [a, b].filter((t) => t.updates.described === true).map((t) => `by ${t === a ? 'A' : 'B'}`);
      assert.deepEqual([a, b].map((t) => t.updates.described).filter((d) => d !== true && d !== 'CONFLICT'), []);
      assert.ok(succeeded.includes(a.updates.stored.description), `storage holds ${a.updates.stored.description}`);
    });
    sc.check('both tabs, and a store opened afresh in each, then show the same instances', () => {
      assert.deepEqual(b.updates.stored, a.updates.stored);
      assert.deepEqual([a.updates.agrees, b.updates.agrees], [true, true]);
    });
    sc.check(`writes into instances the other tab deletes meanwhile are written (then deleted) or answer NOT_FOUND, and leave no record without its instance (${JSON.stringify(a.doomed.answers)})`, () => {
      const { written = 0, NOT_FOUND: refused = 0, 'NOT_FOUND, deleted meanwhile': meanwhile = 0, ...other } = a.doomed.answers;
      assert.deepEqual(other, {});
      assert.equal(refused + meanwhile, 10, 'each round ends with the first write after the delete');
      assert.deepEqual([a.doomed.left, b.doomed.left, a.doomed.fresh.left], [[], [], []]);
      assert.deepEqual(a.doomed.fresh.skipped, []);
    });
  });
}

/**
 * Tab A watches a namespace and a live query while tab B makes 1,000 random
 * writes (tests/browser/watching.js): A's events, applied in order to its
 * first state, give what a fresh read shows, and its last live result is a
 * fresh query's.
 */
async function watchScenario(browserName, backend, opts) {
  return twoTabsScenario(browserName, backend, opts, 'watch', 'd. a tab watches', (sc, a, b) => {
    sc.check("tab B's 1,000 writes all succeed", () => assert.deepEqual(b.failures, []));
    sc.check(`tab A hears B's commits (${a.events} events: ${a.origins.remote} remote, ${a.origins.local} local expiries of its own sweep)`, () => {
      assert.ok(a.origins.remote > 100, `only ${a.origins.remote} remote events`);
      assert.deepEqual(a.first, ['seed']);
    });
    sc.check("A's events applied in order to its first state equal a fresh read in A, and B's own read", () => {
      assert.deepEqual(a.view, a.fresh);
      assert.deepEqual(a.fresh, b.final);
    });
    sc.check("B's last batch of five sets reaches A as one event", () => {
      assert.deepEqual(a.together, [['together-0', 'together-1', 'together-2', 'together-3', 'together-4']]);
    });
    sc.check(`A's last live query result (of ${a.liveResults}) equals a fresh query`, () => {
      assert.ok(a.liveResults > 1, 'the live query answered only once');
      assert.deepEqual(a.lastLive, a.query);
    });
    if (backend === 'localStorage') {
      sc.check('localStorage.clear() in tab B: tab A is told the instance went, and lists none', () => {
        assert.deepEqual(a.cleared, { told: true, instances: 0 });
      });
    }
  });
}

/**
 * Tab A walks 10,000 records by cursor while tab B inserts and deletes
 * (tests/browser/paging.js).
 */
async function pagingScenario(browserName, backend, opts) {
  return twoTabsScenario(browserName, backend, opts, 'paging', 'e. paging by cursor', (sc, a, b) => {
    sc.check(`tab B wrote while A walked (${b.writes} writes)`, () => {
      assert.deepEqual(b.failures, []);
      assert.ok(b.writes > 0, 'B made no write during the walk');
    });
    sc.check(`A's walk of ${a.pages} pages (${a.found} records) repeats no record and misses none of the ${a.stable} left untouched, in key order`, () => {
      assert.deepEqual(a.repeated, []);
      assert.deepEqual(a.missing, []);
      assert.equal(a.ordered, true);
    });
  });
}

/**
 * Opens two top-level tabs of one browser on one store for the in-page step
 * `step` (sides A and B), waits for both reports, and has `checks` assert.
 */
async function twoTabsScenario(browserName, backend, opts, step, title, checks) {
  const label = `${browserName} ${backend}`.padEnd(22) + ` ${title}`;
  const sc = scenario(label);
  const name = newRun(step);
  const profile = makeProfile(browserName, { prefs: { 'dom.disable_open_during_load': false } });
  let handle;
  try {
    const run = newRun(label);
    const url = (side, more = {}) => pageUrl({ step, side, backend, name, run, browser: browserName, ...more });
    if (browserName === 'chromium') {
      // Two tabs opened by the browser, not by a page: each gets its own
      // renderer process, which sees the other's localStorage writes late.
      handle = await launchPlaywrightChromium(profile);
      await handle.page.goto(url('A'));
      await (await handle.context.newPage()).goto(url('B'));
    } else {
      // Headless Firefox opens one tab here; tab A opens tab B.
      handle = launch(browserName, { profile, url: url('A', { opens: 'B' }) });
    }
    const [a, b] = await Promise.all(['A', 'B'].map((side) => waitReport(run, `${step}-${side}`, handle, opts.timeout)));
    sc.check(`both tabs' stores are on ${backend}`, () => {
      storageIs(a.storage, backend, name);
      storageIs(b.storage, backend, name);
    });
    checks(sc, a, b);
  } catch (e) {
    sc.broke(e, handle?.output());
  } finally {
    if (handle?.close) await handle.close();
    else if (handle) await stopBrowser(handle.child);
    removeDir(profile);
  }
  return sc.end();
}

function diffSummary(a, b, nameA = 'A', nameB = 'B') {
  if (!a || !b) return 'no dumps';
  const keyed = (d) => new Map(d.records.map((x) => [`${x.namespace}/${x.key}`, JSON.stringify(x)]));
  const ma = keyed(a);
  const mb = keyed(b);
  const onlyA = [...ma.keys()].filter((k) => !mb.has(k));
  const onlyB = [...mb.keys()].filter((k) => !ma.has(k));
  const differ = [...ma.keys()].filter((k) => mb.has(k) && mb.get(k) !== ma.get(k));
  const [A, B] = [nameA, nameB];
  const first = differ.length ? `; first difference: ${A} ${ma.get(differ[0])} vs ${B} ${mb.get(differ[0])}` : '';
  return `${A} has ${ma.size} records, ${B} ${mb.size}; only in ${A}: ${onlyA.length} (${onlyA.slice(0, 3)}), only in ${B}: ${onlyB.length} (${onlyB.slice(0, 3)}), different: ${differ.length} (${differ.slice(0, 5)})${first}; instances equal: ${JSON.stringify(a.instances) === JSON.stringify(b.instances)}`;
}

// ------------------------------------------------------------------ c. quota

/**
 * Chromium under playwright-core, on a persistent profile, with the test
 * origin's quota overridden over CDP. Returns a handle like launch()'s.
 */
async function launchQuotaChromium(profile, url, quotaSize) {
  const h = await launchPlaywrightChromium(profile);
  if (quotaSize !== undefined) {
    const cdp = await h.cdp();
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.url, quotaSize });
  }
  h.page.goto(url, { timeout: 60000 }).catch(() => {});
  return h;
}

async function quotaScenario(browserName, backend, opts) {
  const label = `${browserName} ${backend}`.padEnd(22) + ' f. real quota';
  const sc = scenario(label);
  const name = newRun('quota');
  const profile = makeProfile(browserName, browserName === 'firefox' ? { prefs: { 'dom.quotaManager.temporaryStorage.fixedLimit': FIREFOX_QUOTA_KB } } : {});
  const handles = [];
  const start = async (run, step) => {
    const url = pageUrl({ step, quit: step === 'quota-fill' ? 1 : '', backend, name, run, browser: browserName });
    if (browserName === 'chromium') {
      const h = await launchQuotaChromium(profile, url, backend === 'indexeddb' && step === 'quota-fill' ? CHROMIUM_QUOTA_BYTES : undefined);
      handles.push(h);
      return h;
    }
    const h = launch(browserName, { profile, url });
    h.close = () => quitBrowser(h);
    handles.push(h);
    return h;
  };
  try {
    const run1 = newRun(label);
    const first = await start(run1, 'quota-fill');
    const r = await waitReport(run1, 'quota-fill', first, opts.timeout);
    const clean = await first.close();
    const run2 = newRun(label);
    const second = await start(run2, 'quota-check');
    const again = await waitReport(run2, 'quota-check', second, opts.timeout);

    const ok = r.sets.filter((s) => s.success);
    const digest = (s) => ({ sha256: s.sha256, length: s.length });
    sc.check(`the store is on ${backend}`, () => storageIs(r.storage, backend, name));
    sc.check('sets of 200 KB succeed until one fails with "The storage is full" and code STORAGE_FULL', () => {
      assert.ok(r.failed, `no set failed in ${r.sets.length} sets of 200 KB (${(r.sets.length * 200) / 1024} MB)`);
      assert.ok(ok.length >= 3, `only ${ok.length} sets succeeded before the failure: the quota is too small to test with`);
      assert.equal(ok.length, r.sets.length - 1);
      assert.match(r.failed.error, FULL);
      assert.equal(r.failed.code, 'STORAGE_FULL');
    });
    if (!r.failed) throw new Error('nothing more to check without a full storage');
    sc.check('after the failed set, memory is unchanged (the key is absent, the count and an old value as before)', () => {
      assert.deepEqual(r.afterFull.failedKey, { success: true, exists: false, value: null });
      assert.equal(r.afterFull.count, ok.length);
      assert.deepEqual(r.afterFull.first, { success: true, exists: true, value: digest(ok[0]) });
    });
    sc.check('an overwrite that cannot fit fails as full, and get returns the previous value', () => {
      assert.equal(r.overwrite.success, false);
      assert.match(r.overwrite.error, FULL);
      assert.equal(r.overwrite.code, 'STORAGE_FULL');
      assert.deepEqual(r.overwrite.after, { success: true, exists: true, value: digest(ok[0]) });
    });
    sc.check('a batch of 4 sets fired together that cannot fit: every call fails as full, none is kept', () => {
      assert.equal(r.batch.results.length, 4);
      for (const b of r.batch.results) {
        assert.equal(b.success, false);
        assert.match(b.error, FULL);
        assert.equal(b.code, 'STORAGE_FULL');
      }
      for (const a of r.batch.after) assert.deepEqual(a, { success: true, exists: false, value: null });
    });
    sc.check('deleting half the records works on a full storage', () => {
      assert.ok(r.deletes.length >= 1);
      for (const d of r.deletes) assert.deepEqual(d, { key: d.key, success: true, deleted: true });
    });
    sc.check('after the deletes, a small write succeeds', () => assert.equal(r.small.success, true, r.small.error));
    const deleted = new Set(r.deletes.filter((d) => d.success).map((d) => d.key));
    const expected = {
      instances: [r.instance],
      records: [...ok.filter((s) => !deleted.has(s.key)).map((s) => ({ ...s.record, value: digest(s) })), ...(r.small.success ? [r.small.record] : [])],
    };
    sc.check('the contents are exactly what the successful calls stored', () => {
      assert.deepEqual(r.dump.records, expected.records);
      assert.deepEqual(r.dump.instances.map((i) => i.id), [r.instance.id]);
    });
    sc.check('a new browser process on the profile loads exactly that', () => {
      storageIs(again.storage, backend, name);
      assert.deepEqual(again.dump, r.dump);
      assert.deepEqual(again.dump.records, expected.records);
    });
    sc.check('the browser quit cleanly before the restart', () => assert.equal(clean, true));
  } catch (e) {
    sc.broke(e, handles.at(-1)?.output());
  } finally {
    for (const h of handles) {
      if (h.child) await stopBrowser(h.child);
      else await h.close();
    }
    removeDir(profile);
  }
  return sc.end();
}

// ------------------------------------------------------------------ main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(ROOT, 'pkg/browser.js'))) throw new Error('pkg/browser.js is missing; run scripts/build.sh first');
  for (const dep of ['playwright-core']) {
    if (!existsSync(path.join(ROOT, 'tests/js/node_modules', dep, 'package.json'))) throw new Error(`tests/js/node_modules/${dep} is missing; run scripts/install-test-deps.sh`);
  }
  server = await startServer({
    onPost(kind, body) {
      if (kind === 'step' && body && typeof body.run === 'string' && typeof body.step === 'string') reportSlot(body.run, body.step).resolve(body);
    },
  });
  console.log(`serving ${ROOT} at ${server.url}`);
  const started = Date.now();
  const summaries = [];
  const available = [];
  for (const b of opts.browsers) {
    const bin = findBrowser(b);
    console.log(`${b}: ${bin ? `${browserVersion(bin)} (${bin})` : 'NOT FOUND'}`);
    if (bin) available.push(b);
    else {
      failed++;
      console.log(`FAIL [${b}] not installed`);
    }
  }
  for (const b of available) {
    for (const backend of opts.backends) {
      if (opts.only.includes('reload')) summaries.push(await reloadScenario(b, backend, opts));
      if (opts.only.includes('race')) summaries.push(await raceScenario(b, backend, opts));
      if (opts.only.includes('tabs')) summaries.push(await tabsScenario(b, backend, opts));
      if (opts.only.includes('watch')) summaries.push(await watchScenario(b, backend, opts));
      if (opts.only.includes('paging')) summaries.push(await pagingScenario(b, backend, opts));
      if (opts.only.includes('quota')) summaries.push(await quotaScenario(b, backend, opts));
    }
  }
  await server.close();
  console.log(`\npersistence summary (${((Date.now() - started) / 1000).toFixed(1)} s):`);
  for (const s of summaries) console.log(`  ${s}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(`tests/browser/persistence.mjs: ${e && e.stack ? e.stack : e}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
