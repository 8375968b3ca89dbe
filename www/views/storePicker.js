// The store form (backend and name) and the line saying where records live.

const $ = (id) => document.getElementById(id);

const WHERE = {
  memory: () => 'in this tab\'s memory: gone on reload, and other tabs do not see it',
  indexeddb: (name) => `in the IndexedDB database boltkv:${name}; other tabs on this store update this page`,
  localStorage: (name) => `in localStorage items under boltkv/${name}/; other tabs on this store update this page`,
};

export function createStorePicker({ onOpen }) {
  const form = $('store-form');
  const info = $('store-info');

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = form.elements.name.value.trim();
    if (!name) return form.elements.name.focus();
    onOpen(form.elements.backend.value, name);
  });

  return {
    set(backend, name) {
      form.elements.backend.value = backend;
      form.elements.name.value = name;
    },
    /** Shows what `kvStore.storage` says about the open store. */
    opened(storage) {
      let text = `Store “${storage.name}” (${storage.backend}): records live ${WHERE[storage.backend](storage.name)}.`;
      if (storage.fallbackReason) text += ` The chosen storage could not be used, so this store is in memory: ${storage.fallbackReason}`;
      if (storage.skipped.length) text += ` ${storage.skipped.length} stored item(s) could not be read and were left out: ${storage.skipped.join(' ')}`;
      info.textContent = text;
      info.classList.toggle('warning', Boolean(storage.fallbackReason || storage.skipped.length));
    },
    failed(message) {
      info.textContent = `The store did not open: ${message}`;
      info.classList.add('warning');
    },
  };
}
