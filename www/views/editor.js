// The record dialog: the record's details and its value as JSON, checked
// before saving (an invalid text is never sent), and a delete button.

import { h, showDialog, jsonType, parseJson, setFieldError } from '../dom.js';

const $ = (id) => document.getElementById(id);

export function createEditorView({ onSave, onDelete }) {
  const dialog = $('record-dialog');
  const form = $('record-form');
  const title = $('record-dialog-title');
  const meta = $('record-meta');
  const remote = $('record-remote');
  const value = $('record-value');
  const error = $('record-error');
  let record = null;

  const check = () => {
    const parsed = parseJson(value.value);
    setFieldError(value, error, parsed.ok ? '' : parsed.error);
    return parsed;
  };
  value.addEventListener('input', () => setFieldError(value, error, ''));
  value.addEventListener('blur', () => record && check());
  value.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  $('record-cancel').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => (record = null));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const parsed = check();
    if (!parsed.ok) return value.focus();
    const failure = await onSave(record, parsed.value);
    if (failure) setFieldError(value, error, failure);
    else dialog.close();
  });
  $('record-delete').addEventListener('click', async () => {
    if (await onDelete(record)) dialog.close();
  });

  function fill(r) {
    meta.replaceChildren(...[
      ['Namespace', r.namespace], ['Key', r.key], ['Type', jsonType(r.value)],
      ['id', r.id], ['createdAt', r.createdAt], ['updatedAt', r.updatedAt],
    ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  }

  return {
    open(r) {
      record = r;
      title.textContent = `Record ${r.key}`;
      fill(r);
      remote.hidden = true;
      value.value = JSON.stringify(r.value, null, 2);
      setFieldError(value, error, '');
      showDialog(dialog);
      value.focus();
    },
    /** The open record, or null. */
    get record() {
      return record;
    },
    /** Tells the dialog what the store now holds for its record (null: deleted), after another tab changed it. */
    changedElsewhere(fresh) {
      if (!record) return;
      if (fresh && fresh.updatedAt === record.updatedAt) return;
      remote.hidden = false;
      remote.textContent = fresh
        ? `This record changed (updatedAt ${fresh.updatedAt}). Saving replaces that value with yours; Cancel and reopen it to see the new one.`
        : 'This record was deleted. Saving stores it again.';
      if (fresh) {
        record = { ...record, updatedAt: fresh.updatedAt };
        fill({ ...fresh, value: fresh.value });
      }
    },
  };
}
