// Keeping the page live through the store's own change events: `watch` on
// the whole store tells of every committed batch (this tab's, another tab's,
// an expiry the store's sweep removed), after which the page re-reads what
// it shows, debounced so that a burst of batches is one refresh; and the
// records page is a live query, so the table changes in place as soon as
// its result does, before that refresh.

const DEBOUNCE_MS = 60;

/**
 * Follows `store`: calls `changed()` (debounced) after each committed batch.
 * Returns `{ page(query, render), stop() }`: `page` makes `query` the live
 * query whose results `render` gets (null: none).
 */
export function follow(store, changed) {
  let timer = 0;
  const stopWatch = store.watch({}, () => {
    clearTimeout(timer);
    timer = setTimeout(changed, DEBOUNCE_MS);
  });
  let live = { key: null, stop: () => {} };
  return {
    page(query, render) {
      const key = JSON.stringify(query);
      if (key === live.key) return (live.render = render);
      live.stop();
      live = { key, render, stop: () => {} };
      if (query) {
        const mine = live;
        mine.stop = store.watchQuery(query, (result) => mine.render(result));
      }
    },
    stop() {
      clearTimeout(timer);
      stopWatch();
      live.stop();
    },
  };
}
