// Sample data for a first look: one instance with a few namespaces and
// values of every JSON type.

export const SAMPLE = {
  description: 'Sample data: settings, users and a cache',
  records: [
    ['settings', 'theme', 'dark'],
    ['settings', 'fontSize', 14],
    ['settings', 'notifications', true],
    ['settings', 'lastProject', null],
    ['users', 'user-123', { name: 'John Doe', preferences: { theme: 'dark', notifications: { email: true, push: false } }, tags: ['admin', 'beta'] }],
    ['users', 'user-456', { name: 'Ada', preferences: { theme: 'light' }, tags: [] }],
    ['cache', 'recent-searches', ['kv store', 'wasm', 'indexeddb']],
  ],
};

/** The first of `sample-app`, `sample-app-2`, ... that no instance is named. */
export function freeName(instances, base = 'sample-app') {
  const taken = new Set(instances.map((i) => i.name));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}
