// Contacts (R1, R2): the requests I received (accept, decline), my contacts (search, write,
// remove), the requests I sent (cancel) and the members I blocked (unblock). Every list
// follows `contact` events live, so a request or an answer made elsewhere shows at once.

import { h, field, when } from "../dom.js";
import { t, lang } from "../i18n.js";
import { api, query } from "../api.js";
import { state, onLive } from "../state.js";
import { busy, showError, showSuccess, personLine, notice } from "../ui.js";

/** The member a list entry is about: entries are {user, …} except blocked ones (a profile). */
const userOf = (entry) => entry.user ?? entry;

/**
 * A paged list of members in id order (the server's order): "Show more" fetches the next
 * page; rows can be taken out, or put in at their place, when an event says so.
 */
function memberList({ id, url, empty, row }) {
  const list = h("ul", { class: "rows", id });
  const emptyEl = h("p", { class: "muted", hidden: true });
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const more = h("button", { type: "button", class: "button button-quiet", hidden: true, onclick: (e) => busy(e.currentTarget, load) }, t("common.load_more"));
  const rows = new Map(); // user id → li
  let next = null;
  let loading = 0; // the latest request; answers to older ones are dropped
  let loadedOnce = false;

  function shown() {
    emptyEl.textContent = empty();
    emptyEl.hidden = !loadedOnce || rows.size > 0;
  }

  function place(entry) {
    const uid = userOf(entry).id;
    if (rows.has(uid)) return;
    const li = row(entry);
    li.dataset.member = uid;
    rows.set(uid, li);
    const after = [...rows.keys()].filter((k) => k > uid).sort((a, b) => a - b)[0];
    if (after !== undefined) list.insertBefore(li, rows.get(after));
    else list.append(li);
  }

  async function load() {
    const mine = ++loading;
    try {
      const page = await api.get(url(next));
      if (mine !== loading) return;
      page.items.forEach(place);
      next = page.next;
      more.hidden = !next;
      loadedOnce = true;
      shown();
    } catch (err) {
      if (mine === loading) showError(message, err);
    }
  }

  return {
    el: [message, emptyEl, list, more],
    message,
    load,
    /** Starts over from the first page (a new search, a resync). */
    async reload() {
      loading++;
      rows.clear();
      list.replaceChildren();
      next = null;
      more.hidden = true;
      await load();
    },
    has: (uid) => rows.has(uid),
    /** Puts an entry in at its place, unless it lies beyond the pages fetched so far. */
    insert(entry) {
      const uid = userOf(entry).id;
      const last = Math.max(-1, ...rows.keys());
      if (next && uid > last) return; // "Show more" will bring it
      place(entry);
      shown();
    },
    remove(uid) {
      rows.get(uid)?.remove();
      rows.delete(uid);
      shown();
    },
  };
}

export async function contactsPage() {
  const me = state.me;
  let words = "";

  /** Runs an action of a row; the outcome is said in the list's message slot and focused. */
  const act = (list, button, work, done) =>
    busy(button, async () => {
      try {
        await work();
        showSuccess(list.message, done);
        list.message.firstChild?.focus(); // the row and its button may be gone
      } catch (err) {
        showError(list.message, err);
        list.message.firstChild?.focus();
      }
    });

  const actionButton = (label, aria, onclick, quiet = true) =>
    h("button", { type: "button", class: quiet ? "button button-quiet" : "button", "aria-label": aria, onclick }, label);

  const contacts = memberList({
    id: "contact-list",
    url: (after) => `/api/contacts${query({ q: words, after })}`,
    empty: () => (words ? t("contacts.no_match") : t("contacts.none")),
    row: (entry) => {
      const u = entry.user;
      return h(
        "li",
        { class: "row" },
        personLine(u, h("p", { class: "muted" }, t("contacts.since", { date: when(entry.since, lang()) }))),
        h(
          "div",
          { class: "actions" },
          h("a", { href: `#/mailbox/new?to=${u.id}`, class: "button", "aria-label": t("contacts.write_named", { name: u.display_name }) }, t("contacts.write")),
          actionButton(t("contacts.remove"), t("contacts.remove_named", { name: u.display_name }), (e) => {
            if (!confirm(t("profile.remove_contact_confirm", { name: u.display_name }))) return;
            act(contacts, e.currentTarget, async () => {
              await api.del(`/api/contacts/${u.id}`);
              contacts.remove(u.id);
            }, t("contacts.removed_done", { name: u.display_name }));
          }),
        ),
      );
    },
  });

  const received = memberList({
    id: "received-list",
    url: (after) => `/api/contacts/requests/received${query({ after })}`,
    empty: () => t("contacts.received_none"),
    row: (entry) => {
      const u = entry.user;
      return h(
        "li",
        { class: "row" },
        personLine(u, h("p", { class: "muted" }, t("contacts.asked_on", { date: when(entry.at, lang()) }))),
        h(
          "div",
          { class: "actions" },
          actionButton(t("contacts.accept"), t("contacts.accept_named", { name: u.display_name }), (e) =>
            act(received, e.currentTarget, async () => {
              await api.post(`/api/contacts/requests/${u.id}/accept`);
              received.remove(u.id); // the `contact` event adds them to my contacts
            }, t("contacts.accepted_done", { name: u.display_name })),
          false),
          actionButton(t("contacts.decline"), t("contacts.decline_named", { name: u.display_name }), (e) =>
            act(received, e.currentTarget, async () => {
              await api.post(`/api/contacts/requests/${u.id}/decline`);
              received.remove(u.id);
            }, t("contacts.declined_done", { name: u.display_name })),
          ),
        ),
      );
    },
  });

  const sent = memberList({
    id: "sent-list",
    url: (after) => `/api/contacts/requests/sent${query({ after })}`,
    empty: () => t("contacts.sent_none"),
    row: (entry) => {
      const u = entry.user;
      return h(
        "li",
        { class: "row" },
        personLine(u, h("p", { class: "muted" }, t("contacts.sent_on", { date: when(entry.at, lang()) }))),
        actionButton(t("contacts.cancel_request"), t("contacts.cancel_named", { name: u.display_name }), (e) =>
          act(sent, e.currentTarget, async () => {
            await api.del(`/api/contacts/requests/${u.id}`);
            sent.remove(u.id);
          }, t("contacts.cancelled_done", { name: u.display_name })),
        ),
      );
    },
  });

  const blocked = memberList({
    id: "blocked-list",
    url: (after) => `/api/blocks${query({ after })}`,
    empty: () => t("contacts.blocked_none"),
    row: (u) =>
      h(
        "li",
        { class: "row" },
        personLine(u),
        actionButton(t("profile.unblock"), t("contacts.unblock_named", { name: u.display_name }), (e) =>
          act(blocked, e.currentTarget, async () => {
            await api.del(`/api/blocks/${u.id}`);
            blocked.remove(u.id);
          }, t("profile.unblocked_done", { name: u.display_name })),
        ),
      ),
  });

  // A `contact` event says where I now stand with one member: the row leaves the lists it no
  // longer belongs to and joins the one it does (its profile is fetched for that). `latest`
  // keeps the newest state per member, so a slow profile fetch cannot put back a stale row.
  const latest = new Map();
  const lists = { contact: contacts, request_received: received, request_sent: sent };
  async function follow(uid, now, at) {
    latest.set(uid, now);
    for (const [s, list] of Object.entries(lists)) if (s !== now) list.remove(uid);
    if (now === "none") return blocked.reload(); // a block (private, so no event of its own) ends ties
    const target = lists[now];
    if (!target || target.has(uid)) return;
    if (now === "contact" && words) return contacts.reload(); // the search decides
    let user;
    try {
      user = await api.get(`/api/users/${uid}`);
    } catch {
      return target.reload();
    }
    if (latest.get(uid) !== now) return;
    target.insert(now === "contact" ? { user, since: at } : { user, at });
  }

  const apply = (event) => {
    if (event.kind === "contact") follow(event.user, event.state, event.at || new Date().toISOString());
    else if (event.kind === "resync") Promise.all([contacts, received, sent, blocked].map((l) => l.reload()));
  };
  // Listening starts before the lists are fetched; what arrives meanwhile is applied after.
  let pending = [];
  const stop = onLive((event) => (pending ? pending.push(event) : apply(event)));
  await Promise.all([contacts.load(), received.load(), sent.load(), blocked.load()]);
  const early = pending;
  pending = null;
  early.forEach(apply);

  const q = h("input", { type: "search", name: "q", maxlength: state.limits.query_chars });
  const searchButton = h("button", { type: "submit", class: "button" }, t("schools.find_button"));
  const search = h(
    "form",
    {
      class: "form inline-form search-form",
      role: "search",
      onsubmit: (e) => {
        e.preventDefault();
        words = q.value.trim();
        busy(searchButton, () => contacts.reload());
      },
    },
    field(t("contacts.search"), q),
    searchButton,
  );

  const section = (id, title, ...children) =>
    h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);

  const body = h(
    "div",
    { class: "stack" },
    me.roles?.etwinner ? null : notice("info", t("profile.you_not_validated")),
    section("received-title", t("contacts.received"), received.el),
    section("contacts-title", t("contacts.mine"), search, contacts.el),
    section("sent-title", t("contacts.sent"), sent.el),
    section("blocked-title", t("contacts.blocked"), h("p", { class: "hint" }, t("contacts.blocked_hint")), blocked.el),
  );
  return { title: t("nav.contacts"), crumbs: [[t("nav.contacts"), null]], body, cleanup: stop };
}
