// Home. Visitors see what Twinhub is, with register and log in; members see what is new for
// them: where their validation stands, their latest notifications, their schools, the
// members waiting for an NSO officer, and the ways into each area.

import { h, when } from "../dom.js";
import { t, lang } from "../i18n.js";
import { api, query } from "../api.js";
import { state, onLive } from "../state.js";
import { validationStatus } from "./profile.js";
import { notificationSentence } from "./notifications.js";

function welcome() {
  return {
    title: t("home.welcome_title"),
    body: h(
      "section",
      { class: "card hero" },
      h("p", { class: "lead" }, t("home.welcome_lead")),
      h(
        "ul",
        { class: "plain-list ticks" },
        ["home.welcome_point1", "home.welcome_point2", "home.welcome_point3"].map((k) => h("li", {}, t(k))),
      ),
      h(
        "div",
        { class: "actions" },
        h("a", { href: "#/register", class: "button" }, t("nav.register")),
        h("a", { href: "#/login", class: "button button-quiet" }, t("nav.login")),
      ),
    ),
  };
}

function latestView(items) {
  if (items.length === 0) return h("p", { class: "muted" }, t("notifications.none"));
  return h(
    "ul",
    { class: "plain-list", id: "home-notifications" },
    items.map((n) => h("li", { class: n.read_at ? "" : "unread" }, notificationSentence(n), " ", h("span", { class: "muted" }, when(n.created_at, lang())))),
  );
}

function area(href, titleKey, textKey, soon) {
  return h(
    "a",
    { href, class: "tile" },
    h("span", { class: "tile-title" }, t(titleKey)),
    h("span", { class: "tile-text" }, t(textKey)),
    soon ? h("span", { class: "badge badge-soon" }, t("common.coming_soon")) : null,
  );
}

export async function homePage() {
  if (!state.me) return welcome();
  const me = state.me;
  // Any change to notifications (new, read on another tab, resync) reloads the short list
  // from the server: five items, never a duplicate or a stale unread mark. Listening starts
  // before the first load, so an event that races it still triggers a reload.
  const latestSlot = h("div");
  let reloading = 0;
  const loadLatest = async () => {
    const mine = ++reloading;
    const fresh = await api.get(`/api/notifications${query({ limit: 5 })}`);
    if (mine === reloading) latestSlot.replaceChildren(latestView(fresh.items));
  };
  const stop = onLive((event) => {
    if (["notification", "notifications_read", "resync"].includes(event.kind)) {
      loadLatest().catch(() => {}); // keep the list shown; the next event tries again
    }
  });
  let schools;
  let pending;
  try {
    [, schools, pending] = await Promise.all([
      loadLatest(),
      api.get(`/api/users/${me.id}/schools`),
      me.roles?.nso_officer ? api.get(`/api/nso/members${query({ status: "pending", limit: 100 })}`) : null,
    ]);
  } catch (err) {
    stop();
    throw err;
  }
  const notificationsCard = h(
    "section",
    { class: "card" },
    h("h2", {}, t("home.latest")),
    latestSlot,
    h("a", { href: "#/notifications" }, t("home.all_notifications")),
  );
  const body = h(
    "div",
    { class: "stack" },
    validationStatus(me),
    pending
      ? h(
          "section",
          { class: "card" },
          h("h2", {}, t("nav.nso")),
          h("p", {}, t("home.nso_pending", { count: pending.items.length, more: pending.next ? "+" : "" })),
          h("a", { href: "#/nso", class: "button" }, t("home.nso_open")),
        )
      : null,
    notificationsCard,
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("nav.schools")),
      schools.length
        ? h("ul", { class: "plain-list" }, schools.map((s) => h("li", {}, h("a", { href: `#/schools/${s.id}` }, s.name))))
        : h("p", {}, t("home.no_school")),
      h("a", { href: "#/schools" }, t("schools.manage")),
    ),
    h(
      "section",
      { class: "tiles", "aria-label": t("topbar.shortcuts") },
      area("#/profile", "nav.profile", "home.area_profile"),
      area("#/contacts", "nav.contacts", "home.area_contacts"),
      area("#/mailbox", "nav.mailbox", "home.area_mailbox"),
      area("#/networking", "nav.networking", "home.area_networking"),
      area("#/groups", "nav.groups", "home.area_groups"),
      area("#/projects", "nav.projects", "home.area_projects", true),
    ),
  );
  return { title: t("home.title", { name: me.display_name }), body, cleanup: stop };
}
