// Type-checks under `tsc --strict -p tests/ts`: how a user's TypeScript
// project uses the boltkv package, with every response type named.
import {
  KvStore,
  type KVSetResponse,
  type KVGetResponse,
  type KVInstanceResponse,
  type KVInstanceListResponse,
  type KVDeleteInstanceResponse,
  type KVDeleteResponse,
  type KVDeleteNamespaceResponse,
  type KVQueryResponse,
  type KVNamespacesResponse,
  type KVRecordCountResponse,
  type KVInstance,
  type KVRecord,
  type KVQueryDSL,
  type ErrorCode,
  type KVWriteOptions,
  type KVSetOptions,
  type KVSelector,
  type KVChange,
  type KVChangeEvent,
  type KVStopWatching,
  type KVQueryResult,
  type KVBatchOperation,
  type KVBatchResponse,
  type KVGetManyResponse,
  type KVExportSelector,
  type KVExportResponse,
  type KVImportOptions,
  type KVImportResponse,
} from '../../pkg/boltkv.js';

const kvStore = await KvStore.open();
const limited: KvStore = await KvStore.open({ limits: { maxKeyBytes: 64, maxValueBytes: 4096, maxDepth: 8 } });

const r = await kvStore.set('i', 'n', 'k', { a: 1 }, true);
const created: string | undefined = r.data?.record.createdAt;

// One line per method, each response type by name.
const setResponse: KVSetResponse = await kvStore.set('i', 'n', 'k2', [1, 'two', null]);
const getResponse: KVGetResponse = await kvStore.get('i', 'n', 'k');
const createResponse: KVInstanceResponse = await kvStore.createInstance('other', 'a description');
const getInstanceResponse: KVInstanceResponse = await kvStore.getInstance('other');
const listResponse: KVInstanceListResponse = await kvStore.listInstances();
const updateResponse: KVInstanceResponse = await kvStore.updateInstance('other', { name: 'renamed', description: null });
const deleteInstanceResponse: KVDeleteInstanceResponse = await kvStore.deleteInstance('renamed');
const deleteResponse: KVDeleteResponse = await kvStore.delete('i', 'n', 'k2');

// Conditional writes: the version a record carries, checked by storage.
const version: number | undefined = setResponse.data?.record.version;
const expiresAt: string | undefined = setResponse.data?.record.expiresAt;
const onlyIfUnchanged: KVWriteOptions = { ifVersion: version ?? null };
const conditional: KVSetResponse = await kvStore.set('i', 'n', 'k2', 'next', false, onlyIfUnchanged);
if (!conditional.success && conditional.code === 'CONFLICT') console.log('changed meanwhile; read again and retry');
const expiring: KVSetOptions = { ifVersion: null, expireIn: 60_000 };
const session: KVSetResponse = await kvStore.set('i', 'sessions', 's1', { user: 'u1' }, true, expiring);
const until: string | undefined = session.data?.record.expiresAt;
await kvStore.set('i', 'sessions', 's2', 1, true, { expireAt: new Date(Date.now() + 1000).toISOString() });
const conditionalDelete: KVDeleteResponse = await kvStore.delete('i', 'n', 'k2', { ifVersion: null });

// Atomic batches and bulk reads.
const operations: KVBatchOperation[] = [
  { op: 'check', instanceId: 'i', namespace: 'n', key: 'k', version: version ?? null },
  { op: 'set', instanceId: 'i', namespace: 'n', key: 'k3', value: { a: 1 }, ifVersion: null, expireIn: 1000 },
  { op: 'delete', instanceId: 'i', namespace: 'n', key: 'k2' },
];
const batched: KVBatchResponse = await kvStore.batch(operations);
for (const result of batched.data?.results ?? []) {
  if ('record' in result) console.log(result.record.version);
  else if ('deleted' in result) console.log(result.deleted);
  else console.log(result.ok);
}
const many: KVGetManyResponse = await kvStore.getMany([{ instanceId: 'i', namespace: 'n', key: 'k' }]);
const firstVersion: number | undefined = many.data?.records[0]?.version;
const deleteNamespaceResponse: KVDeleteNamespaceResponse = await kvStore.deleteNamespace('i', 'old');
const dsl: KVQueryDSL = {
  from: { instance: 'i', namespace: 'n' },
  where: [{ field: 'value.a', operator: 'eq', value: 1 }],
  select: ['key', 'value.a'],
  orderBy: { field: 'key', direction: 'asc' },
  limit: 10,
  offset: 0,
};
const queryResponse: KVQueryResponse = await kvStore.query(dsl);

// Watching: an event per committed batch with the changes the selector covers; a live query.
const selector: KVSelector = { instance: 'i', namespace: 'n', keyPrefix: 'user:' };
const stop: KVStopWatching = kvStore.watch(selector, (event: KVChangeEvent) => {
  const remote: boolean = event.origin === 'remote';
  for (const change of event.changes) {
    const seen: KVChange = change;
    if (seen.op === 'set') console.log(remote, seen.record.version, seen.record.expiresAt);
    else if (seen.op === 'delete' || seen.op === 'expire') console.log(seen.instanceId, seen.namespace, seen.key);
    else if (seen.op === 'deleteNamespace') console.log(seen.namespace);
    else if (seen.op === 'deleteInstance') console.log(seen.instanceId);
    else console.log(seen.instance.name);
  }
});
stop();
const stopLive: KVStopWatching = kvStore.watchQuery(dsl, (result: KVQueryResult) => console.log(result.total, result.records.length, result.cursor));
stopLive();

// Paging with a cursor: `cursor` is there while matches remain; `after` continues the same query.
const pageDsl: KVQueryDSL = { from: { instance: 'i' }, orderBy: { field: 'updatedAt', direction: 'desc' }, limit: 50 };
const seenKeys: string[] = [];
let cursor: string | undefined;
do {
  const page: KVQueryResponse = await kvStore.query({ ...pageDsl, after: cursor });
  if (!page.success) break;
  seenKeys.push(...(page.data?.result.records ?? []).map((row) => String(row.key)));
  cursor = page.data?.result.cursor;
} while (cursor !== undefined);
const onlyTotal: number | undefined = (await kvStore.query({ ...pageDsl, limit: 0 })).data?.result.total;
// @ts-expect-error: a cursor is a string, not a page number
const byNumber: KVQueryDSL = { from: { instance: 'i' }, after: 2 };
const namespacesResponse: KVNamespacesResponse = await kvStore.getNamespaces('i');
const countResponse: KVRecordCountResponse = await kvStore.getRecordCount('i');
const nsCountResponse: KVRecordCountResponse = await kvStore.getRecordCount('i', 'n');

// The data shapes, as a user reads them.
const record: KVRecord | undefined = setResponse.data?.record;
const recordId: string | undefined = record?.id;
const instanceId: string | undefined = record?.instanceId;
const instance: KVInstance | undefined = createResponse.data?.instance;
const description: string | undefined = instance?.description;
const exists: boolean | undefined = getResponse.data?.exists;
const names: string[] | undefined = listResponse.data?.instances.map((i: KVInstance) => i.name);
const deleted: boolean | undefined = deleteResponse.data?.deleted;
const instanceDeleted: boolean | undefined = deleteInstanceResponse.data?.deleted;
const deletedCount: number | undefined = deleteNamespaceResponse.data?.deletedCount;
const total: number | undefined = queryResponse.data?.result.total;
const records = queryResponse.data?.result.records;
const namespaces: string[] | undefined = namespacesResponse.data?.namespaces;
const count: number | undefined = countResponse.data?.count;

// The envelope.
const success: boolean = r.success;
const error: string | undefined = r.error;
const timestamp: string = r.timestamp;
const requestId: string = r.requestId;
const type: string = r.type;

// The failure code: a union a switch can cover exhaustively.
const code: ErrorCode | undefined = r.code;
function advice(failure: ErrorCode): string {
  switch (failure) {
    case 'INVALID_ARGUMENT': return 'fix the call';
    case 'NOT_FOUND': return 'create the instance';
    case 'ALREADY_EXISTS': return 'pick another name';
    case 'TOO_LARGE': return 'store less';
    case 'CONFLICT': return 'read again and retry';
    case 'STORAGE_FULL': return 'free some space';
    case 'STORAGE_UNAVAILABLE': return 'use another backend';
    case 'STORAGE_FAILED': return 'try again';
    case 'UNSUPPORTED': return 'use another backend';
  }
}
const nextStep: string | undefined = r.success ? undefined : advice(r.code ?? 'STORAGE_FAILED');

// Export and import: JSON Lines text out, counts back.
const exportSelector: KVExportSelector = { instance: 'i', namespace: 'n' };
const exported: KVExportResponse = await kvStore.export(exportSelector);
const everything: KVExportResponse = await kvStore.export();
const backup: string = exported.data?.text ?? everything.data?.text ?? '';
const importOptions: KVImportOptions = { mode: 'replace' };
const imported: KVImportResponse = await kvStore.import(backup, importOptions);
const importedCounts: [number, number] | undefined = imported.data && [imported.data.instances, imported.data.records];
const merged: KVImportResponse = await kvStore.import(backup);
// @ts-expect-error: the modes are 'merge' and 'replace'
const badMode: KVImportOptions = { mode: 'overwrite' };

// @ts-expect-error: not one of the codes
const misspelt: ErrorCode = 'NOTFOUND';

// @ts-expect-error: a record has no such field
r.data?.record.nope;

// @ts-expect-error: createdAt is a string, not a number
const wrong: number | undefined = r.data?.record.createdAt;

export const used = [
  limited, created, getInstanceResponse, updateResponse, nsCountResponse, recordId, instanceId, description,
  exists, names, deleted, instanceDeleted, deletedCount, total, records, namespaces, count, success, error,
  timestamp, requestId, type, wrong, code, nextStep, misspelt, seenKeys, onlyTotal, byNumber,
  importedCounts, merged, badMode,
];
