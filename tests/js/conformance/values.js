// Values: every JSON value stored exactly or refused; copies, not
// references; JSON.stringify rules for undefined/functions/symbols/toJSON;
// prototype-looking keys as plain data; size and depth limits; surrogates.

import { deepEqual, equal, ok } from './assert.js';
import { checkRecord, count, expectErr, expectOk, makeInstance, norm, put, query, read } from './support.js';

export const cases = [];
const test = (name, fn) => cases.push({ name, fn });

const ROUND_TRIP = [
  ['empty string', ''],
  ['plain string', 'hello'],
  ['escapes', 'quote " backslash \\ slash / newline \n tab \t cr \r bs \b ff \f'],
  ['control characters', '\u0000\u0001\u001f\u007f'],
  ['line separators', '\u2028\u2029'],
  ['unicode', 'ünïcödé 中文 العربية'],
  ['emoji (paired surrogates)', '😀🎉👩‍👩‍👧 \uD83D\uDE00'],
  ['BOM and noncharacters', '\uFEFF\uFFFE\uFFFF'],
  ['zero', 0],
  ['negative zero becomes 0', -0],
  ['one', 1],
  ['negative', -42],
  ['fraction', 3.14159],
  ['0.1 + 0.2', 0.1 + 0.2],
  ['1/3', 1 / 3],
  ['big exponent', 1e21],
  ['small exponent', 1e-7],
  ['max safe integer', Number.MAX_SAFE_INTEGER],
  ['min safe integer', Number.MIN_SAFE_INTEGER],
  ['2^53', 2 ** 53],
  ['2^64', 2 ** 64],
  ['-2^63', -(2 ** 63)],
  ['max value', Number.MAX_VALUE],
  ['min value (denormal)', Number.MIN_VALUE],
  ['smallest normal', 2.2250738585072014e-308],
  ['epsilon', Number.EPSILON],
  ['hard float', 8.41e21],
  ['another hard float', 5.0000000000000001e-324],
  ['tricky decimal', 9007199254740993],
  ['true', true],
  ['false', false],
  ['null', null],
  ['empty array', []],
  ['empty object', {}],
  ['mixed array', [1, 'two', null, true, false, { three: 3 }, [4, [5]]]],
  ['nested object', { a: { b: { c: { d: 'deep' } } }, list: [{ x: 1 }, { y: [2, 3] }] }],
  ['odd keys', { '': 'empty key', ' ': 'space', '0': 'zero', '01': 'leading zero', 'ü': 1, '😀': 2, 'a.b': 3, 'a\u0000b': 4 }],
  ['integer-like keys', { 10: 'ten', 2: 'two', 1: 'one', b: 'b', a: 'a' }],
  ['numbers in arrays', [0, -0, 1e308, -1e-308, 123456789.123456789]],
  ['unicode keys', { 'ключ': 'значение', '键': '值' }],
];

test('values: every JSON type round-trips exactly through set, get and query', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  for (const [label, value] of ROUND_TRIP) {
    const rec = await put(kv, 'v', 'ns', label, value);
    checkRecord(rec, { namespace: 'ns', key: label, value }, `set ${label}`);
    const got = await read(kv, 'v', 'ns', label);
    deepEqual(got, { value: norm(value), exists: true }, `get ${label}`);
  }
  const result = await query(kv, { from: { instance: 'v' }, limit: 1000 });
  equal(result.total, ROUND_TRIP.length);
  const expected = ROUND_TRIP.map(([label, value]) => [label, norm(value)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  deepEqual(result.records.map((r) => [r.key, r.value]), expected, 'query values');
});

test('values: negative zero is stored as 0', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const rec = await put(kv, 'v', 'ns', 'k', -0);
  equal(rec.value, 0);
  equal((await read(kv, 'v', 'ns', 'k')).value, 0);
});

test('values: object key order is kept as JSON.stringify writes it', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const value = { zebra: 1, apple: 2, mango: { z: 1, a: 2, m: 3 }, 3: 'three', 1: 'one' };
  await put(kv, 'v', 'ns', 'k', value);
  const got = (await read(kv, 'v', 'ns', 'k')).value;
  deepEqual(Object.keys(got), Object.keys(norm(value)));
  deepEqual(Object.keys(got.mango), ['z', 'a', 'm']);
});

test('values: a large value round-trips', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const value = Array.from({ length: 8000 }, (_, n) => ({ n, s: `item-${n}`, f: n / 7, ok: n % 2 === 0 }));
  ok(JSON.stringify(value).length < 1048576 && JSON.stringify(value).length > 400000, 'fixture is large but under the limit');
  await put(kv, 'v', 'ns', 'big', value);
  deepEqual((await read(kv, 'v', 'ns', 'big')).value, norm(value));
});

test('values: a later mutation of the caller\'s object does not reach the store', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const value = { list: [1, 2, { deep: 'x' }], obj: { a: 1 } };
  const pending = kv.set('v', 'ns', 'k', value);
  value.list.push(3); // mutate before the promise settles
  value.obj.a = 2;
  const rec = expectOk(await pending, 'set').record;
  deepEqual(rec.value, { list: [1, 2, { deep: 'x' }], obj: { a: 1 } }, 'set answer');
  value.list[2].deep = 'changed';
  value.added = true;
  deepEqual((await read(kv, 'v', 'ns', 'k')).value, { list: [1, 2, { deep: 'x' }], obj: { a: 1 } });
});

test('values: mutating a returned value does not reach the store', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const original = { a: [1, { b: 2 }], c: 'd' };
  const rec = await put(kv, 'v', 'ns', 'k', original);
  rec.value.a.push('from set answer');
  const first = (await read(kv, 'v', 'ns', 'k')).value;
  first.a[1].b = 'from get answer';
  first.c = null;
  const result = await query(kv, { from: { instance: 'v' } });
  result.records[0].value.a.length = 0;
  result.records[0].key = 'renamed';
  deepEqual((await read(kv, 'v', 'ns', 'k')).value, original);
  deepEqual((await query(kv, { from: { instance: 'v' } })).records.map((r) => [r.key, r.value]), [['k', original]]);
});

test('values: __proto__, constructor and prototype keys are plain data and Object.prototype is untouched', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const text = '{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted2":"yes"}},"prototype":{"x":1},"list":[{"__proto__":[1]}]}';
  const value = JSON.parse(text);
  ok(Object.prototype.hasOwnProperty.call(value, '__proto__'), 'fixture has an own __proto__');
  const rec = await put(kv, 'v', 'ns', 'proto', value);
  for (const got of [rec.value, (await read(kv, 'v', 'ns', 'proto')).value, (await query(kv, { from: { instance: 'v' } })).records[0].value]) {
    equal(Object.getPrototypeOf(got), Object.prototype, 'still a plain object');
    ok(Object.prototype.hasOwnProperty.call(got, '__proto__'), 'own __proto__');
    ok(Object.prototype.hasOwnProperty.call(got, 'constructor'), 'own constructor');
    ok(Object.prototype.hasOwnProperty.call(got, 'prototype'), 'own prototype');
    deepEqual(Object.keys(got), ['__proto__', 'constructor', 'prototype', 'list']);
    deepEqual(Object.getOwnPropertyDescriptor(got, '__proto__').value, { polluted: 'yes', isAdmin: true });
    deepEqual(got.constructor, { prototype: { polluted2: 'yes' } });
    equal(got.polluted, undefined, 'not inherited through a prototype');
    equal(got.isAdmin, undefined);
    ok(Object.prototype.hasOwnProperty.call(got.list[0], '__proto__'), 'nested own __proto__');
    equal(Object.getPrototypeOf(got.list[0]), Object.prototype);
    equal(JSON.stringify(got), text, 'serialises back to the same text');
  }
  equal(({}).polluted, undefined, 'Object.prototype not polluted');
  equal(({}).polluted2, undefined);
  equal(({}).isAdmin, undefined);
  equal(Object.prototype.polluted, undefined);
});

test('values: a bare constructor or prototype key is stored as data', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const value = { constructor: 'string ctor', prototype: null, hasOwnProperty: 1, toString: 'x', valueOf: [] };
  await put(kv, 'v', 'ns', 'k', value);
  const got = (await read(kv, 'v', 'ns', 'k')).value;
  deepEqual(got, value);
  equal(got.constructor, 'string ctor');
});

test('values: undefined, functions and symbols inside objects are left out, inside arrays become null', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const sym = Symbol('s');
  const value = {
    keep: 1,
    u: undefined,
    f() {},
    arrow: () => 1,
    s: Symbol('x'),
    [sym]: 'symbol-keyed',
    arr: [undefined, function () {}, Symbol('y'), 2, () => 3],
    nested: { u: undefined, ok: 'yes' },
  };
  Object.defineProperty(value, 'hidden', { value: 'non-enumerable', enumerable: false });
  const expected = { keep: 1, arr: [null, null, null, 2, null], nested: { ok: 'yes' } };
  deepEqual(norm(value), expected, 'fixture matches JSON.stringify');
  const rec = await put(kv, 'v', 'ns', 'k', value);
  deepEqual(rec.value, expected);
  deepEqual((await read(kv, 'v', 'ns', 'k')).value, expected);
});

test('values: sparse arrays store holes as null', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  // eslint-disable-next-line no-sparse-arrays
  const value = [1, , 3];
  value[5] = 6;
  await put(kv, 'v', 'ns', 'k', value);
  deepEqual((await read(kv, 'v', 'ns', 'k')).value, [1, null, 3, null, null, 6]);
});

test('values: toJSON is honoured: a Date becomes its ISO string', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const date = new Date(Date.UTC(2024, 0, 19, 12, 34, 56, 789));
  const rec = await put(kv, 'v', 'ns', 'date', date);
  equal(rec.value, '2024-01-19T12:34:56.789Z');
  deepEqual(await read(kv, 'v', 'ns', 'date'), { value: '2024-01-19T12:34:56.789Z', exists: true });
  await put(kv, 'v', 'ns', 'nested', { at: date, list: [date] });
  deepEqual((await read(kv, 'v', 'ns', 'nested')).value, { at: '2024-01-19T12:34:56.789Z', list: ['2024-01-19T12:34:56.789Z'] });
  await put(kv, 'v', 'ns', 'invalid', { when: new Date(NaN) });
  deepEqual((await read(kv, 'v', 'ns', 'invalid')).value, { when: null }, 'an invalid Date\'s toJSON gives null');
});

test('values: custom toJSON, boxed primitives, Map, Set and class instances follow JSON.stringify', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  class Point {
    constructor(x, y) {
      this.x = x;
      this.y = y;
    }
    norm() {
      return Math.hypot(this.x, this.y);
    }
  }
  const keysSeen = [];
  const custom = {
    toJSON(key) {
      keysSeen.push(key);
      return { custom: true, key };
    },
  };
  const samples = [
    ['custom', custom],
    ['custom nested', { inner: custom }],
    ['number object', new Number(3)],
    ['string object', new String('boxed')],
    ['boolean object', new Boolean(false)],
    ['map', new Map([['a', 1]])],
    ['set', new Set([1, 2])],
    ['class', new Point(3, 4)],
    ['typed array', new Uint8Array([1, 2])],
    ['toJSON to string', { toJSON: () => 'just a string' }],
    ['toJSON to null', { toJSON: () => null }],
    ['toJSON dropping a property', { a: 1, b: { toJSON: () => undefined } }],
  ];
  for (const [label, value] of samples) {
    const expected = norm(value);
    const rec = await put(kv, 'v', 'ns', label, value);
    deepEqual(rec.value, expected, `set ${label}`);
    deepEqual((await read(kv, 'v', 'ns', label)).value, expected, `get ${label}`);
  }
  deepEqual((await read(kv, 'v', 'ns', 'custom')).value, { custom: true, key: '' });
  deepEqual((await read(kv, 'v', 'ns', 'custom nested')).value, { inner: { custom: true, key: 'inner' } });
  deepEqual((await read(kv, 'v', 'ns', 'class')).value, { x: 3, y: 4 });
  ok(keysSeen.includes(''), 'toJSON got the key');
});

const REFUSED = () => {
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  const indirect = { child: { list: [] } };
  indirect.child.list.push(indirect);
  const cyclicArray = [1, 2];
  cyclicArray.push(cyclicArray);
  return [
    ['undefined', undefined],
    ['function', () => 1],
    ['async function', async () => 1],
    ['symbol', Symbol('nope')],
    ['bigint', 10n],
    ['nested bigint', { a: { b: [1, 2n] } }],
    ['bigint in array', [1n]],
    ['cycle', cyclic],
    ['indirect cycle', indirect],
    ['cyclic array', cyclicArray],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['nested NaN', { a: { b: NaN } }],
    ['NaN in array', [1, NaN]],
    ['Infinity deep', [[{ x: [Infinity] }]]],
    ['-Infinity in object', { neg: -Infinity }],
    ['NaN beside nulls in a long value', { text: 'null, '.repeat(40), list: [null, 'null', NaN] }],
    ['toJSON giving NaN', { toJSON: () => NaN }],
    ['toJSON giving undefined', { toJSON: () => undefined }],
    ['toJSON that throws', { toJSON: () => { throw new Error('toJSON boom'); } }],
    ['getter that throws', Object.defineProperty({}, 'bad', { enumerable: true, get() { throw new Error('getter boom'); } })],
    ['proxy that throws', new Proxy({}, { ownKeys() { throw new Error('proxy boom'); }, get() { throw new Error('proxy boom'); } })],
    ['lone high surrogate', '\uD800'],
    ['lone low surrogate', 'a\uDC00b'],
    ['reversed pair', '\uDE00\uD83D'],
    ['lone surrogate in array', ['ok', 'x\uD83D']],
    ['lone surrogate in a key', { '\uDC00': 1 }],
    ['lone surrogate in a nested key', { a: [{ 'k\uD800': 'v' }] }],
  ];
};

test('values: refused values give an error and store nothing', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  for (const [label, value] of REFUSED()) {
    const res = await kv.set('v', 'ns', label, value);
    expectErr(res, 'set', 'INVALID_ARGUMENT', undefined, label);
    deepEqual(await read(kv, 'v', 'ns', label), { value: null, exists: false }, `nothing stored for ${label}`);
  }
  equal(await count(kv, 'v'), 0);
});

test('values: set with no value argument is refused', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  expectErr(await kv.set('v', 'ns', 'k'), 'set', 'INVALID_ARGUMENT');
  deepEqual(await read(kv, 'v', 'ns', 'k'), { value: null, exists: false });
});

test('values: a refused overwrite leaves the old record untouched', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const rec = await put(kv, 'v', 'ns', 'k', { keep: 'me' });
  for (const [label, value] of REFUSED()) {
    expectErr(await kv.set('v', 'ns', 'k', value), 'set', 'INVALID_ARGUMENT', undefined, label);
  }
  deepEqual(await read(kv, 'v', 'ns', 'k'), { value: { keep: 'me' }, exists: true });
  deepEqual((await query(kv, { from: { instance: 'v' } })).records, [rec], 'id, timestamps and value unchanged');
});

test('values: refused values with autoCreateInstance create no instance', async (open) => {
  const kv = await open();
  for (const [label, value] of REFUSED()) {
    expectErr(await kv.set('auto', 'ns', 'k', value, true), 'set', 'INVALID_ARGUMENT', undefined, label);
  }
  deepEqual(expectOk(await kv.listInstances(), 'listInstances'), { instances: [] });
});

test('values: the default size limit is 1 MiB of JSON text: exactly 1048576 bytes pass, one more fails', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const exact = 'a'.repeat(1048576 - 2); // plus two quotes
  const rec = await put(kv, 'v', 'ns', 'exact', exact);
  equal(rec.value.length, exact.length);
  equal((await read(kv, 'v', 'ns', 'exact')).value === exact, true, 'exact value back');
  expectErr(await kv.set('v', 'ns', 'over', exact + 'a'), 'set', 'TOO_LARGE');
  const objExact = { data: 'b'.repeat(1048576 - '{"data":""}'.length) };
  equal(JSON.stringify(objExact).length, 1048576);
  await put(kv, 'v', 'ns', 'obj', objExact);
  expectErr(await kv.set('v', 'ns', 'obj-over', { data: objExact.data + 'b' }), 'set', 'TOO_LARGE');
  deepEqual(await read(kv, 'v', 'ns', 'over'), { value: null, exists: false });
  deepEqual(await read(kv, 'v', 'ns', 'obj-over'), { value: null, exists: false });
  expectErr(await kv.set('v', 'ns', 'huge', 'x'.repeat(10 * 1024 * 1024)), 'set', 'TOO_LARGE');
  equal(await count(kv, 'v'), 2);
});

test('values: a configured size limit counts UTF-8 bytes of the JSON text, at the limit and one byte over', async (open) => {
  const kv = await open({ limits: { maxValueBytes: 16 } });
  await makeInstance(kv, 'v');
  const fits = [
    'a'.repeat(14), // "aaaaaaaaaaaaaa" = 16 bytes
    'é'.repeat(7), // 2 + 7*2
    '😀'.repeat(3) + 'ab', // 2 + 3*4 + 2
    '\n'.repeat(7), // each escaped as \n: 2 + 7*2
    '\u0001'.repeat(2) + 'ab', // 2 + 2*6 + 2
    [1234567890, 123], // [1234567890,123] = 16
    { abcdefghij: 1 }, // {"abcdefghij":1} = 16
  ];
  for (const value of fits) {
    equal(new TextEncoder().encode(JSON.stringify(value)).length, 16, `fixture ${JSON.stringify(value)} is 16 bytes`);
    const rec = await put(kv, 'v', 'fits', JSON.stringify(value), value);
    deepEqual(rec.value, value);
  }
  const over = ['a'.repeat(15), 'é'.repeat(7) + 'a', '😀'.repeat(3) + 'abc', '\n'.repeat(7) + 'a', '\u0001'.repeat(2) + 'abc', [1234567890, 1234], { abcdefghijk: 1 }];
  for (const value of over) {
    equal(new TextEncoder().encode(JSON.stringify(value)).length, 17, `fixture ${JSON.stringify(value)} is 17 bytes`);
    expectErr(await kv.set('v', 'over', JSON.stringify(value), value), 'set', 'TOO_LARGE', undefined, JSON.stringify(value));
  }
  equal(await count(kv, 'v', 'fits'), fits.length);
  equal(await count(kv, 'v', 'over'), 0);
});

function nestArrays(depth) {
  let v = 1;
  for (let n = 0; n < depth; n++) v = [v];
  return v;
}

function nestObjects(depth) {
  let v = 'leaf';
  for (let n = 0; n < depth; n++) v = { d: v };
  return v;
}

test('values: the default depth limit is 64: 64 levels pass, 65 fail', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  await put(kv, 'v', 'ns', 'arrays', nestArrays(64));
  deepEqual((await read(kv, 'v', 'ns', 'arrays')).value, nestArrays(64));
  await put(kv, 'v', 'ns', 'objects', nestObjects(64));
  deepEqual((await read(kv, 'v', 'ns', 'objects')).value, nestObjects(64));
  expectErr(await kv.set('v', 'ns', 'arrays65', nestArrays(65)), 'set', 'TOO_LARGE');
  expectErr(await kv.set('v', 'ns', 'objects65', nestObjects(65)), 'set', 'TOO_LARGE');
  expectErr(await kv.set('v', 'ns', 'mixed65', { a: nestArrays(64) }), 'set', 'TOO_LARGE');
  expectErr(await kv.set('v', 'ns', 'very deep', nestArrays(5000)), 'set', 'TOO_LARGE');
  equal(await count(kv, 'v'), 2);
});

test('values: a configured depth limit applies at the limit and one over; scalars have depth 0', async (open) => {
  const kv = await open({ limits: { maxDepth: 3 } });
  await makeInstance(kv, 'v');
  for (const [label, value] of [
    ['scalar', 'deep thoughts'],
    ['three arrays', [[[1]]]],
    ['three objects', { a: { b: { c: 1 } } }],
    ['mixed three', { a: [{ b: 'x' }] }],
    ['wide', [[[1]], [[2]], { a: { b: 3 } }]],
    ['empty at depth three', [[[]]]],
  ]) {
    deepEqual((await put(kv, 'v', 'ok', label, value)).value, value, label);
  }
  for (const [label, value] of [
    ['four arrays', [[[[1]]]]],
    ['four objects', { a: { b: { c: { d: 1 } } } }],
    ['empty at depth four', [[[{}]]]],
    ['mixed four', [{ a: [{}] }]],
    ['one deep branch', [1, [2, [3, [4]]]]],
  ]) {
    expectErr(await kv.set('v', 'bad', label, value), 'set', 'TOO_LARGE', undefined, label);
  }
  equal(await count(kv, 'v', 'ok'), 6);
  equal(await count(kv, 'v', 'bad'), 0);
});

test('values: brackets and braces inside strings do not count towards the depth', async (open) => {
  const kv = await open({ limits: { maxDepth: 2 } });
  await makeInstance(kv, 'v');
  const samples = [
    '['.repeat(100),
    '{'.repeat(100) + '}'.repeat(3),
    'quote \\" then [[[[[',
    '\\',
    '\\\\"[[[[',
    '"]]]]][[[[[',
    { '[[[[': '{{{{', '\\"': ['[[[', '"{{{'] },
  ];
  for (const value of samples) {
    const rec = await put(kv, 'v', 'ns', JSON.stringify(value).slice(0, 60), value);
    deepEqual(rec.value, value);
    deepEqual((await read(kv, 'v', 'ns', rec.key)).value, value);
  }
  expectErr(await kv.set('v', 'ns', 'too deep', [['[', ['x']]]), 'set', 'TOO_LARGE');
});

test('values: maxDepth can be raised to 128 and no further', async (open) => {
  const kv = await open({ limits: { maxDepth: 128 } });
  await makeInstance(kv, 'v');
  await put(kv, 'v', 'ns', 'd128', nestArrays(128));
  deepEqual((await read(kv, 'v', 'ns', 'd128')).value, nestArrays(128));
  expectErr(await kv.set('v', 'ns', 'd129', nestArrays(129)), 'set', 'TOO_LARGE');
  let rejected = false;
  try {
    await open({ limits: { maxDepth: 129 } });
  } catch (e) {
    rejected = e instanceof Error;
  }
  ok(rejected, 'maxDepth 129 rejects open()');
});

test('values: paired surrogates round-trip in values, keys of values and names', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const value = { '😀': ['🎉', '\uD83D\uDE00', 'a😀b'], flag: '🏳️‍🌈' };
  const rec = await put(kv, 'v', '😀', '🎉', value);
  deepEqual(rec.value, value);
  deepEqual(await read(kv, 'v', '😀', '🎉'), { value, exists: true });
});

test('values: long texts round-trip exactly (from 128 UTF-16 units they are copied in as UTF-8 bytes at once)', async (open) => {
  const kv = await open();
  await makeInstance(kv, 'v');
  const strings = ROUND_TRIP.filter(([, v]) => typeof v === 'string' && v !== '').map(([, v]) => v);
  for (const s of strings) {
    const value = { text: s.repeat(Math.ceil(200 / s.length)), [s.repeat(3)]: [s] };
    deepEqual((await put(kv, 'v', 'ns', 'k', value)).value, value, JSON.stringify(s));
    deepEqual(await read(kv, 'v', 'ns', 'k'), { value, exists: true }, JSON.stringify(s));
  }
  // Names at and around the length where the copy changes, with a
  // character of every UTF-8 width at the end.
  for (const units of [126, 127, 128, 129, 200]) {
    for (const last of ['z', 'é', '中', '😀']) {
      const key = 'k'.repeat(units - last.length) + last;
      equal(key.length, units);
      await put(kv, 'v', 'names', key, units);
      deepEqual(await read(kv, 'v', 'names', key), { value: units, exists: true }, `key of ${units} units ending ${last}`);
      // A lone surrogate at the end is refused at every length (the copy
      // would turn it into U+FFFD).
      expectErr(await kv.set('v', 'names', key.slice(0, -1) + '\uD800', 1), 'set', 'INVALID_ARGUMENT', undefined, `${units} units`);
    }
  }
  equal(await count(kv, 'v', 'names'), 20);
  // Nulls, and the word in strings, in a long value (a value whose text
  // holds null is checked again for NaN and ±Infinity).
  const nulls = { text: 'null'.repeat(60), list: [null, 1.5, { n: null }] };
  deepEqual((await put(kv, 'v', 'ns', 'nulls', nulls)).value, nulls);
  deepEqual(await read(kv, 'v', 'ns', 'nulls'), { value: nulls, exists: true });
});
