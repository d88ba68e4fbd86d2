// Every #/path of the app. `auth` pages need a logged-in member, `guest` pages are for
// visitors only; areas that arrive with later work show a clearly marked placeholder.

import { t } from "./i18n.js";
import { h } from "./dom.js";
import { comingSoon, notice } from "./ui.js";
import { homePage } from "./pages/home.js";
import { loginPage, registerPage } from "./pages/auth.js";
import { ownProfilePage, editProfilePage, memberPage } from "./pages/profile.js";
import { schoolsPage, schoolPage } from "./pages/schools.js";
import { notificationsPage } from "./pages/notifications.js";
import { nsoPage } from "./pages/nso.js";
import { contactsPage } from "./pages/contacts.js";
import { inboxPage, sentPage, newMessagePage, messagePage } from "./pages/mailbox.js";
import { peopleTab, projectsTab, partnersTab } from "./pages/networking.js";
import { postingPage, newPostingPage, editPostingPage } from "./pages/postings.js";
import { groupsPage, newGroupPage, editGroupPage } from "./pages/groups.js";
import { groupPage } from "./pages/group-page.js";

function placeholder(key) {
  return async () => ({
    title: t(key),
    crumbs: [[t(key), null]],
    body: comingSoon(t(key)),
  });
}

async function notFoundPage() {
  return {
    title: t("nav.not_found"),
    body: h("section", { class: "card" }, notice("info", t("common.not_found")), h("a", { href: "#/" }, t("placeholder.back"))),
  };
}

export const routes = [
  { path: "/", page: homePage },
  { path: "/login", page: loginPage, guest: true },
  { path: "/register", page: registerPage, guest: true },
  { path: "/profile", page: ownProfilePage, auth: true },
  { path: "/profile/edit", page: editProfilePage, auth: true },
  { path: "/people/:id", page: memberPage, auth: true },
  { path: "/schools", page: schoolsPage, auth: true },
  { path: "/schools/:id", page: schoolPage, auth: true },
  { path: "/notifications", page: notificationsPage, auth: true },
  { path: "/nso", page: nsoPage, auth: true },
  { path: "/contacts", page: contactsPage, auth: true },
  { path: "/mailbox", page: inboxPage, auth: true },
  // The fixed paths before /mailbox/:id, which would otherwise take them.
  { path: "/mailbox/sent", page: sentPage, auth: true },
  { path: "/mailbox/new", page: newMessagePage, auth: true },
  { path: "/mailbox/:id", page: messagePage, auth: true },
  { path: "/networking", page: peopleTab, auth: true },
  { path: "/networking/projects", page: projectsTab, auth: true },
  { path: "/networking/partners", page: partnersTab, auth: true },
  // The fixed path before /postings/:id.
  { path: "/postings/new", page: newPostingPage, auth: true },
  { path: "/postings/:id", page: postingPage, auth: true },
  { path: "/postings/:id/edit", page: editPostingPage, auth: true },
  { path: "/groups", page: groupsPage, auth: true },
  // The fixed path before /groups/:id.
  { path: "/groups/new", page: newGroupPage, auth: true },
  { path: "/groups/:id", page: groupPage, auth: true },
  { path: "/groups/:id/edit", page: editGroupPage, auth: true },
  { path: "/projects", page: placeholder("nav.projects"), auth: true },
  { path: "/not-found", page: notFoundPage },
];
