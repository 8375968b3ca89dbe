// The store a user would write in plain JavaScript instead of using boltkv:
// the twelve kvStore calls (docs/api.md) over Maps, values copied in and out
// with JSON, each call resolving with the same envelope. The benchmark runs
// it beside boltkv's memory backend. It is kept as a user would write it in
// an afternoon: not tuned, and not made slow on purpose. It checks only what
// such a user would (empty names, values JSON cannot carry at all), and its
// query knows `where`, `orderBy`, `limit` and `offset` but not `select` or
// the server-side spellings.

const copy = (v) => JSON.parse(JSON.stringify(v));
const now = () => new Date().toISOString();

function lookup(obj, path) {
  for (const part of path.split('.')) {
    if (obj === null || typeof obj !== 'object' || !(part in obj)) return undefined;
    obj = obj[part];
  }
  return obj;
}

const TESTS = {
  eq: (a, b) => a === b,
  neq: (a, b) => a !== b,
  gt: (a, b) => typeof a === typeof b && a > b,
  gte: (a, b) => typeof a === typeof b && a >= b,
  lt: (a, b) => typeof a === typeof b && a < b,
  lte: (a, b) => typeof a === typeof b && a <= b,
  contains: (a, b) => (typeof a === 'string' || Array.isArray(a)) && a.includes(b),
  startsWith: (a, b) => typeof a === 'string' && a.startsWith(b),
  endsWith: (a, b) => typeof a === 'string' && a.endsWith(b),
  in: (a, b) => b.includes(a),
  exists: (a) => a !== undefined,
};

const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

export class PlainKvStore {
  instances = new Map(); // id -> instance
  records = new Map(); // instance id -> namespace -> key -> record

  // Every call answers with the envelope; a thrown Error becomes a failure.
  async #call(type, fn) {
    try {
      const data = fn();
      return { type, success: true, data, timestamp: now(), requestId: crypto.randomUUID() };
    } catch (e) {
      return { type, success: false, error: e.message, timestamp: now(), requestId: crypto.randomUUID() };
    }
  }

  #find(idOrName) {
    return this.instances.get(idOrName) ?? [...this.instances.values()].find((i) => i.name === idOrName);
  }
  #mustFind(idOrName) {
    const inst = this.#find(idOrName);
    if (!inst) throw new Error(`Instance ${idOrName} not found`);
    return inst;
  }
  #namespaces(idOrName) {
    const inst = this.#find(idOrName);
    return inst ? this.records.get(inst.id) : new Map();
  }
  #create(name, description) {
    if (!name) throw new Error('An instance name must be a non-empty string');
    if (this.#find(name)) throw new Error(`Instance ${name} already exists`);
    const t = now();
    const inst = { id: crypto.randomUUID(), name, ...(description === undefined ? {} : { description }), createdAt: t, updatedAt: t };
    this.instances.set(inst.id, inst);
    this.records.set(inst.id, new Map());
    return inst;
  }

  createInstance(name, description) {
    return this.#call('kvStore.createInstance', () => ({ instance: copy(this.#create(name, description)) }));
  }
  getInstance(id) {
    return this.#call('kvStore.getInstance', () => ({ instance: copy(this.#mustFind(id)) }));
  }
  listInstances() {
    return this.#call('kvStore.listInstances', () => ({ instances: copy([...this.instances.values()]) }));
  }
  updateInstance(id, { name, description } = {}) {
    return this.#call('kvStore.updateInstance', () => {
      const inst = this.#mustFind(id);
      if (name === undefined && description === undefined) throw new Error('Give a name or a description to update');
      if (name !== undefined && name !== inst.name && this.#find(name)) throw new Error(`Instance ${name} already exists`);
      Object.assign(inst, name === undefined ? {} : { name }, description === undefined ? {} : { description }, { updatedAt: now() });
      return { instance: copy(inst) };
    });
  }
  deleteInstance(id) {
    return this.#call('kvStore.deleteInstance', () => {
      const inst = this.#find(id);
      if (inst) {
        this.instances.delete(inst.id);
        this.records.delete(inst.id);
      }
      return { deleted: !!inst };
    });
  }

  get(id, namespace, key) {
    return this.#call('kvStore.get', () => {
      const record = this.#namespaces(id).get(namespace)?.get(key);
      return record ? { value: copy(record.value), exists: true } : { value: null, exists: false };
    });
  }
  set(id, namespace, key, value, autoCreateInstance = false) {
    return this.#call('kvStore.set', () => {
      if (!namespace || !key) throw new Error('The namespace and the key must be non-empty strings');
      const text = JSON.stringify(value);
      if (text === undefined) throw new Error('The value must be a JSON value');
      const inst = this.#find(id) ?? (autoCreateInstance ? this.#create(id) : this.#mustFind(id));
      const namespaces = this.records.get(inst.id);
      if (!namespaces.has(namespace)) namespaces.set(namespace, new Map());
      const keys = namespaces.get(namespace);
      const t = now();
      const old = keys.get(key);
      const record = { id: old?.id ?? crypto.randomUUID(), instanceId: inst.id, namespace, key, value: JSON.parse(text), createdAt: old?.createdAt ?? t, updatedAt: t };
      keys.set(key, record);
      return { record: copy(record) };
    });
  }
  delete(id, namespace, key) {
    return this.#call('kvStore.delete', () => {
      const keys = this.#namespaces(id).get(namespace);
      const deleted = !!keys?.delete(key);
      if (keys?.size === 0) this.#namespaces(id).delete(namespace);
      return { deleted };
    });
  }
  deleteNamespace(id, namespace) {
    return this.#call('kvStore.deleteNamespace', () => {
      const deletedCount = this.#namespaces(id).get(namespace)?.size ?? 0;
      this.#namespaces(id).delete(namespace);
      return { deletedCount };
    });
  }
  getNamespaces(id) {
    return this.#call('kvStore.getNamespaces', () => ({ namespaces: [...this.#namespaces(id).keys()].sort() }));
  }
  getRecordCount(id, namespace) {
    return this.#call('kvStore.getRecordCount', () => {
      const namespaces = [...this.#namespaces(id)].filter(([ns]) => namespace === undefined || ns === namespace);
      return { count: namespaces.reduce((n, [, keys]) => n + keys.size, 0) };
    });
  }

  query({ from, where = [], orderBy, limit = 100, offset = 0 }) {
    return this.#call('kvStore.query', () => {
      for (const w of where) if (!TESTS[w.operator]) throw new Error(`Unknown operator ${w.operator}`);
      const namespaces = [...this.#namespaces(from.instance)].filter(([ns]) => from.namespace === undefined || ns === from.namespace);
      const matches = namespaces
        .flatMap(([, keys]) => [...keys.values()])
        .filter((r) => where.every((w) => TESTS[w.operator](lookup(r, w.field), w.value)));
      const order = [orderBy ?? [], { field: 'namespace' }, { field: 'key' }].flat();
      matches.sort((a, b) => {
        for (const { field, direction } of order) {
          const c = compare(lookup(a, field), lookup(b, field));
          if (c) return direction === 'desc' ? -c : c;
        }
        return 0;
      });
      return { result: { records: copy(matches.slice(offset, offset + limit)), total: matches.length, limit, offset } };
    });
  }
}
