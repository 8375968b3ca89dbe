/** Any JSON value: what `set` stores and `get` returns. */
export type KVJsonValue = string | number | boolean | null | KVJsonValue[] | { [key: string]: KVJsonValue };

/** A named container of namespaces. */
export interface KVInstance {
  /** A random UUID v4 made by the store. */
  id: string;
  /** Unique among instances, case-sensitive. */
  name: string;
  description?: string;
  /** ISO-8601 UTC with milliseconds. */
  createdAt: string;
  updatedAt: string;
}

/** One key's value in one namespace of one instance. */
export interface KVRecord<T = any> {
  /** A random UUID v4, made when the key is first written and kept on overwrite. */
  id: string;
  /** Always the instance's id, never its name. */
  instanceId: string;
  namespace: string;
  key: string;
  value: T;
  createdAt: string;
  updatedAt: string;
  /**
   * New with every write of the key, greater than every version the store
   * handed out before (across reopen and across tabs sharing its storage).
   * On Workers KV, drawn from the store's clock: growing within one copy of
   * the store, following the time of the write across copies (README,
   * "Versions and conditional writes").
   */
  version: number;
  /** When the record stops being visible (ISO-8601); absent without an expiry. */
  expiresAt?: string;
}

/**
 * When a record stops being visible: from then on, by the store's clock, it
 * reads as absent everywhere, and it leaves storage within a minute while
 * the store is open (or when the store next opens). At most one of the two.
 */
export interface KVExpiry {
  /** Milliseconds from the write, a positive whole number. */
  expireIn?: number;
  /** An ISO-8601 time or epoch milliseconds, after the write. */
  expireAt?: string | number;
}

/** `set`'s options: a version to require and an expiry; without an expiry the record keeps none. */
export type KVSetOptions = KVWriteOptions & KVExpiry;

/** What a conditional write requires of its key. */
export interface KVWriteOptions {
  /**
   * Write only while the key's record has this version, or, with `null`,
   * only while the key is absent; otherwise the call fails with `CONFLICT`
   * and changes nothing. Checked against every writer of the storage in
   * the same step as the write; Workers KV cannot, and answers `UNSUPPORTED`.
   */
  ifVersion?: number | null;
}

/**
 * What kind of failure an envelope reports, for a program to branch on (the
 * sentence in `error` is for people). One to one with the Rust `ErrorCode`:
 * - `INVALID_ARGUMENT`: an argument, value, query, update or option is malformed.
 * - `NOT_FOUND`: the instance named does not exist (or was deleted elsewhere while a write into it was on its way).
 * - `ALREADY_EXISTS`: an instance with that name exists.
 * - `TOO_LARGE`: a name, key, namespace, description or value is over its limit (bytes, or depth for values).
 * - `CONFLICT`: a version check failed (or the instance an update was made from changed meanwhile, or an import's `replace` met instances it had not heard of).
 * - `STORAGE_FULL`: the storage has no room left.
 * - `STORAGE_UNAVAILABLE`: the storage cannot be used at all.
 * - `STORAGE_FAILED`: the storage failed to read or write for another reason.
 * - `UNSUPPORTED`: the backend cannot do what was asked.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'TOO_LARGE'
  | 'CONFLICT'
  | 'STORAGE_FULL'
  | 'STORAGE_UNAVAILABLE'
  | 'STORAGE_FAILED'
  | 'UNSUPPORTED';

/** The envelope every call resolves with; `data` is present only on success. */
export interface KVResponse<Type extends string, Data> {
  type: Type;
  success: boolean;
  data?: Data;
  /** A sentence saying what went wrong, present only on failure. */
  error?: string;
  /** The kind of failure, present only on failure (always beside `error`). */
  code?: ErrorCode;
  /** ISO-8601 UTC with milliseconds. */
  timestamp: string;
  /** A fresh random UUID v4 per call. */
  requestId: string;
}

export type KVInstanceResponse = KVResponse<'kvStore.createInstance' | 'kvStore.getInstance' | 'kvStore.updateInstance', { instance: KVInstance }>;
export type KVCreateInstanceResponse = KVResponse<'kvStore.createInstance', { instance: KVInstance }>;
export type KVGetInstanceResponse = KVResponse<'kvStore.getInstance', { instance: KVInstance }>;
export type KVUpdateInstanceResponse = KVResponse<'kvStore.updateInstance', { instance: KVInstance }>;
export type KVInstanceListResponse = KVResponse<'kvStore.listInstances', { instances: KVInstance[] }>;
export type KVDeleteInstanceResponse = KVResponse<'kvStore.deleteInstance', { deleted: boolean }>;
export type KVGetResponse<T = any> = KVResponse<'kvStore.get', { value: T | null; exists: boolean }>;
export type KVSetResponse<T = any> = KVResponse<'kvStore.set', { record: KVRecord<T> }>;
export type KVDeleteResponse = KVResponse<'kvStore.delete', { deleted: boolean }>;
export type KVDeleteNamespaceResponse = KVResponse<'kvStore.deleteNamespace', { deletedCount: number }>;
export type KVQueryResponse = KVResponse<'kvStore.query', { result: KVQueryResult }>;
export type KVNamespacesResponse = KVResponse<'kvStore.getNamespaces', { namespaces: string[] }>;
export type KVRecordCountResponse = KVResponse<'kvStore.getRecordCount', { count: number }>;

/** Where a key lives, for `getMany` and a batch's operations. */
export interface KVKey {
  instanceId: string;
  namespace: string;
  key: string;
}

/** One operation of a `batch`; operations on one key apply in array order. */
export type KVBatchOperation =
  | ({ op: 'set'; value: any; autoCreateInstance?: boolean } & KVKey & KVSetOptions)
  | ({ op: 'delete' } & KVKey & KVWriteOptions)
  /** Writes nothing; the batch goes ahead only while the key has `version` (`null`: is absent). */
  | ({ op: 'check'; version: number | null } & KVKey);

/** One operation's result, in the order of the operations. */
export type KVBatchResult = { record: KVRecord } | { deleted: boolean } | { ok: true };

/**
 * All or nothing: on failure nothing changed, `code` is the one the first
 * failing operation would have had on its own, and `error` names its index.
 */
export type KVBatchResponse = KVResponse<'kvStore.batch', { results: KVBatchResult[] }>;
/** The record or `null` per key, in the order asked, all from one state. */
export type KVGetManyResponse = KVResponse<'kvStore.getMany', { records: (KVRecord | null)[] }>;

/** What `export` covers: one instance (by id or name), one namespace, both, or (`{}` or nothing) everything. */
export interface KVExportSelector {
  instance?: string;
  namespace?: string;
}

/**
 * `text` is JSON Lines: the header
 * `{"format":"boltkv-export","version":1,"exportedAt":"<ISO>"}`, then one
 * `{"instance":{...}}` line per instance and one `{"record":{...}}` line per
 * record, every field kept; expired records are left out.
 */
export type KVExportResponse = KVResponse<'kvStore.export', { text: string }>;

/** `'merge'` (the default) keeps what the file does not overwrite; `'replace'` empties the store in the same commit. */
export interface KVImportOptions {
  mode?: 'merge' | 'replace';
}

/**
 * All or nothing: a refused line (counted from 1, the header being line 1)
 * is named in `error` and nothing changes. Records keep their versions;
 * later writes get greater ones. The counts are of what was imported.
 */
export type KVImportResponse = KVResponse<'kvStore.import', { instances: number; records: number }>;

/** A record field, or a dot path into the value such as `value.user.name`. */
export type KVQueryField = 'id' | 'instanceId' | 'key' | 'namespace' | 'createdAt' | 'updatedAt' | 'value' | `value.${string}`;

export type KVQueryOperator =
  | 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'startsWith' | 'endsWith' | 'in' | 'exists'
  | '=' | '==' | '!=' | '>' | '>=' | '<' | '<=' | 'starts_with' | 'ends_with';

export interface KVQueryCondition {
  field: KVQueryField;
  operator: KVQueryOperator;
  /** An array for `in`; absent (or a boolean) for `exists`. */
  value?: KVJsonValue;
}

export interface KVQueryOrder {
  field: KVQueryField;
  /** Default 'asc'; the store accepts any letter case. */
  direction?: 'asc' | 'desc' | 'ASC' | 'DESC';
}

/**
 * The query DSL. Top-level `instance`/`namespace` and `order` are the
 * server-side spellings of `from` and `orderBy`; a query uses one spelling
 * of each, not both.
 */
export interface KVQueryDSL {
  from?: { instance: string; namespace?: string };
  instance?: string;
  namespace?: string;
  where?: KVQueryCondition[] | KVQueryCondition;
  select?: KVQueryField[];
  orderBy?: KVQueryOrder | KVQueryOrder[];
  order?: KVQueryOrder | KVQueryOrder[];
  /** A whole number from 0; default 100, no maximum. */
  limit?: number;
  /** A whole number from 0; default 0. Not together with `after`. */
  offset?: number;
  /**
   * A result's `cursor`: the page continues after the last record of the
   * page that gave it, in place of `offset`. Only for the query that gave it
   * (same `from`, `where` and `orderBy`; `limit` and `select` may change).
   */
  after?: string;
}

export interface KVQueryResult {
  /** Full records, or projections when the query has `select`. */
  records: Array<KVRecord | Record<string, any>>;
  /** Every match, counted before `limit`, `offset` and `after`. */
  total: number;
  limit: number;
  /** 0 when the query continued `after` a cursor. */
  offset: number;
  /**
   * Present when matches remain after this page: pass it as `after` to the
   * same query for the next page. A record present and unchanged for both
   * pages is on exactly one of them, whatever is written in between.
   */
  cursor?: string;
}

/** Size limits of one store: each a whole number from 1; one left out keeps its default (given below). */
export interface KVLimits {
  /** Longest key in UTF-8 bytes (default 512). */
  maxKeyBytes?: number;
  /** Longest namespace in UTF-8 bytes (default 256). */
  maxNamespaceBytes?: number;
  /** Longest instance name in UTF-8 bytes (default 256). */
  maxInstanceNameBytes?: number;
  /** Longest instance description in UTF-8 bytes (default 4096). */
  maxDescriptionBytes?: number;
  /** Largest value, as UTF-8 bytes of its JSON text (default 1048576). */
  maxValueBytes?: number;
  /** Deepest nesting of arrays and objects (default 64, at most 128). */
  maxDepth?: number;
  /** Most operations in one `batch`, and keys in one `getMany` (default 10000). */
  maxBatchOperations?: number;
}

/**
 * Any async key-value storage, for `backend: { adapter }`: string keys and
 * values, listing by prefix page by page. The optional batch methods and
 * `transaction` are used when present. With `transaction` each commit is
 * all or nothing; without it a failed commit can leave part of its batch
 * stored (the call still fails and memory rolls back).
 */
export interface KVAdapter {
  get(key: string): Promise<string | null>;
  /** `options.expiresAt` (epoch ms) when the item's record expires: storage may drop the item itself from then on. */
  put(key: string, value: string, options?: { expiresAt?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /** The keys starting with `prefix`, one page; a `cursor` (a non-empty string) means more follow (pass it back). */
  list(prefix: string, cursor?: string): Promise<{ keys: string[]; cursor?: string }>;
  /** Up to 100 keys at once, answers in the same order. */
  getMany?(keys: string[]): Promise<(string | null)[]>;
  /** Entries are `[key, value]`, or `[key, value, expiresAt]` for an item whose record expires. */
  putMany?(entries: ([string, string] | [string, string, number])[]): Promise<void>;
  deleteMany?(keys: string[]): Promise<void>;
  /** Runs `fn` with an adapter whose writes all happen when its promise resolves, or none if it rejects. */
  transaction?(fn: (txn: KVAdapter) => Promise<void>): Promise<void>;
}

export interface KvStoreOptions {
  limits?: KVLimits;
  /**
   * Where records live (default 'memory'); 'indexeddb' uses the database `boltkv:` + name.
   * In Workers: `{ kv: env.MY_KV }` (a KV namespace binding) or `{ durableObject: ctx.storage }`;
   * elsewhere `{ adapter }`. Their items, like localStorage's, are under
   * `boltkv/` + name + `/`; a key over Workers KV's 512 bytes is stored hashed.
   * 'indexeddb' and 'localStorage' are in the browser build (what a page loads), the
   * objects in the worker build (Workers and Node); the other build's are refused.
   */
  backend?: 'memory' | 'indexeddb' | 'localStorage' | { kv: object } | { durableObject: object } | { adapter: KVAdapter };
  /** The store's name, 1 to 256 bytes (default 'boltkv'). */
  name?: string;
  /**
   * Open in memory instead of rejecting when the chosen storage is unavailable
   * while opening; `storage.fallbackReason` says why. It does not cover a
   * failure to read the records of an IndexedDB or localStorage store that opened.
   */
  fallback?: 'memory';
}

/** Where a store keeps its records: `kvStore.storage`. */
export interface KVStorageInfo {
  /** The backend in use; 'memory' after a fallback. */
  backend: 'memory' | 'indexeddb' | 'localStorage' | 'kv' | 'durableObject' | 'adapter';
  name: string;
  /** Why the chosen backend was not used, when the store fell back to memory. */
  fallbackReason?: string;
  /**
   * One sentence per stored item left out when the store opened (it could not be
   * decoded, did not match its key, or belongs to no stored instance); the rest loaded.
   */
  skipped: string[];
}

/**
 * What a watch covers; `{}` covers everything. `instance` is an id or a
 * name (a name follows renames).
 */
export interface KVSelector {
  instance?: string;
  namespace?: string;
  key?: string;
  keyPrefix?: string;
}

/** One change of a committed batch. */
export type KVChange =
  | { op: 'set'; record: KVRecord }
  | { op: 'delete'; instanceId: string; namespace: string; key: string }
  /** The record reached its expiry and left. */
  | { op: 'expire'; instanceId: string; namespace: string; key: string }
  | { op: 'deleteNamespace'; instanceId: string; namespace: string }
  | { op: 'deleteInstance'; instanceId: string }
  /** An instance was created or updated. */
  | { op: 'instance'; instance: KVInstance };

/**
 * A committed batch's changes that a watch covers, after the batch is
 * durable and in commit order. `remote`: another page or tab of the same
 * store, or another request inside a Durable Object.
 */
export interface KVChangeEvent {
  type: 'kvStore.change';
  origin: 'local' | 'remote';
  changes: KVChange[];
}

/** Stops a watch; calling it again does nothing. */
export type KVStopWatching = () => void;

/** A key-value store with the `codebolt.kvStore` API. Every method resolves with an envelope and never rejects. */
export class KvStore {
  private constructor();
  /**
   * Opens a store. Rejects with an Error when the options are unusable, when
   * there is no secure random source for ids, when the chosen storage is
   * unavailable (missing, blocked, or written in a format this version cannot
   * read) and `fallback` is not 'memory', or when reading its records fails.
   */
  static open(options?: KvStoreOptions): Promise<KvStore>;
  /** Where the records live, and what could not be loaded. */
  readonly storage: KVStorageInfo;
  /** Releases the store's memory; the object is unusable afterwards. */
  free(): void;
  createInstance(name: string, description?: string): Promise<KVCreateInstanceResponse>;
  getInstance(instanceId: string): Promise<KVGetInstanceResponse>;
  listInstances(): Promise<KVInstanceListResponse>;
  /** `description: null` removes the description; at least one of the two must be given. */
  updateInstance(instanceId: string, updates: { name?: string; description?: string | null }): Promise<KVUpdateInstanceResponse>;
  deleteInstance(instanceId: string): Promise<KVDeleteInstanceResponse>;
  get<T = any>(instanceId: string, namespace: string, key: string): Promise<KVGetResponse<T>>;
  set<T = any>(instanceId: string, namespace: string, key: string, value: T, autoCreateInstance?: boolean, options?: KVSetOptions): Promise<KVSetResponse<T>>;
  delete(instanceId: string, namespace: string, key: string, options?: KVWriteOptions): Promise<KVDeleteResponse>;
  deleteNamespace(instanceId: string, namespace: string): Promise<KVDeleteNamespaceResponse>;
  query(query: KVQueryDSL): Promise<KVQueryResponse>;
  getNamespaces(instanceId: string): Promise<KVNamespacesResponse>;
  getRecordCount(instanceId: string, namespace?: string): Promise<KVRecordCountResponse>;
  /** 1 to `maxBatchOperations` operations, written in one commit or not at all. */
  batch(operations: KVBatchOperation[]): Promise<KVBatchResponse>;
  getMany(keys: KVKey[]): Promise<KVGetManyResponse>;
  /** The store, or the part `selector` names, as JSON Lines (`data.text`). */
  export(selector?: KVExportSelector): Promise<KVExportResponse>;
  /** Imports an `export`'s text in one commit, all or nothing. */
  import(text: string, options?: KVImportOptions): Promise<KVImportResponse>;
  /**
   * Calls `listener` once per committed batch that touches `selector`, with
   * the changes it covers. Throws a TypeError at once for a bad selector. A
   * listener that throws is reported on `console.error` and harms nothing.
   */
  watch(selector: KVSelector, listener: (event: KVChangeEvent) => void): KVStopWatching;
  /**
   * Calls `listener` with the query's result soon after the call, then again
   * after every committed change (local or remote) that alters that result.
   * Throws a TypeError at once for a bad query.
   */
  watchQuery(query: KVQueryDSL, listener: (result: KVQueryResult) => void): KVStopWatching;
  /**
   * How many times live queries ran again after a change since the store
   * opened: a change outside a query's instance, namespace and key
   * conditions does not run it.
   */
  readonly liveQueryReruns: number;
}
