// Paging with a cursor (docs/beyond.md, section 8): a result has `cursor`
// when matches remain after the page; the same query with `after: cursor`
// continues after the page's last record, and a record present and
// unchanged for both pages is never repeated nor skipped, whatever is
// written or deleted in between. `after` with `offset`, text that is no
// cursor, and a cursor of another query are INVALID_ARGUMENT; `limit: 0`
// answers only `total`.

import { deepEqual, equal, ok } from './assert.js';
import { expectErr, expectOk, makeInstance, pairs, put, query } from './support.js';

export const cases = [];
const test = (name, fn) => cases.push({ name, fn });

const NOT_OURS = 'Invalid query at after: is not a cursor boltkv made, or it was changed or cut short; '
  + 'pass the cursor of an earlier result exactly as it was given, or leave after out to start from the first page.';
const OTHER_QUERY = 'Invalid query at after: was made by a different query; a cursor continues only the query that gave it '
  + '(the same from, where and orderBy, while limit and select may change), so pass it with that query, '
  + 'or leave after out to start from the first page.';
const WITH_OFFSET = 'Invalid query at offset: conflicts with after; a cursor already says where the page starts, '
  + 'so leave offset out (or leave after out to page by offset).';

const key = (n) => `k${String(n).padStart(2, '0')}`;

/** Instance 'c' with `count` records `ns/k00`.. whose value is `{ n }`, written together. */
async function numbered(kv, count) {
  await makeInstance(kv, 'c');
  const writes = await Promise.all(Array.from({ length: count }, (_, n) => kv.set('c', 'ns', key(n), { n })));
  return writes.map((w) => expectOk(w, 'set').record);
}

/**
 * Every page of `dsl`, each continuing after the cursor of the one before,
 * awaiting `between(pageIndex)` after each page but the last. Checks what
 * every page after a cursor shares: offset 0, the limit asked for, and at
 * least one record.
 */
async function walk(kv, dsl, between = async () => {}) {
  const first = await query(kv, dsl, 'first page');
  const pages = [first];
  for (let page = first; page.cursor !== undefined;) {
    ok(pages.length < 1000, 'the walk ends');
    await between(pages.length - 1);
    page = await query(kv, { ...dsl, after: page.cursor }, `page ${pages.length}`);
    equal(page.offset, 0, 'a page after a cursor has offset 0');
    equal(page.limit, 'limit' in dsl ? dsl.limit : 100, 'the limit in effect');
    ok(page.records.length > 0, 'a cursor is given only when records follow');
    pages.push(page);
  }
  return pages;
}

test('cursor: a walk gives every match once and in order, and only its last page has no cursor', async (open) => {
  const kv = await open();
  await numbered(kv, 23);
  const whole = await query(kv, { from: { instance: 'c' } });
  const pages = await walk(kv, { from: { instance: 'c' }, limit: 5 });
  deepEqual(pages.map((p) => p.records.length), [5, 5, 5, 5, 3]);
  deepEqual(pages.map((p) => p.total), [23, 23, 23, 23, 23], 'total counts every match on every page');
  deepEqual(pages.map((p) => typeof p.cursor), ['string', 'string', 'string', 'string', 'undefined']);
  deepEqual(pages.flatMap((p) => p.records), whole.records, 'the pages are the whole result, record for record');
});

test('cursor: a page that ends at the last match has no cursor', async (open) => {
  const kv = await open();
  await numbered(kv, 6);
  const exact = await query(kv, { from: { instance: 'c' }, limit: 6 });
  equal('cursor' in exact, false);
  const pages = await walk(kv, { from: { instance: 'c' }, limit: 3 });
  deepEqual(pages.map((p) => pairs(p.records)), [['ns/k00', 'ns/k01', 'ns/k02'], ['ns/k03', 'ns/k04', 'ns/k05']]);
});

test('cursor: limit 0 answers only the total, with or without after', async (open) => {
  const kv = await open();
  await numbered(kv, 4);
  deepEqual(await query(kv, { from: { instance: 'c' }, limit: 0 }), { records: [], total: 4, limit: 0, offset: 0 });
  const { cursor } = await query(kv, { from: { instance: 'c' }, limit: 1 });
  deepEqual(await query(kv, { from: { instance: 'c' }, limit: 0, after: cursor }), { records: [], total: 4, limit: 0, offset: 0 });
});

test('cursor: a page by offset gives the cursor to continue from', async (open) => {
  const kv = await open();
  await numbered(kv, 10);
  const byOffset = await query(kv, { from: { instance: 'c' }, limit: 3, offset: 4 });
  deepEqual(pairs(byOffset.records), ['ns/k04', 'ns/k05', 'ns/k06']);
  const next = await query(kv, { from: { instance: 'c' }, limit: 3, after: byOffset.cursor });
  deepEqual(pairs(next.records), ['ns/k07', 'ns/k08', 'ns/k09']);
  equal(next.offset, 0);
  equal('cursor' in next, false);
});

test('cursor: limit and select may change between pages, and spellings of one query share its cursors', async (open) => {
  const kv = await open();
  await numbered(kv, 8);
  const dsl = { from: { instance: 'c', namespace: 'ns' }, where: [{ field: 'value.n', operator: 'gte', value: 1 }], orderBy: { field: 'value.n', direction: 'desc' }, limit: 2 };
  const first = await query(kv, dsl);
  deepEqual(pairs(first.records), ['ns/k07', 'ns/k06']);
  const longer = await query(kv, { ...dsl, limit: 3, select: ['key'], after: first.cursor });
  deepEqual(longer.records, [{ key: 'k05' }, { key: 'k04' }, { key: 'k03' }]);
  const respelt = { instance: 'c', namespace: 'ns', where: { field: 'value.n', operator: '>=', value: 1 }, order: [{ field: 'value.n', direction: 'DESC' }], after: longer.cursor };
  const rest = await query(kv, respelt);
  deepEqual(rest.records.map((r) => r.key), ['k02', 'k01']);
  equal(rest.total, 7);
});

test('cursor: a cursor of another query is INVALID_ARGUMENT, saying so', async (open) => {
  const kv = await open();
  await numbered(kv, 5);
  await makeInstance(kv, 'other');
  await put(kv, 'c', 'zz', 'k', 1);
  const { cursor } = await query(kv, { from: { instance: 'c' }, limit: 2 });
  const others = [
    { from: { instance: 'other' } },
    { from: { instance: 'c', namespace: 'ns' } },
    { from: { instance: 'c' }, where: [{ field: 'key', operator: 'startsWith', value: 'k' }] },
    { from: { instance: 'c' }, orderBy: { field: 'key' } },
    { from: { instance: 'c' }, orderBy: { field: 'value.n', direction: 'desc' } },
  ];
  for (const other of others) {
    const label = JSON.stringify(other);
    equal(expectErr(await kv.query({ ...other, after: cursor }), 'query', 'INVALID_ARGUMENT', undefined, label), OTHER_QUERY, label);
  }
});

test('cursor: text that is no cursor boltkv made is INVALID_ARGUMENT', async (open) => {
  const kv = await open();
  await numbered(kv, 5);
  const dsl = { from: { instance: 'c' }, limit: 2 };
  const { cursor } = await query(kv, dsl);
  const changed = cursor.slice(0, 12) + (cursor[12] === 'A' ? 'B' : 'A') + cursor.slice(13);
  for (const text of ['', 'not a cursor', 'eyJvZmZzZXQiOjJ9', changed, cursor.slice(0, -3), `${cursor}AAAA`, cursor.toLowerCase()]) {
    equal(expectErr(await kv.query({ ...dsl, after: text }), 'query', 'INVALID_ARGUMENT', undefined, text), NOT_OURS, text);
  }
  for (const wrong of [null, 2, true, [cursor], { cursor }]) {
    const label = JSON.stringify(wrong);
    expectErr(await kv.query({ ...dsl, after: wrong }), 'query', 'INVALID_ARGUMENT',
      'Invalid query at after: must be the cursor string of an earlier result of this query', label);
  }
});

test('cursor: after together with offset is INVALID_ARGUMENT, even offset 0', async (open) => {
  const kv = await open();
  await numbered(kv, 5);
  const { cursor } = await query(kv, { from: { instance: 'c' }, limit: 2 });
  for (const offset of [0, 2]) {
    const res = await kv.query({ from: { instance: 'c' }, limit: 2, offset, after: cursor });
    equal(expectErr(res, 'query', 'INVALID_ARGUMENT', undefined, `offset ${offset}`), WITH_OFFSET);
  }
});

test('cursor: writes between pages neither repeat nor skip a record left unchanged', async (open) => {
  const kv = await open();
  await numbered(kv, 10);
  const dsl = { from: { instance: 'c' }, limit: 3 };
  const first = await query(kv, dsl);
  deepEqual(pairs(first.records), ['ns/k00', 'ns/k01', 'ns/k02']);
  expectOk(await kv.delete('c', 'ns', 'k00'), 'delete');
  expectOk(await kv.delete('c', 'ns', 'k02'), 'delete', 'the last record of the page');
  await put(kv, 'c', 'ns', 'k01a', 'before the cursor');
  await put(kv, 'c', 'ns', 'k04a', 'after the cursor');
  expectOk(await kv.delete('c', 'ns', 'k05'), 'delete');
  const second = await query(kv, { ...dsl, after: first.cursor });
  deepEqual(pairs(second.records), ['ns/k03', 'ns/k04', 'ns/k04a']);
  equal(second.total, 9);
  await put(kv, 'c', 'aa', 'first', 'a namespace before every other');
  expectOk(await kv.deleteNamespace('c', 'aa'), 'deleteNamespace');
  const third = await query(kv, { ...dsl, after: second.cursor });
  deepEqual(pairs(third.records), ['ns/k06', 'ns/k07', 'ns/k08']);
  const last = await query(kv, { ...dsl, after: third.cursor });
  deepEqual(pairs(last.records), ['ns/k09']);
  equal('cursor' in last, false);
});

test('cursor: a record an update moves is found where it now stands', async (open) => {
  const kv = await open();
  await numbered(kv, 6);
  const dsl = { from: { instance: 'c' }, orderBy: { field: 'value.n', direction: 'desc' }, limit: 2 };
  const first = await query(kv, dsl);
  deepEqual(pairs(first.records), ['ns/k05', 'ns/k04']);
  await put(kv, 'c', 'ns', 'k05', { n: 0 });
  await put(kv, 'c', 'ns', 'k01', { n: 9 });
  const rest = await walk(kv, { ...dsl, after: first.cursor });
  deepEqual(rest.flatMap((p) => pairs(p.records)), ['ns/k03', 'ns/k02', 'ns/k00', 'ns/k05']);
});

test('cursor: ties, absent fields and mixed types page exactly as the query sorts them', async (open) => {
  const kv = await open();
  await makeInstance(kv, 't');
  const rows = [
    ['t', 'a', { g: 2, v: 'x' }], ['t', 'b', { g: 1, v: 5 }], ['t', 'c', { g: 2, v: null }], ['u', 'c', { g: 2, v: null }],
    ['t', 'd', { g: 1, v: 'y' }], ['t', 'e', { g: 2 }], ['t', 'f', { g: 1, v: [0, { deep: [1] }] }], ['t', 'g', { v: 100 }],
    ['t', 'h', { g: 1.5, v: { z: 1 } }], ['t', 'i', 'not an object'],
  ];
  for (const [ns, k, value] of rows) await put(kv, 't', ns, k, value);
  const dsl = { from: { instance: 't' }, orderBy: [{ field: 'value.g', direction: 'desc' }, { field: 'value.v' }] };
  const whole = pairs((await query(kv, dsl)).records);
  deepEqual(whole, ['t/e', 't/c', 'u/c', 't/a', 't/h', 't/b', 't/d', 't/f', 't/i', 't/g']);
  for (const limit of [1, 2, 3]) {
    const pages = await walk(kv, { ...dsl, limit });
    deepEqual(pages.flatMap((p) => pairs(p.records)), whole, `limit ${limit}`);
  }
});

/** A deterministic pseudo-random source (mulberry32), so a failure replays. */
function random(seed) {
  let a = seed >>> 0;
  return (below) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * below >>> 0;
  };
}

test('cursor: random sets and deletes between pages: every record left unchanged is on exactly one page, in order', async (open) => {
  const orders = [
    undefined,
    { field: 'value.n', direction: 'desc' },
    [{ field: 'value.n' }, { field: 'key', direction: 'desc' }],
    { field: 'updatedAt', direction: 'desc' },
  ];
  for (const [seed, orderBy] of orders.entries()) {
    const kv = await open();
    await makeInstance(kv, 'r');
    const next = random(seed + 1);
    const value = () => (next(5) === 0 ? { none: true } : { n: next(8) });
    const place = () => [['m', 'n'][next(2)], key(next(40))];
    const writes = [];
    for (let i = 0; i < 30; i++) {
      const [ns, k] = place();
      writes.push(kv.set('r', ns, k, value()));
    }
    (await Promise.all(writes)).forEach((w) => expectOk(w, 'set'));
    const dsl = { from: { instance: 'r' }, limit: 1 + next(4), ...(orderBy ? { orderBy } : {}) };
    const before = pairs((await query(kv, { ...dsl, limit: 1000 })).records);
    const touched = new Set();
    const pages = await walk(kv, dsl, async () => {
      for (let w = next(4); w > 0; w--) {
        const [ns, k] = place();
        touched.add(`${ns}/${k}`);
        if (next(3) === 0) expectOk(await kv.delete('r', ns, k), 'delete');
        else await put(kv, 'r', ns, k, value());
      }
    });
    const unchanged = before.filter((p) => !touched.has(p));
    const seen = pages.flatMap((p) => pairs(p.records)).filter((p) => unchanged.includes(p));
    deepEqual(seen, unchanged, `seed ${seed + 1}, order ${JSON.stringify(orderBy)}, limit ${dsl.limit}`);
  }
});

test('cursor: a cursor is a string that survives JSON, and each page has its own', async (open) => {
  const kv = await open();
  await numbered(kv, 3);
  const page = await query(kv, { from: { instance: 'c' }, limit: 1 });
  const carried = JSON.parse(JSON.stringify({ after: page.cursor })).after;
  const next = await query(kv, { from: { instance: 'c' }, limit: 1, after: carried });
  deepEqual(pairs(next.records), ['ns/k01']);
  equal(typeof next.cursor, 'string');
  ok(next.cursor !== page.cursor, `each page has its own cursor, got ${page.cursor} twice`);
});
