// Entry for workerd (Cloudflare Workers): the bundler turns the .wasm import
// into a compiled WebAssembly.Module, instantiated here at import, so
// `const kvStore = await KvStore.open()` needs no init call.
import wasmModule from './glue/boltkv_bg.wasm';
import { initSync } from './glue/boltkv.js';

initSync({ module: wasmModule });

export { KvStore } from './glue/boltkv.js';
