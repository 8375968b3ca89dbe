// The in-page half of the two-tab race of tests/browser/persistence.mjs
// (step `tabs`): two top-level tabs of one browser open the same store and,
// in step with each other (a barrier over a BroadcastChannel), race on what
// storage must decide: creating one instance name, auto-creating one
// instance with `set`, 200 increments each of one counter with
// `ifVersion`, retrying on CONFLICT, two renames to one new name and two
// updates of one instance, and writes of one tab into instances the other
// deletes at the same moment. Each tab reports what it saw; the driver
// asserts.

import { barrier, until } from './in-step.js';

const INCREMENTS = 200;
/** Instances tab A writes into while tab B deletes them, and A's writes into each, at most. */
const DOOMED = 10;
const DOOMED_WRITES = 500;

/** The counter's record (value and version), once this tab knows it. */
async function counter(store) {
  const found = await store.query({ from: { instance: 'counter-app', namespace: 'c' }, where: [{ field: 'key', operator: 'eq', value: 'n' }] });
  return found.success ? found.data.result.records[0] : undefined;
}

/** Runs this tab's side of the race; what it saw, for the driver. */
export async function tabs(store, side, run) {
  const channel = new BroadcastChannel(`tabs-barrier-${run}`);
  await barrier(channel, side, 'open');

  // One name, created by both tabs at once: storage lets one through.
  const created = await store.createInstance('shared-name', `made by ${side}`);
  await barrier(channel, side, 'created');
  const named = (await store.listInstances()).data.instances.filter((i) => i.name === 'shared-name');

  // One instance auto-created by both tabs' first set: both land in it.
  const auto = await store.set('auto-app', 'ns', `from-${side}`, side, true);
  await barrier(channel, side, 'auto');
  const other = side === 'A' ? 'B' : 'A';
  const reachable = await until(async () => (await store.get('auto-app', 'ns', `from-${other}`)).data?.exists, 10000);
  const autoInstances = (await store.listInstances()).data.instances.filter((i) => i.name === 'auto-app').map((i) => i.id);

  // The counter: made once (the other tab's attempt conflicts), then raced.
  const made = await store.set('counter-app', 'c', 'n', 0, true, { ifVersion: null });
  await barrier(channel, side, 'counter');
  await until(() => counter(store), 10000);
  let conflicts = 0;
  const failures = [];
  for (let i = 0; i < INCREMENTS; i++) {
    for (;;) {
      const now = await counter(store);
      if (!now) {
        const found = await store.query({ from: { instance: 'counter-app', namespace: 'c' } });
        throw new Error(`the counter vanished at increment ${i}: ${JSON.stringify(found)}`);
      }
      const next = await store.set('counter-app', 'c', 'n', now.value + 1, false, { ifVersion: now.version });
      if (next.success) break;
      if (next.code === 'CONFLICT') conflicts++;
      else {
        failures.push(next.error);
        break;
      }
    }
  }
  await barrier(channel, side, 'counted');
  const final = await until(async () => {
    const now = await counter(store);
    return now?.value === 2 * INCREMENTS ? now : undefined;
  }, 10000);
  const updates = await instanceUpdates(store, side, channel);
  const doomed = await writesIntoDeleted(store, side, channel);
  channel.close();
  return {
    storage: store.storage,
    created: { success: created.success, code: created.code, id: created.data?.instance.id },
    named: named.map((i) => i.id),
    auto: { success: auto.success, instanceId: auto.data?.record.instanceId, reachable: !!reachable, instances: autoInstances },
    counter: { made: made.success || made.code, conflicts, failures, final: final?.value ?? (await counter(store))?.value },
    updates,
    doomed,
  };
}

/**
 * Each tab renames its own instance to one new name, then both set the
 * description of one instance, each from what it knew, at once: storage
 * lets one rename through, and an update made from a state the other tab
 * has changed meanwhile answers CONFLICT instead of undoing that change.
 * Reports the answers, what a store opened afresh on the storage shows,
 * and whether this tab's own store came to show the same.
 */
async function instanceUpdates(store, side, channel) {
  const names = ['rename-A', 'rename-B', 'described'];
  if (side === 'A') for (const name of names) await store.createInstance(name);
  await until(async () => (await Promise.all(names.map((n) => store.getInstance(n)))).every((r) => r.success), 10000);
  await barrier(channel, side, 'update');
  const renamed = await store.updateInstance(`rename-${side}`, { name: 'renamed' });
  const described = await store.updateInstance('described', { description: `by ${side}` });
  await barrier(channel, side, 'updated');
  const shown = async (s) => {
    const instances = (await s.listInstances()).data.instances;
    const id = (name) => instances.filter((i) => i.name === name).map((i) => i.id);
    return { renamed: id('renamed'), left: [...id('rename-A'), ...id('rename-B')].length, description: instances.find((i) => i.name === 'described')?.description };
  };
  const { backend, name } = store.storage;
  const fresh = await store.constructor.open({ backend, name });
  const stored = await shown(fresh);
  fresh.free();
  const agrees = await until(async () => JSON.stringify(await shown(store)) === JSON.stringify(stored), 10000);
  return {
    renamed: renamed.success ? renamed.data.instance.id : renamed.code,
    described: described.success || described.code,
    stored,
    agrees,
  };
}

/**
 * Tab A writes into an instance while tab B deletes it, round after
 * round: each write lands before the delete (and goes with it) or answers
 * NOT_FOUND (from storage, when this tab had not yet heard of the delete). Reports A's answers by outcome, the doomed instances each tab
 * still lists, and what a store opened afresh on the storage skips (a
 * record left without its instance would be there).
 */
async function writesIntoDeleted(store, side, channel) {
  const answers = {};
  for (let round = 0; round < DOOMED; round++) {
    const name = `doomed-${round}`;
    if (side === 'A') await store.createInstance(name);
    await until(async () => (await store.getInstance(name)).success, 10000);
    await barrier(channel, side, name);
    if (side === 'A') {
      // One after another until the delete falls between two of them: a
      // write made before this tab heard of it reaches storage after it.
      // On localStorage each waits a task first: this tab may be the one
      // writing for both, and a loop of awaits alone (microtasks) would
      // never let the other tab's delete in.
      const yields = store.storage.backend === 'localStorage';
      for (let i = 0; i < DOOMED_WRITES; i++) {
        if (yields) await new Promise((resolve) => setTimeout(resolve, 0));
        const answer = await store.set(name, 'ns', `k${i}`, i);
        const meanwhile = answer.error?.startsWith('The instance was deleted by another tab') ? ', deleted meanwhile' : '';
        const outcome = answer.success ? 'written' : `${answer.code}${meanwhile}`;
        answers[outcome] = (answers[outcome] ?? 0) + 1;
        if (!answer.success) break;
      }
    } else {
      await store.deleteInstance(name);
    }
  }
  await barrier(channel, side, 'doomed');
  const isDoomed = (i) => i.name.startsWith('doomed-');
  const left = await until(async () => {
    const listed = (await store.listInstances()).data.instances.filter(isDoomed);
    return listed.length === 0 ? listed : undefined;
  }, 10000);
  const { backend, name } = store.storage;
  const fresh = await store.constructor.open({ backend, name });
  const seen = { answers, left: left ?? (await store.listInstances()).data.instances.filter(isDoomed).map((i) => i.name) };
  seen.fresh = { skipped: fresh.storage.skipped, left: (await fresh.listInstances()).data.instances.filter(isDoomed).map((i) => i.name) };
  fresh.free();
  return seen;
}
