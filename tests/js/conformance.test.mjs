// Runs every conformance case against the built package (pkg/), each case
// on a fresh in-memory store.

import { describe, test } from 'node:test';
import { KvStore } from '../../pkg/node.js';
import { suites } from './conformance/index.js';

/** A fresh store per call: KvStore.open with exactly the arguments given. */
const open = Object.assign((...args) => KvStore.open(...args), { backend: 'memory' });

for (const [suite, cases] of Object.entries(suites)) {
  describe(suite, () => {
    const names = new Set();
    for (const { name, fn, skip } of cases) {
      if (names.has(name)) throw new Error(`duplicate case name: ${name}`);
      names.add(name);
      test(name, { skip: skip?.(open) || false }, () => fn(open));
    }
  });
}
