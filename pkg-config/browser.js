// Entry for browsers and bundlers: the browser build (memory, IndexedDB,
// localStorage), instantiated once at import, so `const kvStore = await
// KvStore.open()` needs no init call. The wasm's download starts before the
// glue is imported, so the two travel together, and the glue compiles it
// with WebAssembly.instantiateStreaming as it arrives (when served as
// application/wasm).
const wasm = fetch(new URL('./glue/browser/boltkv_bg.wasm', import.meta.url));
const glue = await import('./glue/browser/boltkv.js');
await glue.default({ module_or_path: wasm });

export const KvStore = glue.KvStore;
