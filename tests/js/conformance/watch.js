// Watching changes (docs/beyond.md, section 6): watch(selector, listener)
// with one event per committed batch, only the changes the selector covers,
// expiries as `expire`, a throwing listener that harms nothing, stop
// functions; watchQuery answering at once and again only when its result
// changes. Events from other tabs are tested in tests/browser/persistence.mjs.
//
// The edge suite runs these twice (tests/edge/worker.test.mjs): inside the
// worker, on a store of its own (a Durable Object's, or on Workers KV), as
// any other runner does; and over HTTP on Durable Objects (`open.feed`),
// where `watch` follows the example service's live feed
// (examples/worker/client-watch.js): every event there is another request's,
// and the service, not the caller's process, judges the selector.

import { deepEqual, equal, ok } from './assert.js';
import { expectOk, put } from './support.js';

export const cases = [];
const test = (name, fn) => cases.push({ name, fn });

const sleep = (n) => new Promise((resolve) => setTimeout(resolve, n));
/** Lets the listeners queued so far run (they run in microtasks). */
const settled = () => sleep(0);

/** Whether `open` makes stores served over HTTP, watched through the feed. */
const overFeed = (open) => open.feed === true;

/** Watches `selector` on `kv`; `seen` fills with every event. */
function watching(kv, selector) {
  const seen = [];
  const stop = kv.watch(selector, (event) => seen.push(event));
  return { seen, stop };
}

/** Each event as `op:namespace/key` (or `op:name`) strings. */
const ops = (seen) => seen.map((event) => event.changes.map((c) => {
  switch (c.op) {
    case 'set': return `set:${c.record.namespace}/${c.record.key}`;
    case 'delete': case 'expire': return `${c.op}:${c.namespace}/${c.key}`;
    case 'deleteNamespace': return `deleteNamespace:${c.namespace}`;
    case 'instance': return `instance:${c.instance.name}`;
    default: return c.op;
  }
}).join(' '));

test('watch: an event per write, after it is durable, with the record as set answered it', async (open) => {
  const kv = await open();
  const { seen } = watching(kv, {});
  const record = await put(kv, 'i', 'ns', 'k', { a: 1 }, true);
  const gone = expectOk(await kv.delete('i', 'ns', 'k'), 'delete');
  equal(gone.deleted, true);
  await settled();
  deepEqual(ops(seen), ['instance:i set:ns/k', 'delete:ns/k']);
  const [created, deleted] = seen;
  deepEqual(Object.keys(created).sort(), ['changes', 'origin', 'type']);
  equal(created.type, 'kvStore.change');
  equal(created.origin, overFeed(open) ? 'remote' : 'local');
  deepEqual(created.changes[1], { op: 'set', record });
  deepEqual(deleted.changes, [{ op: 'delete', instanceId: record.instanceId, namespace: 'ns', key: 'k' }]);
  equal(created.changes[0].instance.id, record.instanceId);
});

test('watch: each selector gets only the changes it covers', async (open) => {
  const kv = await open();
  const app = expectOk(await kv.createInstance('app'), 'createInstance').instance;
  expectOk(await kv.createInstance('other'), 'createInstance');
  const byName = watching(kv, { instance: 'app' });
  const byId = watching(kv, { instance: app.id });
  const namespace = watching(kv, { instance: 'app', namespace: 'a' });
  const key = watching(kv, { instance: 'app', namespace: 'a', key: 'k1' });
  const prefix = watching(kv, { keyPrefix: 'user:' });
  const everywhere = watching(kv, { namespace: 'a' });
  await put(kv, 'app', 'a', 'k1', 1);
  await put(kv, 'app', 'a', 'user:1', 2);
  await put(kv, 'app', 'b', 'k1', 3);
  await put(kv, 'other', 'a', 'user:2', 4);
  expectOk(await kv.deleteNamespace('app', 'b'), 'deleteNamespace');
  expectOk(await kv.updateInstance('app', { description: 'd' }), 'updateInstance');
  expectOk(await kv.deleteInstance('other'), 'deleteInstance');
  await settled();
  const appChanges = ['set:a/k1', 'set:a/user:1', 'set:b/k1', 'deleteNamespace:b', 'instance:app'];
  deepEqual(ops(byName.seen), appChanges);
  deepEqual(ops(byId.seen), appChanges);
  deepEqual(ops(namespace.seen), ['set:a/k1', 'set:a/user:1', 'instance:app'], 'a namespace: its records, and its instance');
  deepEqual(ops(key.seen), ['set:a/k1', 'instance:app']);
  deepEqual(ops(prefix.seen), ['set:a/user:1', 'set:a/user:2', 'deleteNamespace:b', 'instance:app', 'deleteInstance']);
  deepEqual(ops(everywhere.seen), ['set:a/k1', 'set:a/user:1', 'set:a/user:2', 'instance:app', 'deleteInstance']);
});

test('watch: a batch is one event with its changes in order; a refused write makes none', async (open) => {
  const kv = await open();
  await put(kv, 'i', 'ns', 'old', 0, true);
  const { seen } = watching(kv, { instance: 'i' });
  expectOk(await kv.batch([
    { op: 'set', instanceId: 'i', namespace: 'ns', key: 'a', value: 1 },
    { op: 'delete', instanceId: 'i', namespace: 'ns', key: 'old' },
    { op: 'set', instanceId: 'i', namespace: 'ns', key: 'b', value: 2 },
  ]), 'batch');
  const refused = await kv.set('i', 'ns', 'a', 3, false, { ifVersion: null });
  equal(refused.success, false);
  const invalid = await kv.set('i', 'ns', 'a', undefined);
  equal(invalid.success, false);
  await settled();
  deepEqual(ops(seen), ['set:ns/a delete:ns/old set:ns/b']);
});

test('watch: writes made together share one event on storage that commits them together', async (open) => {
  const kv = await open();
  await put(kv, 'i', 'ns', 'first', 0, true);
  const { seen } = watching(kv, { instance: 'i' });
  const writes = await Promise.all([kv.set('i', 'ns', 'a', 1), kv.set('i', 'ns', 'b', 2), kv.delete('i', 'ns', 'first')]);
  deepEqual(writes.map((w) => w.success), [true, true, true]);
  await settled();
  // The memory backend has no commits: each write is its own.
  const expected = open.backend === 'memory' ? ['set:ns/a', 'set:ns/b', 'delete:ns/first'] : ['set:ns/a set:ns/b delete:ns/first'];
  if (overFeed(open)) {
    // Requests reach the object one by one, in any order, and share a
    // commit only when they arrive within one tick: each change comes once.
    deepEqual(ops(seen).join(' ').split(' ').sort(), expected.join(' ').split(' ').sort());
  } else {
    deepEqual(ops(seen), expected);
  }
});

test('watch: an expired record is an expire change', async (open) => {
  const kv = await open();
  await put(kv, 'i', 'ns', 'kept', 0, true);
  const { seen } = watching(kv, {});
  expectOk(await kv.set('i', 'ns', 'brief', 1, false, { expireIn: 30 }), 'set');
  await sleep(80);
  equal((await kv.get('i', 'ns', 'brief')).data.exists, false);
  // The removal is committed in the background; a busy machine's IndexedDB
  // may take a while (bounded: 5 s).
  for (let wait = 0; wait < 200 && seen.length < 2; wait++) await sleep(25);
  deepEqual(ops(seen), ['set:ns/brief', 'expire:ns/brief']);
});

test('watch: a listener that throws harms neither the other listeners nor the store', async (open) => {
  const kv = await open();
  const reported = [];
  const consoleError = console.error;
  console.error = (...args) => reported.push(args);
  try {
    kv.watch({}, () => { throw new Error('listener fault'); });
    const { seen } = watching(kv, {});
    const written = await kv.set('i', 'ns', 'k', 1, true);
    equal(written.success, true);
    await settled();
    deepEqual(ops(seen), ['instance:i set:ns/k']);
    equal(reported.length, 1);
    ok(String(reported[0][0]).includes('a watch listener threw'), `reported: ${reported[0][0]}`);
    equal(reported[0][1].message, 'listener fault');
    equal((await kv.get('i', 'ns', 'k')).data.value, 1);
  } finally {
    console.error = consoleError;
  }
});

test('watch: a stopped watch hears nothing more, and stopping twice is harmless', async (open) => {
  const kv = await open();
  const { seen, stop } = watching(kv, {});
  await put(kv, 'i', 'ns', 'a', 1, true);
  await settled();
  stop();
  stop();
  await put(kv, 'i', 'ns', 'b', 2);
  await settled();
  deepEqual(ops(seen), ['instance:i set:ns/a']);
});

test('watch: a bad selector or listener throws a TypeError at once', async (open) => {
  const kv = await open();
  const refusals = [
    [{ namespace: 5 }, () => {}, /selector/],
    [{ instanceId: 'i' }, () => {}, /unknown field `instanceId`/],
    ['i', () => {}, /selector must be an object/],
    [{ namespace: '' }, () => {}, /namespace must not be empty/],
    [{}, 'not a function', /listener must be a function/],
  ];
  for (const [selector, listener, says] of refusals) {
    let thrown;
    let stop;
    try {
      stop = kv.watch(selector, listener);
    } catch (e) {
      thrown = e;
    }
    if (overFeed(open) && typeof listener === 'function') {
      // The service judges the selector: the feed ends with the store's
      // TypeError as an INVALID_ARGUMENT failure.
      const { failure } = await stop.closed;
      equal(failure.code, 'INVALID_ARGUMENT');
      ok(says.test(failure.error), `the error "${failure.error}" says ${says}`);
      continue;
    }
    ok(thrown instanceof TypeError, `watch(${JSON.stringify(selector)}) threw ${thrown}`);
    ok(says.test(thrown.message), `the message "${thrown.message}" says ${says}`);
  }
  equal((await kv.set('i', 'ns', 'k', 1, true)).success, true, 'the store works on');
});

test('watchQuery: the result soon after the call, then again only when it changes', async (open) => {
  const kv = await open();
  await put(kv, 'i', 'scores', 'ada', { group: 1, score: 5 }, true);
  const results = [];
  const stop = kv.watchQuery({
    from: { instance: 'i', namespace: 'scores' },
    where: [{ field: 'value.group', operator: 'eq', value: 1 }],
    orderBy: { field: 'value.score', direction: 'desc' },
  }, (result) => results.push(result));
  await settled();
  const keys = () => results.map((r) => r.records.map((record) => record.key));
  deepEqual(keys(), [['ada']]);
  deepEqual(Object.keys(results[0]).sort(), ['limit', 'offset', 'records', 'total']);
  await put(kv, 'i', 'scores', 'cy', { group: 2, score: 9 });
  await put(kv, 'i', 'other', 'bo', { group: 1, score: 9 });
  await settled();
  equal(results.length, 1, 'changes that leave the result equal are not told');
  const bo = await put(kv, 'i', 'scores', 'bo', { group: 1, score: 9 });
  expectOk(await kv.delete('i', 'scores', 'ada'), 'delete');
  await settled();
  deepEqual(keys(), [['ada'], ['bo', 'ada'], ['bo']]);
  deepEqual(results[2], { records: [bo], total: 1, limit: 100, offset: 0 });
  stop();
  await put(kv, 'i', 'scores', 'dee', { group: 1, score: 1 });
  await settled();
  equal(results.length, 3, 'stopped');
});

test('watchQuery: a bad query throws a TypeError at once', async (open) => {
  const kv = await open();
  let thrown;
  try {
    kv.watchQuery({ from: { instance: 'i' }, limit: -1 }, () => {});
  } catch (e) {
    thrown = e;
  }
  ok(thrown instanceof TypeError, `threw ${thrown}`);
  ok(/Invalid query at limit/.test(thrown.message), thrown.message);
});
