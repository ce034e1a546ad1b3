// What the page's live panel shows, from the SockJS server's own stats():
// open sessions by transport and the messages per second over the last
// second, sampled once a second whoever is watching.

const SAMPLE_MS = 1000;

/** Starts sampling `mount.stats()`; `current()` is the JSON the panel reads. */
export function liveStats(mount) {
  const total = (stats) => stats.messages.in + stats.messages.out;
  let last = { at: Date.now(), messages: total(mount.stats()) };
  let perSecond = 0;
  const timer = setInterval(() => {
    const now = { at: Date.now(), messages: total(mount.stats()) };
    perSecond = ((now.messages - last.messages) * 1000) / (now.at - last.at);
    last = now;
  }, SAMPLE_MS);
  timer.unref();
  return {
    current() {
      const { sessions, messages } = mount.stats();
      return { open: sessions.open, byTransport: sessions.byTransport, messages, messagesPerSecond: Math.round(perSecond * 10) / 10 };
    },
    stop: () => clearInterval(timer),
  };
}
