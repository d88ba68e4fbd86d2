// The app shell: boots the session and language, routes #/paths to pages, keeps the top bar
// and the live connection in step with the logged-in member.

import { h, mount } from "./dom.js";
import * as i18n from "./i18n.js";
import { t } from "./i18n.js";
import { api, setCsrf, ApiError } from "./api.js";
import { Live } from "./live.js";
import { state, applyUnread, emitLive } from "./state.js";
import { renderTopbar, updateCounts, closeMenusOnOutsideClick } from "./topbar.js";
import { toast, errorText, notice } from "./ui.js";
import { notificationText } from "./pages/notifications.js";
import { routes } from "./routes.js";

const topbarEl = document.getElementById("topbar");
const mainEl = document.getElementById("main");
let cleanupPage = null;

const live = new Live({
  onEvent: (event) => {
    if (event.unread !== undefined) applyUnread(event.unread, event.seq);
    if (event.kind === "notification") toast(notificationText(event.notification));
    updateCounts();
    emitLive(event);
  },
  onResync: () => {
    refreshUnread();
    emitLive({ kind: "resync" });
  },
  onStatus: (s) => {
    state.liveStatus = s;
    updateCounts();
  },
  // After every (re)connection: the count is fetched again, so a reconnect never leaves a
  // stale number (the sequence guard drops it if a newer event got there first).
  onReady: () => refreshUnread(),
  onSessionEnded: () => checkSession(),
});

async function refreshUnread() {
  try {
    const u = await api.get("/api/notifications/unread");
    if (applyUnread(u.unread, u.seq)) updateCounts();
  } catch (err) {
    if (err.status === 401) checkSession();
  }
}

/** The session may have ended (logout elsewhere, expiry): ask the server. */
async function checkSession() {
  try {
    const me = await api.get("/api/me");
    setMe(me);
  } catch (err) {
    if (err.status === 401) {
      loggedOut();
      toast(t("auth.session_ended"));
    }
  }
}

function setMe(response) {
  state.me = response.user;
  setCsrf(response.csrf_token);
}

/** Called by the login and register pages with the /api/auth/login answer. */
async function loggedIn(response) {
  setMe(response);
  state.unread = { count: 0, seq: -1 };
  const remembered = response.user.ui_language;
  if (remembered && i18n.isAvailable(remembered) && remembered !== i18n.lang()) {
    await i18n.use(response.user.ui_language);
  }
  live.start();
  const next = new URLSearchParams(location.hash.split("?")[1] || "").get("next");
  go(next && next.startsWith("/") && !next.startsWith("//") ? `#${next}` : "#/");
}

function loggedOut() {
  state.me = null;
  setCsrf(null);
  state.unread = { count: 0, seq: -1 };
  live.stop();
  state.liveStatus = "offline";
  go("#/login");
}

async function logout() {
  try {
    await api.post("/api/auth/logout");
  } catch {
    /* the session is gone either way */
  }
  loggedOut();
}

async function changeLanguage(code) {
  await i18n.use(code);
  if (state.me) {
    try {
      const me = await api.put("/api/me/language", { language: code });
      state.me = me.user ?? me;
    } catch (err) {
      toast(errorText(err));
    }
  }
  render();
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
        params[p.slice(1)] = decodeURIComponent(parts[i]);
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
  const token = Symbol("render");
  render.current = token;
  let page;
  try {
    page = await route.page(params, { loggedIn, navigate, render, refreshMe: checkSession });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return loggedOut();
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

async function boot() {
  closeMenusOnOutsideClick();
  // One request says which languages exist, the limits, and who is logged in (if anyone).
  try {
    const ui = await api.get("/api/ui");
    state.limits = ui.limits;
    if (ui.session) setMe(ui.session);
    await i18n.init(ui.languages);
  } catch {
    await i18n.init([]);
  }
  const remembered = state.me?.ui_language;
  await i18n.use(remembered && i18n.isAvailable(remembered) ? remembered : i18n.initialLanguage());
  if (state.me) live.start();
  window.addEventListener("hashchange", () => {
    render.moved = true;
    render();
  });
  await render();
  document.body.dataset.ready = "true";
}

boot();
