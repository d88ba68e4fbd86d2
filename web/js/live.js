// The tab's one WebSocket (protocol: docs/protocol.md). It reconnects with exponential
// backoff and jitter, and resumes from the last user event it saw, so nothing is missed or
// applied twice; when the server cannot replay (resync) the app reloads over HTTP.
// Pages may also send requests and await their answer (`request`), and listen to topics
// (`subscribe`): the topics listened to are subscribed again after every reconnection.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
/**
 * The server's pings are invisible to JavaScript, so a connection that died without a close
 * (laptop asleep, Wi-Fi switched) is found by our own ping: no answer in time, reconnect.
 */
const PING_EVERY_MS = 25000;
const PING_TIMEOUT_MS = 10000;

/** The tab's connection (the last one made), for pages: see `liveConnection()`. */
let current = null;

/** The tab's live connection, or null before the app made one. */
export function liveConnection() {
  return current;
}

/** A refused or unanswered request: `code` is the server's error code, or "network". */
export class LiveError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

export class Live {
  /**
   * handlers: onEvent(event), onResync(), onStatus("connecting"|"live"|"reconnecting"),
   * onReady() after each successful (re)connection and resume, onSessionEnded().
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.lastSeq = null;
    this.attempt = 0;
    this.nextId = 1;
    this.socket = null;
    this.timer = null;
    this.stopped = true;
    this.wasLive = false;
    this.onOnline = () => this.reconnectNow();
    /** Requests sent and not answered yet: frame id → { resolve, reject }. */
    this.pending = new Map();
    /** Topics listened to: topic → Set of listeners { onEvent, onSubscribed, onUnsubscribed, onError }. */
    this.topics = new Map();
    /** Topics the current socket is subscribed to. */
    this.subscribed = new Set();
    /** True once the current socket is resumed (requests may be sent). */
    this.ready = false;
    current = this;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    clearTimeout(this.timer);
    this.stopWatchdog();
    if (this.socket) this.socket.close(1000, "bye");
    this.socket = null;
    this.dropRequests();
    this.lastSeq = null;
    this.wasLive = false;
    this.attempt = 0;
  }

  status(s) {
    this.handlers.onStatus?.(s);
  }

  connect() {
    clearTimeout(this.timer);
    this.status(this.wasLive ? "reconnecting" : "connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/ws`);
    this.socket = socket;
    socket.onmessage = (m) => this.receive(m.data);
    socket.onclose = (e) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopWatchdog();
      this.dropRequests();
      if (this.stopped) return;
      if (e.code === 1008) this.handlers.onSessionEnded?.();
      this.scheduleReconnect();
    };
  }

  scheduleReconnect() {
    if (this.stopped) return;
    this.status(this.wasLive ? "reconnecting" : "connecting");
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), base * (0.5 + Math.random() * 0.5));
  }

  /** The network came back: try at once instead of waiting out the backoff. */
  reconnectNow() {
    if (this.stopped || this.socket) return;
    this.attempt = 0;
    this.connect();
  }

  startWatchdog() {
    this.stopWatchdog();
    this.pingTimer = setInterval(() => {
      const socket = this.socket;
      this.pingId = this.send({ type: "ping" });
      this.pongTimer = setTimeout(() => this.abandon(socket), PING_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  /** Gives up on a socket that stopped answering: a close handshake could wait for ever. */
  abandon(socket) {
    if (this.socket !== socket) return;
    this.socket = null;
    this.stopWatchdog();
    this.dropRequests();
    socket.onclose = null;
    socket.onmessage = null;
    socket.close(4001, "no answer to ping");
    this.scheduleReconnect();
  }

  stopWatchdog() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  send(frame) {
    const id = frame.id ?? `c${this.nextId++}`;
    this.socket?.send(JSON.stringify({ v: 1, ...frame, id }));
    return id;
  }

  /** The socket is gone: every request waiting for an answer fails with "network". */
  dropRequests() {
    this.ready = false;
    this.subscribed.clear();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of waiting) reject(new LiveError("network", "the connection was lost"));
  }

  /**
   * Sends a request frame (`{type, …}`) and resolves with its `result` data, or rejects with a
   * LiveError: the server's `error`, or "network" when the connection is not up or is lost
   * before the answer (the caller may send it again, with the same `id`, once it is back).
   * `id`: the frame's id (e.g. a message's client id, which makes a repeat harmless).
   */
  request(frame, id) {
    return new Promise((resolve, reject) => {
      const socket = this.socket;
      if (!this.ready || !socket || socket.readyState !== WebSocket.OPEN) {
        reject(new LiveError("network", "not connected"));
        return;
      }
      const frameId = id ?? `c${this.nextId++}`;
      this.pending.get(frameId)?.reject(new LiveError("network", "sent again"));
      this.pending.set(frameId, { resolve, reject });
      socket.send(JSON.stringify({ v: 1, ...frame, id: frameId }));
    });
  }

  /**
   * Listens to a topic (e.g. "group:12"). `listener`: { onEvent(event), onSubscribed() after
   * each (re)subscription (catch up over HTTP then), onUnsubscribed(reason) when the server
   * ends it (membership ended), onError(err) when the subscription is refused }. Returns the
   * function that stops listening.
   */
  subscribe(topic, listener) {
    let listeners = this.topics.get(topic);
    const first = !listeners;
    if (first) {
      listeners = new Set();
      this.topics.set(topic, listeners);
    }
    listeners.add(listener);
    if (first) {
      if (this.ready) this.subscribeTopic(topic);
    } else if (this.subscribed.has(topic)) {
      setTimeout(() => listener.onSubscribed?.(), 0);
    }
    return () => {
      const set = this.topics.get(topic);
      if (!set || !set.delete(listener) || set.size > 0) return;
      this.topics.delete(topic);
      if (this.subscribed.delete(topic)) this.request({ type: "unsubscribe", topic }).catch(() => {});
    };
  }

  subscribeTopic(topic) {
    this.request({ type: "subscribe", topic }).then(
      () => {
        const listeners = this.topics.get(topic);
        if (!listeners) {
          this.request({ type: "unsubscribe", topic }).catch(() => {}); // left meanwhile
          return;
        }
        this.subscribed.add(topic);
        for (const l of [...listeners]) l.onSubscribed?.();
      },
      (err) => {
        if (err.code === "network") return; // subscribed again on the next connection
        const listeners = this.topics.get(topic);
        this.topics.delete(topic);
        for (const l of [...(listeners ?? [])]) l.onError?.(err);
      },
    );
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    switch (frame.type) {
      case "welcome": {
        const resume = { type: "resume" };
        if (this.lastSeq !== null) resume.after = this.lastSeq;
        else this.lastSeq = frame.last_seq;
        this.resumeId = this.send(resume);
        break;
      }
      case "event":
        if (this.lastSeq === null || frame.event.seq > this.lastSeq) {
          this.lastSeq = frame.event.seq;
          this.handlers.onEvent?.(frame.event);
        }
        break;
      case "resync":
        this.lastSeq = frame.last_seq;
        this.handlers.onResync?.();
        break;
      case "result":
        if (frame.id === this.resumeId) {
          this.attempt = 0;
          this.wasLive = true;
          this.status("live");
          this.startWatchdog();
          this.ready = true;
          this.handlers.onReady?.();
          for (const topic of this.topics.keys()) this.subscribeTopic(topic);
        } else if (frame.id === this.pingId) {
          clearTimeout(this.pongTimer);
        } else if (this.pending.has(frame.id)) {
          const { resolve } = this.pending.get(frame.id);
          this.pending.delete(frame.id);
          resolve(frame.data);
        }
        break;
      case "error":
        // The resume was refused (e.g. rate limited): start over on a new socket, later.
        if (frame.id === this.resumeId) this.socket?.close(4000, "resume refused");
        else if (this.pending.has(frame.id)) {
          const { reject } = this.pending.get(frame.id);
          this.pending.delete(frame.id);
          reject(new LiveError(frame.code || "internal", frame.message));
        }
        break;
      case "topic":
        for (const l of [...(this.topics.get(frame.topic) ?? [])]) l.onEvent?.(frame.event);
        break;
      case "unsubscribed": {
        const listeners = this.topics.get(frame.topic);
        this.topics.delete(frame.topic);
        this.subscribed.delete(frame.topic);
        for (const l of [...(listeners ?? [])]) l.onUnsubscribed?.(frame.reason);
        break;
      }
      default:
        break;
    }
  }
}
