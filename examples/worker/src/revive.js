// The JavaScript values JSON cannot carry. The API defines answers for
// arguments such as `undefined`, NaN, BigInt, functions and values whose
// reading throws (set refuses them, open rejects them), and a JSON body
// would silently turn most of them into null or drop them. A JavaScript
// client may therefore list them beside the arguments, in `js`:
//
//   { "args": ["app", "ns", "k", null], "js": [[[3], "undefined"]] }
//
// Each entry is [path, tag]: the path starts with the argument's index and
// goes on with object keys and array indexes; the tag says what stands
// there instead of the JSON placeholder:
//   "undefined" | "NaN" | "Infinity" | "-Infinity" | "function" | "symbol"
//   | "noJson"                 an object whose toJSON gives undefined
//   | "tooDeep"                arrays nested deeper than JSON.stringify can go
//   | { "bigint": "10" }       | { "boxed": <string, number or boolean> }
//   | { "object": "Point" }    an instance of a class other than Object
//   | { "throws": "message" }  a value that throws that message when read
// The service puts an equivalent value there and calls the store with it,
// so it answers exactly as a store in the caller's own process would.

const WORDS = {
  undefined: () => undefined,
  NaN: () => NaN,
  Infinity: () => Infinity,
  '-Infinity': () => -Infinity,
  function: () => function placeholder() {},
  symbol: () => Symbol('placeholder'),
  noJson: () => ({ toJSON() { return undefined; } }),
  tooDeep: () => {
    let nested = [];
    for (let i = 0; i < 200000; i++) nested = [nested];
    return nested;
  },
};

const throwing = (message) => {
  const fail = () => {
    throw new Error(message);
  };
  return new Proxy({}, { get: fail, has: fail, ownKeys: fail, getOwnPropertyDescriptor: fail, getPrototypeOf: fail });
};

// The value a tag stands for, or a string saying why the tag is not one.
function make(tag) {
  if (typeof tag === 'string') return Object.hasOwn(WORDS, tag) ? { value: WORDS[tag]() } : `the tag ${JSON.stringify(tag)} is not one of ${Object.keys(WORDS).join(', ')}`;
  if (tag === null || typeof tag !== 'object' || Array.isArray(tag) || Object.keys(tag).length !== 1) return 'a tag must be a string or an object with one member';
  const [[kind, detail]] = Object.entries(tag);
  if (kind === 'bigint' && typeof detail === 'string' && /^-?\d{1,400}$/.test(detail)) return { value: BigInt(detail) };
  if (kind === 'boxed' && ['string', 'number', 'boolean'].includes(typeof detail)) return { value: Object(detail) };
  if (kind === 'object' && typeof detail === 'string' && /^[A-Za-z_$][\w$]{0,99}$/.test(detail)) {
    const named = { [detail]: class {} }[detail];
    return { value: new named() };
  }
  if (kind === 'throws' && typeof detail === 'string') return { value: throwing(detail) };
  return `the tag ${JSON.stringify(kind)} is not bigint (a decimal string), boxed (a primitive), object (a class name) or throws (a message)`;
}

// Puts the values `js` lists into `args` (parsed JSON, changed in place).
// Returns undefined, or a sentence saying which entry is wrong.
export function revive(args, js) {
  if (js === undefined) return undefined;
  if (!Array.isArray(js) || js.length > 1000) return 'js must be an array of at most 1000 [path, tag] entries.';
  for (let n = 0; n < js.length; n++) {
    const entry = js[n];
    const bad = (why) => `js[${n}]: ${why}.`;
    if (!Array.isArray(entry) || entry.length !== 2) return bad('an entry must be [path, tag]');
    const [path, tag] = entry;
    if (!Array.isArray(path) || path.length === 0 || path.length > 130) return bad('the path must be a non-empty array of keys');
    if (!Number.isInteger(path[0]) || path[0] < 0 || path[0] >= args.length) return bad('the path must start with the index of an argument');
    let holder = args;
    for (const step of path.slice(0, -1)) {
      const next = holder !== null && typeof holder === 'object' && Object.hasOwn(holder, step) ? holder[step] : undefined;
      if (next === null || typeof next !== 'object') return bad(`the path goes through ${JSON.stringify(step)}, which is not an object or array of the arguments`);
      holder = next;
    }
    const last = path[path.length - 1];
    if (typeof last !== 'string' && !Number.isInteger(last)) return bad('path steps must be strings or integers');
    const made = make(tag);
    if (typeof made === 'string') return bad(made);
    // A data property, so that a key such as "__proto__" stays a key.
    Object.defineProperty(holder, last, { value: made.value, enumerable: true, writable: true, configurable: true });
  }
  return undefined;
}
