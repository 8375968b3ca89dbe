// The Query DSL: from, where (every operator, value paths), select, orderBy
// (single, multiple, mixed types, desc, ties), limit/offset, total, the
// alternate spellings, and malformed queries naming the bad part.

import { deepEqual, equal, ok } from './assert.js';
import { checkRecord, expectErr, expectOk, makeInstance, pairs, put, query } from './support.js';

export const cases = [];
const test = (name, fn) => cases.push({ name, fn });

const DATA = [
  ['users', 'alice', { name: 'Alice', age: 30, tags: ['admin', 'dev'], address: { city: 'Paris' }, active: true }],
  ['users', 'bob', { name: 'Bob', age: 25, tags: ['dev'], address: { city: 'Berlin' }, active: false }],
  ['users', 'carol', { name: 'Carol', age: 35, tags: [], active: true, nick: null }],
  ['users', 'dave', { name: 'dave', age: '40', tags: ['ops'] }],
  ['misc', 'n', null],
  ['misc', 's', 'hello world'],
  ['misc', 'num', 42],
  ['misc', 'arr', [1, 2, { x: 3 }]],
  ['misc', 'bool', true],
];

const ALL = ['misc/arr', 'misc/bool', 'misc/n', 'misc/num', 'misc/s', 'users/alice', 'users/bob', 'users/carol', 'users/dave'];
const USERS = ['users/alice', 'users/bob', 'users/carol', 'users/dave'];

/** Instance 'q' with DATA written in a scrambled order. */
async function fixture(kv) {
  const inst = await makeInstance(kv, 'q');
  const recs = {};
  for (const n of [3, 0, 7, 5, 1, 8, 2, 6, 4]) {
    const [ns, key, value] = DATA[n];
    recs[`${ns}/${key}`] = await put(kv, 'q', ns, key, value);
  }
  return { inst, recs };
}

/** Runs `dsl` and checks the records (full, exact), total, limit and offset. */
async function expectRecords(kv, fx, dsl, expected, extra = {}) {
  const label = JSON.stringify(dsl);
  const result = await query(kv, dsl, label);
  deepEqual(pairs(result.records), expected, `${label} records`);
  deepEqual(result.records, expected.map((p) => fx.recs[p]), `${label} full records`);
  equal(result.total, 'total' in extra ? extra.total : expected.length, `${label} total`);
  equal(result.limit, 'limit' in extra ? extra.limit : 100, `${label} limit`);
  equal(result.offset, 'offset' in extra ? extra.offset : 0, `${label} offset`);
  return result;
}

function where(field, operator, value) {
  return arguments.length > 2 ? { field, operator, value } : { field, operator };
}

async function table(kv, fx, rows) {
  for (const [cond, expected] of rows) {
    const conds = Array.isArray(cond) ? cond : [cond];
    await expectRecords(kv, fx, { from: { instance: 'q' }, where: conds }, expected);
  }
}

test('query: from an instance gives every record with full shape, ordered by namespace then key', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  const result = await expectRecords(kv, fx, { from: { instance: 'q' } }, ALL);
  for (const r of result.records) checkRecord(r, { instanceId: fx.inst.id });
  const data = expectOk(await kv.query({ from: { instance: 'q' } }), 'query');
  deepEqual(Object.keys(data), ['result']);
});

test('query: from an instance by id, and from one namespace', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await expectRecords(kv, fx, { from: { instance: fx.inst.id } }, ALL);
  await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'users' } }, USERS);
  await expectRecords(kv, fx, { from: { instance: fx.inst.id, namespace: 'misc' } }, ALL.slice(0, 5));
  await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'none' } }, []);
  await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'USERS' } }, [], {});
});

test('query: an empty where matches everything', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await expectRecords(kv, fx, { from: { instance: 'q' }, where: [] }, ALL);
});

test('query: eq on value paths, record fields and types', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await table(kv, fx, [
    [where('value.name', 'eq', 'Alice'), ['users/alice']],
    [where('value.name', 'eq', 'alice'), []],
    [where('value.age', 'eq', 30), ['users/alice']],
    [where('value.age', 'eq', '30'), []],
    [where('value.age', 'eq', 40), []],
    [where('value.age', 'eq', '40'), ['users/dave']],
    [where('value', 'eq', 42), ['misc/num']],
    [where('value', 'eq', '42'), []],
    [where('value', 'eq', null), ['misc/n']],
    [where('value.nick', 'eq', null), ['users/carol']],
    [where('value', 'eq', true), ['misc/bool']],
    [where('value.active', 'eq', true), ['users/alice', 'users/carol']],
    [where('value.active', 'eq', 1), []],
    [where('value', 'eq', 'hello world'), ['misc/s']],
    [where('key', 'eq', 'bob'), ['users/bob']],
    [where('namespace', 'eq', 'misc'), ALL.slice(0, 5)],
    [where('id', 'eq', fx.recs['users/carol'].id), ['users/carol']],
    [where('instanceId', 'eq', fx.inst.id), ALL],
    [where('instanceId', 'eq', 'q'), []],
    [where('value.address.city', 'eq', 'Paris'), ['users/alice']],
  ]);
});

test('query: paths index arrays with numeric segments and never read JavaScript properties', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await table(kv, fx, [
    [where('value.tags.0', 'eq', 'admin'), ['users/alice']],
    [where('value.tags.1', 'eq', 'dev'), ['users/alice']],
    [where('value.tags.0', 'eq', 'dev'), ['users/bob']],
    [where('value.0', 'eq', 1), ['misc/arr']],
    [where('value.2.x', 'eq', 3), ['misc/arr']],
    [where('value.name.length', 'eq', 5), []],
    [where('value.tags.length', 'eq', 2), []],
    [where('value.name.0', 'eq', 'A'), []],
    [where('value.constructor', 'exists'), []],
    [where('value.__proto__', 'exists'), []],
    [where('value.toString', 'exists'), []],
    [where('value.tags.-1', 'exists'), []],
    [where('value.address.city.x', 'exists'), []],
  ]);
});

test('query: neq needs the field present and the same type', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await table(kv, fx, [
    [where('value.age', 'neq', 30), ['users/bob', 'users/carol']],
    [where('value.name', 'neq', 'Alice'), ['users/bob', 'users/carol', 'users/dave']],
    [where('key', 'neq', 'bob'), ALL.filter((p) => p !== 'users/bob')],
    [where('value.active', 'neq', true), ['users/bob']],
    [where('value.age', 'neq', '40'), []],
    [where('value.age', 'neq', '41'), ['users/dave']],
  ]);
});

test('query: gt, gte, lt, lte on numbers', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await table(kv, fx, [
    [where('value.age', 'gt', 25), ['users/alice', 'users/carol']],
    [where('value.age', 'gte', 30), ['users/alice', 'users/carol']],
    [where('value.age', 'gte', 25), ['users/alice', 'users/bob', 'users/carol']],
    [where('value.age', 'lt', 30), ['users/bob']],
    [where('value.age', 'lte', 30), ['users/alice', 'users/bob']],
    [where('value.age', 'lt', 100), ['users/alice', 'users/bob', 'users/carol']],
    [where('value.age', 'gt', '25'), ['users/dave']],
    [where('value.age', 'lt', '5'), ['users/dave']],
    [where('value', 'gt', 40), ['misc/num']],
    [where('value', 'lte', 42), ['misc/num']],
    [where('value', 'lt', 42), []],
  ]);
});

test('query: gt, gte, lt, lte on strings compare UTF-16 code units', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await table(kv, fx, [
    [where('value.name', 'gt', 'Bob'), ['users/carol', 'users/dave']],
    [where('value.name', 'gte', 'Bob'), ['users/bob', 'users/carol', 'users/dave']],
    [where('value.name', 'lt', 'Bob'), ['users/alice']],
    [where('value.name', 'lte', 'Bob'), ['users/alice', 'users/bob']],
    [where('value.name', 'gt', 'Z'), ['users/dave']],
    [where('key', 'lt', 'b'), ['misc/arr', 'users/alice']],
    [where('namespace', 'gt', 'n'), USERS],
    [where('value.name', 'gt', 1), []],
  ]);
  await makeInstance(kv, 'u');
  await put(kv, 'u', 'ns', 'z', 1);
  await put(kv, 'u', 'ns', '😀', 2);
  await put(kv, 'u', 'ns', '｡', 3);
  const keys = async (w) => (await query(kv, { from: { instance: 'u' }, where: [w] })).records.map((r) => r.key);
  deepEqual(await keys(where('key', 'gt', '\uE000')), ['｡'], 'astral (D83D...) is below U+E000 in UTF-16');
  deepEqual(await keys(where('key', 'lt', '\uE000')), ['z', '😀']);
  deepEqual(await keys(where('key', 'gt', 'z')), ['😀', '｡']);
  deepEqual(await keys(where('key', 'lt', '｡')), ['z', '😀']);
});

test('query: gt, gte, lt, lte on booleans, and never across types', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await table(kv, fx, [
    [where('value.active', 'gt', false), ['users/alice', 'users/carol']],
    [where('value.active', 'gte', false), ['users/alice', 'users/bob', 'users/carol']],
    [where('value.active', 'lt', true), ['users/bob']],
    [where('value.active', 'lte', true), ['users/alice', 'users/bob', 'users/carol']],
    [where('value.active', 'gt', 0), []],
    [where('value.active', 'lt', 'true'), []],
    [where('value.tags', 'gt', 0), []],
    [where('value.address', 'gt', 'A'), []],
  ]);
});

test('query: contains is a substring for strings and a deep-equal element for arrays', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await table(kv, fx, [
    [where('value.name', 'contains', 'li'), ['users/alice']],
    [where('value.name', 'contains', 'ALI'), []],
    [where('value', 'contains', 'world'), ['misc/s']],
    [where('value', 'contains', 'o w'), ['misc/s']],
    [where('value.tags', 'contains', 'dev'), ['users/alice', 'users/bob']],
    [where('value.tags', 'contains', 'DEV'), []],
    [where('value.tags', 'contains', 'de'), []],
    [where('value', 'contains', { x: 3 }), ['misc/arr']],
    [where('value', 'contains', { x: 3, y: 1 }), []],
    [where('value', 'contains', 2), ['misc/arr']],
    [where('value', 'contains', '2'), []],
    [where('value.age', 'contains', 3), []],
    [where('value.address', 'contains', 'Paris'), []],
    [where('key', 'contains', 'a'), ['misc/arr', 'users/alice', 'users/carol', 'users/dave']],
  ]);
});

test('query: startsWith and endsWith match strings only', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await table(kv, fx, [
    [where('value.name', 'startsWith', 'Ca'), ['users/carol']],
    [where('value.name', 'startsWith', 'ca'), []],
    [where('key', 'startsWith', 'b'), ['misc/bool', 'users/bob']],
    [where('value', 'startsWith', 'hello'), ['misc/s']],
    [where('value.age', 'startsWith', '3'), []],
    [where('value.age', 'startsWith', '4'), ['users/dave']],
    [where('key', 'endsWith', 'ol'), ['misc/bool', 'users/carol']],
    [where('value', 'endsWith', 'world'), ['misc/s']],
    [where('value.tags', 'endsWith', 'dev'), []],
    [where('namespace', 'endsWith', 'sc'), ALL.slice(0, 5)],
  ]);
});

test('query: in matches any element of an array operand, by type and deep equality', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await table(kv, fx, [
    [where('value.age', 'in', [25, 35]), ['users/bob', 'users/carol']],
    [where('value.age', 'in', [30, '40']), ['users/alice', 'users/dave']],
    [where('value.age', 'in', ['25', '30']), []],
    [where('value.name', 'in', ['Alice', 'Nobody']), ['users/alice']],
    [where('key', 'in', ['n', 's', 'zzz']), ['misc/n', 'misc/s']],
    [where('value', 'in', [null, true]), ['misc/bool', 'misc/n']],
    [where('value', 'in', [[1, 2, { x: 3 }]]), ['misc/arr']],
    [where('value.tags', 'in', ['dev']), []],
    [where('value.tags', 'in', [['dev']]), ['users/bob']],
    [where('value.age', 'in', []), []],
  ]);
});

test('query: exists is true for present fields, a stored null included, and false means absent', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await table(kv, fx, [
    [where('value.nick', 'exists'), ['users/carol']],
    [where('value.nick', 'exists', true), ['users/carol']],
    [where('value.nick', 'exists', false), ALL.filter((p) => p !== 'users/carol')],
    [where('value.address.city', 'exists'), ['users/alice', 'users/bob']],
    [where('value', 'exists'), ALL],
    [where('value', 'exists', false), []],
    [where('value.tags.0', 'exists'), ['users/alice', 'users/bob', 'users/dave']],
    [where('value.2.x', 'exists'), ['misc/arr']],
    [where('value.3', 'exists'), []],
  ]);
});

test('query: a condition on an absent field never matches, whatever the operator', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  for (const op of ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'startsWith', 'endsWith']) {
    await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'misc' }, where: [where('value.missing', op, 'x')] }, []);
    await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'misc' }, where: [where('value.missing', op, 1)] }, []);
  }
  await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'misc' }, where: [where('value.missing', 'in', ['x', 1, null])] }, []);
});

test('query: every where condition must hold', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await table(kv, fx, [
    [[where('value.age', 'gte', 25), where('value.tags', 'contains', 'dev')], ['users/alice', 'users/bob']],
    [[where('value.age', 'gte', 25), where('value.tags', 'contains', 'dev'), where('value.active', 'eq', true)], ['users/alice']],
    [[where('namespace', 'eq', 'users'), where('key', 'startsWith', 'c')], ['users/carol']],
    [[where('key', 'eq', 'alice'), where('key', 'eq', 'bob')], []],
  ]);
  await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'misc' }, where: [where('key', 'startsWith', 'n')] }, ['misc/n', 'misc/num']);
});

test('query: createdAt, updatedAt, id and instanceId are fields', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await put(kv, 'q', 'users', 'bob', { name: 'Bob', age: 26, tags: ['dev'], address: { city: 'Berlin' }, active: false });
  const all = (await query(kv, { from: { instance: 'q' } })).records;
  for (const r of all) fx.recs[`${r.namespace}/${r.key}`] = r;
  const bob = fx.recs['users/bob'];
  ok(bob.updatedAt > bob.createdAt, 'bob was overwritten');
  const pick = (pred) => all.filter(pred).map((r) => `${r.namespace}/${r.key}`);
  const alice = fx.recs['users/alice'];
  await table(kv, fx, [
    [where('createdAt', 'lte', alice.createdAt), pick((r) => r.createdAt <= alice.createdAt)],
    [where('createdAt', 'gt', alice.createdAt), pick((r) => r.createdAt > alice.createdAt)],
    [where('updatedAt', 'gte', bob.updatedAt), pick((r) => r.updatedAt >= bob.updatedAt)],
    [where('updatedAt', 'eq', bob.updatedAt), pick((r) => r.updatedAt === bob.updatedAt)],
    [where('createdAt', 'eq', bob.createdAt), pick((r) => r.createdAt === bob.createdAt)],
    [where('id', 'in', [alice.id, bob.id]), ['users/alice', 'users/bob']],
    [where('instanceId', 'neq', fx.inst.id), []],
  ]);
  ok(pick((r) => r.updatedAt >= bob.updatedAt).includes('users/bob'));
});

test('query: results follow later writes and deletes', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  expectOk(await kv.delete('q', 'users', 'bob'), 'delete');
  fx.recs['users/alice'] = await put(kv, 'q', 'users', 'alice', { name: 'Alice', age: 31 });
  fx.recs['users/eve'] = await put(kv, 'q', 'users', 'eve', { name: 'Eve', age: 31 });
  await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'users' } }, ['users/alice', 'users/carol', 'users/dave', 'users/eve']);
  await expectRecords(kv, fx, { from: { instance: 'q' }, where: [where('value.age', 'eq', 31)] }, ['users/alice', 'users/eve']);
  await expectRecords(kv, fx, { from: { instance: 'q' }, where: [where('value.age', 'eq', 30)] }, []);
  expectOk(await kv.deleteNamespace('q', 'misc'), 'deleteNamespace');
  await expectRecords(kv, fx, { from: { instance: 'q' } }, ['users/alice', 'users/carol', 'users/dave', 'users/eve']);
});

test('query: numbers compare exactly, even hard-to-parse floats', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'n');
  const numbers = {
    sum: 0.1 + 0.2,
    third: 1 / 3,
    max: Number.MAX_VALUE,
    min: Number.MIN_VALUE,
    normal: 2.2250738585072014e-308,
    big: 8.41e21,
    e21: 1e21,
    long: 123456789.123456789,
    safe: Number.MAX_SAFE_INTEGER,
    neg: -0.000001234,
    p53: 2 ** 53 + 2,
  };
  for (const [k, v] of Object.entries(numbers)) await put(kv, 'n', 'ns', k, { v });
  for (const [k, v] of Object.entries(numbers)) {
    const result = await query(kv, { from: { instance: 'n' }, where: [where('value.v', 'eq', v)] });
    deepEqual(result.records.map((r) => r.key), [k], `eq ${v}`);
    deepEqual(result.records[0].value, { v }, `value ${v} comes back exactly`);
  }
  deepEqual((await query(kv, { from: { instance: 'n' }, where: [where('value.v', 'eq', 0.3)] })).records, []);
  deepEqual((await query(kv, { from: { instance: 'n' }, where: [where('value.v', 'gt', 0.3)] })).records.map((r) => r.key).sort(),
    Object.entries(numbers).filter(([, v]) => v > 0.3).map(([k]) => k).sort());
  const ordered = (await query(kv, { from: { instance: 'n' }, orderBy: { field: 'value.v', direction: 'asc' } })).records.map((r) => r.key);
  deepEqual(ordered, Object.entries(numbers).sort((a, b) => a[1] - b[1]).map(([k]) => k));
});

test('query: select keeps only the named fields, with nested shapes for value paths', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  const sel = async (dsl) => {
    const r = await query(kv, dsl);
    return r;
  };
  let r = await sel({ from: { instance: 'q', namespace: 'users' }, select: ['key'] });
  deepEqual(r.records, [{ key: 'alice' }, { key: 'bob' }, { key: 'carol' }, { key: 'dave' }]);
  equal(r.total, 4);
  r = await sel({ from: { instance: 'q', namespace: 'users' }, select: ['key', 'value.age'] });
  deepEqual(r.records, [
    { key: 'alice', value: { age: 30 } },
    { key: 'bob', value: { age: 25 } },
    { key: 'carol', value: { age: 35 } },
    { key: 'dave', value: { age: '40' } },
  ]);
  r = await sel({ from: { instance: 'q' }, where: [where('key', 'eq', 'alice')], select: ['value.name', 'value.address.city', 'value.tags'] });
  deepEqual(r.records, [{ value: { name: 'Alice', address: { city: 'Paris' }, tags: ['admin', 'dev'] } }]);
  const a = fx.recs['users/alice'];
  r = await sel({ from: { instance: 'q' }, where: [where('key', 'eq', 'alice')], select: ['id', 'instanceId', 'namespace', 'key', 'createdAt', 'updatedAt'] });
  deepEqual(r.records, [{ id: a.id, instanceId: a.instanceId, namespace: 'users', key: 'alice', createdAt: a.createdAt, updatedAt: a.updatedAt }]);
  r = await sel({ from: { instance: 'q', namespace: 'misc' }, select: ['key', 'value'] });
  deepEqual(r.records, [
    { key: 'arr', value: [1, 2, { x: 3 }] },
    { key: 'bool', value: true },
    { key: 'n', value: null },
    { key: 'num', value: 42 },
    { key: 's', value: 'hello world' },
  ]);
  r = await sel({ from: { instance: 'q', namespace: 'users' }, select: ['key'], orderBy: { field: 'value.age', direction: 'desc' }, limit: 2, offset: 1 });
  const { cursor, ...page } = r;
  deepEqual(page, { records: [{ key: 'carol' }, { key: 'alice' }], total: 4, limit: 2, offset: 1 });
  equal(typeof cursor, 'string', 'a match remains after the page');
});

test('query: select of a prototype-looking value path keeps it as an own property', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'p');
  await put(kv, 'p', 'ns', 'k', JSON.parse('{"__proto__":{"polluted":true},"other":1}'));
  const r = await query(kv, { from: { instance: 'p' }, where: [where('value.__proto__.polluted', 'eq', true)], select: ['value.__proto__.polluted'] });
  equal(r.records.length, 1);
  const v = r.records[0].value;
  ok(Object.prototype.hasOwnProperty.call(v, '__proto__'), 'own __proto__');
  equal(Object.getPrototypeOf(v), Object.prototype);
  deepEqual(Object.getOwnPropertyDescriptor(v, '__proto__').value, { polluted: true });
  equal(({}).polluted, undefined, 'Object.prototype untouched');
});

test('query: orderBy one value path, ascending and descending, with mixed types', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'users' }, orderBy: { field: 'value.age', direction: 'asc' } },
    ['users/bob', 'users/alice', 'users/carol', 'users/dave']);
  await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'users' }, orderBy: { field: 'value.age', direction: 'desc' } },
    ['users/dave', 'users/carol', 'users/alice', 'users/bob']);
  await expectRecords(kv, fx, { from: { instance: 'q' }, orderBy: { field: 'key', direction: 'desc' } },
    ['misc/s', 'misc/num', 'misc/n', 'users/dave', 'users/carol', 'misc/bool', 'users/bob', 'misc/arr', 'users/alice']);
  await expectRecords(kv, fx, { from: { instance: 'q' }, orderBy: [{ field: 'key', direction: 'asc' }] },
    ['users/alice', 'misc/arr', 'users/bob', 'misc/bool', 'users/carol', 'users/dave', 'misc/n', 'misc/num', 'misc/s']);
});

/** Instance 'm': one value of each type under value.v, keys in reverse of the expected order. */
async function mixedFixture(kv) {
  await makeInstance(kv, 'm');
  const rows = [
    ['mixed', 'p', { v: { o: 1 } }],
    ['mixed', 'q', { v: [1] }],
    ['mixed', 'r', { v: 'a' }],
    ['mixed', 's', { v: 'B' }],
    ['mixed', 't', { v: 10 }],
    ['mixed', 'u', { v: 9 }],
    ['mixed', 'o', { v: 9 }],
    ['aaa', 'zz', { v: 9 }],
    ['mixed', 'v', { v: -1.5 }],
    ['mixed', 'w', { v: true }],
    ['mixed', 'x', { v: false }],
    ['mixed', 'y', { v: null }],
    ['mixed', 'z2', { other: 1 }],
    ['mixed', 'z1', {}],
  ];
  const recs = {};
  for (const [ns, key, value] of rows) recs[`${ns}/${key}`] = await put(kv, 'm', ns, key, value);
  return { recs };
}

test('query: orderBy sorts absent < null < boolean < number < string < array < object, ties by namespace then key', async (open) => {
  const kv = await open();
  const fx = await mixedFixture(kv);
  await expectRecords(kv, fx, { from: { instance: 'm' }, orderBy: { field: 'value.v', direction: 'asc' } }, [
    'mixed/z1', 'mixed/z2', // absent, tie by key
    'mixed/y', // null
    'mixed/x', 'mixed/w', // false < true
    'mixed/v', 'aaa/zz', 'mixed/o', 'mixed/u', 'mixed/t', // -1.5 < 9 (namespace, then key) < 10
    'mixed/s', 'mixed/r', // 'B' < 'a'
    'mixed/q', // array
    'mixed/p', // object
  ]);
});

test('query: orderBy desc reverses the type order', async (open) => {
  const kv = await open();
  const fx = await mixedFixture(kv);
  await expectRecords(kv, fx, {
    from: { instance: 'm', namespace: 'mixed' },
    where: [where('key', 'in', ['p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z1'])],
    orderBy: { field: 'value.v', direction: 'desc' },
  }, ['mixed/p', 'mixed/q', 'mixed/r', 'mixed/s', 'mixed/t', 'mixed/u', 'mixed/v', 'mixed/w', 'mixed/x', 'mixed/y', 'mixed/z1']);
});

test('query: under orderBy desc, ties still fall back to namespace then key ascending', async (open) => {
  const kv = await open();
  const fx = await mixedFixture(kv);
  await expectRecords(kv, fx, { from: { instance: 'm' }, orderBy: { field: 'value.v', direction: 'desc' } }, [
    'mixed/p', 'mixed/q', 'mixed/r', 'mixed/s', 'mixed/t',
    'aaa/zz', 'mixed/o', 'mixed/u',
    'mixed/v', 'mixed/w', 'mixed/x', 'mixed/y',
    'mixed/z1', 'mixed/z2',
  ]);
});

test('query: orderBy with several keys, mixed directions', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await expectRecords(kv, fx, {
    from: { instance: 'q', namespace: 'users' },
    orderBy: [{ field: 'value.active', direction: 'desc' }, { field: 'value.age', direction: 'asc' }],
  }, ['users/alice', 'users/carol', 'users/bob', 'users/dave']);
  await expectRecords(kv, fx, {
    from: { instance: 'q', namespace: 'users' },
    orderBy: [{ field: 'value.active', direction: 'desc' }, { field: 'value.age', direction: 'desc' }],
  }, ['users/carol', 'users/alice', 'users/bob', 'users/dave']);
  await expectRecords(kv, fx, {
    from: { instance: 'q' },
    orderBy: [{ field: 'namespace', direction: 'desc' }, { field: 'key', direction: 'desc' }],
  }, ['users/dave', 'users/carol', 'users/bob', 'users/alice', 'misc/s', 'misc/num', 'misc/n', 'misc/bool', 'misc/arr']);
  await expectRecords(kv, fx, {
    from: { instance: 'q' },
    orderBy: [{ field: 'namespace', direction: 'desc' }, { field: 'key', direction: 'asc' }],
  }, ['users/alice', 'users/bob', 'users/carol', 'users/dave', 'misc/arr', 'misc/bool', 'misc/n', 'misc/num', 'misc/s']);
});

test('query: orderBy createdAt and updatedAt, ties by namespace then key', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await put(kv, 'q', 'users', 'bob', 'rewritten');
  const all = (await query(kv, { from: { instance: 'q' } })).records;
  for (const r of all) fx.recs[`${r.namespace}/${r.key}`] = r;
  const by = (field) => all.slice().sort((a, b) =>
    (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0) ||
    (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => `${r.namespace}/${r.key}`);
  await expectRecords(kv, fx, { from: { instance: 'q' }, orderBy: { field: 'createdAt', direction: 'asc' } }, by('createdAt'));
  const byUpdated = by('updatedAt');
  await expectRecords(kv, fx, { from: { instance: 'q' }, orderBy: { field: 'updatedAt', direction: 'asc' } }, byUpdated);
  const bob = fx.recs['users/bob'];
  ok(all.every((r) => r.updatedAt <= bob.updatedAt), 'no record is newer than the overwrite');
  ok(bob.updatedAt > bob.createdAt, 'the overwrite moved updatedAt');
});

test('query: direction is case-insensitive', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  for (const direction of ['DESC', 'Desc', 'dEsC']) {
    await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'users' }, orderBy: { field: 'key', direction } },
      ['users/dave', 'users/carol', 'users/bob', 'users/alice']);
  }
  for (const direction of ['ASC', 'Asc']) {
    await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'users' }, orderBy: { field: 'key', direction } }, USERS);
  }
});

test('query: total counts every match before limit and offset, which are echoed', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await expectRecords(kv, fx, { from: { instance: 'q' }, limit: 2, offset: 1 }, ['misc/bool', 'misc/n'], { total: 9, limit: 2, offset: 1 });
  await expectRecords(kv, fx, { from: { instance: 'q' }, limit: 3 }, ['misc/arr', 'misc/bool', 'misc/n'], { total: 9, limit: 3 });
  await expectRecords(kv, fx, { from: { instance: 'q' }, offset: 8 }, ['users/dave'], { total: 9, offset: 8 });
  await expectRecords(kv, fx, { from: { instance: 'q' }, offset: 9 }, [], { total: 9, offset: 9 });
  await expectRecords(kv, fx, { from: { instance: 'q' }, offset: 1000, limit: 5 }, [], { total: 9, offset: 1000, limit: 5 });
  await expectRecords(kv, fx, { from: { instance: 'q' }, where: [where('namespace', 'eq', 'users')], limit: 1, offset: 1 }, ['users/bob'], { total: 4, limit: 1, offset: 1 });
  await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'users' }, orderBy: { field: 'value.age', direction: 'desc' }, limit: 2 },
    ['users/dave', 'users/carol'], { total: 4, limit: 2 });
  await expectRecords(kv, fx, { from: { instance: 'q' }, limit: 100, offset: 0 }, ALL);
});

test('query: the default limit is 100, a larger one may be asked for', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'big');
  const keys = Array.from({ length: 150 }, (_, n) => `k${String(n).padStart(3, '0')}`);
  const results = await Promise.all(keys.map((k, n) => kv.set('big', 'ns', k, n)));
  results.forEach((r) => expectOk(r, 'set'));
  let r = await query(kv, { from: { instance: 'big' } });
  equal(r.records.length, 100);
  equal(r.total, 150);
  equal(r.limit, 100);
  equal(r.offset, 0);
  deepEqual(r.records.map((x) => x.key), keys.slice(0, 100));
  deepEqual(r.records.map((x) => x.value), keys.slice(0, 100).map((_, n) => n));
  r = await query(kv, { from: { instance: 'big' }, offset: 100 });
  deepEqual(r.records.map((x) => x.key), keys.slice(100));
  deepEqual([r.total, r.limit, r.offset], [150, 100, 100]);
  r = await query(kv, { from: { instance: 'big' }, limit: 150 });
  deepEqual(r.records.map((x) => x.key), keys);
  deepEqual([r.total, r.limit, r.offset], [150, 150, 0]);
  r = await query(kv, { from: { instance: 'big' }, limit: 1000 });
  equal(r.records.length, 150);
  deepEqual([r.total, r.limit, r.offset], [150, 1000, 0]);
  r = await query(kv, { from: { instance: 'big' }, where: [where('value', 'gte', 20)] });
  deepEqual([r.records.length, r.total, r.limit], [100, 130, 100]);
  equal(r.records[0].key, 'k020');
});

test('query: the server-side spellings instance, namespace and order are accepted', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  await expectRecords(kv, fx, { instance: 'q' }, ALL);
  await expectRecords(kv, fx, { instance: fx.inst.id, namespace: 'users' }, USERS);
  await expectRecords(kv, fx, { instance: 'q', namespace: 'users', order: { field: 'key', direction: 'desc' } },
    ['users/dave', 'users/carol', 'users/bob', 'users/alice']);
  await expectRecords(kv, fx, { from: { instance: 'q', namespace: 'users' }, order: [{ field: 'value.age', direction: 'asc' }] },
    ['users/bob', 'users/alice', 'users/carol', 'users/dave']);
  await expectRecords(kv, fx, { instance: 'q', where: [where('key', 'eq', 's')], limit: 5, offset: 0 }, ['misc/s'], { limit: 5 });
});

test('query: the alternate operator spellings behave as their canonical operators', async (open) => {
  const kv = await open();
  const fx = await fixture(kv);
  const pairsOf = [
    ['=', 'eq', 'value.age', 30],
    ['==', 'eq', 'value.name', 'Bob'],
    ['!=', 'neq', 'value.age', 30],
    ['>', 'gt', 'value.age', 25],
    ['>=', 'gte', 'value.age', 30],
    ['<', 'lt', 'value.age', 30],
    ['<=', 'lte', 'value.age', 30],
    ['starts_with', 'startsWith', 'key', 'b'],
    ['ends_with', 'endsWith', 'key', 'ol'],
  ];
  for (const [alt, canonical, field, value] of pairsOf) {
    const expected = pairs((await query(kv, { from: { instance: 'q' }, where: [where(field, canonical, value)] })).records);
    ok(expected.length > 0, `${canonical} matches something`);
    await expectRecords(kv, fx, { from: { instance: 'q' }, where: [where(field, alt, value)] }, expected);
  }
});

test('query: malformed queries fail with an error naming the bad part', async (open) => {
  const kv = await open();
  await fixture(kv);
  const base = { instance: 'q' };
  const q = (extra) => ({ from: { ...base }, ...extra });
  const bad = [
    [undefined, /quer|from|instance/i],
    [null, /quer|from|instance/i],
    ['q', /quer|from|instance/i],
    [42, /quer|from|instance/i],
    [[], /quer|from|instance/i],
    [{}, /from|instance/],
    [{ from: {} }, /instance/],
    [{ from: { instance: 5 } }, /instance/],
    [{ from: 'q' }, /from/],
    [{ from: { instance: 'q', namespace: 7 } }, /namespace/],
    [q({ where: 'key' }), /where/],
    [q({ where: 5 }), /where/],
    [q({ where: ['key'] }), 'where[0]'],
    [q({ where: [{ operator: 'eq', value: 1 }] }), 'where[0].field'],
    [q({ where: [{ field: 'nope', operator: 'eq', value: 1 }] }), 'where[0].field'],
    [q({ where: [{ field: 'values.a', operator: 'eq', value: 1 }] }), 'where[0].field'],
    [q({ where: [{ field: 7, operator: 'eq', value: 1 }] }), 'where[0].field'],
    [q({ where: [{ field: 'key', operator: 'like', value: 'x' }] }), 'where[0].operator'],
    [q({ where: [{ field: 'key', value: 'x' }] }), 'where[0].operator'],
    [q({ where: [where('key', 'eq', 'a'), where('key', 'bogus', 1)] }), 'where[1].operator'],
    [q({ where: [where('key', 'in', 'abc')] }), 'where[0].value'],
    [q({ where: [where('key', 'in', 5)] }), 'where[0].value'],
    [q({ where: [where('key', 'exists', 5)] }), 'where[0]'],
    [q({ where: [where('key', 'eq')] }), 'where[0]'],
    [q({ select: 'key' }), /select/],
    [q({ select: [5] }), 'select[0]'],
    [q({ select: ['key', 'bogus'] }), 'select[1]'],
    [q({ orderBy: { field: 'bogus', direction: 'asc' } }), /orderBy/],
    [q({ orderBy: { field: 'key', direction: 'up' } }), /orderBy/],
    [q({ orderBy: [{ field: 'key', direction: 'asc' }, { field: 'key', direction: 'sideways' }] }), 'orderBy[1]'],
    [q({ orderBy: 5 }), /orderBy/],
    [q({ limit: -1 }), /limit/],
    [q({ limit: 'ten' }), /limit/],
    [q({ offset: -5 }), /offset/],
    [q({ offset: 'x' }), /offset/],
    [q({ whre: [] }), /whre/],
    [q({ sort: { field: 'key', direction: 'asc' } }), /sort/],
  ];
  for (const [dsl, part] of bad) {
    let label;
    try {
      label = JSON.stringify(dsl);
    } catch {
      label = String(dsl);
    }
    expectErr(await kv.query(dsl), 'query', 'INVALID_ARGUMENT', part, label);
  }
});

test('query: the query object itself is not changed by the call', async (open) => {
  const kv = await open();
  await fixture(kv);
  const dsl = { from: { instance: 'q', namespace: 'users' }, where: [where('value.age', 'in', [25, 30])], select: ['key'], orderBy: [{ field: 'key', direction: 'DESC' }], limit: 5 };
  const copy = JSON.parse(JSON.stringify(dsl));
  const r = await query(kv, dsl);
  deepEqual(r.records, [{ key: 'bob' }, { key: 'alice' }]);
  deepEqual(dsl, copy);
});
