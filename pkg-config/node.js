// Entry for Node.js: reads and instantiates the wasm synchronously at import,
// so `const kvStore = await KvStore.open()` needs no init call.
import { readFileSync } from 'node:fs';
import { initSync } from './glue/boltkv.js';

initSync({ module: readFileSync(new URL('./glue/boltkv_bg.wasm', import.meta.url)) });

export { KvStore } from './glue/boltkv.js';
