// Every conformance suite, by name. Each suite is a list of
// { name, fn, skip? } where fn(open) runs one case against a fresh store made
// by `open(options?)` (a function with the signature of KvStore.open), whose
// `backend` property names the backend under test ('memory', 'indexeddb',
// 'localStorage', 'durableObject', 'kv'). `skip(open)`, when a case has it,
// answers why the case cannot run there (a sentence), or false: runners
// report such a case as skipped with that reason, never as passed.

import { cases as envelope } from './envelope.js';
import { cases as instances } from './instances.js';
import { cases as records } from './records.js';
import { cases as values } from './values.js';
import { cases as query } from './query.js';
import { cases as versions } from './versions.js';
import { cases as cursor } from './cursor.js';
import { cases as batch } from './batch.js';
import { cases as expiry } from './expiry.js';
import { cases as lifetime } from './lifetime.js';
import { cases as watch } from './watch.js';
import { cases as exportImport } from './export.js';

export const suites = { envelope, instances, records, values, query, versions, cursor, batch, expiry, lifetime, watch, export: exportImport };
