// The export and import controls: Download saves the store's export (of the
// selected instance or of the whole store) as a .jsonl file; choosing a
// file imports it at once, in the mode chosen, and the line under the
// controls says what the store answered: the counts, or its sentence.

import { h, plural } from '../dom.js';

const $ = (id) => document.getElementById(id);

/**
 * `onExport(scope)` resolves with `{ text, filename }` or `{ error }`;
 * `onImport(text, mode)` with `{ instances, records }`, `{ error }`, or
 * null when the person cancelled.
 */
export function createBackupView({ onExport, onImport }) {
  const scope = $('export-scope');
  const mode = $('import-mode');
  const file = $('import-file');
  const result = $('backup-result');

  function show(text, failed) {
    result.textContent = text;
    result.classList.toggle('failed', failed);
  }

  $('export-button').addEventListener('click', async () => {
    const answer = await onExport(scope.value);
    if (answer.error) return show(answer.error, true);
    const url = URL.createObjectURL(new Blob([answer.text], { type: 'application/jsonl' }));
    const link = h('a', { href: url, download: answer.filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    // The download has read the blob once the click's task is over.
    setTimeout(() => URL.revokeObjectURL(url), 0);
    const lines = answer.text.trimEnd().split('\n').length;
    show(`Downloaded ${answer.filename} (${lines} lines).`, false);
  });

  file.addEventListener('change', async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    const answer = await onImport(await chosen.text(), mode.value);
    // The same file may be chosen again.
    file.value = '';
    if (!answer) return show('', false);
    if (answer.error) return show(answer.error, true);
    show(`Imported ${plural(answer.instances, 'instance')} and ${plural(answer.records, 'record')} from ${chosen.name}.`, false);
  });
}
