// `watch(selector, listener)` for the kvStore of client.js: the service's
// live feed (src/feed.js) over one WebSocket per watch.
//
// It keeps the in-process store's promises where a network allows:
// - the stop function comes at once; the watch covers every call the store
//   makes after `watch` returns, because calls wait until the service has
//   answered the selector (`Feeds.opening`);
// - a call resolves only after the events its own writes caused have reached
//   the listener: after the answer, each feed sends `{ sync: n }` and waits
//   for the echo, which the service sends after every event before it;
// - a listener that throws is reported on console.error, as the store does.
// What a network cannot keep: the service judges the selector, so a bad one
// does not throw here; the watch ends instead, and `stop.closed` resolves
// with `{ code, reason, failure }`, `failure` being the service's failure
// envelope (INVALID_ARGUMENT with the store's own sentence, UNSUPPORTED on
// Workers KV). Every event's origin is `remote` (see the example's README).

import { encodeCall } from './client.js';

// The watches of one remote store, which its calls wait on.
export class Feeds {
  #live = new Set();

  // Resolves once every watch started so far is answered (or closed).
  opening() {
    return Promise.all([...this.#live].map((feed) => feed.ready));
  }

  // Resolves once every open watch has heard all the service sent so far.
  synced() {
    return Promise.all([...this.#live].map((feed) => feed.sync()));
  }

  // Starts a watch on `where`'s store of the service at `base`.
  watch(base, where, selector, listener) {
    if (typeof listener !== 'function') throw new TypeError(`listener must be a function, not ${typeof listener}.`);
    const feed = open(base, where, selector, listener, () => this.#live.delete(feed));
    this.#live.add(feed);
    return feed.stop;
  }
}

// A promise and its resolve function.
function deferred() {
  let resolve;
  const promise = new Promise((done) => (resolve = done));
  return { promise, resolve };
}

function feedUrl(base, { store, backend }) {
  const url = new URL('/kv/watch', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('store', store);
  if (backend) url.searchParams.set('backend', backend);
  return url;
}

function open(base, where, selector, listener, forget) {
  const Socket = where.WebSocket ?? globalThis.WebSocket;
  // A browser cannot set an Authorization header on a WebSocket; the
  // service reads the token from this subprotocol instead (src/auth.js).
  const protocols = where.token === undefined ? ['boltkv'] : ['boltkv', `bearer.${where.token}`];
  const socket = new Socket(feedUrl(base, where), protocols);
  const answered = deferred();
  const closed = deferred();
  const syncs = new Map();
  let syncCount = 0;
  let watching = false;
  let stopped = false;
  let failure;

  socket.addEventListener('open', () => socket.send(JSON.stringify(encodeCall('watch', [selector]))));
  socket.addEventListener('message', ({ data }) => {
    const message = JSON.parse(data);
    if (message.type === 'kvStore.change') {
      if (stopped) return;
      try {
        listener(message);
      } catch (e) {
        console.error('boltkv: a watch listener threw:', e);
      }
    } else if (message.type === 'boltkv.sync') {
      syncs.get(message.sync)?.();
      syncs.delete(message.sync);
    } else if (message.success) {
      watching = true;
      answered.resolve();
    } else {
      failure = message;
    }
  });
  socket.addEventListener('close', ({ code, reason }) => {
    watching = false;
    forget();
    answered.resolve();
    for (const done of syncs.values()) done();
    syncs.clear();
    closed.resolve({ code, reason, failure });
  });

  const stop = () => {
    stopped = true;
    forget();
    socket.close(1000);
  };
  stop.closed = closed.promise;
  return {
    stop,
    ready: answered.promise,
    sync() {
      if (!watching) return Promise.resolve();
      const n = ++syncCount;
      const echoed = deferred();
      syncs.set(n, echoed.resolve);
      socket.send(JSON.stringify({ sync: n }));
      return echoed.promise;
    },
  };
}
