// One store per Durable Object: its records live in the object's own
// storage (strongly consistent, transactional), and the object's single
// thread of requests shares one in-memory index.

import { DurableObject } from 'cloudflare:workers';
import { failure } from './http.js';
import { openStore, serveCall, serveOpen } from './serve.js';
import { settings } from './settings.js';

export class StoreObject extends DurableObject {
  // The opening store: opened by the first request (with default options
  // unless POST /open chose others), forgotten if opening fails.
  #store;

  #open(options) {
    // The name only labels the items: the storage belongs to this object.
    const opening = openStore({ durableObject: this.ctx.storage }, 'store', options);
    this.#store = opening;
    opening.catch(() => this.#store === opening && (this.#store = undefined));
    return opening;
  }

  // Reached only from index.js, which has admitted the request and passes
  // the call's text, already read within the body limit, as the body.
  async fetch(request) {
    const { pathname } = new URL(request.url);
    const text = await request.text();
    if (pathname === '/open') return serveOpen(text, (options) => this.#open(options), settings(this.env).maxBodyBytes);
    const method = pathname.slice('/kv/'.length);
    let store;
    try {
      store = await (this.#store ?? this.#open({}));
    } catch (e) {
      return failure(503, `kvStore.${method}`, `The store cannot be opened: ${e?.message ?? e}`);
    }
    return serveCall(text, method, store);
  }
}
