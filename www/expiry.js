// The optional expiry of a write, as the set form and the record dialog
// take it (a record leaves the page at its expiry through the store's own
// `expire` event, live.js): a number of seconds or minutes from now, sent to `set` as
// `expireIn` in milliseconds. The store judges the number (zero, a negative
// number or a fraction of a millisecond answers INVALID_ARGUMENT with a
// sentence, which the page shows under the field as it is); the page only
// refuses text that is not a number at all, which the input cannot hand on.

/**
 * Reads an expiry field (`input`, a number input, and `unit`, a select whose
 * values are milliseconds per unit): `{ ok: true }` when it is empty,
 * `{ ok: true, expireIn }` (milliseconds), or `{ ok: false, error }`.
 */
export function readExpiry(input, unit) {
  if (input.validity.badInput) return { ok: false, error: `Enter a number of ${unit.selectedOptions[0].text}, for example 30, or leave the field empty.` };
  const text = input.value.trim();
  if (text === '') return { ok: true };
  // 1.1 × 1000 is 1100.0000000000002 in floating point: round that noise
  // away, but not a real fraction of a millisecond (the store refuses it).
  return { ok: true, expireIn: Number((Number(text) * Number(unit.value)).toPrecision(15)) };
}

/** Whether a failed write was refused for its expiry: the store names the option in its sentence. */
export function isExpiryError(env) {
  return env.code === 'INVALID_ARGUMENT' && /\bexpire(In|At)\b/.test(env.error ?? '');
}
