// The in-page half of the paging scenario of tests/browser/persistence.mjs
// (step `paging`): two top-level tabs of one browser on one store. Tab B
// writes 10,000 records, then keeps inserting new keys and deleting some of
// its records (every seventh) while tab A walks all records by cursor, 100
// a page, in key order. A reports what the walk found: the driver checks
// that no record is on two pages and that every record B never touched is
// on one.

import { barrier, until } from './in-step.js';

const RECORDS = 10000;
const PAGE = 100;
const key = (i) => `k${String(i).padStart(5, '0')}`;
/** The records B deletes while A walks: every seventh. */
const volatile = (i) => i % 7 === 0;

/**
 * A turn of the event loop for the other tab's writes to land: a message,
 * not a timer, which a browser slows to once a second in a background tab.
 */
function turn() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Tab B: writes until A says its walk is done; how many writes it made. */
async function churn(store, channel) {
  let done = false;
  channel.addEventListener('message', (event) => (done ||= event.data.label === 'walked'));
  let writes = 0;
  const failures = [];
  for (let round = 0; !done && round < 100000; round++) {
    const answers = await Promise.all([
      store.set('p', 'ns', `${key(round % RECORDS)}-new-${round}`, round),
      store.delete('p', 'ns', key(7 * (round % Math.floor(RECORDS / 7)))),
    ]);
    for (const answer of answers) if (!answer.success) failures.push(answer.error);
    writes += 2;
    await turn();
  }
  return { writes, failures };
}

/** Tab A: the keys of every page of a walk by cursor. */
async function walk(store) {
  const dsl = { from: { instance: 'p', namespace: 'ns' }, orderBy: { field: 'key', direction: 'asc' }, limit: PAGE };
  const seen = [];
  let pages = 0;
  let cursor;
  do {
    const answer = await store.query(cursor ? { ...dsl, after: cursor } : dsl);
    if (!answer.success) throw new Error(`page ${pages}: ${answer.error}`);
    seen.push(...answer.data.result.records.map((r) => r.key));
    cursor = answer.data.result.cursor;
    pages++;
    // Let the other tab's writes land between pages.
    await turn();
  } while (cursor);
  return { seen, pages };
}

/** Runs this tab's side; what it saw, for the driver. */
export async function paging(store, side, run) {
  const channel = new BroadcastChannel(`paging-barrier-${run}`);
  await barrier(channel, side, 'open');
  if (side === 'B') {
    for (let from = 0; from < RECORDS; from += 1000) {
      const ops = Array.from({ length: 1000 }, (_, n) => ({ op: 'set', instanceId: 'p', namespace: 'ns', key: key(from + n), value: from + n, autoCreateInstance: true }));
      const written = await store.batch(ops);
      if (!written.success) throw new Error(`seeding: ${written.error}`);
    }
    await barrier(channel, side, 'seeded');
    const churned = await churn(store, channel);
    await barrier(channel, side, 'walked');
    channel.close();
    return { storage: store.storage, ...churned };
  }
  await barrier(channel, side, 'seeded');
  await until(async () => (await store.getRecordCount('p', 'ns')).data?.count === RECORDS, 20000);
  const { seen, pages } = await walk(store);
  channel.postMessage({ side, label: 'walked' });
  await barrier(channel, side, 'walked');
  channel.close();
  const counts = new Map();
  for (const k of seen) counts.set(k, (counts.get(k) ?? 0) + 1);
  const stable = Array.from({ length: RECORDS }, (_, i) => i).filter((i) => !volatile(i)).map(key);
  return {
    storage: store.storage,
    pages,
    found: seen.length,
    repeated: [...counts].filter(([, n]) => n > 1).map(([k]) => k),
    missing: stable.filter((k) => !counts.has(k)),
    stable: stable.length,
    ordered: seen.every((k, i) => i === 0 || seen[i - 1] < k),
  };
}
