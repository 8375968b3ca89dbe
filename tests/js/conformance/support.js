// Shared checks for the conformance cases: envelopes, data shapes, ids and
// timestamps. Plain JavaScript, no Node imports.

import { AssertionError, deepEqual, equal, fail, match, ok, show } from './assert.js';

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const METHODS = [
  'createInstance',
  'getInstance',
  'listInstances',
  'updateInstance',
  'deleteInstance',
  'get',
  'set',
  'delete',
  'deleteNamespace',
  'query',
  'getNamespaces',
  'getRecordCount',
  'batch',
  'getMany',
  'export',
  'import',
];

/** The `code` of a failure envelope is one of these (README, "Error codes"). */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'TOO_LARGE',
  'CONFLICT',
  'STORAGE_FULL',
  'STORAGE_UNAVAILABLE',
  'STORAGE_FAILED',
  'UNSUPPORTED',
];

export const RECORD_KEYS = ['createdAt', 'id', 'instanceId', 'key', 'namespace', 'updatedAt', 'value', 'version'];
export const INSTANCE_KEYS = ['createdAt', 'id', 'name', 'updatedAt'];
export const INSTANCE_KEYS_WITH_DESCRIPTION = ['createdAt', 'description', 'id', 'name', 'updatedAt'];

/** What JSON makes of a value: the expected stored form. */
export function norm(v) {
  return JSON.parse(JSON.stringify(v));
}

export function sortedKeys(o) {
  return Object.keys(o).sort();
}

/** Code-unit (UTF-16) order, as Array.prototype.sort compares strings. */
export function utf16Sorted(list) {
  return list.slice().sort();
}

export function isoTimestamp(s, label = 'timestamp') {
  match(s, ISO_MS, label);
  equal(new Date(s).toISOString(), s, `${label} is a real UTC instant`);
}

export function ms(s) {
  return Date.parse(s);
}

/**
 * Calls a method and checks that it neither throws synchronously nor
 * rejects: it must return a promise that resolves.
 */
export async function call(store, method, ...args) {
  let p;
  try {
    p = store[method](...args);
  } catch (e) {
    fail(`${method}(${args.map((a) => show(a)).join(', ')}) threw synchronously: ${safeString(e)}`);
  }
  ok(p && typeof p.then === 'function', `${method} returns a promise`);
  ok(p instanceof Promise, `${method} returns a real Promise`);
  try {
    return await p;
  } catch (e) {
    fail(`${method}(${args.map((a) => show(a)).join(', ')}) rejected: ${safeString(e)}`);
  }
}

function safeString(e) {
  try {
    return String(e && e.stack ? e.stack : e);
  } catch {
    return '[unprintable error]';
  }
}

function envelopeCommon(res, method) {
  ok(res !== null && typeof res === 'object', `${method} resolves with an object, got ${show(res)}`);
  equal(Object.getPrototypeOf(res), Object.prototype, `${method} envelope is a plain object`);
  equal(res.type, `kvStore.${method}`, `${method} envelope type`);
  isoTimestamp(res.timestamp, `${method} envelope timestamp`);
  match(res.requestId, UUID_V4, `${method} envelope requestId`);
  if ('message' in res) equal(typeof res.message, 'string', `${method} envelope message, when present`);
}

/** Checks a success envelope of `method` and returns its data. */
export function expectOk(res, method, label = '') {
  const what = label ? `${method} (${label})` : method;
  if (res && res.success === false) {
    throw new AssertionError(`${what}: expected success, got error ${show(res.error)}`);
  }
  envelopeCommon(res, method);
  equal(res.success, true, `${what} success`);
  const allowed = ['data', 'message', 'requestId', 'success', 'timestamp', 'type'];
  const extra = Object.keys(res).filter((k) => !allowed.includes(k));
  deepEqual(extra, [], `${what}: success envelope has no other keys (no error)`);
  ok('data' in res, `${what}: success envelope has data`);
  ok(res.data !== null && typeof res.data === 'object', `${what}: data is an object`);
  equal(Object.getPrototypeOf(res.data), Object.prototype, `${what}: data is a plain object`);
  return res.data;
}

/**
 * Checks a failure envelope of `method` with exactly the error `code` (one
 * of ERROR_CODES); `contains` (string or RegExp) must appear in the error.
 * Returns the error sentence.
 */
export function expectErr(res, method, code, contains, label = '') {
  const what = label ? `${method} (${label})` : method;
  ok(ERROR_CODES.includes(code), `${what}: the test must name the expected code, got ${show(code)}`);
  if (res && res.success === true) {
    throw new AssertionError(`${what}: expected an error, got success with data ${show(res.data).slice(0, 160)}`);
  }
  envelopeCommon(res, method);
  equal(res.success, false, `${what} success`);
  ok(!('data' in res), `${what}: failure envelope has no data, got ${show(res.data)}`);
  equal(typeof res.error, 'string', `${what}: error is a string`);
  ok(res.error.trim().length >= 8 && /[A-Za-z]{2,}/.test(res.error), `${what}: error is a sentence, got ${show(res.error)}`);
  equal(res.code, code, `${what}: code (error ${show(res.error)})`);
  const allowed = ['code', 'error', 'message', 'requestId', 'success', 'timestamp', 'type'];
  const extra = Object.keys(res).filter((k) => !allowed.includes(k));
  deepEqual(extra, [], `${what}: failure envelope has no other keys`);
  if (contains !== undefined) {
    if (contains instanceof RegExp) match(res.error, contains, `${what}: error`);
    else ok(res.error.includes(contains), `${what}: error should contain ${show(contains)}, got ${show(res.error)}`);
  }
  return res.error;
}

/** Checks the exact shape of an instance. */
export function checkInstance(inst, expected, label = 'instance') {
  ok(inst !== null && typeof inst === 'object', `${label} is an object`);
  equal(Object.getPrototypeOf(inst), Object.prototype, `${label} is a plain object`);
  const keys = 'description' in expected ? INSTANCE_KEYS_WITH_DESCRIPTION : INSTANCE_KEYS;
  deepEqual(sortedKeys(inst), keys, `${label} keys`);
  match(inst.id, UUID_V4, `${label}.id`);
  isoTimestamp(inst.createdAt, `${label}.createdAt`);
  isoTimestamp(inst.updatedAt, `${label}.updatedAt`);
  equal(inst.name, expected.name, `${label}.name`);
  if ('description' in expected) equal(inst.description, expected.description, `${label}.description`);
  if ('id' in expected) equal(inst.id, expected.id, `${label}.id`);
  if ('createdAt' in expected) equal(inst.createdAt, expected.createdAt, `${label}.createdAt`);
  if ('updatedAt' in expected) equal(inst.updatedAt, expected.updatedAt, `${label}.updatedAt`);
}

/** Checks the exact shape of a record; `expected.value` is the raw value given to set. */
export function checkRecord(rec, expected, label = 'record') {
  ok(rec !== null && typeof rec === 'object', `${label} is an object`);
  equal(Object.getPrototypeOf(rec), Object.prototype, `${label} is a plain object`);
  deepEqual(sortedKeys(rec), RECORD_KEYS, `${label} keys`);
  match(rec.id, UUID_V4, `${label}.id`);
  isoTimestamp(rec.createdAt, `${label}.createdAt`);
  isoTimestamp(rec.updatedAt, `${label}.updatedAt`);
  ok(Number.isSafeInteger(rec.version) && rec.version > 0, `${label}.version is a positive safe integer, got ${show(rec.version)}`);
  for (const k of ['id', 'instanceId', 'namespace', 'key', 'createdAt', 'updatedAt', 'version']) {
    if (k in expected) equal(rec[k], expected[k], `${label}.${k}`);
  }
  if ('value' in expected) deepEqual(rec.value, norm(expected.value), `${label}.value`);
}

/** Creates an instance and returns it. */
export async function makeInstance(store, name, description) {
  const res = description === undefined ? await store.createInstance(name) : await store.createInstance(name, description);
  return expectOk(res, 'createInstance', `create ${name}`).instance;
}

/** Stores a value and returns the record. */
export async function put(store, instance, namespace, key, value, auto) {
  const res = auto === undefined ? await store.set(instance, namespace, key, value) : await store.set(instance, namespace, key, value, auto);
  return expectOk(res, 'set', `set ${namespace}/${key}`).record;
}

/** Reads a key and returns { value, exists }, checking the data shape. */
export async function read(store, instance, namespace, key) {
  const data = expectOk(await store.get(instance, namespace, key), 'get', `get ${namespace}/${key}`);
  deepEqual(sortedKeys(data), ['exists', 'value'], 'get data keys');
  return data;
}

export async function count(store, instance, namespace) {
  const res = namespace === undefined ? await store.getRecordCount(instance) : await store.getRecordCount(instance, namespace);
  const data = expectOk(res, 'getRecordCount');
  deepEqual(sortedKeys(data), ['count'], 'getRecordCount data keys');
  return data.count;
}

export async function namespaces(store, instance) {
  const data = expectOk(await store.getNamespaces(instance), 'getNamespaces');
  deepEqual(sortedKeys(data), ['namespaces'], 'getNamespaces data keys');
  return data.namespaces;
}

export async function instances(store) {
  const data = expectOk(await store.listInstances(), 'listInstances');
  deepEqual(sortedKeys(data), ['instances'], 'listInstances data keys');
  return data.instances;
}

/**
 * Runs a query and returns its result, checking the data shape: `cursor` is
 * a non-empty string, present (on a query by offset, whose result says where
 * the page stands) exactly when matches remain after the page.
 */
export async function query(store, dsl, label = '') {
  const data = expectOk(await store.query(dsl), 'query', label);
  deepEqual(sortedKeys(data), ['result'], 'query data keys');
  const result = data.result;
  const keys = 'cursor' in result ? ['cursor', 'limit', 'offset', 'records', 'total'] : ['limit', 'offset', 'records', 'total'];
  deepEqual(sortedKeys(result), keys, 'query result keys');
  ok(Array.isArray(result.records), 'query records is an array');
  if ('cursor' in result) ok(typeof result.cursor === 'string' && result.cursor.length > 0, `query cursor is a non-empty string, got ${show(result.cursor)}`);
  if (!('after' in dsl)) {
    const remain = result.limit > 0 && result.offset + result.records.length < result.total;
    equal('cursor' in result, remain, `${label} cursor exactly when matches remain (total ${result.total}, offset ${result.offset}, ${result.records.length} rows)`);
  }
  return result;
}

/** `[namespace, key]` pairs of query records, for compact comparisons. */
export function pairs(records) {
  return records.map((r) => `${r.namespace}/${r.key}`);
}
