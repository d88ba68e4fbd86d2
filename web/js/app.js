// The app shell: boots the session and language, routes #/paths to pages, keeps the top bar
// and the live connection in step with the logged-in member.

import { h, mount } from "./dom.js";
import * as i18n from "./i18n.js";
import { t } from "./i18n.js";
import { api, setCsrf, setSessionHooks, ApiError } from "./api.js";
import { Live } from "./live.js";
import { state, applyUnread, applyMailUnread, emitLive } from "./state.js";
import { renderTopbar, updateCounts, closeMenusOnOutsideClick } from "./topbar.js";
import { toast, clearToasts, errorText, notice } from "./ui.js";
import { notificationText } from "./pages/notifications.js";
import { routes } from "./routes.js";

const topbarEl = document.getElementById("topbar");
const mainEl = document.getElementById("main");
let cleanupPage = null;

/** Notifications that change what the member may do: their profile is read again. */
const ROLE_CHANGES = new Set(["validated", "validation_withdrawn", "validation_refused"]);

const live = new Live({
  onEvent: (event) => {
    if (event.unread !== undefined) applyUnread(event.unread, event.seq);
    if (event.kind === "mail") applyMailUnread(event.unread_mail, event.seq);
    if (event.kind === "notification") {
      toast(notificationText(event.notification));
      if (ROLE_CHANGES.has(event.notification.kind)) roleChanged();
    }
    updateCounts();
    emitLive(event);
  },
  onResync: () => {
    // The server's numbering restarted from its `last_seq`: older counts are not newer.
    state.unread.seq = -1;
    state.mailUnread.seq = -1;
    refreshUnread();
    emitLive({ kind: "resync" });
  },
  onStatus: (s) => {
    state.liveStatus = s;
    updateCounts();
  },
  // After every (re)connection: the counts are fetched again, so a reconnect never leaves a
  // stale number (the sequence guard drops one if a newer event got there first).
  onReady: () => {
    // How many times the socket came up: tests wait on it, a reconnect can be too quick to see.
    document.body.dataset.liveReady = String(Number(document.body.dataset.liveReady || 0) + 1);
    refreshUnread();
  },
  onSessionEnded: () => checkSession(),
});

/** Fetches both unread counts (notifications, mailbox); each keeps the newer of answer and event. */
async function refreshUnread() {
  const [notes, mail] = await Promise.allSettled([api.get("/api/notifications/unread"), api.get("/api/mail/unread")]);
  let changed = false;
  if (notes.status === "fulfilled") changed = applyUnread(notes.value.unread, notes.value.seq) || changed;
  if (mail.status === "fulfilled") changed = applyMailUnread(mail.value.unread, mail.value.seq) || changed;
  if (changed) updateCounts();
  if ([notes, mail].some((r) => r.status === "rejected" && r.reason?.status === 401)) checkSession();
}

/**
 * Asks the server who is logged in (after a 401, a closed socket, or a role change). The
 * session may have ended, or another tab may have logged in as someone else: then this tab
 * starts over as that member, so nothing of the previous one (counts, event numbers) leaks.
 */
async function checkSession() {
  let me;
  try {
    me = (await api.get("/api/ui")).session;
  } catch {
    return; // the server cannot be reached: keep the page as it is
  }
  if (!me) {
    if (state.me) {
      loggedOut();
      toast(t("auth.session_ended"));
    }
  } else if (me.user.id !== state.me?.id) {
    await loggedIn(me, { stay: true });
  } else {
    setMe(me);
  }
}

function setMe(response) {
  state.me = response.user;
  setCsrf(response.csrf_token);
}

/** A validation decision arrived: read the profile again and redraw pages that show it. */
async function roleChanged() {
  await checkSession();
  if (["/", "/profile", "/people/:id", "/contacts"].includes(document.body.dataset.route)) render();
}

/** Starts the tab over for a logged-in member (login, register, or a switch seen later). */
async function loggedIn(response, { stay = false } = {}) {
  resetMember();
  setMe(response);
  const remembered = response.user.ui_language;
  if (remembered && i18n.isAvailable(remembered) && remembered !== i18n.lang()) {
    await i18n.use(remembered);
  }
  live.start();
  refreshUnread();
  if (stay) return render();
  const next = new URLSearchParams(location.hash.split("?")[1] || "").get("next");
  go(next && next.startsWith("/") && !next.startsWith("//") ? `#${next}` : "#/");
}

/** Forgets everything tied to the member who was logged in. */
function resetMember() {
  live.stop();
  state.me = null;
  setCsrf(null);
  state.unread = { count: 0, seq: -1 };
  state.mailUnread = { count: 0, seq: -1 };
  state.liveStatus = "offline";
  clearToasts();
}

function loggedOut() {
  resetMember();
  go("#/login");
}

/** Logs out; only a confirmed end of the session (204, or 401: already gone) logs the tab out. */
async function logout() {
  live.stop(); // our own logout closes the socket with 1008: not a "session ended" surprise
  try {
    await api.post("/api/auth/logout");
  } catch (err) {
    if (err.status !== 401) {
      live.start();
      toast(errorText(err));
      return;
    }
  }
  loggedOut();
}

let languageChange = 0;

async function changeLanguage(code) {
  const mine = ++languageChange;
  await i18n.use(code);
  if (mine !== languageChange) return; // a later choice wins
  if (state.me) {
    api.put("/api/me/language", { language: i18n.lang() }).then(
      (me) => (state.me = me.user),
      (err) => toast(errorText(err)),
    );
  }
  await render();
  // Redrawing replaced the selector: keep the keyboard where it was.
  document.getElementById("language")?.focus();
}

export function navigate(hash) {
  if (location.hash !== hash) location.hash = hash;
}

/** Goes to `hash` and redraws everything (the top bar too), once. */
function go(hash) {
  if (location.hash !== hash) location.hash = hash; // the hashchange handler renders
  else render();
}

function match(path) {
  const parts = path.split("/").filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params = {};
    const ok = pattern.every((p, i) => {
      if (p.startsWith(":")) {
        try {
          params[p.slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          return false; // a malformed %-escape: no such page
        }
        return true;
      }
      return p === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}

function breadcrumb(crumbs) {
  if (!crumbs || crumbs.length === 0) return null;
  const items = [[t("nav.home"), "#/"], ...crumbs];
  return h(
    "nav",
    { class: "breadcrumb", "aria-label": t("topbar.breadcrumb") },
    h(
      "ol",
      {},
      items.map(([label, href], i) =>
        h("li", {}, i === items.length - 1 ? h("span", { "aria-current": "page" }, label) : h("a", { href }, label)),
      ),
    ),
  );
}

/** Draws the top bar and the page for the current #/path. */
export async function render() {
  const token = Symbol("render");
  render.current = token; // a render that finishes after a newer one started is dropped
  renderTopbar(topbarEl, { onLanguage: changeLanguage, onLogout: logout });
  setUpSkipLink();
  if (cleanupPage) cleanupPage();
  cleanupPage = null;
  const path = (location.hash.slice(1) || "/").split("?")[0];
  const found = match(path) || match("/not-found");
  const { route, params } = found;
  if (route.auth && !state.me) {
    navigate(`#/login?next=${encodeURIComponent(path)}`);
    return;
  }
  if (route.guest && state.me) {
    navigate("#/");
    return;
  }
  let page;
  try {
    page = await route.page(params, { loggedIn, navigate, render, refreshMe: checkSession });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return checkSession();
    page = { title: t("error.title"), body: notice("error", errorText(err)) };
  }
  if (render.current !== token) {
    page.cleanup?.();
    return;
  }
  cleanupPage = page.cleanup || null;
  document.title = page.title ? `${page.title} · Twinhub` : "Twinhub";
  mount(
    mainEl,
    breadcrumb(page.crumbs),
    page.title ? h("h1", { id: "page-title", tabindex: "-1" }, page.title) : null,
    page.body,
  );
  // Which page is drawn, for tests and styles: set only once the page is on screen.
  document.body.dataset.route = route.path;
  // Move focus to the new page's heading so keyboard and screen-reader users follow along.
  if (render.moved) document.getElementById("page-title")?.focus();
}

/** The skip link moves focus to the page (a plain #main link would change the route). */
function setUpSkipLink() {
  const link = document.getElementById("skip-link");
  link.textContent = t("common.skip");
  link.onclick = (e) => {
    e.preventDefault();
    mainEl.focus();
  };
}

/** The server's answer to a write can say the session ended or its CSRF token is stale. */
setSessionHooks({
  unauthenticated: () => checkSession(),
  // A fresh token comes with the session; the request is then sent once more.
  refreshCsrf: async () => {
    const me = (await api.get("/api/ui")).session;
    if (me) setMe(me);
    return Boolean(me);
  },
});

async function boot() {
  closeMenusOnOutsideClick();
  // One request says which languages exist, the limits, and who is logged in (if anyone).
  let started = false;
  try {
    const ui = await api.get("/api/ui");
    state.limits = { ...ui.limits, groups: ui.groups };
    if (ui.session) setMe(ui.session);
    await i18n.init(ui.languages);
    state.writesRefused = Boolean(ui.writes_refused);
    started = true;
  } catch {
    await i18n.init([]);
  }
  const remembered = state.me?.ui_language;
  await i18n.use(remembered && i18n.isAvailable(remembered) ? remembered : i18n.initialLanguage());
  if (!started) {
    mainEl.replaceChildren(notice("error", t("error.network")));
    document.body.dataset.ready = "true";
    return;
  }
  if (state.writesRefused) {
    // The server is short of disk space: say it once, above every page.
    topbarEl.after(notice("error", t("storage.low")));
  }
  if (state.me) {
    live.start();
    refreshUnread();
  }
  window.addEventListener("hashchange", () => {
    render.moved = true;
    render();
  });
  await render();
  document.body.dataset.ready = "true";
}

boot();
