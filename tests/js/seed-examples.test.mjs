// The six examples of the original `kvStore.set` documentation page
// (shared/spec/seed-kvStore.set.txt), run as written with `codebolt.kvStore`
// bound to a boltkv store, checking what each logs and leaves in the store.

import { test } from 'node:test';
import { KvStore } from '../../pkg/node.js';
import { deepEqual, equal, ok } from './conformance/assert.js';
import { UUID_V4, expectErr, expectOk } from './conformance/support.js';

async function makeCodebolt({ withInstance }) {
  const kvStore = await KvStore.open();
  if (withInstance) expectOk(await kvStore.createInstance('kv-instance-id'), 'createInstance');
  const codebolt = { kvStore, waitForReady: async () => {} };
  return codebolt;
}

/** Runs fn with console.log/console.error captured; returns { logs, ret }. */
async function captureConsole(fn) {
  const logs = [];
  const saved = { log: console.log, error: console.error };
  console.log = (...args) => logs.push(['log', ...args]);
  console.error = (...args) => logs.push(['error', ...args]);
  try {
    const ret = await fn();
    return { logs, ret };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
  }
}

async function stored(codebolt, instance, namespace, key) {
  return expectOk(await codebolt.kvStore.get(instance, namespace, key), 'get');
}

// ---- The examples, as written on the page (import replaced by the binding) ----

async function example1(codebolt) {
  await codebolt.waitForReady();
  const result = await codebolt.kvStore.set(
    'kv-instance-id',
    'user-preferences',
    'theme',
    'dark'
  );
  if (result.success) {
    console.log('Value stored successfully');
    console.log('Record ID:', result.data.record.id);
  } else {
    console.error('Failed to store value:', result.error);
  }
  return result;
}

async function example2(codebolt) {
  const userProfile = {
    userId: 'user-123',
    name: 'John Doe',
    email: 'john@example.com',
    preferences: {
      theme: 'dark',
      language: 'en',
      notifications: {
        email: true,
        push: false,
        sms: false
      }
    },
    metadata: {
      createdAt: Date.now(),
      source: 'registration'
    }
  };
  const result = await codebolt.kvStore.set(
    'kv-instance-id',
    'users',
    'user-123',
    userProfile
  );
  if (result.success) {
    console.log('User profile stored:', result.data.record.id);
  }
  return { result, userProfile };
}

async function example3(codebolt) {
  // First, store initial value
  await codebolt.kvStore.set(
    'kv-instance-id',
    'counter',
    'visits',
    { count: 0, lastVisit: null }
  );
  // Later, update the value
  const current = await codebolt.kvStore.get(
    'kv-instance-id',
    'counter',
    'visits'
  );
  if (current.data.exists) {
    const updated = {
      count: current.data.value.count + 1,
      lastVisit: Date.now()
    };
    await codebolt.kvStore.set(
      'kv-instance-id',
      'counter',
      'visits',
      updated
    );
    console.log('Counter updated');
  }
}

async function example4(codebolt) {
  const shoppingList = [
    { id: 1, name: 'Milk', quantity: 2, purchased: false },
    { id: 2, name: 'Bread', quantity: 1, purchased: false },
    { id: 3, name: 'Eggs', quantity: 12, purchased: true }
  ];
  const result = await codebolt.kvStore.set(
    'kv-instance-id',
    'shopping',
    'list-2024-01-19',
    shoppingList
  );
  if (result.success) {
    console.log('Shopping list saved');
  }
  return { result, shoppingList };
}

async function example5(codebolt, autoCreate = true) {
  const result = await codebolt.kvStore.set(
    'new-instance-id',
    'cache',
    'key1',
    { data: 'value' },
    autoCreate // autoCreateInstance (true as written; false to reach the else branch)
  );
  if (result.success) {
    console.log('Value stored (instance auto-created if needed)');
  } else if (result.error?.includes('not found')) {
    console.log('Instance does not exist and auto-create is disabled');
  }
  return result;
}

function example6(codebolt) {
  function setWithExpiry(instanceId, namespace, key, value, ttlMinutes) {
    const data = {
      value,
      expiresAt: Date.now() + (ttlMinutes * 60 * 1000),
      createdAt: Date.now()
    };
    return codebolt.kvStore.set(instanceId, namespace, key, data);
  }
  // When retrieving, check expiration
  async function getWithExpiry(instanceId, namespace, key) {
    const result = await codebolt.kvStore.get(instanceId, namespace, key);
    if (!result.data.exists) {
      return { exists: false };
    }
    const data = result.data.value;
    if (Date.now() > data.expiresAt) {
      // Expired, delete and return null
      await codebolt.kvStore.delete(instanceId, namespace, key);
      return { exists: false, expired: true };
    }
    return { exists: true, value: data.value };
  }
  return { setWithExpiry, getWithExpiry };
}

// ---- The checks ----

test('seed example 1: store a simple value logs success and the record id', async () => {
  const codebolt = await makeCodebolt({ withInstance: true });
  const { logs, ret } = await captureConsole(() => example1(codebolt));
  equal(logs.length, 2, 'two lines logged');
  deepEqual(logs[0], ['log', 'Value stored successfully']);
  equal(logs[1][0], 'log');
  equal(logs[1][1], 'Record ID:');
  ok(UUID_V4.test(logs[1][2]), `record id ${logs[1][2]} is a UUID v4`);
  equal(logs[1].length, 3);
  equal(ret.type, 'kvStore.set');
  equal(ret.data.record.id, logs[1][2]);
  deepEqual(await stored(codebolt, 'kv-instance-id', 'user-preferences', 'theme'), { value: 'dark', exists: true });
});

test('seed example 1: without the instance it logs the "not found" error', async () => {
  const codebolt = await makeCodebolt({ withInstance: false });
  const { logs, ret } = await captureConsole(() => example1(codebolt));
  equal(logs.length, 1, 'one line logged');
  equal(logs[0][0], 'error');
  equal(logs[0][1], 'Failed to store value:');
  equal(typeof logs[0][2], 'string');
  ok(logs[0][2].includes('not found'), `error mentions "not found": ${logs[0][2]}`);
  expectErr(ret, 'set', 'NOT_FOUND', 'not found');
  deepEqual(expectOk(await codebolt.kvStore.listInstances(), 'listInstances'), { instances: [] });
});

test('seed example 2: store complex object data logs the record id and stores the profile exactly', async () => {
  const codebolt = await makeCodebolt({ withInstance: true });
  const { logs, ret } = await captureConsole(() => example2(codebolt));
  equal(logs.length, 1);
  equal(logs[0][0], 'log');
  equal(logs[0][1], 'User profile stored:');
  ok(UUID_V4.test(logs[0][2]));
  equal(ret.result.data.record.id, logs[0][2]);
  const got = await stored(codebolt, 'kv-instance-id', 'users', 'user-123');
  deepEqual(got, { value: ret.userProfile, exists: true });
  equal(typeof got.value.metadata.createdAt, 'number');
  equal(got.value.preferences.notifications.email, true);
});

test('seed example 2: without the instance it logs nothing and stores nothing', async () => {
  const codebolt = await makeCodebolt({ withInstance: false });
  const { logs, ret } = await captureConsole(() => example2(codebolt));
  deepEqual(logs, []);
  expectErr(ret.result, 'set', 'NOT_FOUND', 'not found');
  deepEqual(await stored(codebolt, 'kv-instance-id', 'users', 'user-123'), { value: null, exists: false });
});

test('seed example 3: update an existing value logs "Counter updated" and overwrites in place', async () => {
  const codebolt = await makeCodebolt({ withInstance: true });
  const first = await captureConsole(() => example3(codebolt));
  deepEqual(first.logs, [['log', 'Counter updated']]);
  const got = await stored(codebolt, 'kv-instance-id', 'counter', 'visits');
  equal(got.exists, true);
  deepEqual(Object.keys(got.value).sort(), ['count', 'lastVisit']);
  equal(got.value.count, 1);
  ok(Number.isInteger(got.value.lastVisit) && got.value.lastVisit > 1.7e12, 'lastVisit is a Date.now() number');
  const q1 = expectOk(await codebolt.kvStore.query({ from: { instance: 'kv-instance-id', namespace: 'counter' } }), 'query').result;
  equal(q1.total, 1);
  const second = await captureConsole(() => example3(codebolt));
  deepEqual(second.logs, [['log', 'Counter updated']]);
  const q2 = expectOk(await codebolt.kvStore.query({ from: { instance: 'kv-instance-id', namespace: 'counter' } }), 'query').result;
  equal(q2.total, 1, 'still one record');
  equal(q2.records[0].id, q1.records[0].id, 'the overwrite keeps the id');
  equal(q2.records[0].createdAt, q1.records[0].createdAt, 'the overwrite keeps createdAt');
  ok(q2.records[0].updatedAt > q1.records[0].updatedAt, 'updatedAt moved forward');
  equal(q2.records[0].value.count, 1, 'the example resets to 0 then adds 1');
});

test('seed example 3: without the instance it runs to the end without logging', async () => {
  const codebolt = await makeCodebolt({ withInstance: false });
  const { logs } = await captureConsole(() => example3(codebolt));
  deepEqual(logs, [], 'get on an unknown instance succeeds with exists false');
  deepEqual(expectOk(await codebolt.kvStore.listInstances(), 'listInstances'), { instances: [] });
});

test('seed example 4: store array data logs "Shopping list saved" and stores the array', async () => {
  const codebolt = await makeCodebolt({ withInstance: true });
  const { logs, ret } = await captureConsole(() => example4(codebolt));
  deepEqual(logs, [['log', 'Shopping list saved']]);
  deepEqual(ret.result.data.record.value, ret.shoppingList);
  deepEqual(await stored(codebolt, 'kv-instance-id', 'shopping', 'list-2024-01-19'), { value: ret.shoppingList, exists: true });
});

test('seed example 5: auto-create instance stores the value and creates the instance once', async () => {
  const codebolt = await makeCodebolt({ withInstance: false });
  const first = await captureConsole(() => example5(codebolt));
  deepEqual(first.logs, [['log', 'Value stored (instance auto-created if needed)']]);
  const inst = expectOk(await codebolt.kvStore.getInstance('new-instance-id'), 'getInstance').instance;
  equal(inst.name, 'new-instance-id');
  equal(first.ret.data.record.instanceId, inst.id);
  ok(inst.id !== 'new-instance-id', 'the instance gets a generated id');
  const second = await captureConsole(() => example5(codebolt));
  deepEqual(second.logs, [['log', 'Value stored (instance auto-created if needed)']]);
  equal(second.ret.data.record.id, first.ret.data.record.id, 'second run overwrites the same record');
  const list = expectOk(await codebolt.kvStore.listInstances(), 'listInstances').instances;
  deepEqual(list.map((i) => i.name), ['new-instance-id'], 'created once');
  deepEqual(await stored(codebolt, 'new-instance-id', 'cache', 'key1'), { value: { data: 'value' }, exists: true });
});

test('seed example 5: with auto-create disabled the else branch sees "not found"', async () => {
  const codebolt = await makeCodebolt({ withInstance: false });
  const { logs } = await captureConsole(() => example5(codebolt, false));
  deepEqual(logs, [['log', 'Instance does not exist and auto-create is disabled']]);
  deepEqual(expectOk(await codebolt.kvStore.listInstances(), 'listInstances'), { instances: [] });
});

test('seed example 6: store with a TTL and read it back before it expires', async () => {
  const codebolt = await makeCodebolt({ withInstance: true });
  const { setWithExpiry, getWithExpiry } = example6(codebolt);
  const { logs } = await captureConsole(async () => {
    // Usage: Store data that expires in 5 minutes
    const res = await setWithExpiry(
      'kv-instance-id',
      'temp-cache',
      'api-response',
      { temperature: 72, condition: 'Sunny' },
      5
    );
    expectOk(res, 'set');
  });
  deepEqual(logs, []);
  const raw = await stored(codebolt, 'kv-instance-id', 'temp-cache', 'api-response');
  deepEqual(Object.keys(raw.value).sort(), ['createdAt', 'expiresAt', 'value']);
  deepEqual(raw.value.value, { temperature: 72, condition: 'Sunny' });
  ok(raw.value.expiresAt > raw.value.createdAt, 'expiresAt after createdAt');
  deepEqual(await getWithExpiry('kv-instance-id', 'temp-cache', 'api-response'), {
    exists: true,
    value: { temperature: 72, condition: 'Sunny' },
  });
  deepEqual(await getWithExpiry('kv-instance-id', 'temp-cache', 'missing'), { exists: false });
});

test('seed example 6: an expired entry is deleted and reported as expired', async () => {
  const codebolt = await makeCodebolt({ withInstance: true });
  const { setWithExpiry, getWithExpiry } = example6(codebolt);
  expectOk(await setWithExpiry('kv-instance-id', 'temp-cache', 'old', { temperature: 50 }, -1), 'set');
  deepEqual(await getWithExpiry('kv-instance-id', 'temp-cache', 'old'), { exists: false, expired: true });
  deepEqual(await stored(codebolt, 'kv-instance-id', 'temp-cache', 'old'), { value: null, exists: false });
  deepEqual(await getWithExpiry('kv-instance-id', 'temp-cache', 'old'), { exists: false });
});

test('seed example 6: without the instance the set fails with "not found" and the read finds nothing', async () => {
  const codebolt = await makeCodebolt({ withInstance: false });
  const { setWithExpiry, getWithExpiry } = example6(codebolt);
  expectErr(await setWithExpiry('kv-instance-id', 'temp-cache', 'api-response', { temperature: 72 }, 5), 'set', 'NOT_FOUND', 'not found');
  deepEqual(await getWithExpiry('kv-instance-id', 'temp-cache', 'api-response'), { exists: false });
});
