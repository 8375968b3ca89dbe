// The records of the selected namespace: a paged table (key, value preview,
// version, createdAt, updatedAt, expiresAt, a delete button), the
// new-record and delete-namespace buttons and the set form (with an
// optional expiry).

import { h, parseJson, preview, readableTime, setFieldError } from '../dom.js';
import { readExpiry } from '../expiry.js';

const $ = (id) => document.getElementById(id);

/** The expiresAt cell's content: a readable local time (the ISO text in `datetime` and the tooltip), or nothing. */
const expiry = (iso) => iso && h('time', { datetime: iso, title: iso }, readableTime(iso));

export function createRecordsView({ onOpen, onDelete, onNew, onPage, onDeleteNamespace, onSet }) {
  const heading = $('records-heading');
  const empty = $('records-empty');
  const wrap = $('records-wrap');
  const caption = $('records-caption');
  const body = $('records-table').tBodies[0];
  const pager = $('records-pager');
  const range = $('records-range');
  const prev = $('records-prev');
  const next = $('records-next');
  const deleteNs = $('delete-namespace');
  const newRecord = $('new-record');
  const form = $('set-record');
  const error = $('set-error');
  const expire = $('set-expire');
  const expireUnit = $('set-expire-unit');
  const expireError = $('set-expire-error');
  let current = null;

  prev.addEventListener('click', () => onPage(-1));
  next.addEventListener('click', () => onPage(1));
  deleteNs.addEventListener('click', () => current && onDeleteNamespace(current.namespace));
  newRecord.addEventListener('click', () => onNew());

  const value = form.elements.value;
  value.addEventListener('input', () => setFieldError(value, error, ''));
  value.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  for (const field of [expire, expireUnit]) field.addEventListener('input', () => setFieldError(expire, expireError, ''));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const namespace = form.elements.namespace.value.trim();
    const key = form.elements.key.value;
    if (!namespace) return form.elements.namespace.focus();
    if (!key) return form.elements.key.focus();
    setFieldError(value, error, '');
    setFieldError(expire, expireError, '');
    const parsed = parseJson(value.value);
    if (!parsed.ok) {
      setFieldError(value, error, parsed.error);
      return value.focus();
    }
    const expiry = readExpiry(expire, expireUnit);
    if (!expiry.ok) {
      setFieldError(expire, expireError, expiry.error);
      return expire.focus();
    }
    const failure = await onSet(namespace, key, parsed.value, expiry.expireIn === undefined ? null : { expireIn: expiry.expireIn });
    if (failure) {
      if (failure.expiry) return setFieldError(expire, expireError, failure.error);
      return setFieldError(value, error, failure.error);
    }
    form.elements.key.value = '';
    value.value = '';
    expire.value = '';
    form.elements.key.focus();
  });

  return {
    /** `view`: null (no namespace selected) or { instance, namespace, records, total, offset, limit }. */
    render(view) {
      current = view;
      form.hidden = !view?.instance;
      newRecord.hidden = !view?.instance;
      if (view?.namespace && !form.elements.namespace.value) form.elements.namespace.value = view.namespace;
      deleteNs.hidden = !view?.namespace;
      if (view?.namespace) deleteNs.setAttribute('aria-label', `Delete namespace ${view.namespace}`);
      heading.textContent = view?.namespace ? `Records in ${view.namespace}` : 'Records';
      const has = Boolean(view?.namespace && view.records.length);
      wrap.hidden = !has;
      pager.hidden = !has || view.total <= view.limit;
      empty.hidden = has;
      empty.textContent = view?.instance ? 'Select a namespace to browse its records, or set a record below.' : 'Select an instance, then a namespace.';
      if (!has) return body.replaceChildren();
      const last = view.offset + view.records.length;
      caption.textContent = `${view.total} ${view.total === 1 ? 'record' : 'records'} in ${view.namespace}`;
      range.textContent = `${view.offset + 1}–${last} of ${view.total}`;
      prev.disabled = view.offset === 0;
      next.disabled = last >= view.total;
      body.replaceChildren(...view.records.map((record) =>
        h('tr', { dataset: record.expiresAt ? { key: record.key, expiresAt: record.expiresAt } : { key: record.key } },
          h('th', { scope: 'row', 'data-label': 'Key' },
            h('button', { type: 'button', class: 'link', dataset: { focus: `record:${record.key}` }, onclick: () => onOpen(record), title: 'Open this record' }, record.key)),
          h('td', { 'data-label': 'Value', class: 'value' }, h('code', {}, preview(record.value))),
          h('td', { 'data-label': 'version', class: 'version' }, String(record.version)),
          h('td', { 'data-label': 'createdAt', class: 'time' }, record.createdAt),
          h('td', { 'data-label': 'updatedAt', class: 'time' }, record.updatedAt),
          h('td', { 'data-label': 'expiresAt', class: 'time' }, expiry(record.expiresAt)),
          h('td', { 'data-label': '', class: 'row-actions' },
            h('button', {
              type: 'button', class: 'danger', dataset: { focus: `delete:${record.key}` },
              'aria-label': `Delete record ${record.key} (version ${record.version})`, onclick: () => onDelete(record),
            }, 'Delete')))));
    },
    /** Puts a namespace in the set form (when the person picks one). */
    useNamespace(namespace) {
      form.elements.namespace.value = namespace;
    },
  };
}
