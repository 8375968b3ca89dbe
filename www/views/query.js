// The query panel: a JSON textarea in the query DSL, checked before it is
// run, and the matching records (or projections) with `total`.

import { h, parseJson, preview, setFieldError } from '../dom.js';

const $ = (id) => document.getElementById(id);
const HIDDEN_COLUMNS = new Set(['id', 'instanceId']);

export function createQueryView({ onRun, onOpen }) {
  const form = $('query-form');
  const text = $('query-text');
  const error = $('query-error');
  const output = $('query-output');
  const total = $('query-total');
  const table = $('query-table');
  let edited = false;
  let template = '';

  text.addEventListener('input', () => {
    edited = true;
    setFieldError(text, error, '');
  });
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  $('query-reset').addEventListener('click', () => {
    edited = false;
    text.value = template;
    setFieldError(text, error, '');
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const parsed = parseJson(text.value);
    if (!parsed.ok) {
      setFieldError(text, error, parsed.error);
      return text.focus();
    }
    const envelope = await onRun(parsed.value);
    if (!envelope.success) {
      output.hidden = true;
      return setFieldError(text, error, envelope.error);
    }
    show(envelope.data.result);
  });

  function show({ records, total: count, limit, offset }) {
    output.hidden = false;
    total.textContent = `total: ${count} (showing ${records.length}; limit ${limit}, offset ${offset})`;
    const columns = [];
    for (const r of records) for (const k of Object.keys(r)) if (!HIDDEN_COLUMNS.has(k) && !columns.includes(k)) columns.push(k);
    table.tHead.replaceChildren(h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c))));
    table.tBodies[0].replaceChildren(...records.map((r) => h('tr', {}, columns.map((c) => {
      // The dialog's writes are conditional on the version, so a projection without it cannot be opened.
      const openable = c === 'key' && r.instanceId && r.namespace !== undefined && 'value' in r && 'version' in r;
      const cell = openable
        ? h('button', { type: 'button', class: 'link', onclick: () => onOpen(r) }, r.key)
        : h('code', {}, preview(r[c]));
      return h('td', { 'data-label': c }, cell);
    }))));
  }

  return {
    /** Suggests a query for the selection, unless the person has written their own. */
    suggest(instance, namespace) {
      const from = instance ? { instance: instance.name, ...(namespace ? { namespace } : {}) } : { instance: '' };
      const query = { from, where: [{ field: 'value', operator: 'exists' }], orderBy: { field: 'updatedAt', direction: 'desc' }, limit: 20 };
      // One line per part: short enough to read and edit in the textarea.
      template = `{\n${Object.entries(query).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n}`;
      if (!edited) text.value = template;
    },
  };
}
