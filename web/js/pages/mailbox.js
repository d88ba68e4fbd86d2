// The mailbox (R3, R4): inbox and sent messages (newest first, paged, unread in bold), one
// message (marked read when opened; reply, reply all, mark unread, delete for me), and a new
// message to contacts chosen with the recipient picker. Arrivals, read marks and deletions
// made on any tab or device come in live through `mail` events.

import { h, field, when } from "../dom.js";
import { t, lang, formatNumber } from "../i18n.js";
import { api, query } from "../api.js";
import { state, onLive, applyMailUnread } from "../state.js";
import { updateCounts } from "../topbar.js";
import { recipientPicker } from "../picker.js";
import { avatar, busy, showError, notice, errorText, toast } from "../ui.js";

const FOLDERS = {
  inbox: { url: "/api/mail/inbox", href: "#/mailbox", title: "mailbox.inbox", empty: "mailbox.empty_inbox" },
  sent: { url: "/api/mail/sent", href: "#/mailbox/sent", title: "mailbox.sent", empty: "mailbox.empty_sent" },
};

const names = (people) => people.map((p) => p.display_name).join(", ");

/** The unread count beside "Inbox": the server's count, as the envelope shows it. */
function inboxCount() {
  const el = h("span", { class: "folder-count", id: "inbox-unread" });
  const update = () => {
    const n = state.mailUnread.count;
    el.replaceChildren(
      h("span", { class: "count-inline", "aria-hidden": "true" }, n > 99 ? "99+" : String(n)),
      h("span", { class: "sr-only" }, t("topbar.unread_mail", { count: n })),
    );
    el.hidden = n === 0;
  };
  update();
  return { el, update };
}

/** Inbox, Sent, and "New message": the mailbox's own navigation. */
function folderNav(current, count) {
  const link = (name) =>
    h(
      "li",
      {},
      h(
        "a",
        { href: FOLDERS[name].href, id: `folder-${name}`, "aria-current": name === current ? "page" : null },
        t(FOLDERS[name].title),
        name === "inbox" ? [" ", count.el] : null,
      ),
    );
  return h(
    "div",
    { class: "folder-bar" },
    h("nav", { "aria-label": t("mailbox.folders") }, h("ul", { class: "folder-links" }, link("inbox"), link("sent"))),
    h("a", { href: "#/mailbox/new", class: "button", id: "new-message" }, t("mailbox.new")),
  );
}

function mailRow(m) {
  const unread = !m.read;
  const inbox = m.folder === "inbox";
  return h(
    "li",
    { class: unread ? "mail-row unread" : "mail-row", dataset: { id: m.id } },
    h(
      "a",
      { href: `#/mailbox/${m.id}`, class: "mail-link" },
      unread ? h("span", { class: "sr-only" }, t("mailbox.unread_marker")) : null,
      avatar(inbox ? m.from : m.to[0], "sm"),
      h(
        "span",
        { class: "mail-text" },
        h("span", { class: "mail-who" }, inbox ? m.from.display_name : t("mailbox.to_names", { names: names([...m.to, ...m.cc]) })),
        h("span", { class: "mail-subject" }, m.subject),
      ),
      h("span", { class: "mail-date" }, when(m.sent_at, lang())),
    ),
  );
}

async function folderPage(folder) {
  const spec = FOLDERS[folder];
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const list = h("ul", { class: "mail-list", id: "mail-list" });
  const empty = h("p", { class: "muted", hidden: true }, t(spec.empty));
  const items = new Map(); // id → {m, el}
  const more = h("button", { type: "button", class: "button button-quiet", hidden: true, onclick: (e) => busy(e.currentTarget, load) }, t("common.load_more"));
  const count = inboxCount();
  let next = null;
  let loading = 0;

  function add(m, atTop) {
    if (items.has(m.id)) return;
    const el = mailRow(m);
    items.set(m.id, { m, el });
    if (atTop) list.prepend(el);
    else list.append(el);
    empty.hidden = items.size > 0;
  }

  function setRead(id, read) {
    const entry = items.get(id);
    if (!entry || entry.m.read === read) return;
    entry.m = { ...entry.m, read };
    entry.el.replaceWith((entry.el = mailRow(entry.m)));
  }

  function drop(id) {
    items.get(id)?.el.remove();
    items.delete(id);
    empty.hidden = items.size > 0;
  }

  async function load() {
    const mine = ++loading;
    try {
      const page = await api.get(`${spec.url}${query({ after: next })}`);
      if (mine !== loading) return;
      page.items.forEach((m) => add(m, false));
      next = page.next;
      more.hidden = !next;
      empty.hidden = items.size > 0;
    } catch (err) {
      if (mine === loading) showError(message, err);
    }
  }

  async function reload() {
    loading++;
    items.clear();
    list.replaceChildren();
    next = null;
    await load();
  }

  const apply = (event) => {
    if (event.kind === "mail") {
      if (event.change === "new" && event.summary?.folder === folder) add(event.summary, true);
      else if (event.change === "read" || event.change === "unread") setRead(event.message, event.change === "read");
      else if (event.change === "deleted") drop(event.message);
      count.update();
    } else if (event.kind === "resync") reload();
  };
  // Listening starts before the first page is fetched; what arrives meanwhile is applied after
  // it (by id, so nothing is lost or shown twice).
  let pending = [];
  const stop = onLive((event) => (pending ? pending.push(event) : apply(event)));
  await load();
  const early = pending;
  pending = null;
  early.forEach(apply);

  const body = h("section", { class: "card mailbox" }, folderNav(folder, count), message, empty, list, more);
  const title = t(spec.title);
  return {
    title,
    crumbs: folder === "inbox" ? [[t("nav.mailbox"), null]] : [[t("nav.mailbox"), "#/mailbox"], [title, null]],
    body,
    cleanup: stop,
  };
}

export const inboxPage = () => folderPage("inbox");
export const sentPage = () => folderPage("sent");

function people(list) {
  return list.flatMap((p, i) => [i ? ", " : null, h("a", { href: `#/people/${p.id}` }, p.display_name)]);
}

export async function messagePage({ id }, app) {
  const status = h("div", { class: "messages", "aria-live": "polite" });
  let gone = false;
  let actions = null;
  // Deleted on another tab or device: say so, and offer only the way back.
  const showGone = () => {
    status.replaceChildren(notice("info", t("mailbox.deleted_elsewhere")));
    actions.replaceChildren(h("a", { href: "#/mailbox", class: "button button-quiet" }, t("mailbox.back_inbox")));
  };
  const stop = onLive((event) => {
    if (event.kind === "mail" && event.change === "deleted" && String(event.message) === id && !gone) {
      gone = true;
      if (actions) showGone();
    }
  });
  let m;
  try {
    m = await api.get(`/api/mail/${encodeURIComponent(id)}`);
  } catch (err) {
    stop();
    if (err.status !== 404 && err.status !== 400) throw err;
    return { title: t("nav.not_found"), crumbs: [[t("nav.mailbox"), "#/mailbox"]], body: notice("error", errorText(err)) };
  }
  // The rest of the conversation (replies either way), oldest first; a failure only hides it.
  const thread = await api.get(`/api/mail/${m.id}/thread`).catch(() => []);
  const me = state.me.id;
  const inbox = m.folder === "inbox";
  const folder = FOLDERS[m.folder];
  // Reply all reaches everyone else who received it: the sender and the other To, Cc kept.
  const others = [m.from, ...m.to, ...m.cc].filter((p) => p.id !== me && p.id !== m.from.id);

  const markUnread = h(
    "button",
    {
      type: "button",
      class: "button button-quiet",
      onclick: (e) =>
        busy(e.currentTarget, async () => {
          try {
            const u = await api.post(`/api/mail/${m.id}/unread`);
            if (applyMailUnread(u.unread, u.seq)) updateCounts();
            toast(t("mailbox.marked_unread_done"));
            app.navigate("#/mailbox");
          } catch (err) {
            showError(status, err);
          }
        }),
    },
    t("mailbox.mark_unread"),
  );
  const remove = h(
    "button",
    {
      type: "button",
      class: "button button-quiet",
      onclick: (e) => {
        if (!confirm(t("mailbox.delete_confirm"))) return;
        busy(e.currentTarget, async () => {
          try {
            await api.del(`/api/mail/${m.id}`);
            toast(t("mailbox.deleted_done"));
            app.navigate(folder.href);
          } catch (err) {
            showError(status, err);
          }
        });
      },
    },
    t("mailbox.delete"),
  );
  actions = h(
    "div",
    { class: "actions", id: "message-actions" },
    inbox ? h("a", { href: `#/mailbox/new?reply=${m.id}`, class: "button" }, t("mailbox.reply")) : null,
    !inbox || others.length ? h("a", { href: `#/mailbox/new?reply=${m.id}&all=1`, class: inbox ? "button button-quiet" : "button" }, t("mailbox.reply_all")) : null,
    inbox ? markUnread : null,
    remove,
  );
  const row = (label, value) => (value ? [h("dt", {}, label), h("dd", {}, value)] : null);
  const body = h(
    "article",
    { class: "card message", "aria-labelledby": "page-title" },
    status,
    h(
      "div",
      { class: "message-head" },
      avatar(m.from, "md"),
      h(
        "dl",
        { class: "facts message-facts" },
        row(t("mailbox.from"), h("a", { href: `#/people/${m.from.id}` }, m.from.display_name)),
        row(t("mailbox.to"), people(m.to)),
        m.cc.length ? row(t("mailbox.cc"), people(m.cc)) : null,
        row(t("mailbox.date"), h("time", { datetime: m.sent_at }, when(m.sent_at, lang()))),
      ),
    ),
    h("div", { class: "message-body", id: "message-body" }, m.body),
    actions,
    conversation(thread, m.id),
  );
  if (gone) showGone();
  return {
    title: m.subject,
    crumbs: [
      [t("nav.mailbox"), "#/mailbox"],
      [t(folder.title), folder.href],
      [m.subject, null],
    ],
    body,
    cleanup: stop,
  };
}

/**
 * The other messages of the conversation, oldest first, each folded to its sender, date and
 * subject (open one to read it here, or follow its link).
 */
function conversation(thread, openedId) {
  const others = thread.filter((x) => x.id !== openedId);
  if (others.length === 0) return null;
  return h(
    "section",
    { class: "conversation", id: "conversation" },
    h("h2", {}, t("mailbox.conversation", { count: thread.length })),
    h(
      "ol",
      { class: "plain-list" },
      thread.map((x) =>
        x.id === openedId
          ? h("li", { class: "conversation-here", "aria-current": "true" }, `${x.from.display_name} · ${when(x.sent_at, lang())} · ${x.subject}`)
          : h(
              "li",
              {},
              h(
                "details",
                {},
                h("summary", { class: x.read ? "" : "unread" }, `${x.from.display_name} · ${when(x.sent_at, lang())} · ${x.subject}`),
                h("div", { class: "message-body" }, x.body),
                h("a", { href: `#/mailbox/${x.id}` }, t("mailbox.open_message")),
              ),
            ),
      ),
    ),
  );
}

/** "Re: subject" once, however many times the conversation went back and forth. */
function replySubject(subject) {
  const prefix = t("mailbox.reply_subject", { subject: "" }).trim().toLowerCase();
  const s = subject.trim();
  const done = /^re\s*:/i.test(s) || (prefix && s.toLowerCase().startsWith(prefix));
  const text = done ? s : t("mailbox.reply_subject", { subject: s });
  return [...text].slice(0, state.limits.mail_subject_chars ?? 200).join("");
}

/** The original, quoted under a blank line to write in, within the body's size limit. */
function quoted(m) {
  const intro = t("mailbox.quote_intro", { date: when(m.sent_at, lang()), name: m.from.display_name });
  const lines = m.body.split("\n").map((l) => `> ${l}`);
  const text = `\n\n${intro}\n${lines.join("\n")}`;
  return [...text].slice(0, state.limits.mail_body_chars ?? 20000).join("");
}

export async function newMessagePage(_params, app) {
  const me = state.me;
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const replyId = params.get("reply");
  const all = params.get("all") === "1";
  const toId = params.get("to");
  const [someContacts, original, target] = await Promise.all([
    api.get(`/api/contacts${query({ limit: 1 })}`).then((p) => p.items.length > 0),
    replyId ? api.get(`/api/mail/${encodeURIComponent(replyId)}`).catch(() => null) : null,
    toId ? api.get(`/api/users/${encodeURIComponent(toId)}`).catch(() => null) : null,
  ]);

  const message = h("div", { class: "messages", "aria-live": "polite" });
  const maxRecipients = state.limits.mail_recipients_max ?? 50;
  let cc;
  const to = recipientPicker({
    label: t("mailbox.to"),
    name: "to",
    taken: () => new Set(cc.chosen().map((p) => p.id)),
    hint: t("mailbox.picker_hint"),
  });
  cc = recipientPicker({
    label: t("mailbox.cc"),
    name: "cc",
    taken: () => new Set(to.chosen().map((p) => p.id)),
    hint: t("mailbox.recipients_hint", { max: formatNumber(maxRecipients) }),
  });
  const subject = h("input", { name: "subject", required: true, maxlength: state.limits.mail_subject_chars });
  const text = h("textarea", { name: "body", rows: 12, required: true, maxlength: state.limits.mail_body_chars });

  if (original) {
    const notMe = (p) => p.id !== me.id;
    const replyTo = original.folder === "inbox" ? [original.from] : original.to;
    const toList = all ? [...replyTo, ...original.to] : replyTo;
    toList.filter(notMe).forEach(to.add);
    if (all) original.cc.filter(notMe).forEach((p) => !to.chosen().some((c) => c.id === p.id) && cc.add(p));
    subject.value = replySubject(original.subject);
    text.value = quoted(original);
  } else if (target && target.id !== me.id) {
    to.add(target);
  }

  const send = h("button", { type: "submit", class: "button", id: "send-message" }, t("mailbox.send"));
  const form = h(
    "form",
    {
      class: "card form message-form",
      onsubmit: async (e) => {
        e.preventDefault();
        if (to.chosen().length === 0) {
          message.replaceChildren(notice("error", t("mailbox.need_recipient")));
          to.input.focus();
          return;
        }
        await busy(send, async () => {
          try {
            await api.post("/api/mail", {
              to: to.chosen().map((p) => p.id),
              cc: cc.chosen().map((p) => p.id),
              subject: subject.value,
              body: text.value,
              in_reply_to: original ? original.id : null,
            });
            toast(t("mailbox.sent_done"));
            app.navigate("#/mailbox/sent");
          } catch (err) {
            showError(message, err);
            message.firstChild?.focus();
          }
        });
      },
    },
    message,
    me.roles?.etwinner ? null : notice("info", t("mailbox.not_validated")),
    someContacts ? null : h("p", { class: "notice notice-info" }, t("mailbox.no_contacts"), " ", h("a", { href: "#/contacts" }, t("nav.contacts"))),
    to.el,
    cc.el,
    field(t("mailbox.subject"), subject, t("common.max_chars", { max: formatNumber(state.limits.mail_subject_chars ?? 200) })),
    field(t("mailbox.body"), text, t("common.max_chars", { max: formatNumber(state.limits.mail_body_chars ?? 20000) })),
    h(
      "div",
      { class: "actions" },
      send,
      h("a", { href: original ? `#/mailbox/${original.id}` : "#/mailbox", class: "button button-quiet" }, t("common.cancel")),
    ),
  );
  return {
    title: original ? t("mailbox.reply_title") : t("mailbox.new"),
    crumbs: [
      [t("nav.mailbox"), "#/mailbox"],
      [original ? t("mailbox.reply_title") : t("mailbox.new"), null],
    ],
    body: form,
  };
}
