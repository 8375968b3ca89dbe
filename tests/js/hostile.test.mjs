// Hostile input: every method called with wrong types, missing and extra
// arguments, empty and huge strings, null/undefined, objects, Symbols,
// BigInts, functions and throwing Proxies. Every call must resolve (never
// reject, never throw synchronously) to success: false with an error
// sentence and no data, and the store must come out of it intact.

import { test } from 'node:test';
import { KvStore } from '../../pkg/node.js';
import { deepEqual, equal, ok } from './conformance/assert.js';
import { call, expectErr, expectOk } from './conformance/support.js';

const HUGE = 'x'.repeat(10 * 1024 * 1024); // 10 MB
const TARGET = 'target'; // the instance every store below holds

function boom() {
  throw new Error('hostile trap');
}

const TRAPS = {
  get: boom, set: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom,
  setPrototypeOf: boom, defineProperty: boom, deleteProperty: boom, isExtensible: boom, preventExtensions: boom,
  apply: boom, construct: boom,
};

const throwingProxy = () => new Proxy({}, TRAPS);
const throwingArrayProxy = () => new Proxy([], TRAPS);
const throwingFunctionProxy = () => new Proxy(function target() {}, TRAPS);
function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}
/** Looks like the string 'target' to anything that coerces it. */
const coercible = () => ({ toString: () => TARGET, valueOf: () => TARGET, [Symbol.toPrimitive]: () => TARGET });
const throwingPrimitive = () => ({ [Symbol.toPrimitive]: boom, toString: boom, valueOf: boom, toJSON: boom });
const throwingGetter = (name) => Object.defineProperty({}, name, { enumerable: true, get: boom });
function cyclic() {
  const o = { a: 1 };
  o.self = o;
  return o;
}

/** Values that are not strings (undefined and null included). */
const NOT_STRINGS = () => [
  undefined, null, 0, 1, -1, 1.5, NaN, Infinity, true, false, 10n, Symbol('s'), Symbol.iterator,
  {}, [], [TARGET], { instance: TARGET }, () => TARGET, function named() {}, async () => TARGET,
  new String(TARGET), new Date(), /target/, new Map(), new Set([TARGET]), new Uint8Array([116]),
  Promise.resolve(TARGET), throwingProxy(), throwingArrayProxy(), throwingFunctionProxy(), revokedProxy(),
  coercible(), throwingPrimitive(), Object.create(null),
];

/** Strings that are never valid names, namespaces or keys. */
const BAD_STRINGS = () => ['', '\uD800', 'a\uDC00', '\uDE00\uD83D', HUGE];

/** A readable rendering of a hostile argument (proxies and all). */
function describe(a, depth = 0) {
  try {
    if (a === undefined) return 'undefined';
    if (a === null || typeof a === 'number' || typeof a === 'boolean') return Object.is(a, -0) ? '-0' : String(a);
    if (typeof a === 'string') return a.length > 40 ? `<string of ${a.length}>` : JSON.stringify(a);
    if (typeof a === 'bigint') return `${a}n`;
    if (typeof a === 'symbol') return a.toString();
    if (typeof a === 'function') return '<function>';
    if (depth > 3) return '...';
    if (a instanceof String) return `new String(${JSON.stringify(String(a))})`;
    if (a instanceof Number) return `new Number(${Number(a)})`;
    if (a instanceof Boolean) return `new Boolean(${a.valueOf()})`;
    if (Array.isArray(a)) return `[${a.map((v) => describe(v, depth + 1)).join(', ')}]`;
    const proto = Object.getPrototypeOf(a);
    const name = proto === Object.prototype ? '' : proto === null ? '[null prototype] ' : `${(proto.constructor && proto.constructor.name) || '?'} `;
    const keys = Reflect.ownKeys(a);
    return `${name}{${keys.map((k) => `${typeof k === 'symbol' ? `[${k.toString()}]` : k}: ${describe(a[k], depth + 1)}`).join(', ')}}`;
  } catch {
    return '<throwing object>';
  }
}

function label(method, args) {
  return `${method}(${args.map((a) => describe(a)).join(', ')})`;
}

/**
 * Whether a hostile argument holds the 10 MB string, looking only into plain
 * objects and arrays (and never failing on a proxy or a throwing getter).
 */
function holdsHuge(value, depth = 0) {
  try {
    if (value === HUGE) return true;
    if (value === null || typeof value !== 'object' || depth > 4) return false;
    if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) return false;
    return Object.values(value).some((member) => holdsHuge(member, depth + 1));
  } catch {
    return false;
  }
}

/**
 * The code a hostile call is refused with: each case has one bad argument,
 * and the 10 MB string where a name, value, update or query belongs is over
 * a limit; everything else is malformed (set's flag must be a boolean, however long).
 */
function expectedCode(method, args) {
  const flag = method === 'set' ? 4 : -1;
  return args.some((arg, i) => i !== flag && holdsHuge(arg)) ? 'TOO_LARGE' : 'INVALID_ARGUMENT';
}

/** Calls and checks: resolves, success false, a sentence, its code, no data, the method's type. */
async function refused(kv, method, args, code = expectedCode(method, args)) {
  const res = await call(kv, method, ...args);
  expectErr(res, method, code, undefined, label(method, args));
}

/**
 * Collects failed checks instead of stopping at the first, so one run lists
 * every call the store got wrong; `finish` fails with all of them.
 */
function collector() {
  const problems = [];
  return {
    async refused(kv, method, args, code) {
      try {
        await refused(kv, method, args, code);
      } catch (e) {
        problems.push(String(e && e.message).slice(0, 400));
      }
    },
    finish() {
      if (problems.length) {
        const distinct = [...new Set(problems.map((p) => p.slice(0, 160)))];
        const shown = distinct.slice(0, 25).map((p) => problems.find((q) => q.startsWith(p)));
        const more = distinct.length > 25 ? `\n  ... and ${distinct.length - 25} more distinct ones` : '';
        throw new Error(`${problems.length} hostile call(s) were not refused properly:\n  - ${shown.join('\n  - ')}${more}`);
      }
    },
  };
}

/** A store with instance 'target' (and one more), some records in two namespaces. */
async function seeded() {
  const kv = await KvStore.open();
  expectOk(await kv.createInstance(TARGET, 'the target'), 'createInstance');
  expectOk(await kv.createInstance('other'), 'createInstance');
  const data = {};
  for (let n = 0; n < 20; n++) {
    for (const ns of ['ns', 'ns2']) {
      const value = { n, ns, list: [n, `${n}`], nested: { ok: n % 2 === 0 } };
      expectOk(await kv.set(TARGET, ns, `k${n}`, value), 'set');
      data[`${ns}/k${n}`] = value;
    }
  }
  expectOk(await kv.set('other', 'ns', 'k0', 'other value'), 'set');
  return { kv, data };
}

/** Everything observable about the store, for before/after comparisons. */
async function snapshot(kv) {
  const instances = expectOk(await kv.listInstances(), 'listInstances').instances;
  const out = { instances, records: {}, namespaces: {}, counts: {} };
  for (const inst of instances) {
    out.records[inst.id] = expectOk(await kv.query({ from: { instance: inst.id }, limit: 10000 }), 'query').result;
    out.namespaces[inst.id] = expectOk(await kv.getNamespaces(inst.id), 'getNamespaces').namespaces;
    out.counts[inst.id] = expectOk(await kv.getRecordCount(inst.id), 'getRecordCount').count;
  }
  return out;
}

/** Unhandled rejections seen while a test runs must stay zero. */
function watchRejections() {
  const seen = [];
  const onRejection = (reason) => seen.push(reason);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('unhandledRejection', onRejection);
    deepEqual(seen.map(String), [], 'no unhandled rejections');
  };
}

/** For each method: valid arguments, and which positions hold strings. */
const SIGNATURES = {
  createInstance: { args: ['brand-new', 'a description'], required: [0], optional: [1] },
  getInstance: { args: [TARGET], required: [0] },
  updateInstance: { args: [TARGET, { description: 'changed' }], required: [0] },
  deleteInstance: { args: [TARGET], required: [0] },
  get: { args: [TARGET, 'ns', 'k0'], required: [0, 1, 2] },
  set: { args: [TARGET, 'ns', 'hostile-key', 'v'], required: [0, 1, 2] },
  delete: { args: [TARGET, 'ns', 'k0'], required: [0, 1, 2] },
  deleteNamespace: { args: [TARGET, 'ns'], required: [0, 1] },
  getNamespaces: { args: [TARGET], required: [0] },
  getRecordCount: { args: [TARGET, 'ns'], required: [0], optional: [1] },
};

for (const [method, sig] of Object.entries(SIGNATURES)) {
  test(`hostile: ${method} refuses non-strings, empty, lone-surrogate and 10 MB strings where strings belong`, async () => {
    const done = watchRejections();
    const { kv } = await seeded();
    const before = await snapshot(kv);
    const c = collector();
    for (const pos of sig.required) {
      for (const bad of [...NOT_STRINGS(), ...BAD_STRINGS()]) {
        const args = sig.args.slice();
        args[pos] = bad;
        await c.refused(kv, method, args);
      }
    }
    for (const pos of sig.optional || []) {
      // undefined means "not given" there; null is left undecided.
      for (const bad of [...NOT_STRINGS().filter((v) => v !== undefined && v !== null), '\uD800', HUGE]) {
        const args = sig.args.slice();
        args[pos] = bad;
        await c.refused(kv, method, args);
      }
    }
    c.finish();
    deepEqual(await snapshot(kv), before, 'the store is unchanged');
    done();
  });
}

test('hostile: set refuses unstorable values and non-boolean autoCreateInstance flags', async () => {
  const done = watchRejections();
  const { kv } = await seeded();
  const before = await snapshot(kv);
  const c = collector();
  const badValues = [
    undefined, Symbol('v'), () => 1, 10n, NaN, Infinity, -Infinity, cyclic(), throwingProxy(), throwingArrayProxy(),
    revokedProxy(), throwingPrimitive(), throwingGetter('x'), { a: 10n }, [NaN], { deep: [{ x: -Infinity }] },
    '\uD800', { '\uDC00': 1 }, HUGE, { big: HUGE }, { toJSON: boom }, { toJSON: () => undefined },
  ];
  for (const value of badValues) {
    await c.refused(kv, 'set', [TARGET, 'ns', 'hostile-key', value]);
    await c.refused(kv, 'set', [TARGET, 'ns', 'k0', value]); // an overwrite of existing data
    await c.refused(kv, 'set', ['auto-made', 'ns', 'k', value, true]);
  }
  const badFlags = [
    'true', 'false', 1, 0, -1, NaN, '', {}, [], [true], Symbol('f'), 10n, () => true, new Boolean(true),
    throwingProxy(), revokedProxy(), coercible(), throwingPrimitive(), HUGE,
  ];
  for (const flag of badFlags) {
    await c.refused(kv, 'set', [TARGET, 'ns', 'hostile-key', 'v', flag]);
    await c.refused(kv, 'set', ['auto-made', 'ns', 'k', 'v', flag]);
  }
  c.finish();
  deepEqual(await snapshot(kv), before, 'the store is unchanged, no instance auto-created');
  done();
});

test('hostile: export refuses every malformed selector, import every malformed text and options object', async () => {
  const done = watchRejections();
  const { kv } = await seeded();
  const before = await snapshot(kv);
  const text = expectOk(await kv.export(), 'export').text;
  const c = collector();
  const notObjects = [TARGET, 1, true, 10n, Symbol('s'), () => 1, [], [TARGET], new String(TARGET), throwingProxy(), revokedProxy(), throwingPrimitive()];
  const badSelectors = [
    ...notObjects, { instance: 1 }, { instance: '' }, { namespace: '' }, { instance: '\uD800' }, { instance: TARGET, key: 'k0' },
    { instance: TARGET, namespace: HUGE }, throwingGetter('instance'), { instance: coercible() },
  ];
  for (const selector of badSelectors) await c.refused(kv, 'export', [selector]);
  const badOptions = [
    ...notObjects, { mode: 'REPLACE' }, { mode: 'overwrite' }, { mode: 1 }, { mode: null, extra: 1 }, { mode: HUGE }, throwingGetter('mode'),
  ];
  for (const options of badOptions) await c.refused(kv, 'import', [text, options]);
  // The text has no size limit of its own: a huge one is refused for what it holds.
  for (const bad of [...NOT_STRINGS(), ...BAD_STRINGS()]) await c.refused(kv, 'import', [bad, { mode: 'replace' }], 'INVALID_ARGUMENT');
  c.finish();
  deepEqual(await snapshot(kv), before, 'the store is unchanged');
  done();
});

test('hostile: names holding U+FFFD itself (what a lone surrogate would turn into) are kept exactly', async () => {
  const kv = await KvStore.open();
  const [instance, ns, key] = ['inst\uFFFD', '\uFFFDns', 'k\uFFFD\uD83D\uDE00'];
  const set = expectOk(await kv.set(instance, ns, key, { v: '\uFFFD' }, true), 'set');
  deepEqual([set.record.namespace, set.record.key, set.record.value], [ns, key, { v: '\uFFFD' }]);
  const got = expectOk(await kv.get(instance, ns, key), 'get');
  deepEqual(got, { value: { v: '\uFFFD' }, exists: true });
  deepEqual(expectOk(await kv.getNamespaces(instance), 'getNamespaces'), { namespaces: [ns] });
  expectErr(await kv.get(instance, ns, 'k\uD800'), 'get', 'INVALID_ARGUMENT');
});

test('hostile: updateInstance refuses every malformed update', async () => {
  const done = watchRejections();
  const { kv } = await seeded();
  const before = await snapshot(kv);
  const c = collector();
  const badUpdates = [
    undefined, null, 'new-name', 5, true, 10n, Symbol('u'), () => ({ name: 'x' }), [], [{ name: 'x' }], {},
    { name: 5 }, { name: '' }, { name: null }, { name: HUGE }, { name: '\uD800' }, { name: {} }, { name: ['x'] },
    { name: 10n }, { name: Symbol('n') }, { name: throwingProxy() }, { name: coercible() },
    { description: HUGE }, { description: 5 }, { description: '\uDC00' }, { description: [] },
    { foo: 1 }, { name: 'x', extra: 1 }, { id: 'x' }, { createdAt: 'x' },
    throwingProxy(), revokedProxy(), throwingGetter('name'), throwingGetter('description'),
    new Proxy({ name: 'proxied' }, TRAPS), Object.create({ name: 'inherited' }), new Date(), new Map([['name', 'x']]),
  ];
  for (const update of badUpdates) {
    await c.refused(kv, 'updateInstance', [TARGET, update]);
  }
  await c.refused(kv, 'updateInstance', [TARGET, { name: 'other' }], 'ALREADY_EXISTS');
  c.finish();
  deepEqual(await snapshot(kv), before, 'the store is unchanged');
  done();
});

test('hostile: query refuses every malformed query object', async () => {
  const done = watchRejections();
  const { kv } = await seeded();
  const before = await snapshot(kv);
  const c = collector();
  const from = { instance: TARGET };
  const badQueries = [
    undefined, null, TARGET, 5, true, 10n, Symbol('q'), () => ({ from }), [], [from], {},
    throwingProxy(), revokedProxy(), throwingGetter('from'), new Proxy({ from }, TRAPS),
    { from: TARGET }, { from: null }, { from: [] }, { from: { instance: '' } }, { from: { instance: HUGE } },
    { from: { instance: '\uD800' } }, { from: { instance: 5 } }, { from: { instance: throwingProxy() } },
    { from: { instance: coercible() } }, { from: { instance: TARGET, namespace: HUGE } }, { from: { instance: TARGET, namespace: '' } },
    { from: throwingProxy() }, { from: throwingGetter('instance') },
    { from, where: 'key' }, { from, where: {} }, { from, where: [null] }, { from, where: [throwingProxy()] },
    { from, where: [{ field: 'key', operator: 'eq', value: 10n }] },
    { from, where: [{ field: 'key', operator: 'eq', value: Symbol('v') }] },
    { from, where: [{ field: 'key', operator: 'eq', value: cyclic() }] },
    { from, where: [{ field: 'key', operator: 'eq', value: NaN }] },
    { from, where: [{ field: 'key', operator: 'eq', value: '\uD800' }] },
    { from, where: [{ field: 'value.\uDC00', operator: 'exists' }] },
    { from, where: [{ field: HUGE, operator: 'eq', value: 1 }] },
    { from, where: [{ field: 'key', operator: HUGE, value: 1 }] },
    { from, where: [{ field: 'key', operator: 'in', value: throwingArrayProxy() }] },
    { from, where: [{ field: throwingPrimitive(), operator: 'eq', value: 1 }] },
    { from, select: 'key' }, { from, select: [10n] }, { from, select: throwingArrayProxy() },
    { from, orderBy: 'key' }, { from, orderBy: { field: 'key', direction: 5 } }, { from, orderBy: throwingProxy() },
    { from, limit: 'x' }, { from, limit: -1 }, { from, limit: NaN }, { from, limit: 10n }, { from, limit: Infinity },
    { from, offset: -1 }, { from, offset: {} }, { from, offset: Symbol('o') }, { from, limit: () => 5 },
    { from, limit: new Number(5) }, { from: { instance: new String(TARGET) } }, { from: { instance: TARGET, namespace: new String('ns') } },
    { from, where: [{ field: new String('key'), operator: 'eq', value: 'k0' }] },
    { from, extra: 1 }, { from, toString: 'x' },
  ];
  for (const dsl of badQueries) {
    await c.refused(kv, 'query', [dsl]);
  }
  c.finish();
  deepEqual(await snapshot(kv), before, 'the store is unchanged');
  done();
});

test('hostile: missing arguments are refused', async () => {
  const done = watchRejections();
  const { kv } = await seeded();
  const before = await snapshot(kv);
  const c = collector();
  const calls = [
    ['createInstance', []],
    ['getInstance', []],
    ['updateInstance', []],
    ['updateInstance', [TARGET]],
    ['deleteInstance', []],
    ['get', []],
    ['get', [TARGET]],
    ['get', [TARGET, 'ns']],
    ['set', []],
    ['set', [TARGET]],
    ['set', [TARGET, 'ns']],
    ['set', [TARGET, 'ns', 'hostile-key']],
    ['delete', []],
    ['delete', [TARGET]],
    ['delete', [TARGET, 'ns']],
    ['deleteNamespace', []],
    ['deleteNamespace', [TARGET]],
    ['query', []],
    ['getNamespaces', []],
    ['getRecordCount', []],
  ];
  for (const [method, args] of calls) await c.refused(kv, method, args);
  c.finish();
  deepEqual(await snapshot(kv), before, 'the store is unchanged');
  done();
});

test('hostile: extra arguments are refused', async () => {
  const done = watchRejections();
  const { kv } = await seeded();
  const before = await snapshot(kv);
  const c = collector();
  const calls = [
    ['createInstance', ['extra-made', 'description', 'extra']],
    ['getInstance', [TARGET, 'extra']],
    ['listInstances', ['extra']],
    ['listInstances', [{}]],
    ['updateInstance', [TARGET, { description: 'changed' }, 'extra']],
    ['deleteInstance', [TARGET, 'extra']],
    ['get', [TARGET, 'ns', 'k0', 'extra']],
    ['set', [TARGET, 'ns', 'hostile-key', 'v', true, 'extra']],
    ['set', [TARGET, 'ns', 'hostile-key', 'v', false, {}, 'extra']],
    ['set', [TARGET, 'ns', 'hostile-key', 'v', false, { ifVersion: null }, {}]],
    ['delete', [TARGET, 'ns', 'k0', 'extra']],
    ['delete', [TARGET, 'ns', 'k0', {}, 'extra']],
    ['deleteNamespace', [TARGET, 'ns', 'extra']],
    ['query', [{ from: { instance: TARGET } }, 'extra']],
    ['getNamespaces', [TARGET, 'extra']],
    ['getRecordCount', [TARGET, 'ns', 'extra']],
  ];
  for (const [method, args] of calls) await c.refused(kv, method, args);
  c.finish();
  deepEqual(await snapshot(kv), before, 'the store is unchanged');
  done();
});

test('hostile: a failing call still has a fresh requestId and the method\'s type', async () => {
  const { kv } = await seeded();
  const ids = new Set();
  for (let n = 0; n < 50; n++) {
    const res = await call(kv, 'get', Symbol('x'), 'ns', 'k');
    expectErr(res, 'get', 'INVALID_ARGUMENT');
    ids.add(res.requestId);
  }
  equal(ids.size, 50);
});

/** A small deterministic PRNG (mulberry32), so failures replay. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('hostile: after 5,000 mixed hostile calls the same store still sets and gets correctly and lost nothing', async () => {
  const done = watchRejections();
  const { kv, data } = await seeded();
  const before = await snapshot(kv);
  const c = collector(); // every refusal problem is listed at the end, after the integrity checks
  const random = rng(20261125);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const notStrings = NOT_STRINGS();
  const badStrings = BAD_STRINGS().filter((s) => s !== HUGE);
  const badName = () => (random() < 0.004 ? HUGE : random() < 0.7 ? pick(notStrings) : pick(badStrings));

  // Each maker returns [method, args] for a call that must be refused.
  const makers = [
    () => ['createInstance', [badName()]],
    () => ['createInstance', ['never-made', pick(notStrings.filter((v) => v !== undefined && v !== null))]],
    () => ['getInstance', [badName()]],
    () => ['updateInstance', [badName(), { name: 'never' }]],
    () => ['updateInstance', [TARGET, pick([null, 5, 'x', {}, { name: 5 }, { foo: 1 }, throwingProxy(), revokedProxy(), [], { name: '' }])]],
    () => ['deleteInstance', [badName()]],
    () => ['get', [badName(), 'ns', 'k0']],
    () => ['get', [TARGET, badName(), 'k0']],
    () => ['get', [TARGET, 'ns', badName()]],
    () => ['set', [badName(), 'ns', 'k0', 'overwritten', true]],
    () => ['set', [TARGET, badName(), 'k0', 'overwritten']],
    () => ['set', [TARGET, 'ns', badName(), 'overwritten']],
    () => ['set', [TARGET, 'ns', 'k0', pick([undefined, NaN, 10n, Symbol('v'), cyclic(), throwingProxy(), () => 1, '\uD800'])]],
    () => ['set', [TARGET, 'ns', 'k0', 'overwritten', pick(['true', 1, 0, {}, throwingProxy(), 10n])]],
    () => ['delete', [badName(), 'ns', 'k0']],
    () => ['delete', [TARGET, badName(), 'k0']],
    () => ['delete', [TARGET, 'ns', badName()]],
    () => ['deleteNamespace', [badName(), 'ns']],
    () => ['deleteNamespace', [TARGET, badName()]],
    () => ['query', [pick([undefined, null, 5, 'x', {}, throwingProxy(), { from: { instance: badName() } }, { from: { instance: TARGET }, where: [{ field: 'key', operator: 'nope', value: 1 }] }, { from: { instance: TARGET }, limit: -1 }])]],
    () => ['getNamespaces', [badName()]],
    () => ['getRecordCount', [badName()]],
    () => ['getRecordCount', [TARGET, pick(notStrings.filter((v) => v !== undefined && v !== null))]],
  ];

  const keys = Object.keys(data);
  let hostile = 0;
  let checkedReads = 0;
  while (hostile < 5000) {
    const batch = [];
    for (let n = 0; n < 25; n++) {
      if (random() < 0.1) {
        // A valid read mixed into the barrage must see the seeded data exactly.
        const k = pick(keys);
        const [ns, key] = k.split('/');
        batch.push(call(kv, 'get', TARGET, ns, key).then((res) => {
          deepEqual(expectOk(res, 'get'), { value: data[k], exists: true }, `read of ${k} during the barrage`);
          checkedReads++;
        }));
      } else {
        const [method, args] = pick(makers)();
        hostile++;
        batch.push(c.refused(kv, method, args));
      }
    }
    await Promise.all(batch);
  }
  ok(checkedReads > 100, 'valid reads were mixed in');

  deepEqual(await snapshot(kv), before, 'nothing stored earlier was lost or changed');
  for (const [k, value] of Object.entries(data)) {
    const [ns, key] = k.split('/');
    deepEqual(expectOk(await kv.get(TARGET, ns, key), 'get'), { value, exists: true }, k);
  }
  // The same store still works for new writes, overwrites, deletes and queries.
  const rec = expectOk(await kv.set(TARGET, 'after', 'fresh', { still: 'works', n: [1, 2, 3] }), 'set').record;
  deepEqual(expectOk(await kv.get(TARGET, 'after', 'fresh'), 'get'), { value: { still: 'works', n: [1, 2, 3] }, exists: true });
  const again = expectOk(await kv.set(TARGET, 'after', 'fresh', 'second'), 'set').record;
  equal(again.id, rec.id);
  deepEqual(expectOk(await kv.get(TARGET, 'after', 'fresh'), 'get'), { value: 'second', exists: true });
  deepEqual(expectOk(await kv.getRecordCount(TARGET), 'getRecordCount'), { count: 41 });
  deepEqual(expectOk(await kv.delete(TARGET, 'after', 'fresh'), 'delete'), { deleted: true });
  const made = expectOk(await kv.createInstance('made-after'), 'createInstance').instance;
  expectOk(await kv.set('made-after', 'ns', 'k', 1), 'set');
  deepEqual(expectOk(await kv.get(made.id, 'ns', 'k'), 'get'), { value: 1, exists: true });
  deepEqual(expectOk(await kv.listInstances(), 'listInstances').instances.map((i) => i.name), [TARGET, 'other', 'made-after']);
  done();
  c.finish();
});
