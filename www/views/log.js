// The log panel: every call's envelope, newest first. Calls the page makes
// on its own (refreshing its views) are gathered under one collapsed entry
// per refresh, so what a person did stays easy to find.

import { h, preview } from '../dom.js';

const MAX_ENTRIES = 200;

export function createLog({ list, clearButton }) {
  clearButton.addEventListener('click', () => list.replaceChildren());

  function push(item) {
    list.prepend(item);
    while (list.children.length > MAX_ENTRIES) list.lastElementChild.remove();
  }

  function render({ method, args, envelope }) {
    const ok = envelope.success === true;
    return h('li', { class: `entry ${ok ? 'ok' : 'failed'}`, dataset: { type: envelope.type } },
      h('div', { class: 'entry-head' },
        h('span', { class: 'badge' }, ok ? 'success' : 'failed'),
        h('code', { class: 'type' }, envelope.type),
        h('span', { class: 'args' }, `(${args.map((a) => preview(a, 40)).join(', ')})`)),
      h('div', { class: 'entry-meta' },
        h('time', { datetime: envelope.timestamp }, envelope.timestamp),
        h('span', { class: 'request-id' }, `requestId ${envelope.requestId}`)),
      ok ? null : h('p', { class: 'error' }, `Error: ${envelope.error}`),
      h('details', {}, h('summary', {}, 'Envelope'), h('pre', {}, JSON.stringify(envelope, null, 2))));
  }

  return {
    /** Logs one call made because of something the person did. */
    add(call) {
      push(render(call));
    },
    /** Collects the calls of one refresh; `end()` logs them as one entry (nothing if there were none). */
    group(label) {
      const calls = [];
      return {
        report: (call) => calls.push(call),
        end() {
          if (!calls.length) return;
          const failed = calls.filter((c) => !c.envelope.success).length;
          const summary = `${label}: ${calls.length} ${calls.length === 1 ? 'call' : 'calls'}, ` +
            (failed ? `${failed} failed` : 'all succeeded');
          push(h('li', { class: `entry group ${failed ? 'failed' : 'ok'}` },
            h('details', { open: failed > 0 },
              h('summary', {}, summary),
              h('ol', { class: 'group-calls' }, calls.map(render)))));
        },
      };
    },
  };
}
