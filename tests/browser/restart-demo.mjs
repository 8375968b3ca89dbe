// The browser half of the demo command (scripts/demo.sh): data surviving a
// browser restart. Starts headless Chromium on a fresh profile at
// tests/browser/restart-demo.html?step=write (an IndexedDB store: an
// instance, a record, an overwrite), prints the envelopes, quits Chromium
// (SIGTERM, a clean shutdown), starts it again on the same profile at
// ?step=read and prints the get/query/listInstances envelopes: the same ids
// and createdAt. Serves the repo on 127.0.0.1; every wait is bounded; the
// browser's process group is killed and the profile deleted at the end.
//
//   node tests/browser/restart-demo.mjs        (after scripts/build.sh)

import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer } from './server.mjs';
import { browserVersion, findBrowser, launch, makeProfile, quitBrowser, removeDir, stopBrowser } from './browsers.mjs';

const TIMEOUT_MS = 60000;
const waiting = new Map();
const slot = (key) => {
  if (!waiting.has(key)) {
    let resolve;
    waiting.set(key, { promise: new Promise((r) => (resolve = r)), resolve });
  }
  return waiting.get(key);
};

async function waitFor(run, step, browser) {
  let timer;
  const out = await Promise.race([
    slot(`${run}/${step}`).promise,
    browser.exited.then((e) => ({ error: e.exited })),
    browser.spawnError.then((e) => ({ error: e.fatal })),
    new Promise((r) => (timer = setTimeout(() => r({ error: `no report within ${TIMEOUT_MS / 1000} s` }), TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (out.error) throw new Error(`the ${step} page: ${out.error}`);
  return out.calls;
}

function show(calls) {
  for (const { title, envelope } of calls) {
    console.log(`\n# ${title}`);
    console.log(JSON.stringify(envelope, null, 2));
  }
}

async function main() {
  if (!existsSync(path.join(ROOT, 'pkg/browser.js'))) throw new Error('pkg/browser.js is missing; run scripts/build.sh first');
  const bin = findBrowser('chromium');
  if (!bin) throw new Error('chromium is not installed (scripts/install-test-deps.sh installs it)');
  const server = await startServer({ onPost: (kind, body) => kind === 'demo' && body && slot(`${body.run}/${body.step}`).resolve(body) });
  const profile = makeProfile('chromium');
  const handles = [];
  try {
    const run = `demo-${process.pid}`;
    const url = (step) => `${server.url}/tests/browser/restart-demo.html?${new URLSearchParams({ step, run, name: 'restart-demo' })}`;
    console.log(`\n======== in a browser: data surviving a restart ========`);
    console.log(`${browserVersion(bin)}, headless, profile ${profile}`);
    console.log(`page served from ${server.url}; the store: KvStore.open({ backend: 'indexeddb', name: 'restart-demo' })`);

    const first = launch('chromium', { bin, profile, url: url('write') });
    handles.push(first);
    const written = await waitFor(run, 'write', first);
    show(written);
    const clean = await quitBrowser(first);
    console.log(`\n---- Chromium (pid ${first.child.pid}) ${clean ? 'quit' : 'was killed'}; starting a new Chromium on the same profile ----`);

    const second = launch('chromium', { bin, profile, url: url('read') });
    handles.push(second);
    const read = await waitFor(run, 'read', second);
    console.log(`(pid ${second.child.pid})`);
    show(read);

    const before = written.at(-1).envelope.data.record;
    const instBefore = written.find((c) => c.title.startsWith('createInstance')).envelope.data.instance;
    const after = read.find((c) => c.title.startsWith('query')).envelope.data.result.records[0] || {};
    const value = read.find((c) => c.title.startsWith('get')).envelope.data.value;
    const instAfter = read.find((c) => c.title.startsWith('listInstances')).envelope.data.instances[0] || {};
    const same = (a, b) => (a === b ? 'same' : `DIFFERENT (${a} before, ${b} after)`);
    console.log('\n# after the restart');
    console.log(`record user-123: id ${same(before.id, after.id)}, createdAt ${same(before.createdAt, after.createdAt)}, updatedAt ${same(before.updatedAt, after.updatedAt)}, value ${JSON.stringify(value) === JSON.stringify(before.value) ? 'same' : 'DIFFERENT'}`);
    console.log(`instance my-app:  id ${same(instBefore.id, instAfter.id)}, createdAt ${same(instBefore.createdAt, instAfter.createdAt)}`);
  } finally {
    for (const h of handles) await stopBrowser(h.child);
    removeDir(profile);
    await server.close();
  }
}

main().catch((e) => {
  console.error(`tests/browser/restart-demo.mjs: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
