// JavaScript's half of the value crossing. JSON.stringify already does what
// docs/api.md ("Values") asks (toJSON, dropped undefined members, cycles and
// BigInt refused) except for NaN and ±Infinity, which it would quietly turn
// into null.

function refuseNonFinite(key, value) {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    const where = key === '' ? 'at the top level' : `under the key ${JSON.stringify(key)}`;
    throw new RangeError(`${value} ${where} has no JSON form; store null or a string instead.`);
  }
  return value;
}

// Whether JSON.stringify gave up because the value nests deeper than the
// engine's stack: V8 and JavaScriptCore throw a RangeError, SpiderMonkey an
// InternalError, each saying so.
function tooDeep(thrown) {
  return (thrown instanceof RangeError && /call stack/i.test(thrown.message))
    || (thrown?.name === 'InternalError' && /recursion/i.test(thrown.message));
}

// The JSON text of `value`; undefined when JSON has no text for it
// (undefined, a function or a symbol); null when it nests too deep for the
// engine to write it out (deeper than any store accepts). Throws when it
// cannot be stored exactly, except for a NaN or ±Infinity, which has become
// `null`: the caller asks checkFinite of texts holding one. (It searches in
// wasm: String.prototype.includes on a freshly written 1 KB text took
// 3.8 µs in Chromium 156, half as long as the stringify itself.)
export function jsonText(value) {
  try {
    return JSON.stringify(value);
  } catch (thrown) {
    if (tooDeep(thrown)) return null;
    throw thrown;
  }
}

// Throws for the first NaN or ±Infinity in `value` (which jsonText wrote
// as null); true when there is none, false when the check itself nests too
// deep for the engine.
export function checkFinite(value) {
  try {
    JSON.stringify(value, refuseNonFinite);
    return true;
  } catch (thrown) {
    if (tooDeep(thrown)) return false;
    throw thrown;
  }
}

// The UTF-8 length of a string, without copying it into wasm memory.
export function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length) { bytes += 4; i++; }
    else bytes += 3;
  }
  return bytes;
}

// What a value is, in words, for error sentences. Never throws, even for a
// revoked Proxy (on which Array.isArray throws).
export function describe(value) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined': return 'undefined';
    case 'string': return 'a string';
    case 'boolean': return 'a boolean';
    case 'number': return 'a number';
    case 'bigint': return 'a BigInt';
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
  }
  try {
    return Array.isArray(value) ? 'an array' : 'an object';
  } catch {
    return 'a revoked Proxy';
  }
}

// Why a call into JSON threw, as a sentence.
export function reason(thrown) {
  try {
    if (thrown instanceof Error) return thrown.message;
    return String(thrown);
  } catch {
    return 'it threw an exception that cannot be shown';
  }
}

// Options, updates and queries must be plain JSON data: JSON.stringify would
// quietly drop a function or a symbol there (so a misspelt `limit` callback
// or a Symbol `offset` would fall back to a default) and unwrap a boxed
// String. Returns the JSON text, or { part, problem } naming the first bad
// member. Members that are `undefined` count as absent.
export function plainJsonText(value) {
  const bad = plainProblem(value, '', 0);
  return bad ?? JSON.stringify(value);
}

// Problems are predicates ("is a symbol, ...") that the caller puts a subject to.
function plainProblem(value, path, depth) {
  if (depth > 128) return { part: path, problem: 'nests deeper than 128 levels.' };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { part: path, problem: `is ${value}, which has no JSON form.` };
  }
  if (typeof value !== 'object') return { part: path, problem: `is ${describe(value)}, which is not JSON data.` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const member = `${path}[${i}]`;
      if (value[i] === undefined) return { part: member, problem: 'is undefined; arrays here may hold only JSON data.' };
      const bad = plainProblem(value[i], member, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && Object.getPrototypeOf(proto) !== null) {
    const kind = typeof proto.constructor === 'function' && proto.constructor.name ? `a ${proto.constructor.name}` : 'not a plain object';
    return { part: path, problem: `is ${kind}; pass plain JSON data (strings, numbers, booleans, null, arrays, plain objects).` };
  }
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (member === undefined) continue;
    const bad = plainProblem(member, path === '' ? key : `${path}.${key}`, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}
