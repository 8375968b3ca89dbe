// The benchmark: boltkv beside a JS Map, raw IndexedDB, idb-keyval, Dexie,
// localForage and localStorage, in headless Chromium (Debian's, under
// playwright-core on a persistent profile, which gives CDP for the heap and
// CPU profiles) and headless Firefox ESR (launched like the browser tests;
// the page POSTs its results). The page is tests/bench/bench.html
// (bench.js, peers.js); it runs every phase itself, one page load each, and
// this driver serves it on loopback, collects the reports, measures the
// bundles, and writes results/ (report.mjs: JSON, markdown, SVG).
//
//   node tests/bench/bench.mjs [--quick] [--browsers chromium,firefox]
//                              [--out results] [--cpu-profile] [--check]
//                              [--only reactive,query,...]
//
//   --quick        a few hundred records, 1 run (the smoke test of scripts/test.sh)
//   --cpu-profile  Chromium: CPU profiles (CDP Profiler) of boltkv's
//                  measurements, summarised in <out>/profiles/ (perturbs timings)
//   --check        exit 1 unless the results JSON has every peer and every
//                  workload in every browser; prints `N passed, N failed`
//   --only         just these workloads of the main page (get, sequential,
//                  fired, bulk, query, mixed, reactive), no cold opens and no
//                  memory phase; results go to results/only unless --out
//
// Needs pkg/ (scripts/build.sh) and tests/js/node_modules
// (scripts/install-test-deps.sh). Browsers are killed and their fresh
// profiles deleted at the end, whatever happens.

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, startServer } from '../browser/server.mjs';
import { browserVersion, findBrowser, launch, launchPlaywrightChromium, makeProfile, removeDir, stopBrowser } from '../browser/browsers.mjs';
import { aggregate, check, markdown, svg, summariseProfile, targets } from './report.mjs';

function parseArgs(argv) {
  const o = { quick: false, browsers: ['chromium', 'firefox'], out: null, cpuProfile: false, check: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--quick') o.quick = true;
    else if (flag === '--browsers') o.browsers = value().split(',').filter(Boolean);
    else if (flag === '--out') o.out = value();
    else if (flag === '--cpu-profile') o.cpuProfile = true;
    else if (flag === '--check') o.check = true;
    else if (flag === '--only') o.only = value();
    else throw new Error(`unknown argument ${argv[i]} (see the top of tests/bench/bench.mjs)`);
  }
  o.out = path.resolve(ROOT, o.out ?? (o.only ? 'results/only' : o.quick ? 'results/quick' : 'results'));
  for (const b of o.browsers) findBrowser(b); // throws on an unknown name
  return o;
}

// ------------------------------------------------------------------ bundle sizes (10)

function sizes(files) {
  const bufs = files.map((f) => readFileSync(path.join(ROOT, f)));
  const sum = (f) => bufs.reduce((n, b) => n + f(b), 0);
  return {
    files,
    raw: sum((b) => b.length),
    gzip: sum((b) => zlib.gzipSync(b, { level: 9 }).length),
    brotli: sum((b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length),
  };
}
const version = (dep) => JSON.parse(readFileSync(path.join(ROOT, 'tests/js/node_modules', dep, 'package.json'), 'utf8')).version;

function bundles() {
  const nm = 'tests/js/node_modules';
  return {
    boltkv: { ...sizes(['pkg/browser.js', 'pkg/glue/browser/boltkv.js', 'pkg/glue/browser/boltkv_bg.wasm']), what: 'browser build: wasm + glue + entry' },
    boltkvWorker: { ...sizes(['pkg/worker.js', 'pkg/glue/worker/boltkv.js', 'pkg/glue/worker/boltkv_bg.wasm']), what: 'worker build (not loaded by a page): wasm + glue + entry' },
    idbKeyval: { ...sizes([`${nm}/idb-keyval/dist/index.js`]), version: version('idb-keyval'), what: 'dist/index.js (ESM)' },
    Dexie: { ...sizes([`${nm}/dexie/dist/dexie.min.js`]), version: version('dexie'), what: 'dist/dexie.min.js' },
    localForage: { ...sizes([`${nm}/localforage/dist/localforage.min.js`]), version: version('localforage'), what: 'dist/localforage.min.js' },
  };
}

// ------------------------------------------------------------------ one browser

const reports = new Map(); // run -> { list, onReport }

async function runBrowser(name, server, opts) {
  const run = `${name}-${process.pid}-${Date.now().toString(36)}`;
  const seed = Number(process.env.BENCH_SEED || Date.now() % 100000);
  const url = `${server.url}/tests/bench/bench.html?${new URLSearchParams({ run, seed: String(seed), ...(opts.quick ? { quick: '1' } : {}), ...(opts.only ? { only: opts.only } : {}), ...(process.env.BENCH_VERBOSE ? { verbose: '1' } : {}) })}`;
  const got = { list: [], last: null };
  let finish;
  const finished = new Promise((r) => (finish = r));
  reports.set(run, (body) => {
    got.list.push(body);
    const what = body.phase === 'open' ? `open ${body.peer} ${body.size}` : body.phase;
    const t = ((Date.now() - t0) / 1000).toFixed(0).padStart(4);
    console.log(`  [${name} ${t}s] ${String(body.index + 1).padStart(3)}/${body.pages} ${what}: ${body.ok ? 'ok' : `FAILED: ${body.error.split('\n')[0]}`}`);
    if (body.ok && body.data?.errors?.length) for (const e of body.data.errors) console.log(`      error: ${e}`);
    if (body.last) finish({ done: true });
  });
  const t0 = Date.now();
  const limit = (opts.quick ? 300 : 1500) * 1000;
  const profile = makeProfile(name, name === 'firefox' ? { prefs: { 'privacy.reduceTimerPrecision': false } } : {});
  const profileDir = path.join(opts.out, 'profiles');
  const cpuProfiles = [];
  let h;
  let bin = findBrowser(name);
  try {
    if (name === 'chromium') {
      h = await launchPlaywrightChromium(profile);
      const cdp = await h.cdp();
      await cdp.send('HeapProfiler.enable');
      await cdp.send('Performance.enable');
      // The heap after a full collection: V8's used size (Runtime.getHeapUsage),
      // with Performance.getMetrics' JSHeapUsedSize as a cross-check.
      await h.page.exposeFunction('benchHeap', async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        await cdp.send('HeapProfiler.collectGarbage');
        const { usedSize } = await cdp.send('Runtime.getHeapUsage');
        return usedSize;
      });
      if (opts.cpuProfile) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await h.page.exposeFunction('benchProfile', async (action, label) => {
          if (action === 'start') return void (await cdp.send('Profiler.start'));
          const { profile: p } = await cdp.send('Profiler.stop');
          mkdirSync(profileDir, { recursive: true });
          const file = path.join(profileDir, `${name}-${label}.cpuprofile`);
          writeFileSync(file, JSON.stringify(p));
          cpuProfiles.push({ label, file: path.relative(ROOT, file), top: summariseProfile(p) });
        });
      }
      // The page's errors and warnings, for when it stops reporting.
      h.page.on('pageerror', (e) => console.log(`      page error: ${e.message}`));
      h.page.on('console', (m) => ['error', 'warning'].includes(m.type()) && console.log(`      console ${m.type()}: ${m.text().slice(0, 300)}`));
      h.page.goto(url, { timeout: 60000 }).catch(() => {});
    } else {
      h = launch(name, { profile, url });
    }
    let timer;
    const outcome = await Promise.race([finished, h.exited, h.spawnError, new Promise((r) => (timer = setTimeout(() => r({ timedOut: true }), limit)))]);
    clearTimeout(timer);
    if (!outcome.done) got.error = outcome.timedOut ? `no last report within ${limit / 1000} s` : outcome.exited || outcome.fatal;
  } catch (e) {
    got.error = e.message;
  } finally {
    if (h?.close) await h.close();
    else if (h?.child) await stopBrowser(h.child);
    removeDir(profile);
    reports.delete(run);
  }
  const ua = got.list.find((b) => b.userAgent)?.userAgent;
  return { browser: name, version: browserVersion(bin), userAgent: ua, seconds: (Date.now() - t0) / 1000, reports: got.list, error: got.error, cpuProfiles };
}

// ------------------------------------------------------------------ main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(ROOT, 'pkg/browser.js'))) throw new Error('pkg/browser.js is missing; run scripts/build.sh first');
  for (const dep of ['playwright-core', 'idb-keyval', 'dexie', 'localforage'])
    if (!existsSync(path.join(ROOT, 'tests/js/node_modules', dep, 'package.json'))) throw new Error(`tests/js/node_modules/${dep} is missing; run scripts/install-test-deps.sh`);
  const server = await startServer({
    onPost(kind, body) {
      if (kind === 'bench' && body && reports.has(body.run)) reports.get(body.run)(body);
      if (kind === 'progress' && body) console.log(`  [${body.run.split('-')[0]} ${new Date().toISOString().slice(11, 19)}] main: ${body.step}`);
    },
  });
  const started = new Date();
  console.log(`bench${opts.quick ? ' --quick' : ''}: serving ${ROOT} at ${server.url}`);
  const browsers = [];
  for (const b of opts.browsers) {
    console.log(`${b}: ${browserVersion(findBrowser(b))}`);
    browsers.push(await runBrowser(b, server, opts));
  }
  await server.close();
  const cpus = os.cpus();
  const bundleSizes = bundles();
  const out = {
    date: started.toISOString(),
    quick: opts.quick,
    machine: { cpu: cpus[0]?.model, cores: cpus.length, memoryGB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, node: process.version },
    bundles: bundleSizes,
    browsers: browsers.map((b) => {
      const agg = aggregate(b);
      return { ...b, ...agg, targets: targets(agg, bundleSizes) };
    }),
  };
  mkdirSync(opts.out, { recursive: true });
  const stamp = out.date.slice(0, 19).replace(/[:T]/g, '-');
  writeFileSync(path.join(opts.out, `bench-${stamp}.json`), JSON.stringify(out, null, 1));
  writeFileSync(path.join(opts.out, 'latest.json'), JSON.stringify(out, null, 1));
  const md = markdown(out);
  writeFileSync(path.join(opts.out, 'latest.md'), md);
  writeFileSync(path.join(opts.out, 'latest.svg'), svg(out));
  console.log(`\n${md}`);
  console.log(`wrote ${path.relative(ROOT, opts.out)}/latest.{json,md,svg} and bench-${stamp}.json (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
  if (opts.check) {
    const problems = check(JSON.parse(readFileSync(path.join(opts.out, 'latest.json'), 'utf8')));
    for (const p of problems) console.log(`FAIL ${p}`);
    console.log(problems.length ? '0 passed, 1 failed' : '1 passed, 0 failed');
    process.exitCode = problems.length ? 1 : 0;
  } else if (browsers.some((b) => b.error)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(`tests/bench/bench.mjs: ${e && e.stack ? e.stack : e}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
