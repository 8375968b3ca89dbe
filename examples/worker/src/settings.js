// The service's settings, from the Worker's environment: the tokens are
// secrets (`wrangler secret put`), the rest are vars (wrangler.toml). A
// setting that cannot be used is refused with 503 on every request rather
// than replaced by a guess, so a typo never loosens what the service allows.

import { Refusal } from './http.js';

// The store's default maxValueBytes (1 MiB, src/limits.rs) plus 64 KiB for
// the other arguments of a call: a value at the default limit fits.
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024;

const misconfigured = (why) => new Refusal(503, `The service is misconfigured: ${why}`);

// A token secret, or undefined when it is unset or empty.
function token(env, name) {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw misconfigured(`${name} must be a string (set it with \`wrangler secret put ${name}\`).`);
  return value;
}

function maxBodyBytes(value) {
  if (value === undefined || value === '') return DEFAULT_MAX_BODY_BYTES;
  const bytes = /^\d{1,15}$/.test(String(value)) ? Number(value) : 0;
  if (bytes < 1) throw misconfigured(`BOLTKV_MAX_BODY_BYTES must be a whole number of bytes, at least 1, not ${JSON.stringify(value)}.`);
  return bytes;
}

// Origins exactly as browsers send them in `Origin`; an entry with a path or
// a trailing slash would never match, so it is refused instead.
function origins(value = '') {
  const listed = String(value).split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of listed) {
    let origin;
    try {
      origin = new URL(entry).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== entry) throw misconfigured(`BOLTKV_ALLOWED_ORIGINS lists ${JSON.stringify(entry)}, which is not an origin such as https://app.example.com (a scheme, a host, a port if not the default, nothing after).`);
  }
  return listed;
}

// { token, readToken, allowAnonymous, maxBodyBytes, origins } from `env`,
// or a thrown Refusal naming the setting that is wrong.
export function settings(env) {
  return {
    token: token(env, 'BOLTKV_TOKEN'),
    readToken: token(env, 'BOLTKV_READ_TOKEN'),
    allowAnonymous: env.BOLTKV_ALLOW_ANONYMOUS === 'true',
    maxBodyBytes: maxBodyBytes(env.BOLTKV_MAX_BODY_BYTES),
    origins: origins(env.BOLTKV_ALLOWED_ORIGINS),
  };
}
