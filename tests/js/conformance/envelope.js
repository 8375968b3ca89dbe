// The envelope every call resolves with: type per method, success, data or
// error, timestamp, requestId.

import { deepEqual, equal, match, ok } from './assert.js';
import {
  METHODS,
  UUID_V4,
  call,
  expectErr,
  expectOk,
  instances,
  isoTimestamp,
  makeInstance,
  ms,
  put,
  sortedKeys,
} from './support.js';

export const cases = [];
const test = (name, fn) => cases.push({ name, fn });

test('envelope: the store has the twelve methods, batch, getMany, export and import', async (open) => {
  const kv = await open();
  for (const m of METHODS) equal(typeof kv[m], 'function', `kvStore.${m}`);
});

test('envelope: every method resolves a Promise with its type on success, and data has the documented keys', async (open) => {
  const kv = await open();
  const steps = [
    ['createInstance', ['inst', 'described'], ['instance']],
    ['getInstance', ['inst'], ['instance']],
    ['listInstances', [], ['instances']],
    ['updateInstance', ['inst', { description: 'changed' }], ['instance']],
    ['set', ['inst', 'ns', 'k', { a: 1 }], ['record']],
    ['get', ['inst', 'ns', 'k'], ['exists', 'value']],
    ['query', [{ from: { instance: 'inst' } }], ['result']],
    ['getNamespaces', ['inst'], ['namespaces']],
    ['getRecordCount', ['inst'], ['count']],
    ['getMany', [[{ instanceId: 'inst', namespace: 'ns', key: 'k' }]], ['records']],
    ['batch', [[{ op: 'set', instanceId: 'inst', namespace: 'ns', key: 'b', value: 1 }]], ['results']],
    ['export', [{ instance: 'inst' }], ['text']],
    ['import', ['{"format":"boltkv-export","version":1,"exportedAt":"2026-01-01T00:00:00.000Z"}\n'], ['instances', 'records']],
    ['delete', ['inst', 'ns', 'k'], ['deleted']],
    ['deleteNamespace', ['inst', 'ns'], ['deletedCount']],
    ['deleteInstance', ['inst'], ['deleted']],
  ];
  deepEqual(steps.map((s) => s[0]).sort(), METHODS.slice().sort(), 'all methods covered');
  for (const [method, args, keys] of steps) {
    const res = await call(kv, method, ...args);
    const data = expectOk(res, method);
    deepEqual(sortedKeys(data), keys, `${method} data keys`);
  }
});

test('envelope: every method carries its type on failure too, with an error, its code and no data', async (open) => {
  const kv = await open();
  const failing = [
    ['createInstance', [''], 'INVALID_ARGUMENT'],
    ['getInstance', ['missing'], 'NOT_FOUND'],
    ['updateInstance', ['missing', { name: 'x' }], 'NOT_FOUND'],
    ['deleteInstance', [''], 'INVALID_ARGUMENT'],
    ['get', ['', 'ns', 'k'], 'INVALID_ARGUMENT'],
    ['set', ['missing', 'ns', 'k', 1], 'NOT_FOUND'],
    ['delete', ['i', '', 'k'], 'INVALID_ARGUMENT'],
    ['deleteNamespace', ['i', ''], 'INVALID_ARGUMENT'],
    ['query', [{}], 'INVALID_ARGUMENT'],
    ['getNamespaces', [''], 'INVALID_ARGUMENT'],
    ['getRecordCount', [''], 'INVALID_ARGUMENT'],
    ['getMany', [[]], 'INVALID_ARGUMENT'],
    ['batch', [[{ op: 'set', instanceId: 'missing', namespace: 'ns', key: 'k', value: 1 }]], 'NOT_FOUND'],
    ['export', [{ instance: '' }], 'INVALID_ARGUMENT'],
    ['import', ['not an export'], 'INVALID_ARGUMENT'],
    // Last: the only way listInstances can fail is an extra argument.
    ['listInstances', ['extra'], 'INVALID_ARGUMENT'],
  ];
  deepEqual(failing.map((s) => s[0]).sort(), METHODS.slice().sort(), 'all methods covered');
  for (const [method, args, code] of failing) {
    const res = await call(kv, method, ...args);
    expectErr(res, method, code);
  }
});

test('envelope: each kind of failure has its own code', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'taken');
  const megabyte = 'x'.repeat(1024 * 1024);
  const deep = JSON.parse('['.repeat(65) + ']'.repeat(65));
  const cases = [
    ['NOT_FOUND', 'set', ['nowhere', 'ns', 'k', 1]],
    ['NOT_FOUND', 'getInstance', ['nowhere']],
    ['NOT_FOUND', 'updateInstance', ['nowhere', { description: 'd' }]],
    ['ALREADY_EXISTS', 'createInstance', ['taken']],
    ['ALREADY_EXISTS', 'updateInstance', [(await makeInstance(kv, 'other')).id, { name: 'taken' }]],
    ['TOO_LARGE', 'set', ['taken', 'ns', 'k', megabyte]],
    ['TOO_LARGE', 'set', ['taken', 'ns', 'k', deep]],
    ['TOO_LARGE', 'get', ['taken', 'ns', 'k'.repeat(513)]],
    ['TOO_LARGE', 'createInstance', ['n'.repeat(257)]],
    ['TOO_LARGE', 'query', [{ from: { instance: 'taken' }, where: [{ field: 'key', operator: 'eq', value: megabyte }] }]],
    ['INVALID_ARGUMENT', 'set', ['taken', 'ns', 'k', NaN]],
    ['INVALID_ARGUMENT', 'set', ['taken', 'ns', 'k', 1, 'yes']],
    ['INVALID_ARGUMENT', 'get', ['taken', 'ns', 5]],
    ['INVALID_ARGUMENT', 'updateInstance', ['taken', {}]],
    ['INVALID_ARGUMENT', 'query', [{ from: { instance: 'taken' }, limit: -1 }]],
  ];
  for (const [code, method, args] of cases) {
    expectErr(await call(kv, method, ...args), method, code, undefined, `${code} from ${method}`);
  }
  deepEqual((await instances(kv)).map((i) => i.name), ['taken', 'other'], 'nothing changed');
});

test('envelope: requestId is a fresh lowercase UUID v4 on every call', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i');
  const ids = new Set();
  for (let n = 0; n < 40; n++) {
    const res = n % 2 ? await kv.get('i', 'ns', `k${n}`) : await kv.getInstance('nope');
    match(res.requestId, UUID_V4, 'requestId');
    ids.add(res.requestId);
  }
  const parallel = await Promise.all(Array.from({ length: 40 }, (_, n) => kv.getRecordCount('i', `n${n}`)));
  for (const res of parallel) {
    match(res.requestId, UUID_V4, 'requestId');
    ids.add(res.requestId);
  }
  equal(ids.size, 80, 'all 80 requestIds differ');
});

test('envelope: timestamp is ISO-8601 UTC with milliseconds from the JavaScript clock', async (open) => {
  const kv = await open();
  const before = Date.now();
  const res = await kv.listInstances();
  const after = Date.now();
  isoTimestamp(res.timestamp);
  ok(ms(res.timestamp) >= before && ms(res.timestamp) <= after, `timestamp ${res.timestamp} lies between ${before} and ${after}`);
  const inst = await makeInstance(kv, 'clock');
  const after2 = Date.now();
  ok(ms(inst.createdAt) >= after && ms(inst.createdAt) <= after2, 'createdAt comes from the same clock');
});

test('envelope: ids of instances and records are distinct UUID v4 made by the store', async (open) => {
  const kv = await open();
  const seen = new Set();
  for (let n = 0; n < 10; n++) {
    const inst = await makeInstance(kv, `inst-${n}`);
    match(inst.id, UUID_V4);
    seen.add(inst.id);
    const rec = await put(kv, inst.id, 'ns', 'k', n);
    match(rec.id, UUID_V4);
    seen.add(rec.id);
  }
  equal(seen.size, 20, 'all ids differ');
});

test('envelope: returned objects are fresh: mutating one response does not change the next', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'i', 'd');
  const a = await kv.getInstance('i');
  a.data.instance.name = 'hacked';
  a.data.instance.extra = 1;
  const b = await kv.getInstance('i');
  equal(b.data.instance.name, 'i');
  ok(!('extra' in b.data.instance), 'no extra key');
  const l = await kv.listInstances();
  l.data.instances.push({ bogus: true });
  const l2 = await kv.listInstances();
  equal(l2.data.instances.length, 1);
});

test('envelope: the store opens with no options, empty options and an empty limits object', async (open) => {
  for (const args of [[], [undefined], [{}], [{ limits: {} }]]) {
    const kv = await open(...args);
    const data = expectOk(await kv.listInstances(), 'listInstances', `open(${args.length ? JSON.stringify(args[0]) : ''})`);
    deepEqual(data, { instances: [] });
  }
});

test('envelope: open() rejects with an Error for unusable limits', async (open) => {
  const bad = [
    { limits: { maxDepth: 129 } },
    { limits: { maxDepth: 0 } },
    { limits: { maxKeyBytes: 0 } },
    { limits: { maxValueBytes: -1 } },
    { limits: { maxNamespaceBytes: 'x' } },
    { limits: { maxInstanceNameBytes: NaN } },
    { limits: { maxDescriptionBytes: Infinity } },
    { limits: 'x' },
    { limits: null },
    { limits: { maxKeyBytes: 1.5 } },
    { limits: { maxKeyByte: 5 } },
    { foo: 1 },
    5,
    'options',
  ];
  for (const options of bad) {
    let threw = null;
    try {
      await open(options);
    } catch (e) {
      threw = e;
    }
    ok(threw instanceof Error, `open(${JSON.stringify(options, (k, v) => (typeof v === 'number' && !isFinite(v) ? String(v) : v))}) rejects with an Error, got ${threw}`);
    ok(String(threw.message).length > 0, 'the Error has a message');
  }
  const kv = await open({ limits: { maxDepth: 128 } });
  expectOk(await kv.listInstances(), 'listInstances', 'maxDepth 128 is accepted');
});

test('envelope: a wrong option is named by its path, with what it must be and what was given', async (open) => {
  const rejected = async (options) => {
    try {
      await open(options);
    } catch (e) {
      return e.message;
    }
    return 'opened';
  };
  equal(await rejected({ limits: { maxKeyBytes: 1.5 } }), 'options.limits.maxKeyBytes must be a whole number, not 1.5.');
  equal(await rejected({ limits: null }), 'options.limits must be an object, not null.');
  match(await rejected({ limits: { maxKeyByte: 5 } }), /^options\.limits must be \{ maxKeyBytes\?.* \(unknown field `maxKeyByte`\)\.$/);
  const kv = await open();
  await makeInstance(kv, 'i');
  equal(expectErr(await kv.set('i', 'n', 'k', 1, false, { ifVersion: null, extra: 1 }), 'set', 'INVALID_ARGUMENT'),
    'options must be { ifVersion?: number | null, expireIn?: number, expireAt?: string | number } (unknown field `extra`).');
  equal(expectErr(await kv.import('', { mode: 'all' }), 'import', 'INVALID_ARGUMENT'),
    "options.mode must be one of 'merge', 'replace', not \"all\".");
  equal(expectErr(await kv.export({ instance: 5 }), 'export', 'INVALID_ARGUMENT'), 'selector.instance must be a string, not 5.');
  equal(expectErr(await kv.updateInstance('i', { description: 5 }), 'updateInstance', 'INVALID_ARGUMENT'),
    'updates.description must be a string or null, not 5.');
  const { record } = expectOk(await kv.set('i', 'n', 'k', 1, false, { expireIn: null, expireAt: null }), 'set', 'a null expiry is no expiry');
  equal('expiresAt' in record, false, 'no expiry was set');
});
