// The HTTP side of the example service: reading a call from a request and
// answering with JSON. A refused request gets a 4xx or 5xx answer shaped like
// the API's failure envelope, so clients handle both the same way.

import { revive } from './revive.js';

export const METHODS = [
  'createInstance', 'getInstance', 'listInstances', 'updateInstance', 'deleteInstance',
  'get', 'set', 'delete', 'deleteNamespace', 'query', 'getNamespaces', 'getRecordCount',
  'batch', 'getMany', 'export', 'import',
];

// The envelope `code` of each HTTP status the service answers with on its
// own, when the refusal names none (the store's failures come with their
// codes and HTTP 200).
const CODES = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'INVALID_ARGUMENT',
  413: 'TOO_LARGE',
  415: 'INVALID_ARGUMENT',
  426: 'INVALID_ARGUMENT',
  503: 'STORAGE_UNAVAILABLE',
};

const stamp = () => ({ timestamp: new Date().toISOString(), requestId: crypto.randomUUID() });

// A success envelope, as the store's methods answer.
export function envelope(type, data) {
  return { type, success: true, data, ...stamp() };
}

// A failure envelope, as the store's methods answer.
export function failureEnvelope(type, error, code) {
  return { type, success: false, error, code, ...stamp() };
}

// A failure envelope with an HTTP status.
export function failure(status, type, error, { code = CODES[status], headers = {} } = {}) {
  return Response.json(failureEnvelope(type, error, code), { status, headers });
}

// A thrown answer: the request cannot be served as sent.
export class Refusal {
  constructor(status, error, { code, headers } = {}) {
    Object.assign(this, { status, error, code, headers });
  }
}

// The answer for `thrown` if it is a Refusal; anything else is a bug and
// stays thrown.
export function refused(thrown, type) {
  if (thrown instanceof Refusal) return failure(thrown.status, type, thrown.error, thrown);
  throw thrown;
}

// The body's bytes, refused with 413 once past `limit`: a declared length
// over it is refused before reading anything, and a body without one is read
// chunk by chunk and dropped as soon as it passes the limit.
async function bytes(request, limit) {
  const tooLarge = () => new Refusal(413, `The request body is over the limit of ${limit} bytes (BOLTKV_MAX_BODY_BYTES).`);
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    parts.push(value);
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.byteLength;
  }
  return whole;
}

// The text of a call's body, at most `limit` bytes of UTF-8 sent as JSON.
export async function callText(request, limit) {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new Refusal(415, `Send the body as application/json, not ${type || 'no content type'}.`);
  const body = await bytes(request, limit);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new Refusal(400, 'The request body is not UTF-8 text.');
  }
}

// The positional arguments of a call's text: `{ "args": [...], "js"?: [...] }`
// (see revive.js for `js`), as JSON-checked data with `js` applied.
export function callArguments(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
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
