// The notice in the record dialog when its key changed meanwhile (in
// another tab, or by another call): what happened, what the store holds
// now, and the two ways on: load that, or overwrite it on purpose. The
// dialog's writes are conditional on the version it loaded, so without
// this a person would only see a refusal they cannot act on.

import { readableTime } from '../dom.js';

const $ = (id) => document.getElementById(id);

const ELSEWHERE = '(in another tab or by another call)';
const LEADS = { save: 'Not saved: ', delete: 'Not deleted: ' };

/**
 * The sentence for `refused` ('save', 'delete', or null when a refresh
 * found the change before any write was tried), `loaded` (the version the
 * dialog loaded; null for a new key), `expiresAt` (the loaded record's
 * expiry, if any) and `current` (what the store holds now; null when the
 * key is absent).
 */
function explain({ refused, loaded, expiresAt, key, namespace }, current) {
  const lead = LEADS[refused] ?? '';
  const sentence = (text) => lead + (lead ? text : text[0].toUpperCase() + text.slice(1));
  if (loaded === null) {
    return current
      ? sentence(`a record with key “${key}” already exists in ${namespace}: version ${current.version}.`)
      : sentence(`the key “${key}” was taken when you saved, and is free again now.`);
  }
  if (current) return sentence(`this record changed meanwhile ${ELSEWHERE}: it is now version ${current.version}; you loaded version ${loaded}.`);
  return expiresAt && Date.parse(expiresAt) <= Date.now()
    ? sentence(`this record expired at ${readableTime(expiresAt)}; you loaded version ${loaded}.`)
    : sentence(`this record was deleted meanwhile ${ELSEWHERE}; you loaded version ${loaded}.`);
}

export function createConflictNotice({ onLoad, onOverwrite }) {
  const box = $('record-conflict');
  const text = $('record-conflict-text');
  const shown = $('record-conflict-current');
  const label = $('record-conflict-label');
  const value = $('record-conflict-value');
  const load = $('record-load');
  const overwrite = $('record-overwrite');
  let current; // undefined while hidden; else the record the store holds now, or null

  load.addEventListener('click', () => onLoad(current));
  overwrite.addEventListener('click', () => onOverwrite(current));

  return {
    /** Shows what happened (see `explain`); the buttons act on `current`. */
    show(what, now) {
      current = now;
      text.textContent = explain(what, now);
      shown.hidden = !now;
      if (now) {
        label.textContent = `Current value (version ${now.version}):`;
        value.textContent = JSON.stringify(now.value, null, 2);
      }
      load.hidden = !now;
      // A refused delete offers no overwrite: load the current value, then delete that if still wanted.
      overwrite.hidden = what.refused === 'delete';
      overwrite.textContent = now ? 'Overwrite with my value' : 'Save my value';
      box.hidden = false;
    },
    hide() {
      current = undefined;
      box.hidden = true;
    },
    /** What the notice says the store holds (a record or null), or undefined while it is hidden. */
    get current() {
      return current;
    },
  };
}
