// The top bar, laid out as the eTwinning guide describes it: the site name and Home on the
// left; on the right the language selector, the envelope (mailbox, unread count), the
// profile picture (profile, notifications with their unread count, log out) and the
// clustered icon with shortcuts to the main areas. Counts change live.

import { h, mount } from "./dom.js";
import { icon } from "./icons.js";
import { t, languages, lang } from "./i18n.js";
import { state } from "./state.js";
import { avatar } from "./ui.js";

/** Closes an open menu when the user clicks elsewhere or presses Escape. */
export function closeMenusOnOutsideClick() {
  document.addEventListener("click", (e) => {
    for (const menu of document.querySelectorAll("details.menu[open]")) {
      if (!menu.contains(e.target) || e.target.closest("a")) menu.open = false;
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    for (const menu of document.querySelectorAll("details.menu[open]")) {
      menu.open = false;
      menu.querySelector("summary")?.focus();
    }
  });
}

function countBadge(count, id) {
  return h("span", { class: "count", id, hidden: count === 0, "aria-hidden": "true" }, count > 99 ? "99+" : String(count));
}

function languageSelector(onLanguage) {
  const select = h(
    "select",
    { id: "language", "aria-label": t("topbar.language"), onchange: (e) => onLanguage(e.target.value) },
    languages().map((l) => h("option", { value: l.code, selected: l.code === lang() }, l.name)),
  );
  return h("label", { class: "lang", title: t("topbar.language") }, icon("globe"), select);
}

function shortcuts() {
  const link = (href, key) => h("li", {}, h("a", { href }, t(key)));
  return h(
    "details",
    { class: "menu" },
    h("summary", { "aria-label": t("topbar.shortcuts"), title: t("topbar.shortcuts") }, icon("grid")),
    h(
      "ul",
      { class: "menu-list" },
      link("#/networking", "nav.networking"),
      link("#/groups", "nav.groups"),
      link("#/projects", "nav.projects"),
      link("#/mailbox", "nav.mailbox"),
      link("#/contacts", "nav.contacts"),
      link("#/schools", "nav.schools"),
      state.me?.roles?.nso_officer ? link("#/nso", "nav.nso") : null,
    ),
  );
}

function profileMenu(onLogout) {
  const me = state.me;
  return h(
    "details",
    { class: "menu", id: "profile-menu" },
    h(
      "summary",
      { "aria-label": profileLabel(), title: t("topbar.profile_menu"), id: "profile-summary" },
      avatar(me, "sm"),
      countBadge(state.unread.count, "notification-count"),
    ),
    h(
      "ul",
      { class: "menu-list" },
      h("li", { class: "menu-head" }, me.display_name),
      h("li", {}, h("a", { href: "#/profile" }, t("nav.profile"))),
      h(
        "li",
        {},
        h(
          "a",
          { href: "#/notifications" },
          t("nav.notifications"),
          " ",
          h("span", { class: "count-inline", id: "notification-count-menu" }, String(state.unread.count)),
        ),
      ),
      h("li", {}, h("a", { href: "#/contacts" }, t("nav.contacts"))),
      h("li", {}, h("a", { href: "#/schools" }, t("nav.schools"))),
      me.roles?.nso_officer ? h("li", {}, h("a", { href: "#/nso" }, t("nav.nso"))) : null,
      h("li", {}, h("button", { type: "button", class: "link", id: "logout", onclick: onLogout }, t("nav.logout"))),
    ),
  );
}

function liveText() {
  if (state.liveStatus === "reconnecting") return t("live.reconnecting");
  if (state.liveStatus === "connecting") return t("live.connecting");
  return "";
}

function liveState() {
  return h(
    "span",
    { class: `live-state live-${state.liveStatus}`, id: "live-state", role: "status" },
    h("span", { class: "live-text" }, liveText()),
  );
}

/** The profile button's name carries the unread count: the badge alone is not read out. */
function profileLabel() {
  const n = state.unread.count;
  return n ? `${t("topbar.profile_menu")} (${t("topbar.unread_notifications", { count: n })})` : t("topbar.profile_menu");
}

/** The envelope's name carries the unread message count, like the profile button's. */
function mailboxLabel() {
  const n = state.mailUnread.count;
  return n ? `${t("topbar.mailbox")} (${t("topbar.unread_mail", { count: n })})` : t("topbar.mailbox");
}

/** Draws the whole bar. */
export function renderTopbar(el, { onLanguage, onLogout }) {
  const left = h(
    "nav",
    { class: "top-left", "aria-label": t("topbar.main_navigation") },
    h("a", { href: "#/", class: "brand" }, "Twinhub"),
    h("a", { href: "#/", class: "top-link" }, icon("home"), h("span", {}, t("nav.home"))),
    state.me ? h("a", { href: "#/groups", class: "top-link hide-narrow" }, t("nav.groups")) : null,
    state.me ? h("a", { href: "#/projects", class: "top-link hide-narrow" }, t("nav.projects")) : null,
  );
  const right = state.me
    ? h(
        "div",
        { class: "top-right" },
        liveState(),
        languageSelector(onLanguage),
        h(
          "a",
          {
            href: "#/mailbox",
            class: "icon-link",
            id: "mailbox-link",
            "aria-label": mailboxLabel(),
            title: t("topbar.mailbox"),
          },
          icon("envelope"),
          countBadge(state.mailUnread.count, "mail-count"),
        ),
        profileMenu(onLogout),
        shortcuts(),
      )
    : h(
        "div",
        { class: "top-right" },
        languageSelector(onLanguage),
        h("a", { href: "#/login", class: "top-link" }, t("nav.login")),
        h("a", { href: "#/register", class: "button button-light" }, t("nav.register")),
      );
  mount(el, h("div", { class: "topbar-inner" }, left, right));
}

/** Updates only the counts and the live state, without redrawing (keeps open menus open). */
export function updateCounts() {
  const n = state.unread.count;
  setBadge(document.getElementById("notification-count"), n);
  const mail = state.mailUnread.count;
  setBadge(document.getElementById("mail-count"), mail);
  document.getElementById("mailbox-link")?.setAttribute("aria-label", mailboxLabel());
  document.getElementById("profile-summary")?.setAttribute("aria-label", profileLabel());
  const inline = document.getElementById("notification-count-menu");
  if (inline) inline.textContent = String(n);
  // Changed in place: a status region that is replaced is not reliably announced.
  const live = document.getElementById("live-state");
  if (live) {
    live.className = `live-state live-${state.liveStatus}`;
    live.firstChild.textContent = liveText();
  }
}

function setBadge(badge, n) {
  if (!badge) return;
  badge.textContent = n > 99 ? "99+" : String(n);
  badge.hidden = n === 0;
}
