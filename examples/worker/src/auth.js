// Who may call the service: the bearer tokens of its settings (settings.js).
// BOLTKV_TOKEN grants every call, BOLTKV_READ_TOKEN only the calls that read.

import { Refusal } from './http.js';

// The operations a read token may call: the reading methods (getMany and
// export too, so the read token needs no change when the service serves
// them) and the watch feed. Everything else, `open` included, changes a
// store or its limits and needs the full token.
const READS = new Set(['get', 'getMany', 'query', 'getInstance', 'listInstances', 'getNamespaces', 'getRecordCount', 'export', 'watch']);

// A browser cannot set headers on a WebSocket, so a WebSocket client (the
// watch feed's) offers its token as one of its subprotocols, `bearer.<token>`,
// beside the protocol it speaks; the server must answer with that other
// protocol, never with the one carrying the token. A subprotocol is an HTTP
// token, so such a token must be letters, digits and !#$%&'*+-.^_`|~ (a hex
// token, as the README makes, fits; so does base64url without padding).
const PROTOCOL_PREFIX = 'bearer.';

// The token offered in a Sec-WebSocket-Protocol header's list, or undefined.
function protocolToken(header) {
  const offered = (header ?? '').split(',').map((protocol) => protocol.trim());
  const token = offered.find((protocol) => protocol.startsWith(PROTOCOL_PREFIX))?.slice(PROTOCOL_PREFIX.length);
  return token || undefined;
}

const unauthorized = (error, challenge = 'Bearer') => new Refusal(401, error, { code: 'UNAUTHORIZED', headers: { 'www-authenticate': challenge } });

// The token `request` presents: in `Authorization: Bearer <token>`, or on a
// WebSocket upgrade without that header, in its subprotocols.
function presented(request) {
  const header = request.headers.get('authorization');
  if (header !== null) {
    const token = /^Bearer +(\S+) *$/i.exec(header)?.[1];
    if (token === undefined) throw unauthorized('The Authorization header must be "Bearer <token>".');
    return token;
  }
  if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') return protocolToken(request.headers.get('sec-websocket-protocol'));
  return undefined;
}

// Whether two strings are equal, in a time that tells nothing of either:
// timingSafeEqual compares digests, which always have the same length, so
// neither a length nor the place of a first difference shows.
async function same(presentedToken, token) {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([presentedToken, token].map((text) => crypto.subtle.digest('SHA-256', encoder.encode(text))));
  return crypto.subtle.timingSafeEqual(a, b);
}

// The access `request` has under `config` (settings.js): 'full' or 'read'.
// Throws a Refusal: 503 when no token is set (unless anonymous access is
// allowed), 401 when the request presents no token or a wrong one.
export async function access(request, config) {
  if (config.token === undefined) {
    if (config.allowAnonymous) return 'full';
    throw new Refusal(503, 'No token is set, and this service never runs open: set one with `wrangler secret put BOLTKV_TOKEN` '
      + '(or, for local development only, set the var BOLTKV_ALLOW_ANONYMOUS to "true").');
  }
  const token = presented(request);
  if (token === undefined) throw unauthorized('This service needs a token: send it as "Authorization: Bearer <token>".');
  const full = await same(token, config.token);
  const read = config.readToken !== undefined && (await same(token, config.readToken));
  if (full) return 'full';
  if (read) return 'read';
  throw unauthorized('The token is not one of this service\'s tokens.', 'Bearer error="invalid_token"');
}

// Refuses with 403 an operation (a method name, `open` or `watch`) that
// `grant` does not cover.
export function permit(grant, operation) {
  if (grant === 'full' || READS.has(operation)) return;
  throw new Refusal(403, `This token may only read; ${operation} needs the full token (BOLTKV_TOKEN).`, {
    code: 'FORBIDDEN',
    headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
  });
}
