// Entry for browsers and bundlers: fetches and instantiates the wasm once,
// at import, so `const kvStore = await KvStore.open()` needs no init call.
import init from './glue/boltkv.js';

await init({ module_or_path: new URL('./glue/boltkv_bg.wasm', import.meta.url) });

export { KvStore } from './glue/boltkv.js';
