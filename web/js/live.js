// The tab's one WebSocket (protocol: docs/protocol.md). It reconnects with exponential
// backoff and jitter, and resumes from the last user event it saw, so nothing is missed or
// applied twice; when the server cannot replay (resync) the app reloads over HTTP.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
/**
 * The server's pings are invisible to JavaScript, so a connection that died without a close
 * (laptop asleep, Wi-Fi switched) is found by our own ping: no answer in time, reconnect.
 */
const PING_EVERY_MS = 25000;
const PING_TIMEOUT_MS = 10000;

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
    const id = `c${this.nextId++}`;
    this.socket?.send(JSON.stringify({ v: 1, id, ...frame }));
    return id;
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
          this.handlers.onReady?.();
        } else if (frame.id === this.pingId) {
          clearTimeout(this.pongTimer);
        }
        break;
      case "error":
        // The resume was refused (e.g. rate limited): start over on a new socket, later.
        if (frame.id === this.resumeId) this.socket?.close(4000, "resume refused");
        break;
      default:
        break;
    }
  }
}
