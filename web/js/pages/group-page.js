// A group's page (#/groups/:id), in three tabs: About (what the group is, who runs it, Join or
// Leave; for administrators the picture, invitations and the Edit link), Members (who is in
// it and who is online; administrators remove members and appoint administrators) and Chat
// (group-chat.js). The page listens to the group's topic while it is shown: presence, typing,
// messages, member and group changes arrive live; when my membership ends the chat goes.

import { h, mount, when } from "../dom.js";
import { t, lang, languageName, subjectName } from "../i18n.js";
import { api } from "../api.js";
import { state } from "../state.js";
import { liveConnection } from "../live.js";
import { busy, showError, notice, toast } from "../ui.js";
import { crumbs, groupAvatar, joinGroup, loadGroup, policyBadge, policyName, refusalText } from "./groups.js";
import { groupChat } from "./group-chat.js";
import { directoryOf, membersPanel, invitePanel, pictureForm } from "./group-members.js";

export async function groupPage({ id }, app) {
  const loaded = await loadGroup(id);
  if (!loaded.group) return loaded.page;
  // Replaced as live events and administrators change it.
  let group = loaded.group;
  const me = state.me;
  const gid = group.id;
  const topic = `group:${gid}`;
  const directory = directoryOf(gid);
  const presence = { online: new Set() };
  const status = h("div", { class: "messages", id: "group-status", "aria-live": "polite" });
  let ended = false;

  const canSeeMembers = () => group.me?.member || group.policy !== "invited";
  if (canSeeMembers()) await directory.loadMore(100).catch(() => {});

  // ---- header: picture, policy, count, what I may do
  const head = h("div", { class: "group-head", id: "group-head" });
  function drawHead() {
    const g = group;
    const m = g.me ?? {};
    const actions = [];
    if (m.member) {
      if (m.admin) actions.push(h("a", { href: `#/groups/${gid}/edit`, class: "button button-quiet", id: "edit-group" }, t("group.edit")));
      actions.push(
        h(
          "button",
          {
            type: "button",
            class: "button button-quiet",
            id: "leave-group",
            onclick: (e) => {
              if (!confirm(t("group.leave_confirm", { title: g.title }))) return;
              busy(e.currentTarget, async () => {
                try {
                  await api.del(`/api/groups/${gid}/members/me`);
                  toast(t("group.left_done", { title: g.title }));
                  app.render();
                } catch (err) {
                  showError(status, err);
                  status.firstChild?.focus();
                }
              });
            },
          },
          t("group.leave"),
        ),
      );
    } else if (m.may_join) {
      actions.push(
        h(
          "button",
          {
            type: "button",
            class: "button",
            id: "join-group",
            onclick: (e) =>
              busy(e.currentTarget, async () => {
                if (await joinGroup(gid, g.title, status)) app.render();
                else status.firstChild?.focus();
              }),
          },
          m.invited ? t("group.accept") : t("group.join"),
        ),
      );
      if (m.invited) {
        actions.push(
          h(
            "button",
            {
              type: "button",
              class: "button button-quiet",
              id: "decline-invitation",
              onclick: (e) =>
                busy(e.currentTarget, async () => {
                  try {
                    await api.del(`/api/groups/${gid}/invitations/me`);
                    toast(t("group.declined_done", { title: g.title }));
                    app.navigate("#/groups");
                  } catch (err) {
                    showError(status, err);
                  }
                }),
            },
            t("group.decline"),
          ),
        );
      }
    }
    mount(
      head,
      groupAvatar(g, "lg"),
      h(
        "div",
        { class: "group-head-main" },
        h(
          "p",
          { class: "result-meta" },
          policyBadge(g.policy),
          m.admin ? h("span", { class: "badge badge-ok" }, t("group.admin")) : m.member ? h("span", { class: "badge badge-ok" }, t("group.member")) : null,
          h("span", { id: "member-count" }, t("group.members_count", { count: g.member_count ?? 0 })),
        ),
        m.invited && !m.member ? notice("info", t("group.invited_you")) : null,
        !m.member && !m.may_join && m.refusal ? h("p", { class: "notice notice-info refusal", id: "join-refusal" }, refusalText(m.refusal)) : null,
        h("div", { class: "actions" }, actions),
      ),
    );
  }

  // ---- About
  const about = h("div", { class: "about" });
  const invites = group.me?.admin ? invitePanel(gid) : null;
  const picture = group.me?.admin
    ? pictureForm(
        gid,
        () => group,
        (fresh) => {
          group = { ...fresh, me: fresh.me ?? group.me };
          redraw();
        },
      )
    : null;
  function drawAbout() {
    const g = group;
    picture?.draw();
    const row = (label, value) => (value ? [h("dt", {}, label), h("dd", {}, value)] : null);
    const admins = directory.all().filter((m) => m.admin);
    mount(
      about,
      g.description ? h("div", { class: "group-description", id: "group-description" }, g.description) : h("p", { class: "muted" }, t("group.no_description")),
      h(
        "dl",
        { class: "facts group-facts" },
        row(t("group.subjects"), (g.subjects ?? []).map(subjectName).join(", ")),
        row(t("group.languages"), (g.languages ?? []).map(languageName).join(", ")),
        row(t("group.policy"), h("span", {}, policyName(g.policy), h("span", { class: "hint" }, ` — ${t(`group.policy_${g.policy}_hint`)}`))),
        row(
          t("group.admins"),
          admins.length ? admins.flatMap((a, i) => [i ? ", " : null, h("a", { href: `#/people/${a.user}` }, a.display_name)]) : null,
        ),
        row(t("group.created_on"), g.created_at ? h("time", { datetime: g.created_at }, when(g.created_at, lang())) : null),
      ),
      !g.me?.member && g.me?.may_join ? h("p", { class: "hint" }, t("group.join_to_chat")) : null,
      g.me?.admin
        ? h(
            "div",
            { class: "admin-tools" },
            picture?.el,
            invites?.el,
          )
        : null,
    );
  }

  // ---- Members and Chat
  const members = canSeeMembers()
    ? membersPanel({
        gid,
        directory,
        presence,
        group: () => group,
        onChanged: () => refresh(),
      })
    : null;
  const chat = group.me?.member
    ? groupChat({ group: () => group, me, directory, presence, topic })
    : null;

  /** Reads the group and its members again (a member changed, I was made administrator). */
  async function refresh() {
    try {
      const fresh = await api.get(`/api/groups/${gid}`);
      const wasAdmin = group.me?.admin;
      group = fresh;
      if (canSeeMembers()) {
        directory.reset();
        await directory.loadMore(100);
      }
      if (Boolean(wasAdmin) !== Boolean(group.me?.admin)) return app.render();
      redraw();
    } catch {
      // keep what is shown; the next change tries again
    }
  }

  function redraw() {
    drawHead();
    drawAbout();
    members?.draw();
    const h1 = document.getElementById("page-title");
    if (h1 && h1.textContent !== group.title) h1.textContent = group.title;
    document.title = `${group.title} · Twinhub`;
  }

  // ---- Tabs (the ARIA tabs pattern: arrows move between tabs; the tab lives in the address)
  const tabs = [["about", t("group.tab_about"), about]];
  if (members) tabs.push(["members", t("group.tab_members"), members.el]);
  if (chat) tabs.push(["chat", t("group.tab_chat"), chat.el]);
  const wanted = new URLSearchParams(location.hash.split("?")[1] || "").get("tab");
  let current = tabs.some(([name]) => name === wanted) ? wanted : chat ? "chat" : "about";
  const buttons = new Map();
  const panels = new Map();
  for (const [name, label, content] of tabs) {
    buttons.set(
      name,
      h(
        "button",
        {
          type: "button",
          role: "tab",
          id: `tab-${name}`,
          "aria-controls": `panel-${name}`,
          onclick: () => select(name, true),
          onkeydown: (e) => {
            const names = tabs.map(([n]) => n);
            const i = names.indexOf(name);
            let to = null;
            if (e.key === "ArrowRight") to = names[(i + 1) % names.length];
            else if (e.key === "ArrowLeft") to = names[(i - 1 + names.length) % names.length];
            else if (e.key === "Home") to = names[0];
            else if (e.key === "End") to = names[names.length - 1];
            if (!to) return;
            e.preventDefault();
            select(to, true);
            buttons.get(to).focus();
          },
        },
        label,
      ),
    );
    panels.set(name, h("div", { role: "tabpanel", id: `panel-${name}`, "aria-labelledby": `tab-${name}`, class: `tab-panel panel-${name}` }, content));
  }
  function select(name, byUser) {
    current = name;
    for (const [n, b] of buttons) {
      b.setAttribute("aria-selected", String(n === name));
      b.tabIndex = n === name ? 0 : -1;
      panels.get(n).hidden = n !== name;
    }
    if (byUser) {
      const hash = `#/groups/${gid}${name === (chat ? "chat" : "about") ? "" : `?tab=${name}`}`;
      if (location.hash !== hash) history.replaceState(history.state, "", hash);
    }
    if (name === "chat") chat?.shown();
  }

  // ---- Live: the group's topic, while the page is shown
  let stopTopic = () => {};
  if (chat) {
    const live = liveConnection();
    const membershipEnded = async () => {
      if (ended) return;
      ended = true;
      chat.ended();
      status.replaceChildren(notice("info", t("group.no_longer_member")));
      buttons.get("chat")?.remove();
      panels.get("chat")?.remove();
      if (current === "chat") select("about", true);
      try {
        group = await api.get(`/api/groups/${gid}`);
      } catch {
        group = { ...group, me: { ...group.me, member: false, admin: false } };
      }
      if (!canSeeMembers()) {
        buttons.get("members")?.remove();
        panels.get("members")?.remove();
        if (current === "members") select("about", true);
      }
      redraw();
    };
    stopTopic =
      live?.subscribe(topic, {
        onSubscribed: () => chat.subscribed(),
        onUnsubscribed: () => membershipEnded(),
        onError: (err) => {
          if (err.code === "forbidden" || err.code === "not_found") membershipEnded();
          else showError(status, err);
        },
        onEvent: (event) => {
          switch (event.kind) {
            case "presence":
              presence.online = new Set(event.online ?? []);
              members?.presenceChanged();
              chat.presenceChanged();
              break;
            case "presence_changed":
              if (event.online) presence.online.add(event.user);
              else presence.online.delete(event.user);
              members?.presenceChanged();
              chat.presenceChanged();
              break;
            case "member_changed":
              if (event.user === me.id && (event.change === "left" || event.change === "removed")) membershipEnded();
              else refresh();
              break;
            case "group_updated":
              group = { ...group, ...event.group, me: group.me };
              redraw();
              break;
            default:
              chat.event(event);
          }
        },
      }) ?? stopTopic;
  }

  drawHead();
  drawAbout();
  members?.draw();
  if (chat) await chat.start();
  invites?.loadWaiting();
  select(current, false);

  const body = h(
    "div",
    { class: "stack group-page" },
    h(
      "section",
      { class: "card" },
      status,
      head,
      h("div", { class: "tabs", role: "tablist", "aria-label": t("group.sections") }, [...buttons.values()]),
      [...panels.values()],
    ),
  );
  return {
    title: group.title,
    crumbs: crumbs([group.title, null]),
    body,
    cleanup: () => {
      stopTopic();
      chat?.stop();
    },
  };
}
