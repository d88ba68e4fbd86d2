// What the whole tab shares: who is logged in, the live counts, and a small event hub that
// pages use to hear live events while they are on screen.

export const state = {
  /** The logged-in member's own profile (GET /api/me), or null. */
  me: null,
  /** Unread notifications, with the event sequence number the count belongs to. */
  unread: { count: 0, seq: -1 },
  /** Unread mailbox messages (the envelope's count), with the event number it belongs to. */
  mailUnread: { count: 0, seq: -1 },
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

/** The same rule for the mailbox's unread count (`mail` events, GET /api/mail/unread). */
export function applyMailUnread(count, seq) {
  if (seq < state.mailUnread.seq) return false;
  state.mailUnread = { count, seq };
  return true;
}
