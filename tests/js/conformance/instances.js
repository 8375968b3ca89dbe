// Instances: create, get (id then name), list (creation order), update,
// delete, names and their limits.

import { deepEqual, equal, notEqual, ok } from './assert.js';
import {
  UUID_V4,
  checkInstance,
  count,
  expectErr,
  expectOk,
  instances,
  makeInstance,
  ms,
  namespaces,
  put,
  query,
  read,
  sortedKeys,
} from './support.js';

export const cases = [];
const test = (name, fn) => cases.push({ name, fn });

test('instances: createInstance without description gives exactly id, name, createdAt, updatedAt', async (open) => {
  const kv = await open();
  const data = expectOk(await kv.createInstance('alpha'), 'createInstance');
  deepEqual(sortedKeys(data), ['instance']);
  checkInstance(data.instance, { name: 'alpha' });
  ok(!('description' in data.instance), 'description is absent, not undefined or null');
  equal(data.instance.createdAt, data.instance.updatedAt, 'a new instance has createdAt == updatedAt');
});

test('instances: createInstance with undefined description leaves it absent', async (open) => {
  const kv = await open();
  const data = expectOk(await kv.createInstance('alpha', undefined), 'createInstance');
  checkInstance(data.instance, { name: 'alpha' });
});

test('instances: createInstance keeps the description exactly', async (open) => {
  const kv = await open();
  const description = 'Cache for "agent" runs — ünïcödé 😀\nline two';
  const inst = await makeInstance(kv, 'beta', description);
  checkInstance(inst, { name: 'beta', description });
  const got = expectOk(await kv.getInstance('beta'), 'getInstance').instance;
  deepEqual(got, inst, 'getInstance returns the same instance');
});

test('instances: an empty description is kept as an empty string', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'gamma', '');
  checkInstance(inst, { name: 'gamma', description: '' });
});

test('instances: a duplicate name fails with "already exists" and creates nothing', async (open) => {
  const kv = await open();
  const first = await makeInstance(kv, 'dup');
  expectErr(await kv.createInstance('dup'), 'createInstance', 'ALREADY_EXISTS', 'already exists');
  expectErr(await kv.createInstance('dup', 'other description'), 'createInstance', 'ALREADY_EXISTS', 'already exists');
  deepEqual(await instances(kv), [first], 'still one instance, unchanged');
});

test('instances: names are case-sensitive', async (open) => {
  const kv = await open();
  const upper = await makeInstance(kv, 'Alpha');
  const lower = await makeInstance(kv, 'alpha');
  notEqual(upper.id, lower.id);
  expectErr(await kv.getInstance('ALPHA'), 'getInstance', 'NOT_FOUND', 'not found');
  equal(expectOk(await kv.getInstance('Alpha'), 'getInstance').instance.id, upper.id);
  equal(expectOk(await kv.getInstance('alpha'), 'getInstance').instance.id, lower.id);
});

test('instances: getInstance finds by id and by name', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'findme', 'desc');
  const byId = expectOk(await kv.getInstance(inst.id), 'getInstance');
  deepEqual(sortedKeys(byId), ['instance']);
  deepEqual(byId.instance, inst);
  const byName = expectOk(await kv.getInstance('findme'), 'getInstance');
  deepEqual(byName.instance, inst);
});

test('instances: an instanceId argument matches an id before a name', async (open) => {
  const kv = await open();
  const a = await makeInstance(kv, 'first');
  // b's name is a's id: looking it up must find a (id first).
  const b = await makeInstance(kv, a.id);
  notEqual(a.id, b.id);
  deepEqual(expectOk(await kv.getInstance(a.id), 'getInstance').instance, a, 'id wins over name');
  deepEqual(expectOk(await kv.getInstance(b.id), 'getInstance').instance, b);
  const rec = await put(kv, a.id, 'ns', 'k', 'for a');
  equal(rec.instanceId, a.id, 'set on a.id writes to a');
  equal(await count(kv, b.id), 0, 'b got nothing');
  deepEqual(await read(kv, 'first', 'ns', 'k'), { value: 'for a', exists: true });
});

test('instances: getInstance on an unknown instance fails with "not found"', async (open) => {
  const kv = await open();
  expectErr(await kv.getInstance('ghost'), 'getInstance', 'NOT_FOUND', 'not found');
  expectErr(await kv.getInstance('00000000-0000-4000-8000-000000000000'), 'getInstance', 'NOT_FOUND', 'not found');
});

test('instances: listInstances is empty on a new store', async (open) => {
  const kv = await open();
  const data = expectOk(await kv.listInstances(), 'listInstances');
  deepEqual(data, { instances: [] });
});

test('instances: listInstances gives creation order, oldest first, including auto-created ones', async (open) => {
  const kv = await open();
  const c = await makeInstance(kv, 'c');
  const a = await makeInstance(kv, 'a', 'the a');
  const auto = (await put(kv, 'auto', 'ns', 'k', 1, true)).instanceId;
  const b = await makeInstance(kv, 'b');
  const list = await instances(kv);
  deepEqual(list.map((i) => i.name), ['c', 'a', 'auto', 'b']);
  deepEqual(list[0], c);
  deepEqual(list[1], a);
  equal(list[2].id, auto);
  deepEqual(list[3], b);
  for (const i of list) checkInstance(i, { name: i.name, ...('description' in i ? { description: i.description } : {}) });
});

test('instances: many instances created within one millisecond keep creation order', async (open) => {
  const kv = await open();
  const names = ['m', 'z', 'b', 'y', 'a', 'x', 'c', 'w', 'd', 'v', 'e', 'u'];
  await Promise.all(names.map((n) => kv.createInstance(n)));
  deepEqual((await instances(kv)).map((i) => i.name), names);
});

test('instances: order survives a rename and a delete in the middle', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'one');
  await makeInstance(kv, 'two');
  await makeInstance(kv, 'three');
  await makeInstance(kv, 'four');
  expectOk(await kv.updateInstance('one', { name: 'uno' }), 'updateInstance');
  expectOk(await kv.deleteInstance('three'), 'deleteInstance');
  await makeInstance(kv, 'five');
  deepEqual((await instances(kv)).map((i) => i.name), ['uno', 'two', 'four', 'five']);
});

test('instances: updateInstance renames, keeps id and createdAt, moves updatedAt strictly forward', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'old', 'kept');
  const data = expectOk(await kv.updateInstance('old', { name: 'new' }), 'updateInstance');
  deepEqual(sortedKeys(data), ['instance']);
  checkInstance(data.instance, { id: inst.id, name: 'new', description: 'kept', createdAt: inst.createdAt });
  ok(ms(data.instance.updatedAt) > ms(inst.updatedAt), `updatedAt ${data.instance.updatedAt} moved past ${inst.updatedAt}`);
  expectErr(await kv.getInstance('old'), 'getInstance', 'NOT_FOUND', 'not found');
  deepEqual(expectOk(await kv.getInstance('new'), 'getInstance').instance, data.instance);
  deepEqual(await instances(kv), [data.instance]);
});

test('instances: updateInstance by id changes the description only', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'keepname');
  const data = expectOk(await kv.updateInstance(inst.id, { description: 'now described' }), 'updateInstance');
  checkInstance(data.instance, { id: inst.id, name: 'keepname', description: 'now described', createdAt: inst.createdAt });
  ok(ms(data.instance.updatedAt) > ms(inst.updatedAt), 'updatedAt moved');
});

test('instances: updateInstance with description null removes it', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'd', 'to be removed');
  const data = expectOk(await kv.updateInstance('d', { description: null }), 'updateInstance');
  checkInstance(data.instance, { id: inst.id, name: 'd', createdAt: inst.createdAt });
  ok(!('description' in data.instance), 'description removed');
  const again = expectOk(await kv.getInstance('d'), 'getInstance').instance;
  ok(!('description' in again), 'description stays removed');
});

test('instances: updateInstance with name and description changes both', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'both');
  const data = expectOk(await kv.updateInstance('both', { name: 'both2', description: 'x' }), 'updateInstance');
  checkInstance(data.instance, { id: inst.id, name: 'both2', description: 'x', createdAt: inst.createdAt });
});

test('instances: successive updates move updatedAt strictly forward each time', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'u');
  let last = inst.updatedAt;
  for (let n = 0; n < 5; n++) {
    const up = expectOk(await kv.updateInstance('u', { description: `v${n}` }), 'updateInstance').instance;
    ok(ms(up.updatedAt) > ms(last), `update ${n}: ${up.updatedAt} > ${last}`);
    equal(up.createdAt, inst.createdAt);
    last = up.updatedAt;
  }
});

test('instances: updateInstance refuses a taken name, an empty update and an unknown instance', async (open) => {
  const kv = await open();
  const a = await makeInstance(kv, 'a');
  const b = await makeInstance(kv, 'b', 'bee');
  expectErr(await kv.updateInstance('a', { name: 'b' }), 'updateInstance', 'ALREADY_EXISTS', 'already exists');
  expectErr(await kv.updateInstance('a', {}), 'updateInstance', 'INVALID_ARGUMENT');
  expectErr(await kv.updateInstance('ghost', { name: 'c' }), 'updateInstance', 'NOT_FOUND', 'not found');
  expectErr(await kv.updateInstance('ghost', { description: 'c' }), 'updateInstance', 'NOT_FOUND', 'not found');
  deepEqual(await instances(kv), [a, b], 'nothing changed');
});

test('instances: updateInstance refuses fields other than name and description, and wrong types', async (open) => {
  const kv = await open();
  const a = await makeInstance(kv, 'a', 'desc');
  const bad = [
    { name: 'x', extra: 1 },
    { id: 'x' },
    { createdAt: '2020-01-01T00:00:00.000Z' },
    { name: '' },
    { name: 5 },
    { name: null },
    { description: 5 },
    { description: {} },
    [],
    ['name'],
    'newname',
    5,
    null,
    undefined,
  ];
  for (const update of bad) {
    expectErr(await kv.updateInstance('a', update), 'updateInstance', 'INVALID_ARGUMENT', undefined, JSON.stringify(update));
  }
  deepEqual(await instances(kv), [a], 'nothing changed');
});

test('instances: updateInstance renames records with it: they stay under the same id', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'before');
  const rec = await put(kv, 'before', 'ns', 'k', { v: 1 });
  expectOk(await kv.updateInstance('before', { name: 'after' }), 'updateInstance');
  deepEqual(await read(kv, 'after', 'ns', 'k'), { value: { v: 1 }, exists: true });
  deepEqual(await read(kv, inst.id, 'ns', 'k'), { value: { v: 1 }, exists: true });
  deepEqual(await read(kv, 'before', 'ns', 'k'), { value: null, exists: false }, 'old name is unknown now');
  const result = await query(kv, { from: { instance: 'after' } });
  deepEqual(result.records, [rec], 'the record is unchanged, instanceId included');
  expectErr(await kv.set('before', 'ns', 'k2', 1), 'set', 'NOT_FOUND', 'not found');
});

test('instances: the old name can be reused after a rename', async (open) => {
  const kv = await open();
  const a = await makeInstance(kv, 'name');
  expectOk(await kv.updateInstance('name', { name: 'renamed' }), 'updateInstance');
  const b = await makeInstance(kv, 'name');
  notEqual(a.id, b.id);
});

test('instances: deleteInstance removes the instance and all its records', async (open) => {
  const kv = await open();
  const keep = await makeInstance(kv, 'keep');
  const inst = await makeInstance(kv, 'doomed');
  await put(kv, 'doomed', 'a', '1', 1);
  await put(kv, 'doomed', 'a', '2', 2);
  await put(kv, 'doomed', 'b', '1', 3);
  const kept = await put(kv, 'keep', 'a', '1', 'kept');
  const data = expectOk(await kv.deleteInstance('doomed'), 'deleteInstance');
  deepEqual(data, { deleted: true });
  expectErr(await kv.getInstance('doomed'), 'getInstance', 'NOT_FOUND', 'not found');
  expectErr(await kv.getInstance(inst.id), 'getInstance', 'NOT_FOUND', 'not found');
  deepEqual(await read(kv, 'doomed', 'a', '1'), { value: null, exists: false });
  deepEqual(await read(kv, inst.id, 'a', '1'), { value: null, exists: false });
  equal(await count(kv, 'doomed'), 0);
  deepEqual(await namespaces(kv, 'doomed'), []);
  deepEqual(await instances(kv), [keep]);
  const rest = await query(kv, { from: { instance: 'keep' } });
  deepEqual(rest.records, [kept], 'other instance untouched');
});

test('instances: deleteInstance by id; a second delete and an unknown instance give deleted false', async (open) => {
  const kv = await open();
  const inst = await makeInstance(kv, 'x');
  deepEqual(expectOk(await kv.deleteInstance(inst.id), 'deleteInstance'), { deleted: true });
  deepEqual(expectOk(await kv.deleteInstance(inst.id), 'deleteInstance'), { deleted: false });
  deepEqual(expectOk(await kv.deleteInstance('x'), 'deleteInstance'), { deleted: false });
  deepEqual(expectOk(await kv.deleteInstance('never-was'), 'deleteInstance'), { deleted: false });
});

test('instances: a re-created instance has a new id and none of the old records', async (open) => {
  const kv = await open();
  const old = await makeInstance(kv, 'phoenix');
  await put(kv, 'phoenix', 'ns', 'k', 'old');
  expectOk(await kv.deleteInstance('phoenix'), 'deleteInstance');
  const neu = await makeInstance(kv, 'phoenix');
  notEqual(neu.id, old.id);
  deepEqual(await read(kv, 'phoenix', 'ns', 'k'), { value: null, exists: false });
  equal(await count(kv, 'phoenix'), 0);
  deepEqual(await read(kv, old.id, 'ns', 'k'), { value: null, exists: false });
});

test('instances: empty names are refused by every instance method', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'a');
  expectErr(await kv.createInstance(''), 'createInstance', 'INVALID_ARGUMENT');
  expectErr(await kv.getInstance(''), 'getInstance', 'INVALID_ARGUMENT');
  expectErr(await kv.updateInstance('', { name: 'b' }), 'updateInstance', 'INVALID_ARGUMENT');
  expectErr(await kv.deleteInstance(''), 'deleteInstance', 'INVALID_ARGUMENT');
  deepEqual((await instances(kv)).map((i) => i.name), ['a']);
});

test('instances: instance names up to 256 UTF-8 bytes are accepted, 257 are refused everywhere', async (open) => {
  const kv = await open();
  const exact = 'n'.repeat(256);
  const multibyte = 'é'.repeat(128); // 256 bytes
  const over = 'n'.repeat(257);
  const overMultibyte = 'é'.repeat(128) + 'a'; // 257 bytes, 129 chars
  const overAstral = '😀'.repeat(64) + 'a'; // 257 bytes, 129 UTF-16 units
  checkInstance(await makeInstance(kv, exact), { name: exact });
  checkInstance(await makeInstance(kv, multibyte), { name: multibyte });
  equal((await put(kv, 'ä'.repeat(128), 'ns', 'k', 1, true)).namespace, 'ns', 'auto-create at the limit');
  for (const name of [over, overMultibyte, overAstral]) {
    expectErr(await kv.createInstance(name), 'createInstance', 'TOO_LARGE', undefined, `${name.length} chars`);
    expectErr(await kv.getInstance(name), 'getInstance', 'TOO_LARGE');
    expectErr(await kv.updateInstance(name, { description: 'x' }), 'updateInstance', 'TOO_LARGE');
    expectErr(await kv.updateInstance(exact, { name }), 'updateInstance', 'TOO_LARGE');
    expectErr(await kv.deleteInstance(name), 'deleteInstance', 'TOO_LARGE');
    expectErr(await kv.set(name, 'ns', 'k', 1, true), 'set', 'TOO_LARGE');
    expectErr(await kv.get(name, 'ns', 'k'), 'get', 'TOO_LARGE');
    expectErr(await kv.delete(name, 'ns', 'k'), 'delete', 'TOO_LARGE');
    expectErr(await kv.deleteNamespace(name, 'ns'), 'deleteNamespace', 'TOO_LARGE');
    expectErr(await kv.getNamespaces(name), 'getNamespaces', 'TOO_LARGE');
    expectErr(await kv.getRecordCount(name), 'getRecordCount', 'TOO_LARGE');
    expectErr(await kv.query({ from: { instance: name } }), 'query', 'TOO_LARGE');
  }
  equal((await instances(kv)).length, 3);
});

test('instances: descriptions up to 4096 UTF-8 bytes are accepted, 4097 are refused', async (open) => {
  const kv = await open();
  const exact = 'd'.repeat(4094) + 'é';
  checkInstance(await makeInstance(kv, 'a', exact), { name: 'a', description: exact });
  expectErr(await kv.createInstance('b', 'd'.repeat(4097)), 'createInstance', 'TOO_LARGE');
  expectErr(await kv.createInstance('b', 'd'.repeat(4095) + 'é'), 'createInstance', 'TOO_LARGE');
  expectErr(await kv.updateInstance('a', { description: 'd'.repeat(4097) }), 'updateInstance', 'TOO_LARGE');
  deepEqual((await instances(kv)).map((i) => i.name), ['a']);
  equal((await instances(kv))[0].description, exact, 'unchanged by the refused update');
});

test('instances: configured name and description limits apply at the limit and one byte over', async (open) => {
  const kv = await open({ limits: { maxInstanceNameBytes: 5, maxDescriptionBytes: 6 } });
  checkInstance(await makeInstance(kv, 'abcde', 'abcdef'), { name: 'abcde', description: 'abcdef' });
  // 'é€' is 2 + 3 = 5 bytes, 'é€a' is 6 bytes, 'aé€' is 6 bytes, 'é€ab' is 7 bytes.
  checkInstance(await makeInstance(kv, 'é€', 'é€a'), { name: 'é€', description: 'é€a' });
  expectErr(await kv.createInstance('abcdef'), 'createInstance', 'TOO_LARGE');
  expectErr(await kv.createInstance('aé€'), 'createInstance', 'TOO_LARGE');
  expectErr(await kv.createInstance('xyz', 'abcdefg'), 'createInstance', 'TOO_LARGE');
  expectErr(await kv.createInstance('xyz', 'é€ab'), 'createInstance', 'TOO_LARGE');
  expectErr(await kv.updateInstance('abcde', { name: 'aé€' }), 'updateInstance', 'TOO_LARGE');
  expectErr(await kv.updateInstance('abcde', { description: 'é€ab' }), 'updateInstance', 'TOO_LARGE');
  expectErr(await kv.getInstance('abcdef'), 'getInstance', 'TOO_LARGE');
  expectErr(await kv.set('abcdef', 'n', 'k', 1, true), 'set', 'TOO_LARGE');
  deepEqual((await instances(kv)).map((i) => i.name), ['abcde', 'é€']);
});

test('instances: names and descriptions with lone surrogates are refused; paired ones work', async (open) => {
  const kv = await open();
  for (const bad of ['\uD800', 'a\uDC00b', '\uDE00\uD83D', 'x\uD83D']) {
    expectErr(await kv.createInstance(bad), 'createInstance', 'INVALID_ARGUMENT', undefined, JSON.stringify(bad));
    expectErr(await kv.createInstance('ok-name', bad), 'createInstance', 'INVALID_ARGUMENT', undefined, 'description');
    expectErr(await kv.getInstance(bad), 'getInstance', 'INVALID_ARGUMENT');
  }
  deepEqual(await instances(kv), []);
  const emoji = await makeInstance(kv, 'smile 😀', 'desc 🎉');
  checkInstance(emoji, { name: 'smile 😀', description: 'desc 🎉' });
  deepEqual(expectOk(await kv.getInstance('smile 😀'), 'getInstance').instance, emoji);
});

test('instances: an instance id is never taken from the caller', async (open) => {
  const kv = await open();
  const wanted = '11111111-1111-4111-8111-111111111111';
  const inst = await makeInstance(kv, wanted);
  notEqual(inst.id, wanted, 'the store makes its own id');
  equal(inst.name, wanted);
  ok(UUID_V4.test(inst.id));
  const rec = await put(kv, 'auto-made', 'ns', 'k', 1, true);
  notEqual(rec.instanceId, 'auto-made', 'instanceId is the id, not the name');
  ok(UUID_V4.test(rec.instanceId));
});
