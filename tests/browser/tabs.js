// The in-page half of the two-tab race of tests/browser/persistence.mjs
// (step `tabs`): two top-level tabs of one browser open the same store and,
// in step with each other (a barrier over a BroadcastChannel), race on what
// storage must decide: creating one instance name, auto-creating one
// instance with `set`, and 200 increments each of one counter with
// `ifVersion`, retrying on CONFLICT. Each tab reports what it saw; the
// driver asserts.

import { barrier, until } from './in-step.js';

const INCREMENTS = 200;

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
  channel.close();
  return {
    storage: store.storage,
    created: { success: created.success, code: created.code, id: created.data?.instance.id },
    named: named.map((i) => i.id),
    auto: { success: auto.success, instanceId: auto.data?.record.instanceId, reachable: !!reachable, instances: autoInstances },
    counter: { made: made.success || made.code, conflicts, failures, final: final?.value ?? (await counter(store))?.value },
  };
}
