// The in-page half of the watch scenario of tests/browser/persistence.mjs
// (step `watch`): two top-level tabs of one browser on one store. Tab A
// reads its first state of one namespace, then watches that namespace and
// a query over it; tab B makes 1,000 random writes (sets, some expiring,
// deletes, writes fired together, batches, a deleteNamespace), then one
// last batch, which A must hear as one event. After B's
// last commit, A applies its events in order to its first state and reports
// that view beside a fresh read and a fresh query, and its last live query
// result; B reports its own fresh read. The driver compares them. On
// localStorage, B then wipes it (`localStorage.clear()`, as another program
// of the origin might) and A reports whether it heard the instance go.

import { barrier, until } from './in-step.js';

const WRITES = 1000;
const NAMESPACES = ['n0', 'n1', 'n2'];
const WATCHED = 'n1';
const QUERY = {
  from: { instance: 'w', namespace: WATCHED },
  where: [{ field: 'value.g', operator: 'eq', value: 1 }],
  orderBy: { field: 'value.s', direction: 'desc' },
  limit: 10,
};

/** Every record of the watched namespace, as a fresh read finds it, by key. */
async function freshRead(store) {
  const found = await store.query({ from: { instance: 'w', namespace: WATCHED }, limit: 100000 });
  if (!found.success) throw new Error(`query failed: ${found.error}`);
  return Object.fromEntries(found.data.result.records.map((r) => [r.key, r]));
}

/** What the events say the namespace holds, applied to `view` in order. */
function apply(view, event) {
  for (const change of event.changes) {
    if (change.op === 'set') view[change.record.key] = change.record;
    else if (change.op === 'delete' || change.op === 'expire') delete view[change.key];
    else if (change.op === 'deleteNamespace' || change.op === 'deleteInstance') for (const key of Object.keys(view)) delete view[key];
  }
}

/** A small deterministic random source, so a failure can be replayed. */
function random(seed) {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

/** Tab B's writes: 1,000 of them, some fired together, some awaited. */
async function write(store, seed) {
  const next = random(seed);
  let pending = [];
  const failures = [];
  const settle = async () => {
    for (const answer of await Promise.all(pending)) if (!answer.success) failures.push(answer.error);
    pending = [];
  };
  for (let i = 0; i < WRITES; i++) {
    const namespace = NAMESPACES[next(3)];
    const key = `k${next(40)}`;
    const value = { g: next(3), s: next(1000), i };
    const roll = next(100);
    if (i === WRITES / 2) pending.push(store.deleteNamespace('w', WATCHED));
    else if (roll < 50) pending.push(store.set('w', namespace, key, value));
    else if (roll < 60) pending.push(store.set('w', namespace, key, value, false, { expireIn: 50 + next(400) }));
    else if (roll < 80) pending.push(store.delete('w', namespace, key));
    else if (roll < 85) {
      const operations = Array.from({ length: 8 }, (_, n) => (n % 3 === 2
        ? { op: 'delete', instanceId: 'w', namespace, key: `k${next(40)}` }
        : { op: 'set', instanceId: 'w', namespace, key: `k${next(40)}`, value: { g: next(3), s: next(1000), i } }));
      pending.push(store.batch(operations));
    } else pending.push(store.set('w', namespace, key, value));
    if (next(4) === 0) await settle();
  }
  await settle();
  // Last, one batch of five sets: one commit, so one event for tab A.
  const together = Array.from({ length: 5 }, (_, n) => ({ op: 'set', instanceId: 'w', namespace: WATCHED, key: `together-${n}`, value: { g: 2, s: n, i: WRITES } }));
  const batch = await store.batch(together);
  if (!batch.success) failures.push(batch.error);
  return failures;
}

/** Runs this tab's side; what it saw, for the driver. */
export async function watching(store, side, run) {
  const channel = new BroadcastChannel(`watch-barrier-${run}`);
  await barrier(channel, side, 'open');
  if (side === 'B') {
    const made = await store.set('w', WATCHED, 'seed', { g: 1, s: 0, i: -1 }, true);
    await barrier(channel, side, 'seeded');
    await barrier(channel, side, 'watching');
    const failures = made.success ? await write(store, 20261202) : [made.error];
    // Every expiry given is at most 450 ms; one second on, B's sweep and
    // A's have removed them all.
    await new Promise((r) => setTimeout(r, 1000));
    await barrier(channel, side, 'written');
    const final = await freshRead(store);
    await barrier(channel, side, 'read');
    await barrier(channel, side, 'compared');
    // Another program of the origin wipes localStorage: tab A must hear it.
    if (store.storage.backend === 'localStorage') localStorage.clear();
    await barrier(channel, side, 'cleared');
    channel.close();
    return { storage: store.storage, failures, final };
  }
  await barrier(channel, side, 'seeded');
  await until(async () => (await store.get('w', WATCHED, 'seed')).data?.exists, 10000);
  const first = await freshRead(store);
  const view = structuredClone(first);
  const origins = { local: 0, remote: 0 };
  let events = 0;
  let instanceGone = false;
  const together = [];
  const stopWatch = store.watch({ instance: 'w', namespace: WATCHED }, (event) => {
    events++;
    const keys = event.changes.map((change) => change.record?.key ?? change.key);
    if (keys.some((key) => key?.startsWith('together-'))) together.push(keys);
    origins[event.origin]++;
    apply(view, event);
    instanceGone ||= event.changes.some((change) => change.op === 'deleteInstance');
  });
  const results = [];
  const stopQuery = store.watchQuery(QUERY, (result) => results.push(result));
  await barrier(channel, side, 'watching');
  await barrier(channel, side, 'written');
  await barrier(channel, side, 'read');
  // B's last commit may still be on its way to this tab.
  const key = (records) => JSON.stringify(Object.keys(records).sort().map((k) => records[k]));
  await until(async () => key(view) === key(await freshRead(store)), 10000);
  const fresh = await freshRead(store);
  const query = await store.query(QUERY);
  const [lastLive, applied] = [results.at(-1), structuredClone(view)];
  await barrier(channel, side, 'compared');
  await barrier(channel, side, 'cleared');
  const cleared = store.storage.backend === 'localStorage' && {
    told: !!(await until(() => instanceGone, 10000)),
    instances: (await store.listInstances()).data.instances.length,
  };
  stopWatch();
  stopQuery();
  channel.close();
  return {
    storage: store.storage,
    first: Object.keys(first),
    view: applied,
    fresh,
    events,
    origins,
    liveResults: results.length,
    lastLive,
    together,
    query: query.data?.result,
    cleared,
  };
}
