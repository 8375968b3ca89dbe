// The instances panel: the create form, the list (with namespace and record
// counts), and the rename dialog.

import { h, showDialog, setFieldError } from '../dom.js';

const $ = (id) => document.getElementById(id);

export function createInstancesView({ onCreate, onSelect, onRename, onDelete, onSample }) {
  const form = $('create-instance');
  const list = $('instance-list');
  const empty = $('instances-empty');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = form.elements.name.value.trim();
    const description = form.elements.description.value.trim();
    if (!name) return form.elements.name.focus();
    if (await onCreate(name, description || undefined)) form.reset();
  });
  $('add-sample').addEventListener('click', () => onSample());

  // Rename dialog.
  const dialog = $('rename-dialog');
  const renameForm = $('rename-form');
  const renameError = $('rename-error');
  let renaming = null;
  $('rename-cancel').addEventListener('click', () => dialog.close());
  renameForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = renameForm.elements.name.value.trim();
    const description = renameForm.elements.description.value.trim();
    if (!name) return setFieldError(renameForm.elements.name, renameError, 'An instance needs a name.');
    const updates = {};
    if (name !== renaming.name) updates.name = name;
    if (description !== (renaming.description ?? '')) updates.description = description || null;
    if (!Object.keys(updates).length) return dialog.close();
    const error = await onRename(renaming, updates);
    if (error) setFieldError(renameForm.elements.name, renameError, error);
    else dialog.close();
  });

  function openRename(instance) {
    renaming = instance;
    renameForm.elements.name.value = instance.name;
    renameForm.elements.description.value = instance.description ?? '';
    setFieldError(renameForm.elements.name, renameError, '');
    showDialog(dialog);
    renameForm.elements.name.select();
  }

  return {
    render({ instances, stats, selectedId }) {
      empty.hidden = instances.length > 0;
      list.replaceChildren(...instances.map((instance) => {
        const s = stats.get(instance.id) || { namespaces: 0, count: 0 };
        const selected = instance.id === selectedId;
        return h('li', { class: `instance${selected ? ' selected' : ''}`, dataset: { name: instance.name } },
          h('button', {
            type: 'button', class: 'instance-select', dataset: { focus: `select:${instance.id}` }, 'aria-current': selected ? 'true' : null,
            onclick: () => onSelect(instance.id),
          }, h('span', { class: 'instance-name' }, instance.name)),
          h('p', { class: 'instance-stats' },
            `${s.namespaces} ${s.namespaces === 1 ? 'namespace' : 'namespaces'}, ` +
            `${s.count} ${s.count === 1 ? 'record' : 'records'}`),
          instance.description ? h('p', { class: 'instance-description' }, instance.description) : null,
          h('div', { class: 'actions small' },
            h('button', { type: 'button', class: 'secondary', dataset: { focus: `rename:${instance.id}` }, 'aria-label': `Rename ${instance.name}`, onclick: () => openRename(instance) }, 'Rename'),
            h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${instance.name}`, onclick: () => onDelete(instance) }, 'Delete')));
      }));
    },
  };
}
