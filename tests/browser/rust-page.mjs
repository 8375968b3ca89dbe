// Drives the Rust page (examples/rust-page: boltkv's typed Rust API on the
// IndexedDB backend, built with wasm-bindgen --target web into
// examples/rust-page/pkg/) once in headless Chromium under playwright-core,
// on a fresh profile, and asserts what the page shows: the record it wrote
// (a UUID v4 and an ISO time), the theme read back, one visit; then after a
// reload, the same record (IndexedDB kept its id and createdAt) and two
// visits. Serves the repository on 127.0.0.1; its last line is
// `N passed, N failed`.
//
//   node tests/browser/rust-page.mjs      (after the page is built; see scripts/test.sh)

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer } from './server.mjs';
import { browserVersion, findBrowser, launchPlaywrightChromium, makeProfile, removeDir } from './browsers.mjs';

const PAGE = '/examples/rust-page/index.html';
const RECORD = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** What the page shows once its Rust code has finished (or failed). */
async function shown(page) {
  await page.waitForFunction(() => document.getElementById('status')?.textContent !== 'loading', null, { timeout: 60000 });
  return page.evaluate(() => Object.fromEntries(['status', 'record', 'theme', 'visits'].map((id) => [id, document.getElementById(id)?.textContent])));
}

async function main() {
  if (!existsSync(path.join(ROOT, 'examples/rust-page/pkg/boltkv_rust_page.js'))) {
    throw new Error('examples/rust-page/pkg/ is missing; build the page first (see scripts/test.sh)');
  }
  const bin = findBrowser('chromium');
  if (!bin) throw new Error('chromium is not installed (scripts/install-test-deps.sh installs it)');
  const server = await startServer();
  const profile = makeProfile('chromium');
  const results = [];
  const check = (name, fn) => {
    try {
      fn();
      results.push({ name, ok: true });
      console.log(`ok - ${name}`);
    } catch (e) {
      results.push({ name, ok: false });
      console.log(`not ok - ${name}\n  ${String(e && e.message).split('\n').join('\n  ')}`);
    }
  };
  let browser;
  try {
    console.log(`${browserVersion(bin)}, headless; page ${server.url}${PAGE}`);
    browser = await launchPlaywrightChromium(profile);
    const problems = [];
    browser.page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    browser.page.on('console', (m) => m.type() === 'error' && problems.push(`console.error: ${m.text()}`));

    await browser.page.goto(`${server.url}${PAGE}`);
    const first = await shown(browser.page);
    console.log(`first visit: ${JSON.stringify(first)}`);
    check('the page ran to the end', () => assert.equal(first.status, 'done'));
    check('it shows the record as "<UUID v4> at <ISO time>"', () => assert.match(first.record, RECORD));
    check('the theme read back is the one written', () => assert.equal(first.theme, 'dark'));
    check('a first visit counts 1', () => assert.equal(first.visits, '1'));

    await browser.page.reload();
    const second = await shown(browser.page);
    console.log(`after a reload: ${JSON.stringify(second)}`);
    check('after a reload the page runs again', () => assert.equal(second.status, 'done'));
    check('the record kept its id and creation time in IndexedDB', () => assert.equal(second.record, first.record));
    check('the visit count came back from IndexedDB and grew', () => assert.equal(second.visits, '2'));
    check('no uncaught error or console.error', () => assert.deepEqual(problems, []));
  } finally {
    await browser?.close();
    removeDir(profile);
    await server.close();
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(`tests/browser/rust-page.mjs: ${e && e.stack ? e.stack : e}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
