// Entry for workerd (Cloudflare Workers): the worker build (memory and
// backend objects: Workers KV, Durable Objects, any async store). The
// bundler turns the .wasm import into a compiled WebAssembly.Module,
// instantiated here at import, so `const kvStore = await KvStore.open()`
// needs no init call.
import wasmModule from './glue/worker/boltkv_bg.wasm';
import { initSync } from './glue/worker/boltkv.js';

initSync({ module: wasmModule });

export { KvStore } from './glue/worker/boltkv.js';
