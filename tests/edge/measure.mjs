// Measures the example worker for Cloudflare's limits (the figures in the
// README's "In Cloudflare Workers" section): `node tests/edge/measure.mjs`
// after scripts/build.sh.
//
// Size: the modules of the deployable bundle (examples/worker/local.mjs's
// `bundle`: the worker's code, boltkv's worker entry, glue and wasm), each
// compressed with gzip -9 and brotli -11, summed.
//
// CPU: a worker holding one store on the Workers KV binding answers
// requests under workerd on loopback. After a warm-up, N requests that each
// do 10 gets are sent one after another, and the CPU time the workerd
// process used meanwhile (user + system, from /proc/<pid>/stat) is divided
// by N; the same for N requests that do nothing, whose cost is the runtime's
// own HTTP handling. Reads answer from the in-memory index whatever the
// backend, so this is the cost of any store's gets.

import { readFileSync, readdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Miniflare } from 'miniflare';
import { bundle, miniflareOptions } from '../../examples/worker/local.mjs';

const work = mkdtempSync(join(tmpdir(), 'boltkv-measure-'));
const dist = join(work, 'dist');
const files = bundle(dist);

let raw = 0, gzip = 0, brotli = 0;
for (const file of files) {
  const bytes = readFileSync(file);
  const [g, b] = [gzipSync(bytes, { level: 9 }).length, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length];
  raw += bytes.length; gzip += g; brotli += b;
  console.log(`${relative(dist, file).padEnd(60)} ${String(bytes.length).padStart(8)} raw ${String(g).padStart(8)} gzip ${String(b).padStart(8)} brotli`);
}
console.log(`${'bundle total'.padEnd(60)} ${String(raw).padStart(8)} raw ${String(gzip).padStart(8)} gzip ${String(brotli).padStart(8)} brotli`);

writeFileSync(join(dist, 'bench.js'), `
import { KvStore } from './boltkv/worker.js';
export { StoreObject } from './index.js';
let store;
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === '/nothing') return new Response('{}');
    store ??= await KvStore.open({ backend: { kv: env.STORE_KV }, name: 'bench' });
    if (pathname === '/seed') {
      await Promise.all(Array.from({ length: 10 }, (_, n) => store.set('app', 'settings', 'key-' + n, { n, label: 'value ' + n, tags: ['a', 'b'] }, true)));
      return new Response('{}');
    }
    const answers = [];
    for (let n = 0; n < 10; n++) answers.push(await store.get('app', 'settings', 'key-' + n));
    return Response.json(answers);
  },
};`);

const options = miniflareOptions(dist, join(work, 'persist'));
const runtime = new Miniflare({ ...options, scriptPath: join(dist, 'bench.js') });
const base = await runtime.ready;

// The workerd process miniflare started: a child of this process.
const ticks = () => {
  const pid = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).find((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return stat.includes('(workerd)') && stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === String(process.pid);
    } catch { return false; }
  });
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s
};

async function perRequest(path, count) {
  for (let i = 0; i < 200; i++) await (await fetch(new URL(path, base))).arrayBuffer();
  const before = ticks();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await (await fetch(new URL(path, base))).arrayBuffer();
  const wall = Number(process.hrtime.bigint() - started) / 1e6 / count;
  return { cpuMs: ((ticks() - before) * 10) / count, wallMs: wall };
}

await fetch(new URL('/seed', base));
const check = await (await fetch(new URL('/gets', base))).json();
if (check.length !== 10 || !check.every((e) => e.success && e.data.exists)) throw new Error('the gets did not answer');
const N = 3000;
const nothing = await perRequest('/nothing', N);
const gets = await perRequest('/gets', N);
console.log(`workerd CPU per request (${N} requests, after 200 to warm up):`);
console.log(`  empty request:   ${nothing.cpuMs.toFixed(3)} ms CPU (${nothing.wallMs.toFixed(3)} ms wall)`);
console.log(`  10 gets:         ${gets.cpuMs.toFixed(3)} ms CPU (${gets.wallMs.toFixed(3)} ms wall)`);
console.log(`  10 gets - empty: ${(gets.cpuMs - nothing.cpuMs).toFixed(3)} ms CPU`);
await runtime.dispose();
rmSync(work, { recursive: true, force: true });
