// A group's people and its administrators' tools: the directory of members (names for the
// chat, mention candidates), the Members tab (online dots; administrators remove members and
// appoint administrators), inviting members, and the group's picture. Used by group-page.js.

import { h, field, when } from "../dom.js";
import { t, lang, countryName } from "../i18n.js";
import { api, query } from "../api.js";
import { state } from "../state.js";
import { avatar, busy, showError, showSuccess } from "../ui.js";

const MEMBERS_PAGE = 50;
const INVITE_SUGGESTIONS = 8;

/** Who is who in the group: the members loaded so far, and names asked for one by one. */
export function directoryOf(gid) {
  const people = new Map(); // user id → Member
  const names = new Map(); // user id → display name (members, message authors, profiles)
  const asked = new Map(); // user id → Promise<name>
  let next;
  let complete = false;
  let loading = null;
  const dir = {
    get: (id) => people.get(id) ?? null,
    all: () => [...people.values()],
    name: (id) => people.get(id)?.display_name ?? names.get(id) ?? null,
    learn(id, name) {
      if (id && name && !names.has(id)) names.set(id, name);
    },
    add(m) {
      people.set(m.user, m);
      names.set(m.user, m.display_name);
    },
    remove: (id) => people.delete(id),
    get complete() {
      return complete;
    },
    /** The next page of members (limit `limit`); resolves to the new ones. */
    loadMore(limit = MEMBERS_PAGE) {
      if (complete) return Promise.resolve([]);
      if (loading) return loading;
      loading = api
        .get(`/api/groups/${gid}/members${query({ limit, after: next })}`)
        .then((page) => {
          page.items.forEach(dir.add);
          next = page.next ?? null;
          complete = !next;
          return page.items;
        })
        .finally(() => {
          loading = null;
        });
      return loading;
    },
    /** Starts over (a member joined or left): the list is read again. */
    reset() {
      people.clear();
      next = undefined;
      complete = false;
    },
    /** A name for any user id, from the list or their profile. */
    resolve(id) {
      const known = dir.name(id);
      if (known) return Promise.resolve(known);
      if (!asked.has(id)) {
        asked.set(
          id,
          api.get(`/api/users/${id}`).then(
            (p) => {
              names.set(id, p.display_name);
              return p.display_name;
            },
            () => null,
          ),
        );
      }
      return asked.get(id);
    },
  };
  return dir;
}

/** The Members tab: the list with online dots, paged; administrators' actions on each row. */
export function membersPanel({ gid, directory, presence, group, onChanged }) {
  const me = state.me;
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const list = h("ul", { class: "member-list", id: "member-list" });
  const more = h("button", { type: "button", class: "button button-quiet", hidden: true, onclick: (e) => busy(e.currentTarget, loadMore) }, t("common.load_more"));
  const empty = h("p", { class: "muted", hidden: true }, t("group.members_none"));

  function act(button, work, done) {
    return busy(button, async () => {
      try {
        await work();
        showSuccess(message, done);
        await onChanged();
      } catch (err) {
        showError(message, err);
        message.firstChild?.focus();
      }
    });
  }

  function row(m) {
    const online = presence.online.has(m.user);
    const admin = group().me?.admin;
    const self = m.user === me.id;
    const name = m.display_name;
    const actions = admin
      ? h(
          "div",
          { class: "actions member-actions" },
          m.admin
            ? h(
                "button",
                {
                  type: "button",
                  class: "button button-quiet button-small",
                  "aria-label": t("group.unmake_admin_named", { name }),
                  onclick: (e) => act(e.currentTarget, () => api.del(`/api/groups/${gid}/admins/${m.user}`), t("group.unmade_admin_done", { name })),
                },
                t("group.unmake_admin"),
              )
            : h(
                "button",
                {
                  type: "button",
                  class: "button button-quiet button-small",
                  "aria-label": t("group.make_admin_named", { name }),
                  onclick: (e) => act(e.currentTarget, () => api.put(`/api/groups/${gid}/admins/${m.user}`), t("group.made_admin_done", { name })),
                },
                t("group.make_admin"),
              ),
          self
            ? null
            : h(
                "button",
                {
                  type: "button",
                  class: "button button-quiet button-small button-warn",
                  "aria-label": t("group.remove_member_named", { name }),
                  onclick: (e) => {
                    if (!confirm(t("group.remove_member_confirm", { name }))) return;
                    act(e.currentTarget, () => api.del(`/api/groups/${gid}/members/${m.user}`), t("group.removed_member_done", { name }));
                  },
                },
                t("group.remove_member"),
              ),
        )
      : null;
    return h(
      "li",
      { class: "member-row", dataset: { user: m.user } },
      // Who is online is known to members only (they listen to the group).
      group().me?.member
        ? h("span", { class: online ? "presence-dot online" : "presence-dot", title: online ? t("group.online") : t("group.offline") }, h("span", { class: "sr-only" }, online ? t("group.online") : t("group.offline")))
        : null,
      avatar(m, "sm"),
      h(
        "div",
        { class: "member-main" },
        h("a", { href: `#/people/${m.user}` }, name),
        self ? h("span", { class: "muted" }, ` ${t("group.you")}`) : null,
        h(
          "p",
          { class: "muted small" },
          [m.country ? countryName(m.country) : null, m.joined_at ? t("group.joined_on", { date: when(m.joined_at, lang()) }) : null].filter(Boolean).join(" · "),
        ),
      ),
      m.admin ? h("span", { class: "badge badge-ok" }, t("group.admin")) : null,
      actions,
    );
  }

  function draw() {
    list.replaceChildren(...directory.all().map(row));
    empty.hidden = list.children.length > 0;
    more.hidden = directory.complete;
  }

  async function loadMore() {
    try {
      await directory.loadMore();
      draw();
    } catch (err) {
      showError(message, err);
    }
  }

  return {
    el: h("div", { class: "members" }, message, empty, list, more),
    draw,
    loadMore,
    /** Presence changed: only the dots change. */
    presenceChanged() {
      for (const li of list.children) {
        const online = presence.online.has(Number(li.dataset.user));
        const dot = li.querySelector(".presence-dot");
        if (!dot) continue;
        dot.className = online ? "presence-dot online" : "presence-dot";
        dot.title = online ? t("group.online") : t("group.offline");
        dot.firstChild.textContent = dot.title;
      }
    },
  };
}

/** Administrators: invite a member (a search of people), and the invitations waiting. */
export function invitePanel(gid) {
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const results = h("ul", { class: "invite-results", id: "invite-results" });
  const waiting = h("ul", { class: "member-list", id: "invitation-list" });
  const none = h("p", { class: "muted", hidden: true }, t("group.invitations_none"));
  let asked = 0;
  let timer = null;
  const input = h("input", {
    type: "search",
    id: "invite-search",
    autocomplete: "off",
    spellcheck: "false",
    maxlength: state.limits.query_chars,
    oninput: () => {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    },
  });

  async function search() {
    const mine = ++asked;
    const q = input.value.trim();
    if (!q) {
      results.replaceChildren();
      return;
    }
    try {
      const page = await api.get(`/api/search${query({ kind: "people", q, limit: INVITE_SUGGESTIONS })}`);
      if (mine !== asked) return;
      results.replaceChildren(
        ...page.items.map((p) =>
          h(
            "li",
            { class: "member-row" },
            avatar({ display_name: p.title, picture_url: p.card?.picture_url ?? null }, "sm"),
            h("div", { class: "member-main" }, h("a", { href: `#/people/${p.id}` }, p.title), p.card?.country ? h("p", { class: "muted small" }, countryName(p.card.country)) : null),
            h(
              "button",
              {
                type: "button",
                class: "button button-small",
                "aria-label": t("group.invite_named", { name: p.title }),
                onclick: (e) =>
                  busy(e.currentTarget, async () => {
                    try {
                      await api.post(`/api/groups/${gid}/invitations`, { user: p.id });
                      showSuccess(message, t("group.invited_done", { name: p.title }));
                      await loadWaiting();
                    } catch (err) {
                      showError(message, err);
                    }
                  }),
              },
              t("group.invite"),
            ),
          ),
        ),
      );
      if (page.items.length === 0) results.replaceChildren(h("li", { class: "muted" }, t("group.invite_none")));
    } catch (err) {
      if (mine === asked) showError(message, err);
    }
  }

  async function loadWaiting() {
    try {
      const items = await api.get(`/api/groups/${gid}/invitations`);
      waiting.replaceChildren(
        ...items.map((inv) =>
          h(
            "li",
            { class: "member-row", dataset: { user: inv.user } },
            avatar(inv, "sm"),
            h("div", { class: "member-main" }, h("a", { href: `#/people/${inv.user}` }, inv.display_name), inv.at ? h("p", { class: "muted small" }, t("group.invited_on", { date: when(inv.at, lang()) })) : null),
            h(
              "button",
              {
                type: "button",
                class: "button button-quiet button-small",
                "aria-label": t("group.cancel_invitation_named", { name: inv.display_name }),
                onclick: (e) =>
                  busy(e.currentTarget, async () => {
                    try {
                      await api.del(`/api/groups/${gid}/invitations/${inv.user}`);
                      showSuccess(message, t("group.invitation_cancelled", { name: inv.display_name }));
                      await loadWaiting();
                    } catch (err) {
                      showError(message, err);
                    }
                  }),
              },
              t("group.cancel_invitation"),
            ),
          ),
        ),
      );
      none.hidden = items.length > 0;
    } catch (err) {
      showError(message, err);
    }
  }

  const el = h(
    "section",
    { class: "admin-part", "aria-labelledby": "invite-title" },
    h("h2", { id: "invite-title" }, t("group.invite_title")),
    message,
    h(
      "form",
      {
        class: "search-panel",
        role: "search",
        onsubmit: (e) => {
          e.preventDefault();
          search();
        },
      },
      field(t("group.invite_search"), input, t("group.invite_hint")),
    ),
    results,
    h("h3", {}, t("group.invitations_waiting")),
    none,
    waiting,
  );
  return { el, loadWaiting };
}

/** Administrators: the group's picture, changed or removed. */
export function pictureForm(gid, group, onChanged) {
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const input = h("input", {
    type: "file",
    id: "group-picture",
    accept: "image/png,image/jpeg,image/gif,image/webp",
    onchange: async () => {
      const file = input.files[0];
      if (!file) return;
      try {
        const g = await api.upload(`/api/groups/${gid}/picture`, file);
        input.value = "";
        showSuccess(message, t("group.picture_done"));
        onChanged(g);
      } catch (err) {
        showError(message, err);
      }
    },
  });
  const remove = h(
    "button",
    {
      type: "button",
      class: "button button-quiet",
      id: "remove-group-picture",
      onclick: (e) =>
        busy(e.currentTarget, async () => {
          try {
            const g = await api.del(`/api/groups/${gid}/picture`);
            showSuccess(message, t("group.picture_removed"));
            onChanged(g ?? { ...group(), picture_url: null });
          } catch (err) {
            showError(message, err);
          }
        }),
    },
    t("group.picture_remove"),
  );
  const maxMb = state.limits.picture_bytes ? (state.limits.picture_bytes / 1048576).toFixed(0) : "2";
  const el = h("div", { class: "picture-form" }, field(t("group.picture_change"), input, t("profile.picture_hint", { mb: maxMb })), remove, message);
  return {
    el,
    draw() {
      remove.hidden = !group().picture_url;
    },
  };
}
