// Notifications: newest first, paged, marked read one by one or all at once. New ones and
// read marks made on other tabs arrive live.

import { h, when } from "../dom.js";
import { t, lang, countryName } from "../i18n.js";
import { api, query } from "../api.js";
import { onLive, applyUnread } from "../state.js";
import { updateCounts } from "../topbar.js";
import { busy, showError } from "../ui.js";

/**
 * One sentence per notification kind, in the reader's language. Names and subjects are what
 * members typed: they are only ever put in text nodes.
 */
export function notificationText(n) {
  const p = n.params || {};
  switch (n.kind) {
    case "contact_requested":
      return t("notification.contact_requested", { name: p.name ?? "" });
    case "contact_accepted":
      return t("notification.contact_accepted", { name: p.name ?? "" });
    case "mail_received":
      return t("notification.mail_received", { name: p.name ?? "", subject: p.subject ?? "" });
    case "posting_comment":
      return t("notification.posting_comment", { name: p.name ?? "", title: p.title ?? "" });
    case "group_mention":
      return t("notification.group_mention", { name: p.name ?? "", title: p.title ?? "" });
    case "group_invited":
      return t("notification.group_invited", { name: p.name ?? "", title: p.title ?? "" });
    case "validated":
      return t("notification.validated", { country: countryName(p.country) });
    case "validation_withdrawn":
      return t("notification.validation_withdrawn", { country: countryName(p.country) });
    case "validation_refused":
      return t("notification.validation_refused", { country: countryName(p.country) });
    default:
      return t("notification.other");
  }
}

/** Where a notification leads, when there is a page for it (else null). */
export function notificationLink(n) {
  const p = n.params || {};
  const id = (v) => (Number.isSafeInteger(v) && v > 0 ? v : null);
  switch (n.kind) {
    case "contact_requested":
      return "#/contacts";
    case "contact_accepted":
      return id(p.by) ? `#/people/${p.by}` : "#/contacts";
    case "mail_received":
      return id(p.message) ? `#/mailbox/${p.message}` : "#/mailbox";
    case "posting_comment":
      return id(p.posting) ? `#/postings/${p.posting}` : "#/networking/partners";
    case "group_mention":
      return id(p.group) ? `#/groups/${p.group}?tab=chat` : "#/groups";
    case "group_invited":
      return id(p.group) ? `#/groups/${p.group}` : "#/groups";
    default:
      return null;
  }
}

/** The notification's sentence, as a link to its page when it has one. */
export function notificationSentence(n) {
  const href = notificationLink(n);
  return href ? h("a", { href }, notificationText(n)) : notificationText(n);
}

function applyCount(answer) {
  if (answer && applyUnread(answer.unread, answer.seq)) updateCounts();
}

export async function notificationsPage() {
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const list = h("ul", { class: "notifications", id: "notification-list" });
  const items = new Map();
  let next = null;

  const markOne = async (n, button) =>
    busy(button, async () => {
      try {
        applyCount(await api.post("/api/notifications/read", { ids: [n.id] }));
        setRead(n.id);
        items.get(n.id)?.el.focus(); // the button is gone; stay on its row
      } catch (err) {
        showError(message, err);
      }
    });

  function setRead(id) {
    const entry = items.get(id);
    if (!entry || entry.n.read_at) return;
    entry.n.read_at = new Date().toISOString();
    entry.el.replaceWith((entry.el = row(entry.n)));
  }

  function row(n) {
    const unread = !n.read_at;
    const reason = n.params?.reason ? h("p", { class: "quote" }, n.params.reason) : null;
    return h(
      "li",
      { class: unread ? "notification unread" : "notification", dataset: { id: n.id }, tabindex: "-1" },
      h(
        "div",
        {},
        unread ? h("span", { class: "sr-only" }, t("notifications.unread_marker")) : null,
        h("p", {}, notificationSentence(n)),
        reason,
        h("p", { class: "muted" }, when(n.created_at, lang())),
      ),
      unread
        ? h("button", { type: "button", class: "button button-quiet", onclick: (e) => markOne(n, e.currentTarget) }, t("notifications.mark_read"))
        : null,
    );
  }

  function add(n, atTop) {
    if (items.has(n.id)) return;
    const el = row(n);
    items.set(n.id, { n, el });
    if (atTop) list.prepend(el);
    else list.append(el);
    empty.hidden = items.size > 0;
  }

  const empty = h("p", { class: "muted" }, t("notifications.none"));
  const more = h("button", { type: "button", class: "button button-quiet", hidden: true, onclick: (e) => busy(e.currentTarget, load) }, t("common.load_more"));

  async function load() {
    try {
      const page = await api.get(`/api/notifications${query({ after: next })}`);
      page.items.forEach((n) => add(n, false));
      next = page.next;
      more.hidden = !next;
    } catch (err) {
      showError(message, err);
      empty.hidden = true; // "no notifications" would be untrue: they could not be read
    }
  }

  async function reload() {
    items.clear();
    list.replaceChildren();
    next = null;
    await load();
  }

  const markAll = h(
    "button",
    {
      type: "button",
      class: "button",
      id: "mark-all-read",
      onclick: (e) =>
        busy(e.currentTarget, async () => {
          try {
            applyCount(await api.post("/api/notifications/read-all"));
            for (const id of items.keys()) setRead(id);
          } catch (err) {
            showError(message, err);
          }
        }),
    },
    t("notifications.mark_all_read"),
  );

  // Listening starts before the first page is fetched, and what arrives meanwhile is applied
  // after it, so an event that races the fetch is neither lost nor shown twice (by id).
  let pending = [];
  const apply = (event) => {
    if (event.kind === "notification") add(event.notification, true);
    else if (event.kind === "notifications_read") {
      const ids = event.ids.length ? event.ids : [...items.keys()];
      ids.forEach(setRead);
    } else if (event.kind === "resync") reload();
  };
  const stop = onLive((event) => (pending ? pending.push(event) : apply(event)));
  await load();
  const early = pending;
  pending = null;
  early.forEach(apply);

  const body = h(
    "section",
    { class: "card" },
    h("div", { class: "actions" }, markAll),
    message,
    empty,
    list,
    more,
  );
  empty.hidden = items.size > 0;
  return { title: t("nav.notifications"), crumbs: [[t("nav.notifications"), null]], body, cleanup: stop };
}
