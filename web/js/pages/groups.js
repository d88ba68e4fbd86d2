// Groups (issue 7): "My groups" with their unread counts, my invitations, and "Find groups"
// (the search of networking.js, with the groups' own filters and a Join button); the form that
// creates a group (with the Code of Conduct to accept) or that its administrators edit. A
// group's own page is in group-page.js (its members and administrators' tools in
// group-members.js), its live chat in group-chat.js (with mention-picker.js).

import { h, field } from "../dom.js";
import { t, lang, languageName, subjectName, formatNumber } from "../i18n.js";
import { api } from "../api.js";
import { state, onLive } from "../state.js";
import { catalog } from "../catalog.js";
import { avatar, busy, showError, notice, errorText, errorDetail, toast } from "../ui.js";
import { vocabulary, snippet } from "./postings.js";
import { searchPanel } from "./networking.js";

export const POLICIES = ["all", "etwinners", "invited"];
const REFUSALS = ["etwinners_only", "invitation_only", "removed"];

/** A groups limit from GET /api/ui (config.toml's `[groups]`), else its default. */
export function groupLimit(name, fallback) {
  return state.limits?.groups?.[name] ?? fallback;
}

export const policyName = (code) => (POLICIES.includes(code) ? t(`group.policy_${code}`) : code);

export function policyBadge(code) {
  return h("span", { class: `badge badge-policy badge-policy-${POLICIES.includes(code) ? code : "all"}` }, policyName(code));
}

/** Why I may not join, in the reader's language. */
export function refusalText(code) {
  return REFUSALS.includes(code) ? t(`group.refusal_${code}`) : t("error.forbidden");
}

/** Why a join was refused (a 403): the group's own answer names it as a stable code
 * (`me.refusal`), which the reader's language then phrases. */
async function refusalOf(gid, err) {
  if (err?.code !== "forbidden") return null;
  try {
    return (await api.get(`/api/groups/${gid}`)).me?.refusal ?? null;
  } catch {
    return null;
  }
}

/** Joins a group (or accepts its invitation) and says so. A refusal is shown in `slot` in
 * the reader's language, any other failure as the error. True when joined. */
export async function joinGroup(gid, title, slot) {
  try {
    await api.post(`/api/groups/${gid}/members`);
  } catch (err) {
    const code = await refusalOf(gid, err);
    if (code) slot.replaceChildren(notice("error", refusalText(code)));
    else showError(slot, err);
    return false;
  }
  toast(t("group.joined_done", { title }));
  return true;
}

/** The group an address names: `{ group }`, or `{ page }` saying it is not there. */
export async function loadGroup(id) {
  try {
    return { group: await api.get(`/api/groups/${encodeURIComponent(id)}`) };
  } catch (err) {
    if (err.status !== 404 && err.status !== 400) throw err;
    return { page: notFound(err) };
  }
}

export const groupAvatar = (g, size = "md") => avatar({ display_name: g.title, picture_url: g.picture_url ?? null }, size);

/** The crumbs that lead to a group page. */
export function crumbs(...rest) {
  return [[t("nav.groups"), rest.length ? "#/groups" : null], ...rest];
}

/** "N" or "99+" unread messages, with the sentence for screen readers. */
export function unreadBadge(n, more) {
  if (!n && !more) return null;
  const shown = more ? t("group.unread_more", { count: n }) : formatNumber(n);
  return h(
    "span",
    { class: "unread-badge" },
    h("span", { "aria-hidden": "true" }, shown),
    h("span", { class: "sr-only" }, t("group.unread", { count: n, shown })),
  );
}

// ---------------------------------------------------------------------------------------------
// #/groups

function myGroupRow(entry) {
  const g = entry.group;
  return h(
    "li",
    { class: "result-row group-row", dataset: { id: g.id } },
    groupAvatar(g),
    h(
      "div",
      { class: "result-main" },
      h("h3", { class: "result-title" }, h("a", { href: `#/groups/${g.id}` }, g.title)),
      h(
        "p",
        { class: "result-meta" },
        policyBadge(g.policy),
        entry.admin ? h("span", { class: "badge badge-ok" }, t("group.admin")) : null,
        h("span", {}, t("group.members_count", { count: g.member_count ?? 0 })),
      ),
    ),
    unreadBadge(entry.unread, entry.unread_more),
  );
}

/** My invitations: Accept joins (and opens the group), Decline removes the row. */
function invitationsCard(app) {
  const list = h("ul", { class: "results", id: "my-invitations" });
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const el = h("section", { class: "card", "aria-labelledby": "invitations-title", hidden: true }, h("h2", { id: "invitations-title" }, t("group.invitations_mine")), message, list);
  function row(inv) {
    const g = inv.group;
    const li = h(
      "li",
      { class: "result-row group-row", dataset: { id: g.id } },
      groupAvatar(g),
      h(
        "div",
        { class: "result-main" },
        h("h3", { class: "result-title" }, h("a", { href: `#/groups/${g.id}` }, g.title)),
        h("p", { class: "result-meta" }, policyBadge(g.policy), h("span", {}, t("group.invited_by", { name: inv.name ?? "" }))),
      ),
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            class: "button button-small",
            "aria-label": t("group.accept_named", { title: g.title }),
            onclick: (e) =>
              busy(e.currentTarget, async () => {
                if (await joinGroup(g.id, g.title, message)) app.navigate(`#/groups/${g.id}`);
              }),
          },
          t("group.accept"),
        ),
        h(
          "button",
          {
            type: "button",
            class: "button button-quiet button-small",
            "aria-label": t("group.decline_named", { title: g.title }),
            onclick: (e) =>
              busy(e.currentTarget, async () => {
                try {
                  await api.del(`/api/groups/${g.id}/invitations/me`);
                  li.remove();
                  el.hidden = list.children.length === 0;
                  toast(t("group.declined_done", { title: g.title }));
                } catch (err) {
                  showError(message, err);
                }
              }),
          },
          t("group.decline"),
        ),
      ),
    );
    return li;
  }
  return {
    el,
    draw(items) {
      list.replaceChildren(...items.map(row));
      el.hidden = items.length === 0;
    },
  };
}

/**
 * A search result: the group, and what I can do. The card carries no `me`: what I may do is
 * told by my groups and invitations, and by my role for the eTwinners-only ones; the server
 * has the last word (its refusal is shown in the row).
 */
function groupRow(item, names, known, app) {
  const c = item.card ?? {};
  const g = { id: item.id, title: item.title, picture_url: c.picture_url ?? null };
  const note = h("p", { class: "group-refusal", role: "status" });
  let action;
  const refusal = (code) => h("span", { class: "refusal" }, refusalText(code));
  if (known.member.has(item.id)) {
    action = h("a", { href: `#/groups/${item.id}`, class: "button button-quiet button-small" }, t("group.open"));
  } else if (c.me && !c.me.may_join) {
    action = c.me.member ? h("a", { href: `#/groups/${item.id}`, class: "button button-quiet button-small" }, t("group.open")) : refusal(c.me.refusal);
  } else if (!c.me && c.policy === "invited" && !known.invited.has(item.id)) {
    action = refusal("invitation_only");
  } else if (!c.me && c.policy === "etwinners" && !state.me?.roles?.etwinner) {
    action = refusal("etwinners_only");
  } else {
    action = h(
      "button",
      {
        type: "button",
        class: "button button-small",
        "aria-label": t("group.join_named", { title: item.title }),
        onclick: (e) =>
          busy(e.currentTarget, async () => {
            if (await joinGroup(item.id, item.title, note)) app.navigate(`#/groups/${item.id}`);
          }),
      },
      t("group.join"),
    );
  }
  const langs = (c.languages ?? []).map(names.language).join(", ");
  const subjects = (c.subjects ?? []).map(names.subject).join(", ");
  return h(
    "li",
    { class: "result-row group-row", dataset: { id: item.id } },
    groupAvatar(g),
    h(
      "div",
      { class: "result-main" },
      h("h3", { class: "result-title" }, h("a", { href: `#/groups/${item.id}` }, item.title)),
      h("p", { class: "result-meta" }, c.policy ? policyBadge(c.policy) : null, h("span", {}, t("group.members_count", { count: c.member_count ?? 0 })), langs ? h("span", {}, langs) : null),
      subjects ? h("p", { class: "muted small" }, subjects) : null,
      snippet(item.snippet),
      note,
    ),
    h("div", { class: "group-row-action" }, action),
  );
}

export async function groupsPage(_params, app) {
  const lists = await catalog();
  const names = vocabulary(lists);
  names.policy = policyName;
  const initial = new URLSearchParams(location.hash.split("?")[1] || "");
  const known = { member: new Set(), invited: new Set() };

  const mineList = h("ul", { class: "results", id: "my-groups" });
  const mineEmpty = h("p", { class: "muted", id: "my-groups-empty", hidden: true }, t("group.mine_none"));
  const mineMessage = h("div", { class: "messages", "aria-live": "polite" });
  const invitations = invitationsCard(app);

  let loading = 0;
  async function loadMine() {
    const mine = ++loading;
    try {
      const [groups, invited] = await Promise.all([api.get("/api/me/groups"), api.get("/api/me/group-invitations")]);
      if (mine !== loading) return;
      known.member = new Set(groups.map((x) => x.group.id));
      known.invited = new Set(invited.map((x) => x.group.id));
      mineList.replaceChildren(...groups.map(myGroupRow));
      mineEmpty.hidden = groups.length > 0;
      invitations.draw(invited);
    } catch (err) {
      if (mine === loading) showError(mineMessage, err);
    }
  }

  const filter = (name, value, order, all) => ({
    name,
    value,
    order,
    label: name === "policy" ? "group.filter_policy" : `networking.filter_${name}`,
    any: name === "policy" ? "group.any_policy" : `networking.any_${name}`,
    all: () => order ?? all,
  });
  const filters = [
    filter("language", names.language, null, lists.languages.map((x) => x.code)),
    filter("subject", names.subject, null, lists.subjects.map((x) => x.code)),
    filter("policy", policyName, POLICIES),
  ];
  const onChange = (p) => {
    if ((location.hash.slice(1) || "/").split("?")[0] !== "/groups") return; // the page is being left
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(p)) if (v) q.set(k, v);
    const hash = `#/groups${q.toString() ? `?${q}` : ""}`;
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
  };
  const panel = searchPanel({
    kind: "groups",
    filters,
    names,
    initial,
    onChange,
    row: (item) => groupRow(item, names, known, app),
    texts: {
      label: "group.search_label",
      hint: "group.search_hint",
      count: "group.search_count",
      empty: (searching) => (searching ? t("group.search_none") : t("group.search_none_yet")),
    },
  });

  await loadMine();
  await panel.run();

  // An invitation arriving, or a mention (its unread count), shows here without a reload.
  const stop = onLive((event) => {
    const kind = event.kind === "notification" ? event.notification.kind : null;
    if (kind === "group_invited" || kind === "group_mention" || event.kind === "resync") loadMine();
  });

  const body = h(
    "div",
    { class: "stack groups" },
    h(
      "section",
      { class: "card", "aria-labelledby": "my-groups-title" },
      h(
        "div",
        { class: "tab-head" },
        h("h2", { id: "my-groups-title" }, t("group.mine")),
        h("a", { href: "#/groups/new", class: "button", id: "create-group" }, t("group.create")),
      ),
      mineMessage,
      mineEmpty,
      mineList,
    ),
    invitations.el,
    h(
      "section",
      { class: "card", "aria-labelledby": "find-groups-title" },
      h("h2", { id: "find-groups-title" }, t("group.find")),
      h("p", { class: "hint tab-intro" }, t("group.find_intro")),
      panel.el,
    ),
  );
  return {
    title: t("nav.groups"),
    crumbs: crumbs(),
    body,
    cleanup: () => {
      stop();
      panel.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Creating and editing

function checkboxes(name, legend, options, chosen, hint) {
  const hintId = `${name}-choices-hint`;
  return h(
    "fieldset",
    { class: "choices", id: `${name}-choices`, "aria-describedby": hintId },
    h("legend", {}, legend),
    h("p", { class: "hint", id: hintId }, hint),
    h(
      "div",
      { class: "choice-grid" },
      options.map(([value, label]) => h("label", { class: "choice" }, h("input", { type: "checkbox", name, value, checked: chosen.includes(value) }), label)),
    ),
  );
}

const checked = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

/** The Code of Conduct as the server gives it, in full, with the box that accepts it. */
function codeOfConduct(coc, onChange) {
  const box = h("input", { type: "checkbox", id: "accept-coc", name: "accept_code_of_conduct", onchange: () => onChange(box.checked) });
  const el = h(
    "section",
    { class: "coc", id: "code-of-conduct", "aria-labelledby": "coc-title" },
    h("h2", { id: "coc-title" }, coc.title || t("group.coc")),
    h("ol", { class: "coc-points" }, (coc.points ?? []).map((p) => h("li", {}, p))),
    h("label", { class: "choice coc-accept", for: box.id }, box, h("span", {}, t("group.coc_accept"))),
  );
  return { el, box };
}

/** The form of a group: new (`group` null, with the Code of Conduct) or an administrator's edit. */
async function groupForm(group, app) {
  const me = state.me;
  const back = group ? `#/groups/${group.id}` : "#/groups";
  const cancel = h("a", { href: back, class: "button button-quiet" }, t("common.cancel"));
  if (!group && !me.roles?.etwinner) {
    return h("section", { class: "card" }, notice("info", t("group.create_not_validated")), h("div", { class: "actions" }, cancel));
  }
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const [lists, coc] = await Promise.all([
    catalog(),
    group ? null : api.get(`/api/groups/code-of-conduct?lang=${encodeURIComponent(lang())}`).catch((err) => ({ error: err })),
  ]);
  const byName = (a, b) => a[1].localeCompare(b[1], lang());
  const titleMax = groupLimit("title_chars", 120);
  const descriptionMax = groupLimit("description_chars", 4000);
  const subjectsMax = groupLimit("subjects_max", 10);
  const languagesMax = groupLimit("languages_max", 10);
  const title = h("input", { name: "title", required: true, maxlength: titleMax, value: group?.title ?? "" });
  const description = h("textarea", { name: "description", rows: 6, maxlength: descriptionMax }, group?.description ?? "");
  const policy = h(
    "fieldset",
    { class: "choices policy-choice", id: "policy-choices" },
    h("legend", {}, t("group.policy")),
    POLICIES.map((p) =>
      h(
        "label",
        { class: "choice choice-described" },
        h("input", { type: "radio", name: "policy", value: p, required: true, checked: (group?.policy ?? "all") === p }),
        h("span", {}, h("span", { class: "choice-title" }, policyName(p)), h("span", { class: "hint" }, t(`group.policy_${p}_hint`))),
      ),
    ),
  );
  const maxMb = state.limits.picture_bytes ? (state.limits.picture_bytes / 1048576).toFixed(0) : "2";
  const picture = h("input", { type: "file", id: "group-picture-input", name: "picture", accept: "image/png,image/jpeg,image/gif,image/webp" });
  const submit = h("button", { type: "submit", class: "button", id: "save-group" }, group ? t("common.save") : t("group.create_submit"));

  let cocPart = null;
  let version = null;
  if (!group) {
    submit.disabled = true;
    if (coc?.error) {
      cocPart = h("section", { class: "coc", id: "code-of-conduct" }, notice("error", t("group.coc_unavailable"), errorDetail(coc.error)));
    } else {
      version = coc.version;
      const part = codeOfConduct(coc, (accepted) => {
        submit.disabled = !accepted;
      });
      cocPart = part.el;
    }
  }

  const chars = (n) => t("common.max_chars", { max: formatNumber(n) });
  const form = h(
    "form",
    {
      class: "card form group-form",
      onsubmit: async (e) => {
        e.preventDefault();
        for (const [name, legend, max] of [["subjects", "group.subjects", subjectsMax], ["languages", "group.languages", languagesMax]]) {
          const n = checked(form, name).length;
          if (n === 0 || n > max) {
            message.replaceChildren(notice("error", n === 0 ? t("group.need_choice", { list: t(legend) }) : t("group.too_many", { list: t(legend), max: formatNumber(max) })));
            form.querySelector(`input[name="${name}"]`)?.focus();
            return;
          }
        }
        const body = {
          title: title.value,
          description: description.value,
          subjects: checked(form, "subjects"),
          languages: checked(form, "languages"),
          policy: form.querySelector('input[name="policy"]:checked')?.value,
        };
        if (!group) body.accept_code_of_conduct = version;
        await busy(submit, async () => {
          let saved;
          try {
            saved = group ? await api.patch(`/api/groups/${group.id}`, body) : await api.post("/api/groups", body);
          } catch (err) {
            showError(message, err);
            message.firstChild?.focus();
            return;
          }
          const file = picture.files?.[0];
          if (file) {
            try {
              await api.upload(`/api/groups/${saved.id}/picture`, file);
            } catch (err) {
              toast(`${t("group.picture_failed")} ${errorText(err)}`);
            }
          }
          toast(group ? t("group.saved_done") : t("group.created_done"));
          app.navigate(`#/groups/${saved.id}`);
        });
        if (!group) submit.disabled = !form.querySelector("#accept-coc")?.checked;
      },
    },
    group ? null : h("p", { class: "hint" }, t("group.form_intro")),
    message,
    field(t("group.title"), title, chars(titleMax)),
    field(t("group.description"), description, chars(descriptionMax)),
    checkboxes("subjects", t("group.subjects"), lists.subjects.map((s) => [s.code, subjectName(s.code)]).sort(byName), group?.subjects ?? [], t("group.choose_between", { max: formatNumber(subjectsMax) })),
    checkboxes("languages", t("group.languages"), lists.languages.map((l) => [l.code, languageName(l.code)]).sort(byName), group?.languages ?? [], t("group.choose_between", { max: formatNumber(languagesMax) })),
    policy,
    field(group ? t("group.picture_change") : t("group.picture_optional"), picture, t("profile.picture_hint", { mb: maxMb })),
    cocPart,
    h("div", { class: "actions" }, submit, cancel),
  );
  return form;
}

export async function newGroupPage(_params, app) {
  const body = await groupForm(null, app);
  return { title: t("group.new_title"), crumbs: crumbs([t("group.new_title"), null]), body };
}

export async function editGroupPage({ id }, app) {
  const { group, page } = await loadGroup(id);
  if (!group) return page;
  if (!group.me?.admin) {
    app.navigate(`#/groups/${group.id}`);
    return { title: "", body: h("div") };
  }
  const body = await groupForm(group, app);
  return { title: t("group.edit_title"), crumbs: crumbs([group.title, `#/groups/${group.id}`], [t("group.edit_title"), null]), body };
}

export function notFound(err) {
  return {
    title: t("nav.not_found"),
    crumbs: crumbs(),
    body: h("section", { class: "card" }, notice("error", errorText(err)), h("a", { href: "#/groups" }, t("group.back"))),
  };
}
