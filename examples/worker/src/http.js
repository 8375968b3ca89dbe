// The HTTP side of the example service: reading a call from a request and
// answering with JSON. A malformed request gets a 4xx answer shaped like the
// API's failure envelope, so clients handle both the same way.

import { revive } from './revive.js';

export const METHODS = [
  'createInstance', 'getInstance', 'listInstances', 'updateInstance', 'deleteInstance',
  'get', 'set', 'delete', 'deleteNamespace', 'query', 'getNamespaces', 'getRecordCount',
];

// Bodies over this many bytes are refused with 413: room for a value at the
// default 1 MiB limit, escaped, plus the other arguments.
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
// An oversized body is still read (and dropped) up to this size before the
// 413 answer, because a client still sending when the answer comes sees a
// reset connection instead of the answer. Past it, the connection is cut.
const DRAIN_BYTES = 32 * 1024 * 1024;

// The envelope `code` of each HTTP status the service answers with on its
// own (the store's failures come with their codes and HTTP 200).
const CODES = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  405: 'INVALID_ARGUMENT',
  413: 'TOO_LARGE',
  415: 'INVALID_ARGUMENT',
  503: 'STORAGE_UNAVAILABLE',
};

// A failure envelope with an HTTP status.
export function failure(status, type, error, headers = {}) {
  const code = CODES[status];
  const envelope = { type, success: false, error, code, timestamp: new Date().toISOString(), requestId: crypto.randomUUID() };
  return Response.json(envelope, { status, headers });
}

// A thrown answer: the request cannot be served as sent.
export class Refusal {
  constructor(status, error, headers) {
    Object.assign(this, { status, error, headers });
  }
}

// The body's text, refused past MAX_BODY_BYTES without reading all of it.
async function text(request) {
  const declared = Number(request.headers.get('content-length'));
  if (declared > DRAIN_BYTES) throw new Refusal(413, `The request body is ${declared} bytes; the limit is ${MAX_BODY_BYTES} bytes.`);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > DRAIN_BYTES) await reader.cancel();
    if (size <= MAX_BODY_BYTES) parts.push(value);
  }
  if (size > MAX_BODY_BYTES) throw new Refusal(413, `The request body is over the limit of ${MAX_BODY_BYTES} bytes.`);
  const whole = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(whole);
  } catch {
    throw new Refusal(400, 'The request body is not UTF-8 text.');
  }
}

// The positional arguments of a call: `{ "args": [...], "js"?: [...] }`
// (see revive.js for `js`), as JSON-checked data with `js` applied.
export async function callArguments(request) {
  if (request.method !== 'POST') throw new Refusal(405, `Use POST, not ${request.method}.`, { allow: 'POST' });
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new Refusal(415, `Send the body as application/json, not ${type || 'no content type'}.`);
  let body;
  try {
    body = JSON.parse(await text(request));
  } catch (e) {
    if (e instanceof Refusal) throw e;
    throw new Refusal(400, `The request body is not valid JSON (${e.message}).`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Refusal(400, 'The request body must be a JSON object { "args": [...] }.');
  const extra = Object.keys(body).filter((key) => key !== 'args' && key !== 'js');
  if (extra.length) throw new Refusal(400, `The request body has unknown members (${extra.join(', ')}); it takes "args" and optionally "js".`);
  if (!Array.isArray(body.args)) throw new Refusal(400, 'The request body\'s "args" must be an array of the positional arguments.');
  const wrong = revive(body.args, body.js);
  if (wrong) throw new Refusal(400, `The request body's ${wrong}`);
  return body.args;
}
