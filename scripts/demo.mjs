// The main job, as a user would do it: open a store with the default
// (in-memory) backend, make the kvStore calls an app makes, print each
// envelope as it resolves.
import { KvStore } from '../pkg/node.js';

const kvStore = await KvStore.open();

async function show(title, call) {
  const envelope = await call;
  console.log(`\n# ${title}`);
  console.log(JSON.stringify(envelope, null, 2));
  return envelope;
}

const created = await show('createInstance', kvStore.createInstance('my-app', 'Settings and caches of my app'));
const instanceId = created.data.instance.id;

await show('set a string', kvStore.set(instanceId, 'user-preferences', 'theme', 'dark'));
const first = await show('set an object', kvStore.set(instanceId, 'users', 'user-123', {
  name: 'John Doe',
  preferences: { theme: 'dark', notifications: { email: true, push: false } },
  tags: ['admin', 'beta'],
}));
await new Promise((resolve) => setTimeout(resolve, 5));
await show('overwrite: same id and createdAt, later updatedAt', kvStore.set(instanceId, 'users', 'user-123', {
  ...first.data.record.value,
  name: 'John Q. Doe',
}));
await show('set by instance name', kvStore.set('my-app', 'users', 'user-456', { name: 'Ada', preferences: { theme: 'light' } }));
await show('set with autoCreateInstance', kvStore.set('cache-instance', 'cache', 'key1', { data: 'value' }, true));
await show('get', kvStore.get(instanceId, 'users', 'user-123'));
await show('get a missing key', kvStore.get(instanceId, 'users', 'nobody'));
await show('query: dark-theme users, by name', kvStore.query({
  from: { instance: instanceId, namespace: 'users' },
  where: [{ field: 'value.preferences.theme', operator: 'eq', value: 'dark' }],
  select: ['key', 'value.name'],
  orderBy: { field: 'value.name', direction: 'asc' },
}));
await show('getNamespaces', kvStore.getNamespaces(instanceId));
await show('getRecordCount', kvStore.getRecordCount(instanceId));
await show('a refused value (NaN has no JSON form)', kvStore.set(instanceId, 'stats', 'ratio', { ratio: NaN }));
await show('set on an unknown instance', kvStore.set('no-such-instance', 'ns', 'k', 1));
await show('deleteNamespace', kvStore.deleteNamespace(instanceId, 'users'));
await show('listInstances', kvStore.listInstances());
await show('deleteInstance', kvStore.deleteInstance('cache-instance'));
