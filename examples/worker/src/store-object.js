// One store per Durable Object: its records live in the object's own
// storage (strongly consistent, transactional), and the object's single
// thread of requests shares one in-memory index. Its WebSockets are the
// store's live feed (feed.js).

import { DurableObject } from 'cloudflare:workers';
import { Feeds } from './feed.js';
import { failure } from './http.js';
import { openStore, serveCall, serveOpen } from './serve.js';
import { settings } from './settings.js';

export class StoreObject extends DurableObject {
  // The opening store: opened by the first request (with default options
  // unless POST /open chose others), forgotten if opening fails.
  #store;

  #feeds = new Feeds(this.ctx);

  constructor(ctx, env) {
    super(ctx, env);
    // Woken with feeds open: open the store now, so that they watch again
    // and the store's expiry timer runs. A failure is left to the next
    // request, which tries again.
    if (ctx.getWebSockets().length > 0) ctx.blockConcurrencyWhile(() => this.#opened().catch(() => undefined));
  }

  #open(options) {
    // The name only labels the items: the storage belongs to this object.
    // The feeds watch each store opened before anyone may write to it.
    const opening = openStore({ durableObject: this.ctx.storage }, 'store', options).then((store) => {
      this.#feeds.follow(store);
      return store;
    });
    this.#store = opening;
    opening.catch(() => this.#store === opening && (this.#store = undefined));
    return opening;
  }

  #opened() {
    return this.#store ?? this.#open({});
  }

  // Reached only from index.js, which has admitted the request and passes
  // the call's text, already read within the body limit, as the body (or,
  // for /kv/watch, the WebSocket upgrade).
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/kv/watch') return this.#feeds.accept(request);
    const text = await request.text();
    if (pathname === '/open') return serveOpen(text, (options) => this.#open(options), settings(this.env).maxBodyBytes);
    const method = pathname.slice('/kv/'.length);
    let store;
    try {
      store = await this.#opened();
    } catch (e) {
      return failure(503, `kvStore.${method}`, `The store cannot be opened: ${e?.message ?? e}`);
    }
    return serveCall(text, method, store);
  }

  // The hibernation API's handlers for the feed's sockets.
  async webSocketMessage(socket, message) {
    await this.#feeds.hear(socket, String(message), () => this.#opened());
  }

  async webSocketClose(socket, code, reason) {
    this.#feeds.closed(socket, code, reason);
  }

  async webSocketError(socket) {
    this.#feeds.failed(socket);
  }
}
