// A group's live chat: the history, newest at the bottom, read back page by page as one
// scrolls up; the send box (Enter sends, Shift+Enter starts a line; "@" offers the members to
// mention); messages go out over the WebSocket with a client id of their own, shown as
// "Sending…" until the server's message replaces them, and sent again with the same id after
// a reconnection (the server keeps the first, so nothing doubles). Revisions (`rev`) number a
// group's changes one after another; live events may arrive out of that order, so the chat
// keeps the revision up to which it has merged every change. After every (re)subscription
// the changes after that revision are read over HTTP and merged by message id: an edit or
// deletion replaces the message where it stands, and a copy older than the one shown is
// ignored. Who is typing and who is online are
// shown beside it. Everything members wrote is put in text nodes only.

import { h } from "../dom.js";
import { t, lang, formatNumber } from "../i18n.js";
import { api, query } from "../api.js";
import { LiveError, liveConnection } from "../live.js";
import { avatar, busy, notice, errorText, errorDetail } from "../ui.js";
import { groupLimit } from "./groups.js";
import { mentionPicker } from "./mention-picker.js";

const PAGE = 30;
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 5000;
const NEAR_PX = 48;

let composers = 0;

/** A fresh client id for a message (at most 64 characters: the server keeps it in a key). */
function newClientId() {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `m-${Date.now().toString(36)}-${random[0].toString(36)}${random[1].toString(36)}`;
}

/** The time of a message: the hour today, the date and hour before. */
function chatTime(iso) {
  try {
    const d = new Date(iso);
    const today = d.toDateString() === new Date().toDateString();
    return new Intl.DateTimeFormat(lang(), today ? { timeStyle: "short" } : { dateStyle: "medium", timeStyle: "short" }).format(d);
  } catch {
    return iso;
  }
}

/** The text with each "@Name" of a mentioned member highlighted; all of it as text. */
function withMentions(text, mentioned, myId) {
  const needles = mentioned.filter((m) => m.name).map((m) => ({ ...m, needle: `@${m.name}` }));
  if (needles.length === 0) return [text];
  const parts = [];
  let i = 0;
  for (;;) {
    let best = null;
    let at = -1;
    for (const n of needles) {
      const j = text.indexOf(n.needle, i);
      if (j >= 0 && (at < 0 || j < at || (j === at && n.needle.length > best.needle.length))) {
        at = j;
        best = n;
      }
    }
    if (!best) break;
    if (at > i) parts.push(text.slice(i, at));
    parts.push(h("mark", { class: best.id === myId ? "mention mention-me" : "mention" }, best.needle));
    i = at + best.needle.length;
  }
  parts.push(text.slice(i));
  return parts;
}

/**
 * The chat of a group. `group()`: the group as now known (its `me.admin` may change);
 * `directory`: the members (names, mention candidates); `presence.online`: who is online.
 * Returns { el, start(), subscribed(), event(e), presenceChanged(), shown(), ended(), stop() }.
 */
export function groupChat({ group, me, directory, presence, topic }) {
  const gid = group().id;
  const live = liveConnection();
  const n = ++composers;
  const entries = new Map(); // message id → { msg, el }
  const pending = new Map(); // client id → { clientId, text, mentions, at, el, inFlight, error }
  let next = null; // cursor of the older page
  let floor = -Infinity; // messages older than this id are not loaded yet
  // Every change up to `safeRev` is merged; `aheadRevs` are merged changes beyond it (a live
  // event can overtake an earlier one), kept until the gap below them is filled.
  let safeRev = 0;
  const aheadRevs = new Set();
  let loaded = false;
  let early = []; // events that came before the history
  let historyLoaded;
  const historyReady = new Promise((resolve) => {
    historyLoaded = resolve;
  });
  let stick = true; // keep the newest message in view
  let loadingOlder = false;
  let subscribedNow = false;
  let over = false;
  let editing = null; // id of the message being edited
  let lastRead = 0;
  let readTimer = null;
  let typingSent = 0;
  const typers = new Map(); // user id → timer

  // ---- the log
  const list = h("ol", { class: "chat-messages", id: "chat-messages", role: "log", "aria-label": t("group.chat.messages") });
  const olderButton = h("button", { type: "button", class: "button button-quiet button-small", id: "chat-older", hidden: true, onclick: () => loadOlder() }, t("group.chat.older"));
  const start = h("p", { class: "chat-start muted small", id: "chat-start", hidden: true }, t("group.chat.start"));
  const emptyNote = h("p", { class: "chat-empty muted", hidden: true }, t("group.chat.empty"));
  const log = h(
    "div",
    { class: "chat-log", id: "chat-log", role: "region", tabindex: "0", "aria-label": t("group.chat.history"), onscroll: () => scrolled() },
    h("div", { class: "chat-top" }, olderButton, start),
    emptyNote,
    list,
  );
  const jump = h(
    "button",
    {
      type: "button",
      class: "chat-jump button button-small",
      hidden: true,
      onclick: () => {
        toBottom();
        box.focus();
      },
    },
    t("group.chat.new_below"),
  );
  const typing = h("p", { class: "chat-typing muted small", id: "chat-typing" });
  const online = h("ul", { class: "online-list", id: "online-list" });
  const onlineTitle = h("h3", { id: `online-title-${n}` }, t("group.chat.online", { count: 0 }));
  const errors = h("div", { class: "messages", "aria-live": "polite" });

  const nearBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_PX;
  const visible = () => log.offsetParent !== null && log.clientHeight > 0;
  function toBottom() {
    log.scrollTop = log.scrollHeight;
    stick = true;
    jump.hidden = true;
    markRead();
  }
  function scrolled() {
    if (!visible()) return;
    stick = nearBottom();
    if (stick) jump.hidden = true;
    if (log.scrollTop < NEAR_PX) loadOlder();
    markRead();
  }
  // Sizes change when the page is drawn, the tab shown, a message added: keep the bottom in view.
  const resize = new ResizeObserver(() => {
    if (!visible()) return;
    if (stick) log.scrollTop = log.scrollHeight;
    if (log.scrollHeight <= log.clientHeight + NEAR_PX) loadOlder();
    markRead();
  });
  resize.observe(log);
  resize.observe(list);

  const isAdmin = () => Boolean(group().me?.admin);
  const nameOf = (id) => (id === me.id ? me.display_name : directory.name(id));

  // ---- one message
  function messageEl(m) {
    const mine = m.author === me.id;
    const mentionsMe = (m.mentions ?? []).includes(me.id) && !m.deleted;
    const cls = ["chat-msg", mine ? "mine" : "", mentionsMe ? "mentions-me" : "", m.deleted ? "deleted" : ""].filter(Boolean).join(" ");
    directory.learn(m.author, m.author_name);
    const author = m.author_name || nameOf(m.author) || "?";
    const actions = [];
    if (!m.deleted && mine) {
      actions.push(h("button", { type: "button", class: "chat-action", "aria-label": t("group.chat.edit_named", { time: chatTime(m.at) }), onclick: () => startEdit(m.id) }, t("group.chat.edit")));
    }
    if (!m.deleted && (mine || isAdmin())) {
      actions.push(
        h(
          "button",
          {
            type: "button",
            class: "chat-action",
            "aria-label": t("group.chat.delete_named", { name: author, time: chatTime(m.at) }),
            onclick: (e) => remove(m, e.currentTarget),
          },
          t("group.chat.delete"),
        ),
      );
    }
    const mentioned = (m.mentions ?? []).map((id) => ({ id, name: nameOf(id) }));
    return h(
      "li",
      { class: cls, dataset: { id: m.id, clientId: m.client_id ?? "", author: m.author } },
      avatar({ display_name: author, picture_url: directory.get(m.author)?.picture_url ?? null }, "sm"),
      h(
        "div",
        { class: "chat-body" },
        h(
          "p",
          { class: "chat-meta" },
          h("span", { class: "chat-author" }, author),
          h("time", { datetime: m.at, title: new Date(m.at).toLocaleString(lang()) }, chatTime(m.at)),
          m.edited_at && !m.deleted ? h("span", { class: "chat-edited" }, t("group.chat.edited")) : null,
        ),
        m.deleted ? h("p", { class: "chat-deleted" }, t("group.chat.deleted")) : h("div", { class: "chat-text" }, withMentions(m.text, mentioned, me.id)),
        actions.length ? h("div", { class: "chat-actions" }, actions) : null,
      ),
    );
  }

  function pendingEl(p) {
    const failed = Boolean(p.error);
    const mentioned = p.mentions.map((id) => ({ id, name: nameOf(id) }));
    return h(
      "li",
      { class: failed ? "chat-msg mine pending failed" : "chat-msg mine pending", dataset: { pending: "true", clientId: p.clientId } },
      avatar(me, "sm"),
      h(
        "div",
        { class: "chat-body" },
        h(
          "p",
          { class: "chat-meta" },
          h("span", { class: "chat-author" }, me.display_name),
          h("span", { class: "chat-sending" }, failed ? t("group.chat.not_sent") : t("group.chat.sending")),
        ),
        h("div", { class: "chat-text" }, withMentions(p.text, mentioned, me.id)),
        failed
          ? h(
              "div",
              { class: "chat-failed" },
              notice("error", errorText(p.error), errorDetail(p.error)),
              h(
                "div",
                { class: "chat-actions" },
                h("button", { type: "button", class: "chat-action", onclick: () => retry(p) }, t("group.chat.retry")),
                h("button", { type: "button", class: "chat-action", onclick: () => discard(p) }, t("group.chat.discard")),
              ),
            )
          : null,
      ),
    );
  }

  /** Change `rev` is merged: move `safeRev` over every revision now merged without a gap. */
  function noteRev(rev) {
    if (rev > safeRev) aheadRevs.add(rev);
    while (aheadRevs.delete(safeRev + 1)) safeRev++;
  }

  /** Every change up to `rev` is merged (a catch-up or the first history page says so). */
  function coveredUpTo(rev) {
    if (rev <= safeRev) return;
    safeRev = rev;
    for (const r of aheadRevs) if (r <= rev) aheadRevs.delete(r);
    noteRev(rev);
  }

  /** Puts a message's element among the confirmed ones, in id order (sent ones stay last). */
  function place(el, id) {
    for (let child = list.lastElementChild; child; child = child.previousElementSibling) {
      if (child.dataset.pending) continue;
      if (Number(child.dataset.id) < id) {
        child.after(el);
        return;
      }
    }
    list.prepend(el);
  }

  /** Takes a message as the server has it now: added, or replacing what is shown (by id). */
  function merge(msg, { fromHistory = false } = {}) {
    const rev = msg.rev ?? 0;
    noteRev(rev);
    if (msg.author !== me.id) dropTyper(msg.author);
    const known = entries.get(msg.id);
    if (known) {
      if (rev < (known.msg.rev ?? 0)) return;
      known.msg = msg;
      if (editing === msg.id && !msg.deleted) return; // redrawn when the edit ends
      if (editing === msg.id) editing = null;
      const el = messageEl(msg);
      known.el.replaceWith(el);
      known.el = el;
      return;
    }
    const mine = msg.author === me.id && msg.client_id ? pending.get(msg.client_id) : null;
    if (mine) {
      pending.delete(msg.client_id);
      const el = messageEl(msg);
      mine.el.remove();
      entries.set(msg.id, { msg, el });
      place(el, msg.id);
      emptyNote.hidden = true;
      return;
    }
    if (msg.id < floor) return; // in the part of the history not loaded yet: read with it
    const el = messageEl(msg);
    entries.set(msg.id, { msg, el });
    const atBottom = stick;
    place(el, msg.id);
    emptyNote.hidden = true;
    if (!fromHistory && !atBottom && visible() && msg.id === newestId()) jump.hidden = false;
  }

  const newestId = () => Math.max(0, ...entries.keys());

  // ---- history
  async function startChat() {
    try {
      const page = await api.get(`/api/groups/${gid}/messages${query({ limit: PAGE })}`);
      next = page.next ?? null;
      floor = next && page.items.length ? Math.min(...page.items.map((m) => m.id)) : -Infinity;
      page.items.forEach((m) => merge(m, { fromHistory: true }));
      // The newest page holds its messages as they are now: older changes to them are in
      // it, and changes to older messages come with those messages when they are read.
      coveredUpTo(Math.max(0, ...page.items.map((m) => m.rev ?? 0)));
    } catch (err) {
      errors.replaceChildren(notice("error", errorText(err), errorDetail(err)));
    }
    loaded = true;
    drawTop();
    const waiting = early;
    early = null;
    waiting.forEach(event);
    historyLoaded();
  }

  function drawTop() {
    olderButton.hidden = !next;
    start.hidden = Boolean(next) || entries.size === 0;
    emptyNote.hidden = entries.size > 0 || pending.size > 0 || Boolean(next);
  }

  async function loadOlder() {
    if (!next || loadingOlder || !loaded || over) return;
    loadingOlder = true;
    olderButton.setAttribute("aria-busy", "true");
    const before = log.scrollHeight - log.scrollTop;
    try {
      const page = await api.get(`/api/groups/${gid}/messages${query({ limit: PAGE, after: next })}`);
      next = page.next ?? null;
      floor = next && page.items.length ? Math.min(floor, ...page.items.map((m) => m.id)) : -Infinity;
      page.items.forEach((m) => merge(m, { fromHistory: true }));
      // The messages read back go above: what was in view stays where it was.
      if (!stick) log.scrollTop = log.scrollHeight - before;
    } catch (err) {
      errors.replaceChildren(notice("error", errorText(err), errorDetail(err)));
    } finally {
      loadingOlder = false;
      olderButton.removeAttribute("aria-busy");
      drawTop();
    }
  }

  /** Everything sent, edited or deleted after `safeRev` (after a (re)subscription). */
  async function catchUp() {
    let after = safeRev;
    for (let round = 0; round < 50 && !over; round++) {
      const page = await api.get(`/api/groups/${gid}/changes${query({ after_rev: after, limit: 100 })}`);
      page.items.forEach((m) => merge(m));
      const last = page.last_rev ?? Math.max(after, ...page.items.map((m) => m.rev ?? 0));
      coveredUpTo(last);
      if (!page.more || last <= after) break;
      after = last;
    }
    drawTop();
  }

  // ---- read marks
  function markRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(async () => {
      if (over || document.visibilityState !== "visible" || !visible() || !nearBottom()) return;
      const newest = newestId();
      if (!newest || newest <= lastRead) return;
      const before = lastRead;
      lastRead = newest;
      try {
        await api.post(`/api/groups/${gid}/read`, { message: newest });
      } catch {
        lastRead = before; // tried again on the next scroll or message
      }
    }, 400);
  }
  const onVisibility = () => markRead();
  document.addEventListener("visibilitychange", onVisibility);

  // ---- sending
  async function trySend(p) {
    if (p.inFlight || p.error || over || !subscribedNow || !live) return;
    p.inFlight = true;
    try {
      const frame = { type: "send", topic, text: p.text };
      if (p.mentions.length) frame.mentions = p.mentions;
      const data = await live.request(frame, p.clientId);
      p.inFlight = false;
      if (data?.message) merge(data.message);
    } catch (err) {
      p.inFlight = false;
      if (err instanceof LiveError && err.code === "network") return; // sent again once back
      if (!pending.has(p.clientId)) return;
      p.error = err;
      const el = pendingEl(p);
      p.el.replaceWith(el);
      p.el = el;
    }
  }

  /** Sent again after a refusal: a new client id (the refused one was not kept). */
  function retry(p) {
    pending.delete(p.clientId);
    p.clientId = newClientId();
    p.error = null;
    pending.set(p.clientId, p);
    const el = pendingEl(p);
    p.el.replaceWith(el);
    p.el = el;
    trySend(p);
  }

  function discard(p) {
    pending.delete(p.clientId);
    p.el.remove();
    drawTop();
    box.focus();
  }

  function send() {
    const text = box.value;
    if (!text.trim() || over) return;
    const max = groupLimit("message_chars", 5000);
    if ([...text].length > max) {
      errors.replaceChildren(notice("error", t("group.chat.too_long", { max: formatNumber(max) })));
      return;
    }
    errors.replaceChildren();
    const mentions = mentionBox.mentionsIn(text);
    const p = { clientId: newClientId(), text, mentions, at: new Date().toISOString(), inFlight: false, error: null };
    p.el = pendingEl(p);
    pending.set(p.clientId, p);
    list.append(p.el);
    box.value = "";
    typingSent = 0;
    mentionBox.close();
    drawTop();
    toBottom();
    trySend(p);
  }

  // ---- typing
  function drawTyping() {
    const ids = [...typers.keys()];
    const names = ids.map((id) => directory.name(id));
    ids.forEach((id, i) => {
      if (!names[i]) directory.resolve(id).then((name) => name && typers.has(id) && drawTyping());
    });
    const known = names.filter(Boolean);
    if (ids.length === 0) typing.textContent = "";
    else if (ids.length === 1) typing.textContent = t("group.chat.typing_one", { name: known[0] ?? "…" });
    else if (ids.length === 2 && known.length === 2) typing.textContent = t("group.chat.typing_two", { a: known[0], b: known[1] });
    else typing.textContent = t("group.chat.typing_many");
  }
  function dropTyper(user) {
    if (!typers.has(user)) return;
    clearTimeout(typers.get(user));
    typers.delete(user);
    drawTyping();
  }
  function typingEvent(user) {
    if (user === me.id) return;
    clearTimeout(typers.get(user));
    typers.set(
      user,
      setTimeout(() => {
        typers.delete(user);
        drawTyping();
      }, TYPING_SHOWN_MS),
    );
    drawTyping();
  }
  function typed() {
    if (!box.value.trim() || !subscribedNow || !live) return;
    const now = Date.now();
    if (now - typingSent < TYPING_EVERY_MS) return;
    typingSent = now;
    live.request({ type: "typing", topic }).catch(() => {});
  }

  // ---- editing and deleting
  function startEdit(id) {
    const entry = entries.get(id);
    if (!entry || entry.msg.deleted) return;
    if (editing !== null) endEdit();
    editing = id;
    const area = h("textarea", { class: "chat-edit-input", rows: 3, "aria-label": t("group.chat.edit_label"), maxlength: groupLimit("message_chars", 5000) }, entry.msg.text);
    const message = h("div", { class: "messages" });
    const save = h("button", { type: "submit", class: "button button-small" }, t("common.save"));
    const form = h(
      "form",
      {
        class: "chat-edit",
        onsubmit: async (e) => {
          e.preventDefault();
          if (!area.value.trim()) return area.focus();
          await busy(save, async () => {
            try {
              const updated = await api.patch(`/api/groups/${gid}/messages/${id}`, { text: area.value });
              editing = null;
              merge(updated);
              redrawEntry(id); // also when a newer version came live meanwhile
              entries.get(id)?.el.querySelector(".chat-action")?.focus();
            } catch (err) {
              message.replaceChildren(notice("error", errorText(err), errorDetail(err)));
            }
          });
        },
      },
      area,
      message,
      h("div", { class: "actions" }, save, h("button", { type: "button", class: "button button-quiet button-small", onclick: () => endEdit(true) }, t("common.cancel"))),
    );
    area.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        endEdit(true);
      } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    const body = entry.el.querySelector(".chat-text");
    entry.el.querySelector(".chat-actions")?.setAttribute("hidden", "");
    body.replaceWith(form);
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  function redrawEntry(id) {
    const entry = entries.get(id);
    if (!entry) return;
    const el = messageEl(entry.msg);
    entry.el.replaceWith(el);
    entry.el = el;
  }

  function endEdit(focus = false) {
    const id = editing;
    editing = null;
    if (id === null) return;
    redrawEntry(id);
    if (focus) entries.get(id)?.el.querySelector(".chat-action")?.focus();
  }

  async function remove(m, button) {
    if (!confirm(t("group.chat.delete_confirm"))) return;
    await busy(button, async () => {
      try {
        await api.del(`/api/groups/${gid}/messages/${m.id}`);
        const entry = entries.get(m.id);
        // Shown as deleted at once; the live update (a higher rev) confirms it.
        if (entry && !entry.msg.deleted) {
          entry.msg = { ...entry.msg, deleted: true, text: "" };
          redrawEntry(m.id);
        }
      } catch (err) {
        errors.replaceChildren(notice("error", errorText(err), errorDetail(err)));
      }
    });
  }

  // ---- the send box
  const hintId = `chat-hint-${n}`;
  const box = h("textarea", {
    id: "chat-input",
    class: "chat-input",
    rows: 2,
    maxlength: groupLimit("message_chars", 5000),
    "aria-label": t("group.chat.message_label"),
    "aria-describedby": hintId,
    placeholder: t("group.chat.placeholder"),
    oninput: () => {
      typed();
      mentionBox.suggest();
    },
    onclick: () => mentionBox.suggest(),
    onblur: () => setTimeout(() => mentionBox.close(), 150),
    onkeydown: (e) => {
      if (mentionBox.keydown(e)) return;
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        send();
      }
    },
  });
  // "@" offers the members to mention (mention-picker.js).
  const mentionBox = mentionPicker(box, { directory, me });
  const sendButton = h("button", { type: "submit", class: "button", id: "chat-send" }, t("group.chat.send"));
  const composer = h(
    "form",
    {
      class: "chat-composer",
      onsubmit: (e) => {
        e.preventDefault();
        send();
        box.focus();
      },
    },
    h("div", { class: "chat-compose-row" }, h("div", { class: "chat-compose-box" }, box, mentionBox.list), sendButton),
    h("p", { class: "hint", id: hintId }, t("group.chat.hint")),
  );

  function drawOnline() {
    const ids = [...presence.online];
    onlineTitle.textContent = t("group.chat.online", { count: ids.length });
    online.replaceChildren(
      ...ids.map((id) => {
        const li = h("li", { dataset: { user: id } }, h("span", { class: "presence-dot online", "aria-hidden": "true" }), h("span", { class: "online-name" }, nameOf(id) ?? "…"));
        if (!nameOf(id)) directory.resolve(id).then((name) => name && (li.lastChild.textContent = name));
        return li;
      }),
    );
  }

  const el = h(
    "div",
    { class: "chat", id: "chat" },
    h("div", { class: "chat-main" }, errors, h("div", { class: "chat-log-wrap" }, log, jump), typing, composer),
    h("aside", { class: "chat-side", "aria-labelledby": onlineTitle.id }, onlineTitle, online),
  );

  function event(e) {
    if (over) return;
    if (!loaded) {
      early.push(e);
      return;
    }
    switch (e.kind) {
      case "message":
      case "message_updated":
        if (e.message) merge(e.message);
        drawTop();
        break;
      case "typing":
        typingEvent(e.user);
        break;
      default:
        break;
    }
  }

  return {
    el,
    start: startChat,
    event,
    /** (Re)subscribed: catch up on what happened meanwhile, then send what waits. */
    async subscribed() {
      await historyReady;
      if (over) return;
      subscribedNow = true;
      try {
        await catchUp();
      } catch {
        // shown as it is; the next reconnection tries again
      }
      for (const p of [...pending.values()]) trySend(p);
    },
    presenceChanged: drawOnline,
    shown() {
      if (stick) requestAnimationFrame(() => toBottom());
    },
    /** My membership ended: no more sending, typing or reading. */
    ended() {
      over = true;
      subscribedNow = false;
      for (const timer of typers.values()) clearTimeout(timer);
      typers.clear();
      drawTyping();
      composer.hidden = true;
    },
    stop() {
      over = true;
      resize.disconnect();
      clearTimeout(readTimer);
      for (const timer of typers.values()) clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    },
  };
}
