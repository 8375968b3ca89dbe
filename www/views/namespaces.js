// The namespaces of the selected instance, each with its record count.

import { h } from '../dom.js';

const $ = (id) => document.getElementById(id);

export function createNamespacesView({ onSelect }) {
  const list = $('namespace-list');
  const empty = $('namespaces-empty');
  const heading = $('namespaces-heading');

  return {
    render({ instance, namespaces, selected }) {
      heading.textContent = instance ? `Namespaces of ${instance.name}` : 'Namespaces';
      empty.hidden = instance && namespaces.length > 0;
      empty.textContent = instance
        ? 'This instance has no records yet. Set one below: a namespace exists once it holds a record.'
        : 'Select an instance to see its namespaces.';
      list.replaceChildren(...namespaces.map(({ name, count }) => {
        const current = name === selected;
        return h('li', { dataset: { namespace: name } },
          h('button', {
            type: 'button', class: `namespace${current ? ' selected' : ''}`, dataset: { focus: `ns:${name}` }, 'aria-current': current ? 'true' : null,
            onclick: () => onSelect(name),
          }, h('span', { class: 'namespace-name' }, name), ' ', h('span', { class: 'count' }, String(count), h('span', { class: 'sr-only' }, count === 1 ? ' record' : ' records'))));
      }));
    },
  };
}
