// Running the example locally under miniflare (workerd), as the tests and
// the measurements do: `bundle` lays the worker and the boltkv package out
// as workerd modules (what wrangler's bundler does on deploy), and
// `miniflareOptions` gives miniflare the bindings of wrangler.toml with
// storage persisted on disk.

import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

// Same as wrangler.toml's.
export const COMPATIBILITY_DATE = '2026-04-01';

// Writes the deployable modules into `out`: the worker's src/ (its
// `from 'boltkv'` pointed at the copy beside it) and the package's worker
// entry and the worker build's glue and wasm from pkg/ (scripts/build.sh
// makes it; the browser build is not part of a Worker).
// Returns the paths of the files written.
export function bundle(out, pkg = join(root, 'pkg')) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'boltkv'), { recursive: true });
  for (const file of readdirSync(join(here, 'src'))) {
    const source = readFileSync(join(here, 'src', file), 'utf8');
    writeFileSync(join(out, file), source.replaceAll("from 'boltkv';", "from './boltkv/worker.js';"));
  }
  cpSync(join(pkg, 'worker.js'), join(out, 'boltkv', 'worker.js'));
  cpSync(join(pkg, 'glue', 'worker'), join(out, 'boltkv', 'glue', 'worker'), {
    recursive: true,
    filter: (path) => !path.endsWith('.d.ts'),
  });
  return files(out);
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]);
}

// Same as wrangler.toml's [vars].
export const VARS = { BOLTKV_ALLOWED_ORIGINS: '', BOLTKV_ALLOW_ANONYMOUS: 'false' };

// Miniflare options for the bundle in `dist`, with KV and Durable Object
// storage under `persist`, served on a free loopback port. `bindings` adds
// the secrets (BOLTKV_TOKEN, BOLTKV_READ_TOKEN) and overrides the vars.
export function miniflareOptions(dist, persist, bindings = {}) {
  return {
    modules: true,
    scriptPath: join(dist, 'index.js'),
    modulesRoot: dist,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { ...VARS, ...bindings },
    durableObjects: { STORES: { className: 'StoreObject', useSQLite: true } },
    kvNamespaces: ['STORE_KV'],
    kvPersist: join(persist, 'kv'),
    durableObjectsPersist: join(persist, 'do'),
    host: '127.0.0.1',
    port: 0,
  };
}
