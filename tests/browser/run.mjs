// Runs the JavaScript conformance suite (tests/js/conformance) in headless
// Chromium and headless Firefox ESR, on every backend (memory, indexeddb,
// localStorage), against the built package (pkg/browser.js; scripts/build.sh
// makes it).
//
//   node tests/browser/run.mjs [--browsers chromium,firefox]
//                              [--backends memory,indexeddb,localStorage]
//                              [--timeout 120] [--case-timeout 15] [--grep text]
//
// It serves the repo on 127.0.0.1 (tests/browser/server.mjs), and for each
// browser x backend launches the browser with a fresh profile directory (so
// IndexedDB and localStorage are real, disk-backed storage) on
// tests/browser/conformance.html, waits for the page to POST its results
// (at most --timeout seconds), then kills the browser's whole process group
// and deletes the profile. It prints one line per failing case and a summary
// per run (with the cases skipped there and why: a case's `skip`, see
// tests/js/conformance/index.js), and ends with `N passed, N failed` over every case of every run;
// a case that a run did not report (the run timed out or could not start)
// counts as failed. Exits 1 if anything failed or a run did not report.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer } from './server.mjs';
import { BROWSERS, browserVersion, findBrowser, killAll, launch, makeProfile, removeDir, stopBrowser } from './browsers.mjs';
import { suites } from '../js/conformance/index.js';

const BACKENDS = ['memory', 'indexeddb', 'localStorage'];

function parseArgs(argv) {
  const opts = { browsers: Object.keys(BROWSERS), backends: BACKENDS, timeout: 120, caseTimeout: 15, grep: '' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--browsers') opts.browsers = value().split(',').filter(Boolean);
    else if (flag === '--backends') opts.backends = value().split(',').filter(Boolean);
    else if (flag === '--timeout') opts.timeout = Number(value());
    else if (flag === '--case-timeout') opts.caseTimeout = Number(value());
    else if (flag === '--grep') opts.grep = value();
    else throw new Error(`unknown argument ${argv[i]} (see the top of ${path.relative(process.cwd(), new URL(import.meta.url).pathname)})`);
  }
  for (const b of opts.browsers) if (!BROWSERS[b]) throw new Error(`unknown browser '${b}' (want ${Object.keys(BROWSERS).join(', ')})`);
  for (const b of opts.backends) if (!BACKENDS.includes(b)) throw new Error(`unknown backend '${b}' (want ${BACKENDS.join(', ')})`);
  if (!(opts.timeout > 0) || !(opts.caseTimeout > 0)) throw new Error('--timeout and --case-timeout take a number of seconds');
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(ROOT, 'pkg/browser.js'))) {
    console.error('tests/browser/run.mjs: pkg/browser.js is missing; run scripts/build.sh first');
    process.exit(1);
  }

  // What every run must report: the case names, from the suites themselves.
  const expected = [];
  for (const cases of Object.values(suites)) for (const { name } of cases) if (!opts.grep || name.includes(opts.grep)) expected.push(name);

  // Reports by run token.
  const runs = new Map();
  const server = await startServer({
    onPost(kind, body) {
      const run = runs.get(body && body.run);
      if (!run) return;
      if (kind === 'case') run.cases.set(body.name, body);
      else if (kind === 'done') run.finish({ results: body.results, userAgent: body.userAgent, storedCases: body.storedCases, leftovers: body.leftovers });
      else if (kind === 'fatal') run.finish({ fatal: body.error, userAgent: body.userAgent });
    },
  });
  console.log(`serving ${ROOT} at ${server.url}`);

  const bins = {};
  for (const name of opts.browsers) {
    const bin = findBrowser(name);
    bins[name] = bin;
    console.log(`${name}: ${bin ? `${browserVersion(bin)} (${bin})` : 'NOT FOUND'}`);
  }

  let passed = 0;
  let failed = 0;
  let incomplete = 0;
  const summaries = [];
  const started = Date.now();

  for (const browserName of opts.browsers) {
    for (const backend of opts.backends) {
      const label = `${browserName} ${backend}`;
      const t0 = Date.now();
      const token = `${browserName}-${backend}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
      const run = { cases: new Map() };
      const finished = new Promise((resolve) => (run.finish = resolve));
      runs.set(token, run);

      let outcome;
      let child = null;
      let profile = null;
      let output = () => '';
      const bin = bins[browserName];
      if (!bin) {
        outcome = { fatal: `${browserName} is not installed` };
      } else {
        profile = makeProfile(browserName);
        const query = new URLSearchParams({ backend, browser: browserName, run: token, caseTimeout: String(opts.caseTimeout * 1000) });
        if (opts.grep) query.set('grep', opts.grep);
        const url = `${server.url}/tests/browser/conformance.html?${query}`;
        const browser = launch(browserName, { bin, profile, url });
        child = browser.child;
        const { exited, spawnError } = browser;
        output = browser.output;
        let timer;
        const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve({ timedOut: true }), opts.timeout * 1000)));
        outcome = await Promise.race([finished, exited, spawnError, timedOut]);
        clearTimeout(timer);
        await stopBrowser(child);
        removeDir(profile);
      }
      runs.delete(token);

      // Results: the final report, else whatever cases the page reported one by one.
      const byName = new Map();
      for (const r of outcome.results || [...run.cases.values()]) byName.set(r.name, r);
      let why = null;
      if (outcome.fatal) why = `the page could not run the suite: ${outcome.fatal}`;
      else if (outcome.timedOut) why = `no report within ${opts.timeout} s`;
      else if (outcome.exited) why = outcome.exited;

      let p = 0;
      let f = 0;
      let s = 0;
      for (const name of expected) {
        const r = byName.get(name);
        if (r && r.ok && r.skipped) s++;
        else if (r && r.ok) p++;
        else {
          f++;
          const error = r ? r.error : `not reported (${why || 'missing from the report'})`;
          if (r || !why) console.log(`FAIL [${label}] ${name}\n       ${error}`);
        }
      }
      for (const name of byName.keys()) {
        if (!expected.includes(name)) {
          f++;
          console.log(`FAIL [${label}] ${name}\n       reported, but not a case of tests/js/conformance`);
        }
      }
      // A persistent backend must have held data for some case (else the
      // stores were not on it), and the page must have cleaned up after itself.
      let note = '';
      if (outcome.results && backend !== 'memory') {
        note = `  ${outcome.storedCases} cases wrote to ${backend}`;
        if (!(outcome.storedCases > 0)) {
          f++;
          console.log(`FAIL [${label}] no case left any data in ${backend}: the stores did not use it`);
        }
      }
      if (outcome.leftovers && outcome.leftovers.length) {
        f++;
        console.log(`FAIL [${label}] cleanup left ${outcome.leftovers.length} databases/items behind: ${outcome.leftovers.slice(0, 5).join(', ')}`);
      }
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (why) {
        incomplete++;
        const notRun = expected.filter((n) => !byName.has(n)).length;
        console.log(`FAIL [${label}] ${why}; ${notRun} cases not reported${outcome.userAgent ? ` (${outcome.userAgent})` : ''}`);
        const tail = output().trim().split('\n').slice(-15);
        if (tail.length && tail[0]) console.log(`       browser output (last lines):\n${tail.map((l) => `         ${l}`).join('\n')}`);
      }
      const skippedNote = s ? `  ${s} skipped (${[...new Set(expected.map((n) => byName.get(n)?.skipped).filter(Boolean))].join('; ')})` : '';
      const line = `${label.padEnd(22)} ${String(p).padStart(4)} passed, ${f} failed  ${secs.padStart(6)} s${why ? '  (did not finish)' : ''}${note}${skippedNote}`;
      console.log(line);
      summaries.push(line);
      passed += p;
      failed += f;
    }
  }

  await server.close();
  console.log(`\nbrowser conformance summary (${((Date.now() - started) / 1000).toFixed(1)} s):`);
  for (const s of summaries) console.log(`  ${s}`);
  if (incomplete) console.log(`  ${incomplete} run(s) did not report in full`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed || incomplete ? 1 : 0;
}

main().catch((e) => {
  killAll();
  console.error(`tests/browser/run.mjs: ${e && e.stack ? e.stack : e}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
