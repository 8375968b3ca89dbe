// Entry for Node.js: the worker build (memory and backend objects, see
// worker.js; Node has no IndexedDB or localStorage), read and instantiated
// synchronously at import, so `const kvStore = await KvStore.open()` needs
// no init call.
import { readFileSync } from 'node:fs';
import { initSync } from './glue/worker/boltkv.js';

initSync({ module: readFileSync(new URL('./glue/worker/boltkv_bg.wasm', import.meta.url)) });

export { KvStore } from './glue/worker/boltkv.js';
