// A tiny assertion helper in plain JavaScript (no Node imports), so the
// conformance cases run unchanged under node:test, in a browser page or
// against another backend.
//
//   equal(actual, expected)      Object.is, so -0 and 0 differ and NaN equals NaN
//   deepEqual(actual, expected)  structural, strict: same prototypes, same own
//                                enumerable keys (any order), Object.is at the leaves
//   match(string, regexp)        a string that the regexp matches
//   ok(value)                    a truthy value
//   fail(message)                always throws

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}

/** A short, safe rendering of any value for failure messages. */
export function show(value, depth = 0) {
  try {
    if (value === undefined) return 'undefined';
    if (value === null) return 'null';
    const t = typeof value;
    if (t === 'string') {
      const s = value.length > 200 ? value.slice(0, 200) + `...(${value.length} chars)` : value;
      return JSON.stringify(s);
    }
    if (t === 'number') return Object.is(value, -0) ? '-0' : String(value);
    if (t === 'bigint') return `${value}n`;
    if (t === 'symbol') return value.toString();
    if (t === 'function') return `[function ${value.name || 'anonymous'}]`;
    if (t === 'boolean') return String(value);
    if (depth > 4) return Array.isArray(value) ? '[...]' : '{...}';
    if (Array.isArray(value)) {
      const items = value.slice(0, 20).map((v) => show(v, depth + 1));
      if (value.length > 20) items.push(`...(${value.length} items)`);
      return `[${items.join(', ')}]`;
    }
    const proto = Object.getPrototypeOf(value);
    const prefix = proto === Object.prototype ? '' : proto === null ? '[null prototype] ' : `${(proto.constructor && proto.constructor.name) || 'Object'} `;
    const keys = Object.keys(value);
    const items = keys.slice(0, 30).map((k) => `${JSON.stringify(k)}: ${show(value[k], depth + 1)}`);
    if (keys.length > 30) items.push(`...(${keys.length} keys)`);
    return `${prefix}{${items.join(', ')}}`;
  } catch (e) {
    return '[unprintable]';
  }
}

function where(message) {
  return message ? `${message}: ` : '';
}

export function fail(message) {
  throw new AssertionError(message || 'failed');
}

export function ok(value, message) {
  if (!value) throw new AssertionError(`${where(message)}expected a truthy value, got ${show(value)}`);
}

export function equal(actual, expected, message) {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(`${where(message)}expected ${show(expected)}, got ${show(actual)}`);
  }
}

export function notEqual(actual, expected, message) {
  if (Object.is(actual, expected)) {
    throw new AssertionError(`${where(message)}expected anything but ${show(expected)}`);
  }
}

export function match(actual, regexp, message) {
  if (typeof actual !== 'string') {
    throw new AssertionError(`${where(message)}expected a string matching ${regexp}, got ${show(actual)}`);
  }
  if (!regexp.test(actual)) {
    throw new AssertionError(`${where(message)}expected a string matching ${regexp}, got ${show(actual)}`);
  }
}

/** Returns a description of the first difference, or null when equal. */
export function difference(actual, expected, path = '$', seen = []) {
  if (Object.is(actual, expected)) return null;
  const ta = typeof actual;
  const te = typeof expected;
  if (ta !== 'object' || te !== 'object' || actual === null || expected === null) {
    return `${path}: expected ${show(expected)}, got ${show(actual)}`;
  }
  for (const [a, e] of seen) if (a === actual && e === expected) return null;
  seen = seen.concat([[actual, expected]]);
  if (Array.isArray(actual) !== Array.isArray(expected)) {
    return `${path}: expected ${Array.isArray(expected) ? 'an array' : 'an object'} ${show(expected)}, got ${show(actual)}`;
  }
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) {
    return `${path}: prototypes differ (expected ${show(expected)}, got ${show(actual)})`;
  }
  if (Array.isArray(actual) && actual.length !== expected.length) {
    return `${path}: expected an array of length ${expected.length} ${show(expected)}, got length ${actual.length} ${show(actual)}`;
  }
  const ka = Object.keys(actual);
  const ke = Object.keys(expected);
  const missing = ke.filter((k) => !Object.prototype.hasOwnProperty.call(actual, k));
  const extra = ka.filter((k) => !Object.prototype.hasOwnProperty.call(expected, k));
  if (missing.length || extra.length) {
    return `${path}: keys differ (missing ${show(missing)}, unexpected ${show(extra)}); expected ${show(expected)}, got ${show(actual)}`;
  }
  for (const k of ke) {
    const sub = Array.isArray(expected) ? `${path}[${k}]` : `${path}.${k}`;
    const d = difference(actual[k], expected[k], sub, seen);
    if (d) return d;
  }
  return null;
}

export function deepEqual(actual, expected, message) {
  const d = difference(actual, expected);
  if (d) throw new AssertionError(`${where(message)}${d}`);
}
