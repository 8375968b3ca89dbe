// The playground: opens a store, keeps the views in step with it, and turns
// what a person does into kvStore calls. Every call's envelope goes to the
// log; the selection lives in the address (?backend=&name=&instance=&ns=),
// so a reload or a second tab opens the same view.

import { BACKENDS, bindApi, openStore } from './api.js';
import { keepFocus, plural } from './dom.js';
import { isExpiryError } from './expiry.js';
import { follow } from './live.js';
import { SAMPLE, freeName } from './sample.js';
import { createBackupView } from './views/backup.js';
import { createEditorView } from './views/editor.js';
import { createInstancesView } from './views/instances.js';
import { createLog } from './views/log.js';
import { createNamespacesView } from './views/namespaces.js';
import { createQueryView } from './views/query.js';
import { createRecordsView } from './views/records.js';
import { createStorePicker } from './views/storePicker.js';

const PAGE_SIZE = 20;
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const state = {
  backend: BACKENDS.includes(params.get('backend')) ? params.get('backend') : 'indexeddb',
  name: params.get('name') || 'playground',
  instanceId: params.get('instance'),
  namespace: params.get('ns'),
  offset: 0,
  store: null,
  api: null,
  instances: [],
  /** What follows the store: its watch and the live query of the records page. */
  live: null,
};

const statusLine = $('status');
function say(text, failed = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle('failed', failed);
}

const log = createLog({ list: $('log'), clearButton: $('log-clear') });

// ---- refreshing the views -------------------------------------------------

let chain = Promise.resolve();
let pending = 0;

/** Re-reads what the views show. Runs one at a time; while one waits, more requests join it. */
function refresh(label) {
  if (pending > 1) return chain;
  pending++;
  chain = chain
    .then(() => load(label))
    .catch((err) => say(`The page could not refresh: ${err.message}`, true))
    .finally(() => pending--);
  return chain;
}

async function load(label) {
  const store = state.store;
  if (!store) return;
  const group = log.group(label);
  const api = bindApi(store, group.report);
  try {
    const listed = await api.listInstances();
    const instances = listed.success ? listed.data.instances : [];
    const stats = new Map();
    await Promise.all(instances.map(async ({ id }) => {
      const [ns, count] = await Promise.all([api.getNamespaces(id), api.getRecordCount(id)]);
      stats.set(id, { names: ns.success ? ns.data.namespaces : [], count: count.success ? count.data.count : 0 });
    }));
    if (!instances.some((i) => i.id === state.instanceId)) select(instances[0]?.id ?? null);
    const instance = instances.find((i) => i.id === state.instanceId) || null;

    const namespaces = instance
      ? await Promise.all(stats.get(instance.id).names.map(async (name) => {
        const count = await api.getRecordCount(instance.id, name);
        return { name, count: count.success ? count.data.count : 0 };
      }))
      : [];
    if (!namespaces.some((n) => n.name === state.namespace)) selectNamespace(namespaces[0]?.name ?? null);

    const view = instance && { instance, namespace: state.namespace, records: [], total: 0, offset: state.offset, limit: PAGE_SIZE };
    if (instance && state.namespace) Object.assign(view, await readPage(api, instance, state.namespace));
    // The table then follows the page's live query (live.js) until the next load.
    state.live?.page(view?.namespace ? pageQuery(instance.id, view.namespace, view.offset) : null, (result) => {
      keepFocus(() => recordsView.render({ ...view, records: result.records, total: result.total, offset: result.offset }));
    });

    state.instances = instances;
    keepFocus(() => {
      instancesView.render({
        instances,
        stats: new Map([...stats].map(([id, s]) => [id, { namespaces: s.names.length, count: s.count }])),
        selectedId: state.instanceId,
      });
      namespacesView.render({ instance, namespaces, selected: state.namespace });
      recordsView.render(view);
    });
    queryView.suggest(instance, state.namespace);
    saveLocation();
    await checkOpenRecord(api);
  } finally {
    group.end();
  }
}

/** One page of the namespace's records, stepping back when the page is past the end (records were deleted). */
async function readPage(api, instance, namespace) {
  const ask = () => api.query(pageQuery(instance.id, namespace, state.offset));
  let env = await ask();
  if (env.success && state.offset > 0 && env.data.result.offset >= env.data.result.total) {
    state.offset = Math.max(0, Math.floor((env.data.result.total - 1) / PAGE_SIZE) * PAGE_SIZE);
    env = await ask();
  }
  if (!env.success) return {};
  const { records, total, offset } = env.data.result;
  return { records, total, offset };
}

/** The query of one page of a namespace's records. */
const pageQuery = (instanceId, namespace, offset) => ({ from: { instance: instanceId, namespace }, limit: PAGE_SIZE, offset });

/** When the record dialog is open, tells it if the record changed (another tab wrote it). */
async function checkOpenRecord(api) {
  const open = editor.record;
  if (!open) return;
  const current = await readRecord(api, open);
  if (current !== undefined) editor.changedElsewhere(current);
}

/** The record stored at `{ instanceId, namespace, key }` (with its version; `get` answers only the value), null when absent, undefined when the read failed. */
async function readRecord(api, { instanceId, namespace, key }) {
  const env = await api.query({ from: { instance: instanceId, namespace }, where: [{ field: 'key', operator: 'eq', value: key }] });
  return env.success ? env.data.result.records[0] ?? null : undefined;
}

function select(instanceId) {
  state.instanceId = instanceId;
  selectNamespace(null);
}

function selectNamespace(namespace) {
  state.namespace = namespace;
  state.offset = 0;
}

function saveLocation() {
  const p = new URLSearchParams({ backend: state.backend, name: state.name });
  if (state.instanceId) p.set('instance', state.instanceId);
  if (state.namespace) p.set('ns', state.namespace);
  history.replaceState(null, '', `?${p}`);
}

// ---- opening a store ------------------------------------------------------

async function open(backend, name) {
  const changed = backend !== state.backend || name !== state.name;
  state.live?.stop();
  state.live = null;
  const old = state.store;
  state.store = null;
  await chain; // let a refresh on the old store finish before freeing it
  old?.free();
  Object.assign(state, { backend, name });
  if (changed) select(null);
  let store;
  try {
    store = await openStore(backend, name);
  } catch (err) {
    picker.failed(err.message);
    say(`The store did not open: ${err.message}`, true);
    return;
  }
  state.store = store;
  state.api = bindApi(store, log.add);
  picker.opened(store.storage);
  state.live = follow(store, () => refresh('Refresh: the store changed (a write, an expiry, another tab)'));
  await refresh(`Load store “${name}” (${store.storage.backend})`);
  say(`Opened store “${name}” on ${store.storage.backend}.`);
}

// ---- what a person does ---------------------------------------------------

/** Says how a call went; returns its error sentence, or null when it succeeded. */
function outcome(env, done) {
  if (env.success) {
    say(done);
    refresh('Refresh after your change');
    return null;
  }
  say(`${env.type} failed: ${env.error}`, true);
  return env.error;
}

/**
 * `outcome` for the record dialog's conditional writes: null when done,
 * else `{ error }`, or on CONFLICT `{ conflict }` with what the store holds
 * now (a refused check has already brought this tab's copy up to date).
 */
async function dialogOutcome(env, at, done) {
  const error = outcome(env, done);
  if (error === null) return null;
  if (env.code !== 'CONFLICT') return { error, expiry: isExpiryError(env) };
  const current = await readRecord(state.api, at);
  return current === undefined ? { error } : { conflict: current };
}

/** Deletes `record` only while it still has the version the person saw; resolves with the envelope, or null when they cancel. */
async function deleteRecord(record) {
  if (!confirm(`Delete record “${record.key}” (version ${record.version}) from ${record.namespace}?`)) return null;
  return state.api.delete(record.instanceId, record.namespace, record.key, { ifVersion: record.version });
}

const picker = createStorePicker({ onOpen: open });

const instancesView = createInstancesView({
  async onCreate(name, description) {
    const env = await state.api.createInstance(name, description);
    if (env.success) select(env.data.instance.id);
    return outcome(env, `Created instance ${name}.`) === null;
  },
  onSelect(id) {
    select(id);
    refresh('Refresh for your selection');
  },
  async onRename(instance, updates) {
    const env = await state.api.updateInstance(instance.id, updates);
    return outcome(env, `Updated instance ${env.data?.instance.name ?? instance.name}.`);
  },
  async onDelete(instance) {
    if (!confirm(`Delete instance “${instance.name}” and all its records?`)) return;
    const env = await state.api.deleteInstance(instance.id);
    outcome(env, `Deleted instance ${instance.name}.`);
  },
  async onSample() {
    const name = freeName(state.instances);
    const created = await state.api.createInstance(name, SAMPLE.description);
    if (outcome(created, `Created instance ${name}.`) !== null) return;
    select(created.data.instance.id);
    const sets = await Promise.all(SAMPLE.records.map(([ns, key, value]) => state.api.set(name, ns, key, value)));
    const failed = sets.find((env) => !env.success);
    if (failed) outcome(failed, '');
    else outcome(sets[0], `Added sample instance ${name} with ${sets.length} records.`);
  },
});

const namespacesView = createNamespacesView({
  onSelect(namespace) {
    selectNamespace(namespace);
    recordsView.useNamespace(namespace);
    refresh('Refresh for your selection');
  },
});

const recordsView = createRecordsView({
  onOpen: (record) => editor.open(record),
  onNew: () => state.instanceId && editor.create(state.instanceId, state.namespace),
  async onDelete(record) {
    const env = await deleteRecord(record);
    if (!env) return;
    if (env.code !== 'CONFLICT') return outcome(env, `Deleted ${record.key} from ${record.namespace}.`);
    say(`Not deleted: ${record.key} changed meanwhile (in another tab or by another call) after the table showed version ${record.version}. The table now shows what is stored.`, true);
    refresh('Refresh after a conflict');
  },
  onPage(step) {
    state.offset = Math.max(0, state.offset + step * PAGE_SIZE);
    refresh('Refresh for another page');
  },
  async onDeleteNamespace(namespace) {
    if (!confirm(`Delete namespace “${namespace}” and every record in it?`)) return;
    const env = await state.api.deleteNamespace(state.instanceId, namespace);
    if (env.success) selectNamespace(null);
    outcome(env, `Deleted namespace ${namespace} (${env.data?.deletedCount} records).`);
  },
  /** A plain set (it overwrites); `expiry` is null or `{ expireIn }`. Resolves with null, or `{ error, expiry }` (whether the error is about the expiry). */
  async onSet(namespace, key, value, expiry) {
    if (!state.instanceId) return { error: 'Create or select an instance first.' };
    const env = expiry
      ? await state.api.set(state.instanceId, namespace, key, value, false, expiry)
      : await state.api.set(state.instanceId, namespace, key, value);
    if (env.success) selectNamespace(namespace);
    const error = outcome(env, `Saved ${key} in ${namespace}.`);
    return error === null ? null : { error, expiry: isExpiryError(env) };
  },
});

const editor = createEditorView({
  async onSave(at, value, ifVersion, expiry) {
    const env = await state.api.set(at.instanceId, at.namespace, at.key, value, false, { ifVersion, ...expiry });
    return dialogOutcome(env, at, `${ifVersion === null ? 'Created' : 'Saved'} ${at.key} in ${at.namespace}.`);
  },
  async onDelete(record) {
    const env = await deleteRecord(record);
    return env ? dialogOutcome(env, record, `Deleted ${record.key} from ${record.namespace}.`) : { cancelled: true };
  },
});

createBackupView({
  /** The export of the selected instance (`scope` 'instance') or of the whole store, with a file name for it. */
  async onExport(scope) {
    const instance = state.instances.find((i) => i.id === state.instanceId);
    if (scope === 'instance' && !instance) return { error: 'Select an instance to export, or export the whole store.' };
    const env = scope === 'instance' ? await state.api.export({ instance: instance.id }) : await state.api.export();
    if (!env.success) return { error: outcome(env, '') };
    const filename = `${state.name}-${scope === 'instance' ? instance.name : 'store'}.jsonl`.replace(/[^\w.-]+/g, '_');
    say(`Exported ${scope === 'instance' ? `instance ${instance.name}` : `store “${state.name}”`}.`);
    return { text: env.data.text, filename };
  },
  /** Imports `text`; replacing asks first, since it removes everything the file does not hold. */
  async onImport(text, mode) {
    if (mode === 'replace' && !confirm(`Replace everything in store “${state.name}” with the file's instances and records?`)) return null;
    const env = await state.api.import(text, { mode });
    const counts = env.success ? `${plural(env.data.instances, 'instance')} and ${plural(env.data.records, 'record')}` : '';
    const error = outcome(env, `Imported ${counts} (${mode}).`);
    return error === null ? env.data : { error };
  },
});

const queryView = createQueryView({
  onOpen: (record) => editor.open(record),
  async onRun(dsl) {
    const env = await state.api.query(dsl);
    if (env.success) say(`The query matched ${env.data.result.total} ${env.data.result.total === 1 ? 'record' : 'records'}.`);
    else say(`kvStore.query failed: ${env.error}`, true);
    return env;
  },
});

picker.set(state.backend, state.name);
open(state.backend, state.name);
