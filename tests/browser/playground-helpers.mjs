// Bounded waits and readers of what the playground page shows, for
// tests/browser/playground.mjs.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy, for at most `ms`; then throws `message` (a string or a function). */
export async function waitFor(probe, ms, message) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(typeof message === 'function' ? message() : message);
    await sleep(50);
  }
}

/** Waits (at most `ms`) until the locator's text contains `text`. */
export async function expectText(locator, text, ms = 5000) {
  let last = '';
  await waitFor(async () => {
    last = (await locator.count()) ? (await locator.first().textContent()) || '' : '(no such element)';
    return last.includes(text);
  }, ms, () => `expected "${text}" in ${locator}, found "${last.trim().slice(0, 300)}"`);
}

/** Waits until the page's status line says exactly `text`. */
export async function statusIs(page, text, ms = 5000) {
  let last = '';
  await waitFor(async () => (last = (await page.locator('#status').textContent()) || '').trim() === text, ms,
    () => `expected the status "${text}", found "${last.trim()}"`);
}

/** The cell texts of every body row of a table. */
export function rowValues(page, table) {
  return page.locator(`${table} tbody tr`).evaluateAll((rows) =>
    rows.map((row) => [...row.cells].map((cell) => cell.textContent.trim())));
}

/** The calls of `method` (e.g. 'kvStore.set') the person made, newest first: `{ envelope, args }`, args as the log shows them. */
export function logged(page, method) {
  return page.locator(`#log > li.entry[data-type="${method}"]`).evaluateAll((items) => items.map((item) => ({
    envelope: JSON.parse(item.querySelector('pre').textContent),
    args: item.querySelector('.args').textContent,
  })));
}

/**
 * Makes one kvStore call in `page` through a store object of its own, not
 * the page's (as another tab or another program on the page would), and
 * returns the envelope.
 */
export function storeCall(page, storage, method, ...args) {
  return page.evaluate(async ({ storage, method, args }) => {
    const { KvStore } = await import('/pkg/browser.js');
    const store = await KvStore.open(storage);
    try {
      return await store[method](...args);
    } finally {
      store.free();
    }
  }, { storage, method, args });
}
