// What two tabs of one browser need to act in step (tests/browser/tabs.js,
// tests/browser/watching.js): a barrier over a BroadcastChannel, and a
// bounded poll.

/** Resolves once the other tab has reached the barrier `label` too. */
export function barrier(channel, side, label) {
  return new Promise((resolve) => {
    let seen = false;
    const onMessage = (event) => {
      if (event.data.label !== label || event.data.side === side) return;
      if (!seen) {
        seen = true;
        channel.postMessage({ side, label }); // once more, for a tab that joined late
        channel.removeEventListener('message', onMessage);
        clearInterval(timer);
        resolve();
      }
    };
    channel.addEventListener('message', onMessage);
    const timer = setInterval(() => channel.postMessage({ side, label }), 50);
    channel.postMessage({ side, label });
  });
}

/** Polls until `probe` is truthy, for at most `ms`; its last value. */
export async function until(probe, ms) {
  const end = performance.now() + ms;
  for (;;) {
    const value = await probe();
    if (value || performance.now() > end) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

