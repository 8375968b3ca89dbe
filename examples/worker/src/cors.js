// Cross-origin calls from browsers: only the origins BOLTKV_ALLOWED_ORIGINS
// lists (settings.js) get CORS headers; for any other origin the browser
// keeps the answer from the page.

import { Refusal } from './http.js';

// The request's origin if it is listed, else undefined.
export function listedOrigin(request, origins) {
  const origin = request.headers.get('origin');
  return origin !== null && origins.includes(origin) ? origin : undefined;
}

// The answer to a preflight (OPTIONS, sent by the browser without the token
// before a cross-origin POST with one): 204 with what a call may send, for a
// listed origin (index.js adds the origin with allowOrigin); 403 for any
// other, with no CORS headers.
export function preflight(request, origins) {
  if (listedOrigin(request, origins) === undefined) {
    const origin = request.headers.get('origin');
    const why = origin === null ? 'This OPTIONS request has no Origin' : `The origin ${origin} is not listed in BOLTKV_ALLOWED_ORIGINS`;
    throw new Refusal(403, `${why}; the service answers preflights only from the origins listed there.`, { code: 'FORBIDDEN' });
  }
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '86400',
    },
  });
}

// Browsers apply no CORS to WebSockets: a page on any origin may open one
// and read all it says. So the feed refuses, with 403, an upgrade whose
// Origin (which browsers always send) is not listed; clients outside
// browsers send none and, as for every route, only need the token.
export function admitSocket(request, origins) {
  const origin = request.headers.get('origin');
  if (origin !== null && !origins.includes(origin)) {
    throw new Refusal(403, `The origin ${origin} is not listed in BOLTKV_ALLOWED_ORIGINS; the feed accepts pages only from the origins listed there.`, { code: 'FORBIDDEN' });
  }
}

// `answer`, readable by a page on the listed `origin`. Vary: an answer
// shared with one origin must not be reused from a cache for another.
export function allowOrigin(answer, origin) {
  const shared = new Response(answer.body, answer);
  shared.headers.set('access-control-allow-origin', origin);
  shared.headers.append('vary', 'Origin');
  return shared;
}
