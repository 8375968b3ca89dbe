// The record dialog: a record's details and its value as JSON, checked
// before saving (an invalid text is never sent), and a delete button; or,
// for a new record, its namespace and key. Every write from here is
// conditional on what the dialog loaded (the record's version; for a new
// key, that the key is absent), so a change made meanwhile in another tab
// or by another call is never overwritten unseen: the store answers
// CONFLICT and the conflict notice shows what it holds now.
//
// A save may also set an expiry (seconds or minutes from now). A record
// that has one keeps it unless a new one is given or "Remove the expiry" is
// ticked: a plain set would drop it, which an edit of the value should not
// do unseen.

import { h, jsonType, parseJson, readableTime, setFieldError, showDialog } from '../dom.js';
import { readExpiry } from '../expiry.js';
import { createConflictNotice } from './conflict.js';

const $ = (id) => document.getElementById(id);

/**
 * `onSave(target, value, ifVersion, expiry)` and `onDelete(record)` resolve
 * with null when done, `{ error, expiry? }` (a sentence; `expiry` when it is
 * about the expiry), `{ conflict: current }` (the record the store now
 * holds, null when the key is absent), or `{ cancelled: true }`. `target`
 * is `{ instanceId, namespace, key }`; `expiry` is `{}`, `{ expireIn }` or
 * `{ expireAt }` (the loaded record's, kept).
 */
export function createEditorView({ onSave, onDelete }) {
  const dialog = $('record-dialog');
  const form = $('record-form');
  const title = $('record-dialog-title');
  const meta = $('record-meta');
  const place = $('record-place');
  const value = $('record-value');
  const error = $('record-error');
  const deleteButton = $('record-delete');
  const expire = $('record-expire');
  const expireUnit = $('record-expire-unit');
  const expireHelp = $('record-expire-help');
  const expireError = $('record-expire-error');
  const removeExpiry = $('record-expiry-remove');
  const removeLabel = $('record-expiry-remove-label');
  let record = null; // the record loaded for editing
  let creating = null; // { instanceId } while the dialog makes a new record

  const notice = createConflictNotice({
    onLoad(current) {
      show(current);
      value.focus();
    },
    onOverwrite: (current) => save(current ? current.version : null),
  });

  const check = () => {
    const parsed = parseJson(value.value);
    setFieldError(value, error, parsed.ok ? '' : parsed.error);
    return parsed;
  };
  value.addEventListener('input', () => setFieldError(value, error, ''));
  value.addEventListener('blur', () => (record || creating) && check());
  value.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  for (const field of [expire, expireUnit, removeExpiry]) field.addEventListener('input', () => setFieldError(expire, expireError, ''));
  // A notice about one key says nothing about another.
  for (const input of [form.elements.namespace, form.elements.key]) input.addEventListener('input', () => notice.hide());
  $('record-cancel').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    record = null;
    creating = null;
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save(record ? record.version : null);
  });
  deleteButton.addEventListener('click', async () => {
    const loaded = record;
    settle(await onDelete(loaded), 'delete', loaded);
  });

  /** The key a save writes: the loaded record's, or the one typed for a new record (null until both are filled in). */
  function target() {
    if (record) return record;
    const namespace = form.elements.namespace.value.trim();
    const key = form.elements.key.value;
    if (!namespace) return form.elements.namespace.focus();
    if (!key) return form.elements.key.focus();
    return { instanceId: creating.instanceId, namespace, key };
  }

  async function save(ifVersion) {
    const to = target();
    if (!to) return;
    const parsed = check();
    if (!parsed.ok) return value.focus();
    const expiry = readExpiry(expire, expireUnit);
    setFieldError(expire, expireError, expiry.ok ? '' : expiry.error);
    if (!expiry.ok) return expire.focus();
    const loaded = record;
    settle(await onSave(to, parsed.value, ifVersion, expiry.expireIn === undefined ? kept(loaded) : { expireIn: expiry.expireIn }), 'save', loaded, to);
  }

  /** The expiry a save without a new one gives: the loaded record's, unless removed or already passed (the record is gone then). */
  function kept(loaded) {
    const at = loaded?.expiresAt;
    return at && !removeExpiry.checked && Date.parse(at) > Date.now() ? { expireAt: at } : {};
  }

  /** Closes the dialog after a write, or shows why it did not happen. `loaded` is the record the write was conditional on. */
  function settle(result, refused, loaded, to = loaded) {
    if (result === null) return dialog.close();
    if (result.error) return result.expiry ? setFieldError(expire, expireError, result.error) : setFieldError(value, error, result.error);
    if (result.conflict === undefined) return;
    notice.show({ refused, loaded: loaded ? loaded.version : null, expiresAt: loaded?.expiresAt, key: to.key, namespace: to.namespace }, result.conflict);
  }

  /** Fills the dialog for `r`, a stored record (edit), or null (a new record). */
  function show(r) {
    record = r;
    notice.hide();
    place.hidden = Boolean(r);
    deleteButton.hidden = !r;
    title.textContent = r ? `Record ${r.key}` : 'New record';
    meta.hidden = !r;
    if (r) {
      creating = null;
      meta.replaceChildren(...[
        ['Namespace', r.namespace], ['Key', r.key], ['Type', jsonType(r.value)], ['version', String(r.version)],
        ['id', r.id], ['createdAt', r.createdAt], ['updatedAt', r.updatedAt],
        ...(r.expiresAt ? [['expiresAt', readableTime(r.expiresAt)]] : []),
      ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    }
    value.value = r ? JSON.stringify(r.value, null, 2) : '';
    setFieldError(value, error, '');
    expire.value = '';
    removeExpiry.checked = false;
    removeLabel.hidden = !r?.expiresAt;
    expireHelp.textContent = r?.expiresAt
      ? `It expires at ${readableTime(r.expiresAt)}; leave this empty to keep that.`
      : 'From now, when saved; leave empty for no expiry.';
    setFieldError(expire, expireError, '');
  }

  return {
    open(r) {
      show(r);
      showDialog(dialog);
      value.focus();
    },
    /** Opens the dialog for a new record in `instanceId`, its namespace field filled with `namespace`. */
    create(instanceId, namespace) {
      show(null);
      creating = { instanceId };
      form.elements.namespace.value = namespace ?? '';
      form.elements.key.value = '';
      showDialog(dialog);
      (namespace ? form.elements.key : form.elements.namespace).focus();
    },
    /** The record being edited, or null. */
    get record() {
      return record;
    },
    /** Tells the dialog what the store now holds for its record (null: absent), after a refresh. */
    changedElsewhere(fresh) {
      if (!record) return;
      const known = notice.current === undefined ? record : notice.current;
      if ((fresh?.version ?? null) === (known?.version ?? null)) return;
      notice.show({ refused: null, loaded: record.version, expiresAt: record.expiresAt, key: record.key, namespace: record.namespace }, fresh);
    },
  };
}
