// Small DOM and formatting helpers shared by the views.

/** Makes an element: h('button', { type: 'button', onclick }, 'Save'). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** `n` and the word, in the plural unless `n` is 1: plural(2, 'record') is '2 records'. */
export function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line of JSON, cut to `max` characters. */
export function preview(value, max = 80) {
  const text = value === undefined ? '' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** An ISO-8601 time as the reader's local date and time, to the second. */
export function readableTime(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** Parses JSON text: { ok: true, value } or { ok: false, error } with a sentence for the page. */
export function parseJson(text) {
  if (text.trim() === '') return { ok: false, error: 'Enter a JSON value, for example "text", 42, true, null, [1, 2] or {"a": 1}.' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${err.message}` };
  }
}

/** Shows `error` (or clears it) under a field, marking the field invalid for assistive technology. */
export function setFieldError(field, errorEl, error) {
  errorEl.textContent = error || '';
  errorEl.hidden = !error;
  if (error) field.setAttribute('aria-invalid', 'true');
  else field.removeAttribute('aria-invalid');
}

/** The JSON type of a value, as a word. */
export function jsonType(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Runs `render` (which replaces elements) and, if that removed the focused
 * element, moves focus to its replacement: the element with the same
 * `data-focus` name. Keyboard users keep their place across refreshes.
 */
export function keepFocus(render) {
  const active = document.activeElement;
  const name = active?.dataset?.focus;
  render();
  if (name && !active.isConnected) focusByName(name);
}

function focusByName(name) {
  document.querySelector(`[data-focus="${CSS.escape(name)}"]`)?.focus();
}

/** Opens a modal dialog; when it closes, focus goes back to what opened it (or its replacement after a refresh). */
export function showDialog(dialog) {
  const opener = document.activeElement;
  const name = opener?.dataset?.focus;
  dialog.addEventListener('close', () => {
    if (opener?.isConnected) opener.focus();
    else if (name) focusByName(name);
  }, { once: true });
  dialog.showModal();
}
