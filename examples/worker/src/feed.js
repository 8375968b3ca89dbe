// The live feed: GET /kv/watch upgraded to a WebSocket, served by the
// store's Durable Object (store-object.js), which hands each socket's
// messages here. On the socket, as JSON text:
//
//   client, first:   { "args": [selector], "js"?: [...] }       a call body, as in http.js
//   service:         { type: 'kvStore.watch', success: true, data: { watching: true }, ... }
//                    or a failure envelope (INVALID_ARGUMENT, ...), then it closes
//   service:         { type: 'kvStore.change', origin: 'remote', changes: [...] }   per committed batch
//   client, later:   { "sync": n }
//   service:         { type: 'boltkv.sync', sync: n }   after every event sent before it
//
// The object uses the hibernation API (ctx.acceptWebSocket): while nothing
// happens, workerd may evict it from memory with the sockets left open. Its
// store and their watches are in memory and go with it, so each socket
// keeps its selector as its attachment, and the next store the object opens
// (on the first message or request after waking) watches them all again
// before serving anything. Nothing is missed in between: only the object
// writes its storage, and it was not running.

import { Refusal, callArguments, envelope, failureEnvelope } from './http.js';

const TYPE = 'kvStore.watch';
// The protocol the feed speaks; a browser also offers its token as a
// subprotocol (auth.js), which the answer must never repeat.
const PROTOCOL = 'boltkv';
// Close codes: a refused watch or message (policy violation), and a store
// that cannot be opened (internal error).
const REFUSED = 1008;
const BROKEN = 1011;
// The code a close frame without one reads as, which may not be sent.
const NO_STATUS = 1005;
// A close frame's reason holds at most 123 bytes of UTF-8.
const MAX_REASON_BYTES = 123;

const send = (socket, message) => socket.send(JSON.stringify(message));

// `text` cut to fit a close frame, on a character boundary.
function closeReason(text) {
  const encoder = new TextEncoder();
  let reason = text;
  while (encoder.encode(reason).byteLength > MAX_REASON_BYTES) reason = reason.slice(0, -1);
  return reason;
}

// Sends the failure envelope and closes the socket, quoting its error.
function refuse(socket, error, code, closeCode = REFUSED) {
  send(socket, failureEnvelope(TYPE, error, code));
  socket.close(closeCode, closeReason(`${code}: ${error}`));
}

// The 101 answer to an admitted upgrade, with `server` as the object's end.
function upgraded(request, client) {
  const offered = (request.headers.get('sec-websocket-protocol') ?? '').split(',').map((protocol) => protocol.trim());
  const headers = offered.includes(PROTOCOL) ? { 'sec-websocket-protocol': PROTOCOL } : {};
  return new Response(null, { status: 101, webSocket: client, headers });
}

// The feed on Workers KV: each isolate holds its own copy of a KV store and
// hears nothing of the writes other isolates make, so a watch there would
// miss changes without saying so. The socket is accepted only to say that.
export function unsupportedFeed(request) {
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  refuse(server, 'Watching needs the Durable Object backend: on Workers KV each isolate hears only its own writes.', 'UNSUPPORTED');
  return upgraded(request, client);
}

// The feeds of one Durable Object: which of its sockets watch what.
export class Feeds {
  #ctx;
  // Each watching socket's stop function, for the store open now.
  #watches = new Map();
  // Sockets whose first message is being served.
  #starting = new Set();

  constructor(ctx) {
    this.#ctx = ctx;
  }

  // Accepts an admitted upgrade (index.js checked the token); the socket
  // watches nothing until its first message.
  accept(request) {
    const [client, server] = Object.values(new WebSocketPair());
    this.#ctx.acceptWebSocket(server);
    return upgraded(request, client);
  }

  // Watches every socket's selector on `store`, the store the object just
  // opened (at its first use, after waking, or anew through POST /open).
  follow(store) {
    for (const socket of this.#ctx.getWebSockets()) {
      const selector = socket.deserializeAttachment()?.selector;
      if (selector !== undefined) this.#watch(socket, store, selector);
    }
  }

  // Serves one message of `socket`; `opened()` is the object's store.
  async hear(socket, text, opened) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return refuse(socket, 'A feed message must be JSON text.', 'INVALID_ARGUMENT');
    }
    if (this.#starting.has(socket)) return refuse(socket, 'Wait for the answer to the selector before sending more.', 'INVALID_ARGUMENT');
    if (socket.deserializeAttachment()?.selector !== undefined) {
      if (Object.keys(message ?? {}).join() !== 'sync') return refuse(socket, 'After the selector, the feed takes only { "sync": n }.', 'INVALID_ARGUMENT');
      return send(socket, { type: 'boltkv.sync', sync: message.sync });
    }
    this.#starting.add(socket);
    try {
      await this.#start(socket, text, opened);
    } finally {
      this.#starting.delete(socket);
    }
  }

  // Stops the watch of a socket the client closed, and completes the
  // closing handshake with the client's code (the client waits for it).
  closed(socket, code, reason) {
    this.#stop(socket);
    socket.close(code === NO_STATUS ? 1000 : code, reason);
  }

  // Stops the watch of a socket that failed.
  failed(socket) {
    this.#stop(socket);
  }

  #stop(socket) {
    this.#watches.get(socket)?.();
    this.#watches.delete(socket);
  }

  async #start(socket, text, opened) {
    let selector;
    try {
      const args = callArguments(text);
      if (args.length !== 1) throw new Refusal(400, `The first message must be { "args": [selector] }, not ${args.length} arguments.`);
      [selector] = args;
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      return refuse(socket, e.error, 'INVALID_ARGUMENT');
    }
    let store;
    try {
      store = await opened();
    } catch (e) {
      return refuse(socket, `The store cannot be opened: ${e?.message ?? e}`, 'STORAGE_UNAVAILABLE', BROKEN);
    }
    try {
      this.#watch(socket, store, selector);
    } catch (e) {
      // The store judges the selector, as in-process: a TypeError saying why.
      if (!(e instanceof TypeError)) throw e;
      return refuse(socket, e.message, 'INVALID_ARGUMENT');
    }
    try {
      // The store accepted it, so it is four strings at most, which JSON keeps.
      socket.serializeAttachment({ selector });
    } catch (e) {
      this.#stop(socket);
      return refuse(socket, `The selector is too large to keep while the object sleeps (${e?.message ?? e}).`, 'TOO_LARGE');
    }
    send(socket, envelope(TYPE, { watching: true }));
  }

  // Watches `selector` on `store` for `socket`, replacing its watch on an
  // earlier store. Every event is another request's doing, since a socket
  // only reads: the store says `local` (one store serves every request),
  // the feed says `remote`. Throws the store's TypeError for a bad selector.
  #watch(socket, store, selector) {
    const stop = store.watch(selector, (event) => {
      if (socket.readyState === WebSocket.OPEN) send(socket, { ...event, origin: 'remote' });
    });
    this.#stop(socket);
    this.#watches.set(socket, stop);
  }
}
