// Launching and stopping the headless browsers the browser tests drive
// (tests/browser/run.mjs, tests/browser/persistence.mjs, scripts/demo-restart.mjs).
//
//   import { BROWSERS, findBrowser, makeProfile, launch, quitBrowser, stopBrowser, removeDir } from './browsers.mjs';
//   const bin = findBrowser('chromium');            // a path, or null when not installed
//   const profile = makeProfile('chromium');        // a fresh profile directory (Firefox: with user.js)
//   const browser = launch('chromium', { bin, profile, url });
//   await Promise.race([report, browser.exited, browser.spawnError]);
//   await quitBrowser(browser);                      // a clean quit: storage is flushed, the profile reusable
//   ...launch('chromium', { bin, profile, url: next })  // the same profile in a new browser process
//   await stopBrowser(browser.child);                // or: kill the whole process group at once
//   removeDir(profile);
//
//   // Chromium under playwright-core (CDP), on a persistent profile:
//   const h = await launchPlaywrightChromium(profile);  // { context, page, cdp(), close() }
//
// Every browser runs headless in its own process group (spawned detached),
// so stopping it kills its helpers too; browsers not yet stopped are killed
// when this process exits or gets SIGINT/SIGTERM/SIGHUP. Profiles are made
// under the system temp directory with the prefix `boltkv-<browser>-`.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** Chromium's flags besides headless and the profile: no GPU, nothing from the network this machine does not have. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-quic',
];

// A quiet, offline Firefox: no first-run or welcome pages, no telemetry, no
// updates, no network checks or background fetches.
export const FIREFOX_PREFS = {
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'startup.homepage_welcome_url': '',
  'startup.homepage_welcome_url.additional': '',
  'browser.startup.firstrunSkipsHomepage': true,
  'browser.aboutwelcome.enabled': false,
  'browser.tabs.warnOnClose': false,
  'browser.sessionstore.resume_from_crash': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.server': '',
  'app.update.disabledForTesting': true,
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'browser.search.update': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.newtabpage.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'media.gmp-manager.updateEnabled': false,
  // A page may close its window, which quits Firefox when it is the last
  // one: the clean way to quit it (see quitBrowser).
  'dom.allow_scripts_to_close_windows': true,
};

const userJs = (prefs) =>
  Object.entries(prefs)
    .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`)
    .join('');

export const BROWSERS = {
  chromium: {
    bin: () => which('chromium'),
    args: (profile, url) => ['--headless', ...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, url],
    prepare: () => {},
    // Chromium shuts down cleanly on SIGTERM (and headless Chromium keeps
    // running when its page closes).
    quitsBy: 'signal',
  },
  firefox: {
    bin: () => which('firefox-esr') || which('firefox'),
    args: (profile, url) => ['--headless', '--no-remote', '--profile', profile, url],
    prepare: (profile, prefs = {}) => writeFileSync(path.join(profile, 'user.js'), userJs({ ...FIREFOX_PREFS, ...prefs })),
    // Firefox exits on SIGTERM without writing what localStorage still holds
    // in memory (a value set a second before is gone after a restart); the
    // page closing its window (window.close(), which FIREFOX_PREFS allow)
    // quits it the way a user does, and that writes everything.
    quitsBy: 'page',
  },
};

export function which(cmd) {
  for (const dir of (process.env.PATH || '').split(':')) {
    const p = path.join(dir || '.', cmd);
    if (existsSync(p)) return p;
  }
  return null;
}

/** The browser's binary, or null when it is not installed. */
export function findBrowser(name) {
  if (!BROWSERS[name]) throw new Error(`unknown browser '${name}' (want ${Object.keys(BROWSERS).join(', ')})`);
  return BROWSERS[name].bin();
}

/** The first line of `bin --version`. */
export function browserVersion(bin) {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30000 }).trim().split('\n')[0];
  } catch (e) {
    return `(version unknown: ${e.message})`;
  }
}

/** A fresh profile directory for `name`; `prefs` are extra Firefox preferences (user.js). */
export function makeProfile(name, { prefs } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `boltkv-${name}-`));
  profiles.add(dir);
  BROWSERS[name].prepare(dir, prefs);
  return dir;
}

// Profiles made and not yet removed, so an interrupted run still removes them.
const profiles = new Set();

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every browser launched and not yet reaped, so an interrupted run still kills them.
const live = new Set();

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {}
}

/**
 * Starts `name` headless on `profile` at `url`, in its own process group.
 * Returns { child, bin, exited, spawnError, output() }: `exited` resolves
 * with { exited: why } when the browser process ends, `spawnError` with
 * { fatal: why } when it cannot start; `output()` is the tail of what the
 * browser printed.
 */
export function launch(name, { bin = findBrowser(name), profile, url, extraArgs = [] }) {
  if (!bin) throw new Error(`${name} is not installed`);
  const args = BROWSERS[name].args(profile, url);
  args.splice(args.length - 1, 0, ...extraArgs);
  const child = spawn(bin, args, {
    detached: true, // its own process group, so it dies whole
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1', MOZ_DISABLE_AUTO_SAFE_MODE: '1' },
  });
  live.add(child);
  const log = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
      log.push(d);
      if (log.length > 400) log.shift();
    });
  }
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ exited: `the browser exited (${signal || `code ${code}`}) before the page reported` })),
  );
  const spawnError = new Promise((resolve) => child.once('error', (e) => resolve({ fatal: `could not start ${bin}: ${e.message}` })));
  return { name, child, bin, exited, spawnError, output: () => log.join('') };
}

/** Kills the browser's process group: TERM, then KILL after a grace period; resolves once it is gone. */
export async function stopBrowser(child) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    killGroup(child, 'SIGTERM');
    const grace = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!grace) {
      killGroup(child, 'SIGKILL');
      await Promise.race([exited, sleep(5000)]);
    }
  }
  // Helpers that outlived the main process, in the same group.
  killGroup(child, 'SIGKILL');
  live.delete(child);
}

/**
 * Quits the browser as a user closing it would, so it writes what it holds
 * to the profile and the profile can be reused: Chromium gets SIGTERM (its
 * main process only); Firefox is expected to quit by itself because the page
 * closed its window (the page must call window.close(); after `graceMs`
 * without an exit it gets SIGTERM too). Then waits up to `graceMs` for the
 * exit, and kills the group (stopBrowser). Resolves true when the browser quit
 * cleanly, false when it had to be signalled or killed against that plan.
 */
export async function quitBrowser(handle, { graceMs = 20000 } = {}) {
  const { child } = handle;
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const exited = new Promise((r) => (gone() ? r() : child.once('exit', r)));
  const waitExit = (ms) => Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);
  let clean;
  if (BROWSERS[handle.name]?.quitsBy === 'page') {
    clean = await waitExit(graceMs);
    if (!clean) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {}
      await waitExit(graceMs);
    }
  } else {
    if (!gone()) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {}
    }
    clean = await waitExit(graceMs);
  }
  // The main process may exit before its helpers (Chromium's storage service
  // writes localStorage out as it shuts down): let the group finish on its
  // own, within the same grace, before anything is killed.
  clean = (await groupExit(child.pid, graceMs)) && clean;
  await stopBrowser(child);
  // Helpers that got the group kill may hold the profile for a moment.
  await sleep(300);
  return clean;
}

/** Resolves true once no process of the group `pid` leads is left, false after `ms`. */
async function groupExit(pid, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      process.kill(-pid, 0);
    } catch {
      return true;
    }
    await sleep(50);
  }
  return false;
}

export function removeDir(dir) {
  profiles.delete(dir);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return;
    } catch {
      execFileSync('sleep', ['0.2']);
    }
  }
}

/** Pids of this process's direct children (playwright starts Chromium as one). */
function childPids() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) out.push(Number(d));
    } catch {}
  }
  return out;
}

/**
 * Debian's Chromium under playwright-core (tests/js/node_modules), headless on
 * the persistent profile `profile` with CHROMIUM_FLAGS, which gives CDP.
 * Returns { context, page, cdp(), exited, close() }: `cdp()` opens a CDP
 * session on the page; `exited` resolves with { exited: why } when the
 * browser goes away; `close()` shuts it down (Browser.close, a clean exit),
 * bounded, then kills its process group whatever happened, and resolves
 * true when the clean close worked.
 */
export async function launchPlaywrightChromium(profile, { timeout = 60000 } = {}) {
  const require = createRequire(new URL('../js/package.json', import.meta.url));
  const { chromium } = require('playwright-core');
  const before = new Set(childPids());
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findBrowser('chromium'),
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout,
  });
  // The browser's pid (a process-group leader: playwright spawns it detached),
  // so it can be killed whatever happens to the playwright connection.
  const pids = childPids().filter((p) => !before.has(p));
  for (const pid of pids) liveGroups.add(pid);
  const page = context.pages()[0] || (await context.newPage());
  let closed;
  const exited = new Promise((r) => (closed = r));
  context.on('close', () => closed({ exited: 'the browser closed before the page reported' }));
  return {
    context,
    page,
    exited,
    spawnError: new Promise(() => {}),
    output: () => '',
    cdp: () => context.newCDPSession(page),
    async close() {
      let timer;
      const ok = await Promise.race([context.close().then(() => true, () => false), new Promise((r) => (timer = setTimeout(() => r(false), 20000)))]);
      clearTimeout(timer);
      for (const pid of pids) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {}
        liveGroups.delete(pid);
      }
      await sleep(300);
      return ok;
    },
  };
}

// Process groups of browsers started through playwright and not yet closed.
const liveGroups = new Set();

/** Kills every browser this process launched and has not stopped, and removes the profiles left (used on exit). */
export function killAll() {
  for (const child of live) killGroup(child, 'SIGKILL');
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
  for (const dir of profiles) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {}
  }
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}
