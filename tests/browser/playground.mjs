// End-to-end test of the playground page (www/) in Debian's headless
// Chromium, driven by playwright-core, against the built package (pkg/).
//
//   node tests/browser/playground.mjs
//
// It starts the main command's server (scripts/serve.mjs) on a port that is
// taken, so it must fall back to a free one; opens the page on the
// IndexedDB backend in a fresh profile (real, disk-backed storage); and
// clicks and types through the flow a person would: create an instance, set
// records of every JSON type (checking the versions shown), edit one
// (invalid JSON first), query, delete a namespace, rename and delete
// instances, reload, watch a second tab pick up changes without a reload,
// on IndexedDB and on localStorage, and meet conflicts: a record changed by
// another call while its dialog is open, a new record on a taken key, a
// delete of a changed record; and expiry: a record set to expire in 2 s
// leaves the table at its expiry without a reload, an expiry of 0 shows the
// store's sentence and stores nothing, the record dialog keeps, removes and
// renews an expiry; export and import: the selected instance downloads as
// .jsonl, and after deleting the instance, importing the file brings the
// table back as it was, while a malformed file shows the store's sentence
// and changes nothing. Every
// step asserts what the page shows. Screenshots of the main states go to
// target/playground-screenshots/. It prints `N passed, N failed` and exits 1
// on any failure. Loopback only; every wait is bounded; the browser, the
// server and the temporary profile are removed at the end.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './server.mjs';
import { expectText, logged, rowValues, statusIs, storeCall, waitFor } from './playground-helpers.mjs';

const require = createRequire(path.join(ROOT, 'tests/js/package.json'));
const { chromium } = require('playwright-core');

const SHOTS = path.join(ROOT, 'target/playground-screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const STEP_TIMEOUT = 30_000;
const RUN_TIMEOUT = 240_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;

const results = [];
const consoleErrors = [];
const cleanups = [];

// ---- harness --------------------------------------------------------------

const steps = [];
const step = (name, fn, { always = false } = {}) => steps.push({ name, fn, always });

async function runSteps(ctx) {
  let broken = null;
  for (const { name, fn, always } of steps) {
    if (broken && !always) {
      results.push({ name, ok: false, error: `not run: "${broken}" failed before it` });
      console.log(`FAIL ${name}: not run`);
      continue;
    }
    const t0 = Date.now();
    try {
      await withTimeout(fn(ctx), STEP_TIMEOUT, name);
      results.push({ name, ok: true });
      console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
      results.push({ name, ok: false, error: err.message });
      console.log(`FAIL ${name}: ${err.message.split('\n').slice(0, 6).join('\n     ')}`);
      broken = name;
      await ctx.page?.screenshot({ path: path.join(SHOTS, 'failure.png'), fullPage: true }).catch(() => {});
    }
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const shot = (page, name, options = {}) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, ...options });

function watchConsole(page, label) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(`[${label}] console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`[${label}] uncaught: ${err.message}`));
  page.on('dialog', (dialog) => dialog.accept()); // confirm() before deletes
}

// ---- the server, as the main command runs it ------------------------------

/** A port that is taken while `close()` is not called. */
function occupyPort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => resolve({ port: s.address().port, close: () => s.close() }));
    s.on('error', reject);
  });
}

function startServe(env) {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/serve.mjs')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => out };
}

// ---- the flow -------------------------------------------------------------

const store = `e2e-${process.pid}`;
const STORAGE = { backend: 'indexeddb', name: store };
const CONFLICT_MEANWHILE = (now, loaded, lead = 'Not saved: ') =>
  `${lead}this record changed meanwhile (in another tab or by another call): it is now version ${now}; you loaded version ${loaded}.`;
/** The table row of `key`: [key, value, version, createdAt, updatedAt, expiresAt, actions]. */
const rowOf = async (page, key) => (await rowValues(page, '#records-table')).find((r) => r[0] === key);
/** The newest call of `method` the person made, as the log shows it. */
const lastCall = async (page, method) => (await logged(page, method))[0];
/**
 * Clicks `selector` and returns the `method` call the click made, once it is
 * logged: a status that repeats the one before it (two saves of one key)
 * cannot tell that the call is done.
 */
async function callOfClick(page, selector, method) {
  const before = (await lastCall(page, method))?.envelope.requestId;
  await page.click(selector);
  return waitFor(async () => {
    const call = await lastCall(page, method);
    return call && call.envelope.requestId !== before && call;
  }, 5000, `clicking ${selector} logged no new ${method} call`);
}
const TYPES = [
  ['s', '"hello"', '"hello"'],
  ['n', '42.5', '42.5'],
  ['b', 'true', 'true'],
  ['z', 'null', 'null'],
  ['a', '[1, "two", false]', '[1,"two",false]'],
  ['o', '{"user": {"name": "Ada", "tags": ["x"]}, "count": 3}', '{"user":{"name":"Ada","tags":["x"]},"count":3}'],
];

step('the main command serves on a free port when PORT is taken, and prints the address', async (ctx) => {
  const taken = await occupyPort();
  cleanups.push(() => taken.close());
  const serve = startServe({ PORT: String(taken.port), CI: '', DEMO_NO_SERVE: '' });
  ctx.serve = serve;
  cleanups.push(() => serve.child.kill('SIGKILL'));
  await waitFor(() => /The playground is at (http:\/\/127\.0\.0\.1:\d+\/www\/)/.exec(serve.output()), 10_000, () => `no address printed: ${serve.output()}`);
  const url = /The playground is at (http:\/\/127\.0\.0\.1:(\d+)\/www\/)/.exec(serve.output());
  check(Number(url[2]) !== taken.port, `it printed the taken port ${taken.port}`);
  ctx.base = url[1];
});

step('with DEMO_NO_SERVE=1 or CI=true it prints the address and ends', async () => {
  for (const env of [{ DEMO_NO_SERVE: '1', CI: '' }, { CI: 'true', DEMO_NO_SERVE: '' }]) {
    const run = startServe({ PORT: '8080', ...env });
    const { code } = await withTimeout(run.exited, 10_000, 'serve.mjs without serving');
    check(code === 0, `exit code ${code}: ${run.output()}`);
    check(run.output().includes('http://127.0.0.1:8080/www/'), `no address in: ${run.output()}`);
  }
});

step('the page opens an IndexedDB store and shows where records live', async (ctx) => {
  const { page } = ctx;
  await page.goto(`${ctx.base}?backend=indexeddb&name=${store}`);
  await expectText(page.locator('#store-info'), `IndexedDB database boltkv:${store}`);
  await expectText(page.locator('#instances-empty'), 'No instances yet');
  check(await page.locator('#store-backend').inputValue() === 'indexeddb', 'backend select is not indexeddb');
});

step('create an instance (Enter submits the form)', async ({ page }) => {
  await page.fill('#new-instance-name', 'shop');
  await page.fill('#new-instance-description', 'E2E instance');
  await page.press('#new-instance-description', 'Enter');
  await statusIs(page, 'Created instance shop.');
  const item = page.locator('#instance-list li[data-name="shop"]');
  await expectText(item, '0 namespaces, 0 records');
  await expectText(item, 'E2E instance');
  check(await item.locator('.instance-select').getAttribute('aria-current') === 'true', 'the new instance is not selected');
  const first = page.locator('#log > li.entry:not(.group)').first();
  await expectText(first, 'kvStore.createInstance');
  await expectText(first, 'success');
  check(await page.locator('#new-instance-name').inputValue() === '', 'the form was not cleared');
});

step('a failing call shows its error plainly (duplicate instance name)', async ({ page }) => {
  await page.fill('#new-instance-name', 'shop');
  await page.press('#new-instance-name', 'Enter');
  await expectText(page.locator('#status'), 'already exists');
  const first = page.locator('#log > li.entry.failed').first();
  await expectText(first, 'kvStore.createInstance');
  await expectText(first.locator('.error'), 'already exists');
  await page.fill('#new-instance-name', '');
});

step('set records of every JSON type; the table shows them', async ({ page }) => {
  await page.fill('#set-namespace', 'items');
  for (const [key, text] of TYPES) {
    await page.fill('#set-key', key);
    await page.fill('#set-value', text);
    await page.press('#set-value', 'Control+Enter');
    await statusIs(page, `Saved ${key} in items.`);
  }
  await page.fill('#set-namespace', 'scratch');
  await page.fill('#set-key', 'tmp');
  await page.fill('#set-value', '"to be deleted"');
  await page.click('#set-record button[type=submit]');
  await statusIs(page, 'Saved tmp in scratch.');
  await page.click('#namespace-list button[data-focus="ns:items"]');
  await waitFor(async () => (await rowValues(page, '#records-table')).length === TYPES.length, 5000, 'the table did not show 6 rows');
  const rows = await rowValues(page, '#records-table');
  const want = Object.fromEntries(TYPES.map(([k, , shown]) => [k, shown]));
  for (const [key, value, , createdAt, updatedAt] of rows) {
    check(want[key] === value, `row ${key} shows ${value}, expected ${want[key]}`);
    check(ISO.test(createdAt) && ISO.test(updatedAt), `row ${key} has timestamps ${createdAt} / ${updatedAt}`);
  }
  check(rows.map((r) => r[0]).join() === 'a,b,n,o,s,z', `rows not in key order: ${rows.map((r) => r[0])}`);
  await expectText(page.locator('#namespace-list [data-namespace="items"] .count'), '6');
  await expectText(page.locator('#namespace-list [data-namespace="scratch"] .count'), '1');
  await expectText(page.locator('#instance-list li[data-name="shop"]'), '2 namespaces, 7 records');
  await expectText(page.locator('#records-caption'), '6 records in items');
});

step('the version column shows the version each set answered; expiresAt is empty without an expiry', async ({ page }) => {
  const answered = new Map(); // key -> the version of its newest set (the log is newest first)
  for (const { envelope } of await logged(page, 'kvStore.set')) {
    const r = envelope.data.record;
    if (r.namespace === 'items' && !answered.has(r.key)) answered.set(r.key, r.version);
  }
  check(answered.size === TYPES.length, `the log has sets of ${[...answered.keys()]}`);
  const rows = await rowValues(page, '#records-table');
  for (const [key, , version, , , expiresAt] of rows) {
    check(version === String(answered.get(key)), `row ${key} shows version ${version}, the store answered ${answered.get(key)}`);
    check(expiresAt === '', `row ${key} shows expiresAt "${expiresAt}"`);
  }
  const versions = [...answered.values()];
  check(versions.every((v) => Number.isSafeInteger(v) && v > 0) && new Set(versions).size === versions.length, `versions ${versions}`);
});

step('invalid JSON in the set form shows an inline error and sends nothing', async ({ page }) => {
  const calls = await page.locator('#log li[data-type="kvStore.set"]').count();
  await page.fill('#set-key', 'bad');
  await page.fill('#set-value', '{oops');
  await page.press('#set-value', 'Control+Enter');
  await expectText(page.locator('#set-error'), 'Not valid JSON');
  check(await page.locator('#set-value').getAttribute('aria-invalid') === 'true', 'the field is not marked invalid');
  check(await page.locator('#log li[data-type="kvStore.set"]').count() === calls, 'a set call was sent');
  await page.fill('#set-value', '');
  await page.fill('#set-key', '');
});

/** The expiresAt cell's text for `iso`, as the page shows it (the reader's local time, computed in the page). */
const readable = (page, iso) => page.evaluate((t) => new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }), iso);
/**
 * Resolves, in the page, with Date.now() when the row of `key` leaves the
 * records table (null when it is still there `ms` after `deadline`).
 */
const rowGoneAt = (page, key, deadline, ms) => page.evaluate(({ key, deadline, ms }) => new Promise((resolve) => {
  const table = document.getElementById('records-table');
  const done = (at) => {
    observer.disconnect();
    clearTimeout(timer);
    resolve(at);
  };
  const look = () => !table.querySelector(`tbody tr[data-key="${CSS.escape(key)}"]`) && done(Date.now());
  const observer = new MutationObserver(look);
  const timer = setTimeout(() => done(null), Math.max(0, deadline - Date.now()) + ms);
  observer.observe(table, { childList: true, subtree: true });
  look();
}), { key, deadline, ms });
const EXPIRE_IN_ZERO = 'options.expireIn must be a positive whole number of milliseconds, not 0.';

step('set a record with a 2-second expiry: the expiresAt column shows it, and the row leaves the table at its expiry, without a reload', async ({ page }) => {
  await page.evaluate(() => (window.__notReloaded = true));
  await page.fill('#set-namespace', 'items');
  await page.fill('#set-key', 'ttl');
  await page.fill('#set-value', '"short-lived"');
  await page.fill('#set-expire', '2');
  check(await page.locator('#set-expire-unit').inputValue() === '1000', 'the unit is not seconds by default');
  await page.click('#set-record button[type=submit]');
  await statusIs(page, 'Saved ttl in items.');
  const set = await lastCall(page, 'kvStore.set');
  check(set.args.endsWith(', "items", "ttl", "short-lived", false, {"expireIn":2000})'), `the set was ${set.args}`);
  const record = set.envelope.data.record;
  const expiresAt = Date.parse(record.expiresAt);
  check(ISO.test(record.expiresAt) && expiresAt === Date.parse(record.updatedAt) + 2000, `expiresAt ${record.expiresAt}, updatedAt ${record.updatedAt}`);
  check(await page.locator('#set-expire').inputValue() === '' && await page.locator('#set-key').inputValue() === '', 'the form was not cleared');
  const shown = await readable(page, record.expiresAt);
  await waitFor(async () => (await rowOf(page, 'ttl'))?.[5] === shown, 1500, async () => `the row of ttl is ${JSON.stringify(await rowOf(page, 'ttl'))}, expected expiresAt "${shown}"`);
  const [, value, version] = await rowOf(page, 'ttl');
  check(value === '"short-lived"' && version === String(record.version), `the row shows ${value} at version ${version}`);
  const time = page.locator('#records-table tr[data-key="ttl"] time');
  check(await time.getAttribute('datetime') === record.expiresAt && await time.getAttribute('title') === record.expiresAt, 'the cell does not carry the ISO time');
  await expectText(page.locator('#records-caption'), '7 records in items');
  await expectText(page.locator('#namespace-list [data-namespace="items"] .count'), '7');
  await page.locator('#records-section').screenshot({ path: path.join(SHOTS, '10-expiring-record.png') });

  const goneAt = await rowGoneAt(page, 'ttl', expiresAt, 3000);
  check(goneAt !== null, `the row of ttl is still shown 3 s after its expiry ${record.expiresAt}`);
  check(goneAt >= expiresAt, `the row left ${expiresAt - goneAt} ms before its expiry`);
  check(goneAt - expiresAt <= 500, `the row left ${goneAt - expiresAt} ms after its expiry`);
  await expectText(page.locator('#records-caption'), '6 records in items', 3000);
  await expectText(page.locator('#namespace-list [data-namespace="items"] .count'), '6', 3000);
  await expectText(page.locator('#instance-list li[data-name="shop"]'), '2 namespaces, 7 records', 3000);
  check((await rowValues(page, '#records-table')).map((r) => r[0]).join() === 'a,b,n,o,s,z', 'the table is not back to its six rows');
  check(await page.evaluate(() => window.__notReloaded === true), 'the page reloaded');
  const stored = await storeCall(page, STORAGE, 'get', 'shop', 'items', 'ttl');
  check(stored.success && stored.data.exists === false, `after its expiry the store answers ${JSON.stringify(stored.data)}`);
});

step('an expiry of 0 shows the store\'s INVALID_ARGUMENT sentence under the field and stores nothing', async ({ page }) => {
  const sets = (await logged(page, 'kvStore.set')).length;
  await page.fill('#set-namespace', 'items');
  await page.fill('#set-key', 'never');
  await page.fill('#set-value', '1');
  await page.fill('#set-expire', '0');
  await page.press('#set-value', 'Control+Enter');
  await statusIs(page, `kvStore.set failed: ${EXPIRE_IN_ZERO}`);
  check(await page.locator('#set-expire-error').textContent() === EXPIRE_IN_ZERO, `the field says "${await page.locator('#set-expire-error').textContent()}"`);
  check(await page.locator('#set-expire-error').isVisible(), 'the error is not shown');
  check(await page.locator('#set-expire').getAttribute('aria-invalid') === 'true', 'the expiry field is not marked invalid');
  check(await page.locator('#set-value').getAttribute('aria-invalid') === null && await page.locator('#set-error').isHidden(), 'the value field is blamed');
  const refused = await logged(page, 'kvStore.set');
  check(refused.length === sets + 1, `${refused.length - sets} set calls were sent`);
  const { envelope, args } = refused[0];
  check(envelope.success === false && envelope.code === 'INVALID_ARGUMENT' && envelope.error === EXPIRE_IN_ZERO, `the set answered ${JSON.stringify(envelope)}`);
  check(args.endsWith(', "items", "never", 1, false, {"expireIn":0})'), `the set was ${args}`);
  check(await page.locator('#set-key').inputValue() === 'never' && await page.locator('#set-expire').inputValue() === '0', 'the form lost what was typed');
  const stored = await storeCall(page, STORAGE, 'get', 'shop', 'items', 'never');
  check(stored.success && stored.data.exists === false, `the store holds ${JSON.stringify(stored.data)}`);
  await page.waitForTimeout(200); // a refresh would have shown it by now
  check(!(await rowOf(page, 'never')), 'the table lists never');
  await expectText(page.locator('#namespace-list [data-namespace="items"] .count'), '6');
  await page.fill('#set-expire', '');
  check(await page.locator('#set-expire').getAttribute('aria-invalid') === null && await page.locator('#set-expire-error').isHidden(), 'editing the expiry does not clear its error');
  await page.fill('#set-key', '');
  await page.fill('#set-value', '');
});

step('the record dialog keeps a record\'s expiry on Save, removes it when asked, and sets a new one', async ({ page }) => {
  await page.fill('#set-key', 'ttl2');
  await page.fill('#set-value', '"kept"');
  await page.fill('#set-expire', '5');
  await page.selectOption('#set-expire-unit', '60000');
  await page.click('#set-record button[type=submit]');
  await statusIs(page, 'Saved ttl2 in items.');
  const first = (await lastCall(page, 'kvStore.set'));
  check(first.args.endsWith(', "ttl2", "kept", false, {"expireIn":300000})'), `the set was ${first.args}`);
  const at = first.envelope.data.record.expiresAt;
  check(Date.parse(at) === Date.parse(first.envelope.data.record.updatedAt) + 300_000, `expiresAt ${at}`);
  await page.selectOption('#set-expire-unit', '1000');
  const shown = await readable(page, at);
  await waitFor(async () => (await rowOf(page, 'ttl2'))?.[5] === shown, 3000, 'the table does not show ttl2 with its expiry');

  // Save without touching the expiry: it is kept, to the millisecond.
  await page.click('#records-table button[data-focus="record:ttl2"]');
  await expectText(page.locator('#record-meta'), `expiresAt${shown}`);
  check(await page.locator('#record-expire-help').textContent() === `It expires at ${shown}; leave this empty to keep that.`, 'the dialog does not say the expiry is kept');
  check(await page.locator('#record-expiry-remove-label').isVisible() && !(await page.locator('#record-expiry-remove').isChecked()), 'no unticked "Remove the expiry"');
  check(await page.locator('#record-expire').inputValue() === '', 'the expiry field is not empty');
  await shot(page, '11-dialog-expiry', { fullPage: false });
  await page.fill('#record-value', '"edited"');
  const kept = await callOfClick(page, '#record-form button[type=submit]', 'kvStore.set');
  await statusIs(page, 'Saved ttl2 in items.');
  const v1 = first.envelope.data.record.version;
  const options = JSON.stringify({ ifVersion: v1, expireAt: at });
  check(kept.args.endsWith(`, false, ${options.length > 40 ? `${options.slice(0, 39)}…` : options})`), `the save was ${kept.args}`);
  check(kept.envelope.data.record.expiresAt === at && kept.envelope.data.record.value === 'edited', `the save answered ${JSON.stringify(kept.envelope.data?.record)}`);
  await waitFor(async () => {
    const row = await rowOf(page, 'ttl2');
    return row[1] === '"edited"' && row[5] === shown;
  }, 3000, 'the table does not show the edit with the same expiry');

  // Remove the expiry.
  const v2 = kept.envelope.data.record.version;
  await page.click('#records-table button[data-focus="record:ttl2"]');
  await page.check('#record-expiry-remove');
  const removed = await callOfClick(page, '#record-form button[type=submit]', 'kvStore.set');
  await statusIs(page, 'Saved ttl2 in items.');
  check(removed.args.endsWith(`, "edited", false, {"ifVersion":${v2}})`), `the save was ${removed.args}`);
  check(!('expiresAt' in removed.envelope.data.record), `the record still expires: ${JSON.stringify(removed.envelope.data.record)}`);
  await waitFor(async () => (await rowOf(page, 'ttl2'))?.[5] === '', 3000, 'the table still shows an expiry for ttl2');

  // A new expiry: 0 is refused with the store's sentence, 1.5 seconds is sent as 1500 ms.
  const v3 = removed.envelope.data.record.version;
  await page.click('#records-table button[data-focus="record:ttl2"]');
  check(await page.locator('#record-expiry-remove-label').isHidden(), '"Remove the expiry" is offered for a record without one');
  check(await page.locator('#record-expire-help').textContent() === 'From now, when saved; leave empty for no expiry.', 'the help is wrong');
  await page.fill('#record-expire', '0');
  await page.click('#record-form button[type=submit]');
  await expectText(page.locator('#record-expire-error'), EXPIRE_IN_ZERO);
  check(await page.locator('#record-expire-error').textContent() === EXPIRE_IN_ZERO, 'the dialog shows more than the store\'s sentence');
  check(await page.locator('#record-expire').getAttribute('aria-invalid') === 'true' && await page.locator('#record-error').isHidden(), 'the wrong field is blamed');
  check(await page.locator('#record-dialog').isVisible(), 'the dialog closed');
  check((await lastCall(page, 'kvStore.set')).args.endsWith(`, false, {"ifVersion":${v3},"expireIn":0})`), 'the refused save was not sent as expireIn 0');
  await page.fill('#record-expire', '1.5');
  const renewed = await callOfClick(page, '#record-form button[type=submit]', 'kvStore.set');
  await statusIs(page, 'Saved ttl2 in items.');
  check(renewed.args.endsWith(`, false, {"ifVersion":${v3},"expireIn":1500})`), `the save was ${renewed.args}`);
  const until = Date.parse(renewed.envelope.data.record.expiresAt);
  check(until === Date.parse(renewed.envelope.data.record.updatedAt) + 1500, `expiresAt ${renewed.envelope.data.record.expiresAt}`);
  const renewedShown = await readable(page, renewed.envelope.data.record.expiresAt);
  await waitFor(async () => (await rowOf(page, 'ttl2'))?.[5] === renewedShown, 1000, 'the table does not show the new expiry');
  // With its dialog open when it expires: the row goes, and the dialog says why.
  await page.click('#records-table button[data-focus="record:ttl2"]');
  const goneAt = await rowGoneAt(page, 'ttl2', until, 3000);
  check(goneAt !== null && goneAt >= until && goneAt - until <= 500, `the row of ttl2 left at ${goneAt === null ? 'never' : `${goneAt - until} ms`} from its expiry`);
  const said = `This record expired at ${renewedShown}; you loaded version ${renewed.envelope.data.record.version}.`;
  await expectText(page.locator('#record-conflict-text'), said, 3000);
  check(await page.locator('#record-conflict-text').textContent() === said, 'the dialog says more than that the record expired');
  check(await page.locator('#record-load').isHidden() && await page.locator('#record-overwrite').textContent() === 'Save my value', 'the notice offers the wrong ways on');
  await page.click('#record-cancel');
  await expectText(page.locator('#records-caption'), '6 records in items', 3000);
});

step('screenshots: instances and records table', async ({ page }) => {
  await shot(page, '01-instances', { fullPage: false });
  await page.locator('#records-section').screenshot({ path: path.join(SHOTS, '02-records-table.png') });
});

step('edit a record: invalid JSON is refused inline, then a valid edit is saved', async ({ page }) => {
  const before = (await rowValues(page, '#records-table')).find((r) => r[0] === 'n');
  const sets = await page.locator('#log li[data-type="kvStore.set"]').count();
  await page.click('#records-table button[data-focus="record:n"]');
  const dialog = page.locator('#record-dialog');
  await expectText(dialog.locator('h2'), 'Record n');
  await expectText(page.locator('#record-meta'), `version${before[2]}`);
  check(await page.locator('#record-value').inputValue() === '42.5', 'the editor does not show the value');
  check(await page.evaluate(() => document.activeElement.id) === 'record-value', 'focus is not in the value field');
  await page.fill('#record-value', '{"price": ');
  await page.click('#record-form button[type=submit]');
  await expectText(page.locator('#record-error'), 'Not valid JSON');
  check(await dialog.isVisible(), 'the dialog closed on invalid JSON');
  check(await page.locator('#log li[data-type="kvStore.set"]').count() === sets, 'invalid JSON was sent');
  await shot(page, '03-edit-dialog-invalid', { fullPage: false });
  await page.fill('#record-value', '{"price": 99, "currency": "EUR"}');
  await page.press('#record-value', 'Control+Enter');
  await statusIs(page, 'Saved n in items.');
  await waitFor(async () => !(await dialog.isVisible()), 5000, 'the dialog did not close');
  await waitFor(async () => (await rowValues(page, '#records-table')).find((r) => r[0] === 'n')[1] === '{"price":99,"currency":"EUR"}', 5000, 'the table does not show the edit');
  const saved = await lastCall(page, 'kvStore.set');
  check(saved.args.endsWith(`, false, {"ifVersion":${before[2]}})`), `the save was not conditional on version ${before[2]}: ${saved.args}`);
  await waitFor(async () => (await rowOf(page, 'n'))[2] === String(saved.envelope.data.record.version), 5000,
    `the table does not show version ${saved.envelope.data.record.version}`);
  const after = await rowOf(page, 'n');
  check(Number(after[2]) > Number(before[2]), `the version did not grow: ${before[2]} -> ${after[2]}`);
  check(after[3] === before[3], `createdAt moved: ${before[3]} -> ${after[3]}`);
  check(after[4] > before[4], `updatedAt did not move forward: ${before[4]} -> ${after[4]}`);
  check(await page.evaluate(() => document.activeElement?.dataset.focus) === 'record:n', 'focus did not return to the record');
});

step('run a query: the matches and total are shown', async ({ page }) => {
  await page.fill('#query-text', JSON.stringify({ from: { instance: 'shop', namespace: 'items' }, where: [{ field: 'value.price', operator: 'gte', value: 50 }] }));
  await page.click('#query-form button[type=submit]');
  await expectText(page.locator('#query-total'), 'total: 1 ');
  let keys = await page.locator('#query-table tbody tr td:nth-child(2)').allTextContents();
  check(keys.join() === 'n', `query shows keys ${keys}`);
  await page.fill('#query-text', JSON.stringify({ from: { instance: 'shop' }, where: [{ field: 'key', operator: 'in', value: ['s', 'b', 'z', 'tmp'] }], orderBy: { field: 'key', direction: 'desc' }, limit: 2 }));
  await page.press('#query-text', 'Control+Enter');
  await expectText(page.locator('#query-total'), 'total: 4 (showing 2; limit 2, offset 0)');
  keys = await page.locator('#query-table tbody button.link').allTextContents();
  check(keys.join() === 'z,tmp', `query shows keys ${keys}`);
  await expectText(page.locator('#status'), 'The query matched 4 records.');
  await page.locator('#query-section').screenshot({ path: path.join(SHOTS, '04-query-result.png') });
});

step('a bad query is reported, and invalid query JSON is never sent', async ({ page }) => {
  const queries = await page.locator('#log li[data-type="kvStore.query"]').count();
  await page.fill('#query-text', '{"from": ');
  await page.click('#query-form button[type=submit]');
  await expectText(page.locator('#query-error'), 'Not valid JSON');
  check(await page.locator('#log li[data-type="kvStore.query"]').count() === queries, 'invalid JSON was sent');
  await page.fill('#query-text', JSON.stringify({ from: { instance: 'shop' }, where: [{ field: 'key', operator: 'bogus', value: 1 }] }));
  await page.click('#query-form button[type=submit]');
  await expectText(page.locator('#query-error'), 'bogus');
  await expectText(page.locator('#log li.entry.failed[data-type="kvStore.query"] .error').first(), 'bogus');
});

step('the log shows each envelope: type, success, error, timestamp, requestId', async ({ page }) => {
  const entry = page.locator('#log > li.entry:not(.group)').first();
  const meta = (await entry.locator('.entry-meta').textContent()) || '';
  check(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/.test(meta), `no timestamp in ${meta}`);
  check(UUID.test(meta), `no requestId in ${meta}`);
  const groups = page.locator('#log > li.group');
  check(await groups.count() > 0, 'no refresh groups in the log');
  await groups.first().locator('summary').first().click();
  await expectText(groups.first(), 'kvStore.listInstances');
  await page.locator('#log-section').screenshot({ path: path.join(SHOTS, '05-log.png') });
});

step('delete a namespace', async ({ page }) => {
  await page.click('#namespace-list button[data-focus="ns:scratch"]');
  await expectText(page.locator('#records-heading'), 'Records in scratch');
  await page.click('#delete-namespace');
  await statusIs(page, 'Deleted namespace scratch (1 records).');
  await waitFor(async () => (await page.locator('#namespace-list [data-namespace="scratch"]').count()) === 0, 5000, 'scratch is still listed');
  await expectText(page.locator('#instance-list li[data-name="shop"]'), '1 namespace, 6 records');
  await expectText(page.locator('#log li[data-type="kvStore.deleteNamespace"]').first(), 'success');
});

step('rename an instance; create and delete another', async ({ page }) => {
  await page.click('#instance-list li[data-name="shop"] button[data-focus^="rename:"]');
  await page.fill('#rename-name', 'store-front');
  await page.press('#rename-name', 'Enter');
  await statusIs(page, 'Updated instance store-front.');
  await expectText(page.locator('#instance-list li[data-name="store-front"]'), '1 namespace, 6 records');
  await page.fill('#new-instance-name', 'temp');
  await page.press('#new-instance-name', 'Enter');
  await statusIs(page, 'Created instance temp.');
  await page.click('#instance-list li[data-name="temp"] button.danger');
  await statusIs(page, 'Deleted instance temp.');
  await waitFor(async () => (await page.locator('#instance-list li').count()) === 1, 5000, 'temp is still listed');
  await page.click('#instance-list li[data-name="store-front"] .instance-select');
  await page.click('#namespace-list button[data-focus="ns:items"]');
  await waitFor(async () => (await rowValues(page, '#records-table')).length === 6, 5000, 'items did not come back');
});

step('after a reload the IndexedDB data is there again', async ({ page }) => {
  await page.reload();
  await expectText(page.locator('#instance-list li[data-name="store-front"]'), '1 namespace, 6 records');
  await waitFor(async () => (await rowValues(page, '#records-table')).length === 6, 10_000, 'the records did not load after reload');
  const n = (await rowValues(page, '#records-table')).find((r) => r[0] === 'n');
  check(n[1] === '{"price":99,"currency":"EUR"}', `n shows ${n[1]} after reload`);
});

step('export the selected instance: a .jsonl download with the instance and each of its records', async (ctx) => {
  const { page } = ctx;
  const rows = await rowValues(page, '#records-table');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 5000 }), page.click('#export-button')]);
  const filename = `${store}-store-front.jsonl`;
  check(download.suggestedFilename() === filename, `the file is named ${download.suggestedFilename()}`);
  const text = readFileSync(await download.path(), 'utf8');
  const [header, instance, ...records] = text.trimEnd().split('\n').map((line) => JSON.parse(line));
  check(header.format === 'boltkv-export' && header.version === 1 && ISO.test(header.exportedAt), `header ${JSON.stringify(header)}`);
  check(instance.instance?.name === 'store-front' && instance.instance.description === 'E2E instance', `instance line ${JSON.stringify(instance)}`);
  const shown = records.map(({ record: r }) => [r.key, JSON.stringify(r.value), String(r.version), r.createdAt, r.updatedAt]);
  check(JSON.stringify(shown) === JSON.stringify(rows.map((row) => row.slice(0, 5))), `the file's records ${JSON.stringify(shown)} are not the table's ${JSON.stringify(rows)}`);
  await expectText(page.locator('#backup-result'), `Downloaded ${filename} (8 lines).`);
  await statusIs(page, 'Exported instance store-front.');
  ctx.backup = { text, rows };
});

step('clear the store (delete the instance), then import the file: the table is back as it was', async ({ page, backup }) => {
  await page.click('#instance-list li[data-name="store-front"] button.danger');
  await statusIs(page, 'Deleted instance store-front.');
  await expectText(page.locator('#instances-empty'), 'No instances yet');
  check(!(await page.locator('#records-wrap').isVisible()), 'the records table is still shown');
  await page.setInputFiles('#import-file', { name: 'backup.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(backup.text) });
  await expectText(page.locator('#backup-result'), 'Imported 1 instance and 6 records from backup.jsonl.');
  await statusIs(page, 'Imported 1 instance and 6 records (merge).');
  await expectText(page.locator('#instance-list li[data-name="store-front"]'), '1 namespace, 6 records');
  await waitFor(async () => JSON.stringify(await rowValues(page, '#records-table')) === JSON.stringify(backup.rows), 5000,
    'the table after the import is not the table before the delete');
  await shot(page, '12-imported', { fullPage: false });
});

step('an import of a malformed file shows the store\'s sentence and changes nothing', async ({ page, backup }) => {
  const lines = backup.text.trimEnd().split('\n');
  const broken = [lines[0], lines[1], '{"record": {"key": "half a line"', ...lines.slice(2)].join('\n');
  await page.selectOption('#import-mode', 'replace');
  await page.setInputFiles('#import-file', { name: 'broken.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(broken) });
  await expectText(page.locator('#backup-result'), 'Line 3 of the import is refused, so nothing was imported');
  check(await page.locator('#backup-result').getAttribute('class') === 'hint failed', 'the sentence is not shown as a failure');
  await expectText(page.locator('#status'), 'kvStore.import failed: Line 3 of the import is refused');
  await expectText(page.locator('#log li[data-type="kvStore.import"]').first(), 'INVALID_ARGUMENT');
  check(JSON.stringify(await rowValues(page, '#records-table')) === JSON.stringify(backup.rows), 'the table changed');
  await page.selectOption('#import-mode', 'merge');
});

step('a second tab on the same store sees changes without a reload, both ways', async (ctx) => {
  const { page } = ctx;
  const page2 = await ctx.context.newPage();
  watchConsole(page2, 'tab 2');
  ctx.page2 = page2;
  await page2.goto(page.url());
  await waitFor(async () => (await rowValues(page2, '#records-table')).length === 6, 10_000, 'tab 2 did not load the records');
  await page2.evaluate(() => (window.__notReloaded = true));

  await page.fill('#set-namespace', 'items');
  await page.fill('#set-key', 'live');
  await page.fill('#set-value', '"from tab 1"');
  await page.press('#set-value', 'Control+Enter');
  await statusIs(page, 'Saved live in items.');
  await waitFor(async () => (await rowValues(page2, '#records-table')).some((r) => r[0] === 'live' && r[1] === '"from tab 1"'), 5000, 'tab 2 did not show the record set in tab 1');
  await expectText(page2.locator('#namespace-list [data-namespace="items"] .count'), '7');

  await page2.click('#records-table button[data-focus="record:s"]');
  await page2.fill('#record-value', '"changed in tab 2"');
  await page2.click('#record-form button[type=submit]');
  await statusIs(page2, 'Saved s in items.');
  await waitFor(async () => (await rowValues(page, '#records-table')).some((r) => r[0] === 's' && r[1] === '"changed in tab 2"'), 5000, 'tab 1 did not show the edit made in tab 2');
  check(await page2.evaluate(() => window.__notReloaded === true), 'tab 2 reloaded');
  await shot(page2, '07-second-tab', { fullPage: false });
});

step('an edit dialog open while another call changes its record: Save is refused as a conflict, the stored value stays', async (ctx) => {
  const { page, page2 } = ctx;
  await page.bringToFront(); // tab 2 opened last; a background tab's frames are throttled, which slows every click
  const loaded = Number((await rowOf(page, 'b'))[2]);
  await page.click('#records-table button[data-focus="record:b"]');
  await expectText(page.locator('#record-meta'), `version${loaded}`);
  await page.fill('#record-value', 'false');
  const other = await storeCall(page2, STORAGE, 'set', 'store-front', 'items', 'b', 'from another call');
  check(other.success && other.data.record.version > loaded, `the other call answered ${JSON.stringify(other)}`);
  const now = other.data.record.version;
  await page.click('#record-form button[type=submit]');
  const refused = await lastCall(page, 'kvStore.set');
  check(refused.envelope.success === false && refused.envelope.code === 'CONFLICT', `the save answered ${JSON.stringify(refused.envelope)}`);
  check(refused.args.endsWith(`, false, {"ifVersion":${loaded}})`), `the save was not conditional on version ${loaded}: ${refused.args}`);
  await expectText(page.locator('#record-conflict-text'), CONFLICT_MEANWHILE(now, loaded));
  check(await page.locator('#record-conflict-text').textContent() === CONFLICT_MEANWHILE(now, loaded), 'the conflict says more than it should');
  check(await page.locator('#record-conflict-label').textContent() === `Current value (version ${now}):`, 'the current version is not shown');
  check(await page.locator('#record-conflict-value').textContent() === '"from another call"', 'the current value is not shown');
  check(await page.locator('#record-value').inputValue() === 'false', 'the edit was lost');
  check(await page.locator('#record-dialog').isVisible(), 'the dialog closed');
  const stored = await storeCall(page2, STORAGE, 'get', 'store-front', 'items', 'b');
  check(stored.data.value === 'from another call', `the stored value is ${JSON.stringify(stored.data)}`);
  await shot(page, '08-edit-conflict', { fullPage: false });
  ctx.conflictVersion = now;
});

step('loading the current value, then saving, succeeds with a greater version', async ({ page, conflictVersion }) => {
  await page.click('#record-load');
  check(await page.locator('#record-conflict').isHidden(), 'the conflict is still shown');
  check(await page.locator('#record-value').inputValue() === '"from another call"', 'the current value was not loaded');
  await expectText(page.locator('#record-meta'), `version${conflictVersion}`);
  await page.fill('#record-value', '"after the conflict"');
  await page.click('#record-form button[type=submit]');
  await statusIs(page, 'Saved b in items.');
  await waitFor(async () => !(await page.locator('#record-dialog').isVisible()), 5000, 'the dialog did not close');
  const saved = await lastCall(page, 'kvStore.set');
  check(saved.args.endsWith(`, false, {"ifVersion":${conflictVersion}})`), `the save was not conditional on version ${conflictVersion}: ${saved.args}`);
  const version = saved.envelope.data.record.version;
  check(version > conflictVersion, `version ${version} is not greater than ${conflictVersion}`);
  await waitFor(async () => {
    const [, value, shown] = await rowOf(page, 'b');
    return value === '"after the conflict"' && shown === String(version);
  }, 5000, () => `the table does not show b at version ${version}`);
});

step('a new record on a taken key is refused as a conflict; overwriting it is deliberate', async ({ page, page2 }) => {
  const [, value, taken] = await rowOf(page, 's');
  await page.click('#new-record');
  await expectText(page.locator('#record-dialog-title'), 'New record');
  check(await page.locator('#record-namespace').inputValue() === 'items', 'the namespace is not the selected one');
  check(await page.evaluate(() => document.activeElement.id) === 'record-key', 'focus is not in the key field');
  await page.fill('#record-key', 's');
  await page.fill('#record-value', '"new s"');
  await page.press('#record-value', 'Control+Enter');
  const want = `Not saved: a record with key “s” already exists in items: version ${taken}.`;
  await expectText(page.locator('#record-conflict-text'), want);
  check(await page.locator('#record-conflict-text').textContent() === want, 'the conflict says more than it should');
  check(await page.locator('#record-conflict-value').textContent() === value, `the current value is not ${value}`);
  const refused = await lastCall(page, 'kvStore.set');
  check(refused.envelope.code === 'CONFLICT' && refused.args.endsWith(', false, {"ifVersion":null})'), `the new-key save was ${refused.args}: ${JSON.stringify(refused.envelope)}`);
  const stored = await storeCall(page2, STORAGE, 'get', 'store-front', 'items', 's');
  check(JSON.stringify(stored.data.value) === value, `the stored value is ${JSON.stringify(stored.data)}`);
  await shot(page, '09-new-key-conflict', { fullPage: false });

  await page.click('#record-overwrite');
  await statusIs(page, 'Saved s in items.');
  const saved = await lastCall(page, 'kvStore.set');
  check(saved.args.endsWith(`, false, {"ifVersion":${taken}})`), `the overwrite was not conditional on version ${taken}: ${saved.args}`);
  check(saved.envelope.data.record.version > Number(taken), 'the overwrite did not give a greater version');
  await waitFor(async () => (await rowOf(page, 's'))[1] === '"new s"', 5000, 'the table does not show the overwrite');
});

step('a new record on a free key is created; delete from the table is conditional on the version shown', async ({ page }) => {
  await page.click('#new-record');
  await page.fill('#record-key', 'fresh');
  await page.fill('#record-value', '{"n": 1}');
  await page.click('#record-form button[type=submit]');
  await statusIs(page, 'Created fresh in items.');
  const created = await lastCall(page, 'kvStore.set');
  check(created.args.endsWith(', false, {"ifVersion":null})'), `the create was ${created.args}`);
  const version = String(created.envelope.data.record.version);
  await waitFor(async () => (await rowOf(page, 'fresh'))?.[2] === version, 5000, `the table does not show fresh at version ${version}`);
  await page.click('#records-table button[data-focus="delete:fresh"]');
  await statusIs(page, 'Deleted fresh from items.');
  const deleted = await lastCall(page, 'kvStore.delete');
  check(deleted.envelope.data.deleted === true && deleted.args.endsWith(`, {"ifVersion":${version}})`), `the delete was ${deleted.args}`);
  await waitFor(async () => !(await rowOf(page, 'fresh')), 5000, 'fresh is still listed');
});

step('deleting a record changed meanwhile is refused; after loading it, the delete goes through', async ({ page, page2 }) => {
  const loaded = Number((await rowOf(page, 'live'))[2]);
  await page.click('#records-table button[data-focus="record:live"]');
  const other = await storeCall(page2, STORAGE, 'set', 'store-front', 'items', 'live', 'changed again');
  const now = other.data.record.version;
  await page.click('#record-delete');
  await expectText(page.locator('#record-conflict-text'), CONFLICT_MEANWHILE(now, loaded, 'Not deleted: '));
  check(await page.locator('#record-overwrite').isHidden(), 'a refused delete offers an overwrite');
  check((await lastCall(page, 'kvStore.delete')).envelope.code === 'CONFLICT', 'the delete was not refused');
  check((await storeCall(page2, STORAGE, 'get', 'store-front', 'items', 'live')).data.value === 'changed again', 'live was deleted');
  await page.click('#record-load');
  await page.click('#record-delete');
  await statusIs(page, 'Deleted live from items.');
  check((await lastCall(page, 'kvStore.delete')).args.endsWith(`, {"ifVersion":${now}})`), 'the delete was not conditional on the loaded version');
  await waitFor(async () => !(await rowOf(page, 'live')), 5000, 'live is still listed');
});

step('localStorage backend: two tabs see each other\'s writes too', async (ctx) => {
  const url = `${ctx.base}?backend=localStorage&name=${store}-ls`;
  const a = await ctx.context.newPage();
  const b = await ctx.context.newPage();
  watchConsole(a, 'ls tab 1');
  watchConsole(b, 'ls tab 2');
  await a.goto(url);
  await expectText(a.locator('#store-info'), 'localStorage items under');
  await a.click('#add-sample');
  await statusIs(a, 'Added sample instance sample-app with 7 records.');
  await b.goto(a.url());
  await expectText(b.locator('#instance-list li[data-name="sample-app"]'), '3 namespaces, 7 records');
  await a.click('#delete-namespace');
  await expectText(b.locator('#instance-list li[data-name="sample-app"]'), '2 namespaces, 6 records');
  await a.close();
  await b.close();
});

step('the store form switches to the memory backend (keyboard only), which starts empty', async (ctx) => {
  const page = await ctx.context.newPage();
  watchConsole(page, 'memory tab');
  await page.goto(`${ctx.base}?backend=indexeddb&name=${store}`);
  await expectText(page.locator('#status'), 'Opened store');
  await page.focus('#store-backend');
  await page.selectOption('#store-backend', 'memory');
  await page.fill('#store-name', 'scratchpad');
  await page.press('#store-name', 'Enter');
  await expectText(page.locator('#store-info'), 'Store “scratchpad” (memory)');
  await expectText(page.locator('#instances-empty'), 'No instances yet');
  check(page.url().includes('backend=memory') && page.url().includes('name=scratchpad'), `the address is ${page.url()}`);
  await page.click('#add-sample');
  await statusIs(page, 'Added sample instance sample-app with 7 records.');
  await expectText(page.locator('#instance-list li[data-name="sample-app"]'), '3 namespaces, 7 records');
  await page.close();
});

step('keyboard: focus order starts at the store form, focus is visible', async ({ page }) => {
  await page.bringToFront();
  await page.reload();
  await expectText(page.locator('#status'), 'Opened store');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.className) === 'skip', 'the skip link is not first');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.id) === 'store-backend', 'the backend select is not next');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.id) === 'store-name', 'the store name is not next');
  await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    return { text: el.textContent, style: s.outlineStyle, width: s.outlineWidth };
  });
  check(outline.text === 'Open store', `focus is on ${outline.text}`);
  check(outline.style !== 'none' && outline.width !== '0px', `focus is not visible: ${JSON.stringify(outline)}`);
});

step('narrow 360 px: nothing overflows sideways', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await page.waitForTimeout(100);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `the page is ${width}px wide at 360px`);
  const cell = await page.locator('#records-table tbody tr').first().boundingBox();
  check(cell && cell.width <= 360, 'a record row is wider than the screen');
  await shot(page, '06-narrow-360');
  await shot(page, '06-narrow-360-top', { fullPage: false });
  await page.locator('#records-section').screenshot({ path: path.join(SHOTS, '06-narrow-360-records.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
});

step('no console errors in any tab during the flow', async () => {
  check(consoleErrors.length === 0, consoleErrors.join('\n'));
}, { always: true });

step('the server stops on Ctrl-C (SIGINT)', async ({ serve }) => {
  check(serve, 'the server did not start');
  serve.child.kill('SIGINT');
  const { code } = await withTimeout(serve.exited, 5000, 'serve.mjs after SIGINT');
  check(code === 0, `exit code ${code}`);
}, { always: true });

// ---- main -----------------------------------------------------------------

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const profile = mkdtempSync(path.join(os.tmpdir(), 'boltkv-playground-'));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
  });
  cleanups.unshift(() => context.close());
  context.setDefaultTimeout(8000);
  const page = context.pages()[0] || (await context.newPage());
  watchConsole(page, 'tab 1');
  await runSteps({ context, page });
}

const deadline = setTimeout(() => {
  console.log(`FAIL the run did not finish within ${RUN_TIMEOUT / 1000} s`);
  process.exit(1);
}, RUN_TIMEOUT);
try {
  await main();
} catch (err) {
  results.push({ name: 'start the browser', ok: false, error: err.message });
  console.log(`FAIL start the browser: ${err.message}`);
} finally {
  for (const cleanup of cleanups) await Promise.resolve().then(cleanup).catch(() => {});
  clearTimeout(deadline);
}
const failed = results.filter((r) => !r.ok).length;
console.log(`screenshots: ${path.relative(process.cwd(), SHOTS) || SHOTS}/`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
