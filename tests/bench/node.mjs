// The benchmark's Node mode (scripts/bench.sh --node): the in-memory
// workloads of workloads.js in one Node process, no browser, boltkv's memory
// backend (pkg/node.js) beside the plain JavaScript kvStore (plain-store.js)
// and the JS Map, in shuffled order, medians over rounds, with boltkv ÷ plain
// and boltkv ÷ Map: the gap to the store a user would write, in seconds.
//
//   node tests/bench/node.mjs [--quick] [--rounds N]
//
//   --quick     the browser smoke run's sizes (a few hundred records): a smoke
//               test of this mode (scripts/test.sh), not for comparison
//   --rounds N  rounds of every workload (default 7)
//
// Every get and query answer is checked by the workloads; the last line is
// `1 passed, 0 failed` when every peer has a figure for every workload, else
// `0 passed, 1 failed` and the exit code is 1.

import { existsSync } from 'node:fs';
import os from 'node:os';
import { boltkv, peerByName } from './peers.js';
import { WORKLOADS, fmt, median } from './report.mjs';
import { sizes, workbench } from './workloads.js';

const PKG = new URL('../../pkg/node.js', import.meta.url);
const STEPS = ['hotGets', 'firedSets', 'queries', 'mixed', 'reactive'];
const SHOWN = ['get-hit', 'get-miss', 'fired-sets', 'query-prefix', 'query-field', 'query-ordered', 'query-paged', 'mixed-90-10', 'reactive'];

function parseArgs(argv) {
  const o = { quick: false, rounds: 7 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') o.quick = true;
    else if (argv[i] === '--rounds' && Number(argv[i + 1]) >= 1) o.rounds = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (see the top of tests/bench/node.mjs)`);
  }
  return o;
}

const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');
const cell = (s) => (s?.samples?.length ? `${fmt(median(s.samples), s.unit)} (${fmt(Math.min(...s.samples), s.unit)}–${fmt(Math.max(...s.samples), s.unit)})` : s?.failed ? 'failed' : s?.skipped ? 'n/a' : '–');

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(PKG)) throw new Error('pkg/node.js is missing; run scripts/build.sh first');
  const bolt = boltkv('memory', PKG.href);
  const plain = peerByName('plain');
  const map = peerByName('Map');
  const peers = [bolt, plain, map];
  for (const p of peers) await p.load();
  const S = { ...sizes(opts.quick), runs: opts.rounds, runsBig: opts.rounds };
  const seed = Number(process.env.BENCH_SEED || Date.now() % 100000);
  const bench = workbench({ S, run: `node-${process.pid}`, seed });
  console.log(`bench --node${opts.quick ? ' --quick (smoke run: not for comparison)' : ''}: Node ${process.version}, ${os.cpus()[0]?.model}, ${os.cpus().length} cores; ${opts.rounds} rounds, seed ${seed}`);
  const t0 = Date.now();
  for (const step of STEPS) await bench[step](peers);

  const label = Object.fromEntries(WORKLOADS);
  const rows = [['workload', 'unit', 'boltkv memory', 'plain JS kvStore', 'JS Map (JSON)', 'boltkv ÷ plain', 'boltkv ÷ Map']];
  const problems = [...bench.errors];
  for (const w of SHOWN) {
    const got = bench.results[w] ?? {};
    const med = (p) => (got[p.name]?.samples?.length ? median(got[p.name].samples) : NaN);
    for (const p of peers) if (!Number.isFinite(med(p)) && !got[p.name]?.failed && !got[p.name]?.skipped) problems.push(`${w} ${p.name}: no figure`);
    rows.push([label[w], got[bolt.name]?.unit ?? '', ...peers.map((p) => cell(got[p.name])), fmtRatio(med(bolt) / med(plain)), fmtRatio(med(bolt) / med(map))]);
  }
  console.log('\nmedian (min–max) over the rounds; a ratio below 1× means boltkv is faster\n');
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  console.log(`\n${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const p of problems) console.log(`FAIL ${p}`);
  console.log(problems.length ? '0 passed, 1 failed' : '1 passed, 0 failed');
  process.exitCode = problems.length ? 1 : 0;
}

main().catch((e) => {
  console.error(`tests/bench/node.mjs: ${e && e.stack ? e.stack : e}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
