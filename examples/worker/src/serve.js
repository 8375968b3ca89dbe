// Serving one call on a store, wherever the store lives: the call's text in
// (its request already admitted and its body read by index.js), the store's
// envelope out (HTTP 200, success or not), or a 400 failure envelope when
// the text is not a call.

import { KvStore } from 'boltkv';
import { Refusal, callArguments, failure, refused } from './http.js';

const OPEN_TYPE = 'boltkv.open';

// Answers `POST /kv/<method>` with `store[method](...args)`.
export async function serveCall(text, method, store) {
  let args;
  try {
    args = callArguments(text);
  } catch (e) {
    return refused(e, `kvStore.${method}`);
  }
  return Response.json(await store[method](...args));
}

// Answers `POST /open`: `{ "args": [options?] }` opens the store anew with
// those options (limits, fallback); `open(options)` makes the store.
// Answers { type: 'boltkv.open', success, storage, maxBodyBytes } or a 400
// saying why KvStore.open rejected the options. `maxBodyBytes`, the
// service's body limit, lets a client refuse a call over it without sending
// it: the service stops reading such a body at the limit, and a client
// still sending then sees its connection closed rather than the 413.
export async function serveOpen(text, open, maxBodyBytes) {
  let options;
  try {
    const args = callArguments(text);
    if (args.length > 1) throw new Refusal(400, 'open takes one argument, the options.');
    options = args[0];
  } catch (e) {
    return refused(e, OPEN_TYPE);
  }
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    return failure(400, OPEN_TYPE, 'The options must be an object { limits?, fallback? }.');
  }
  if (options && ('backend' in options || 'name' in options)) {
    return failure(400, OPEN_TYPE, 'The service chooses the backend and the name; pass only limits and fallback.');
  }
  try {
    const store = await open(options ?? {});
    return Response.json({ type: OPEN_TYPE, success: true, storage: store.storage, maxBodyBytes });
  } catch (e) {
    return failure(400, OPEN_TYPE, String(e?.message ?? e));
  }
}

// The store `name` on `backend`, opened with `options`.
export function openStore(backend, name, options) {
  return KvStore.open({ ...options, backend, name });
}
