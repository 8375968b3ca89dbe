// Learning that another tab changed the store, so the views can refresh.
//
// The store keeps its own index in step with other tabs (IndexedDB: a
// BroadcastChannel named `boltkv:` + name carrying each committed batch;
// localStorage: the window's `storage` event), but it emits no change event.
// The page listens to the same two signals itself: a refresh then costs
// nothing while nothing changes (no polling), and it happens within a frame
// of the other tab's commit. The store's listeners were registered when it
// opened, before ours, so by the time ours run the store already holds the
// change; a short debounce still coalesces bursts (localStorage fires one
// event per item) into one refresh. The page's own writes echo on the
// channel too (other BroadcastChannel objects of the same page receive
// them): that costs one extra refresh, coalesced with the one each action
// does anyway. Coming back to a hidden tab refreshes once as well.

const DEBOUNCE_MS = 60;

/** Calls `onChange()` after other tabs change the store; returns a function that stops listening. */
export function watchOtherTabs(storage, onChange) {
  if (storage.backend === 'memory') return () => {}; // nothing outside this tab can change it
  let timer = 0;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, DEBOUNCE_MS);
  };
  const stops = [];

  if (storage.backend === 'indexeddb' && typeof BroadcastChannel === 'function') {
    const channel = new BroadcastChannel(`boltkv:${storage.name}`);
    channel.onmessage = changed;
    stops.push(() => channel.close());
  } else if (storage.backend === 'localStorage') {
    const onStorage = (event) => {
      if (event.storageArea === localStorage && (event.key === null || event.key.startsWith('boltkv/'))) changed();
    };
    addEventListener('storage', onStorage);
    stops.push(() => removeEventListener('storage', onStorage));
  }
  const onVisible = () => document.visibilityState === 'visible' && changed();
  document.addEventListener('visibilitychange', onVisible);
  stops.push(() => document.removeEventListener('visibilitychange', onVisible));

  return () => {
    clearTimeout(timer);
    for (const stop of stops) stop();
  };
}
