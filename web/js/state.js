// What the whole tab shares: who is logged in, the live counts, and a small event hub that
// pages use to hear live events while they are on screen.

export const state = {
  /** The logged-in member's own profile (GET /api/me), or null. */
  me: null,
  /** Unread notifications, with the event sequence number the count belongs to. */
  unread: { count: 0, seq: -1 },
  /** Unread mail arrives with the mailbox; the envelope shows it when there is some. */
  mailUnread: 0,
  /** Size limits from config.toml (GET /api/ui), for form hints. */
  limits: {},
  /** "connecting" | "live" | "reconnecting" | "offline" */
  liveStatus: "offline",
};

const listeners = new Set();

/** Registers a live-event listener; returns the function that removes it. */
export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function emitLive(event) {
  for (const fn of [...listeners]) fn(event);
}

/**
 * Takes a server-computed count only if it is at least as new as the one shown: an HTTP
 * answer that left the server before a live event must not undo that event's count.
 */
export function applyUnread(count, seq) {
  if (seq < state.unread.seq) return false;
  state.unread = { count, seq };
  return true;
}
