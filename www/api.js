// The store as the page uses it: every call goes through `call`, which hands
// the envelope (and what was asked) to the log before returning it.

import { KvStore } from '../pkg/browser.js';

export const BACKENDS = ['memory', 'indexeddb', 'localStorage'];

const METHODS = [
  'createInstance', 'getInstance', 'listInstances', 'updateInstance', 'deleteInstance',
  'get', 'set', 'delete', 'deleteNamespace', 'query', 'getNamespaces', 'getRecordCount',
  'export', 'import',
];

/**
 * Opens the store; when the chosen storage cannot be used the store opens in
 * memory instead and `storage.fallbackReason` says why.
 */
export async function openStore(backend, name) {
  return KvStore.open({ backend, name, fallback: 'memory' });
}

/**
 * Binds the methods the page calls to `store`; each resolves with the envelope and
 * reports `{ method, args, envelope }` to `report`. A call that throws (it
 * should not) is reported as a failed envelope, so the log still shows it.
 */
export function bindApi(store, report) {
  const api = {};
  for (const method of METHODS) {
    api[method] = async (...args) => {
      let envelope;
      try {
        envelope = await store[method](...args);
      } catch (err) {
        envelope = {
          type: `kvStore.${method}`,
          success: false,
          error: `The call threw instead of answering: ${err && err.message ? err.message : err}`,
          timestamp: new Date().toISOString(),
          requestId: '(none)',
        };
      }
      report({ method, args, envelope });
      return envelope;
    };
  }
  return api;
}
