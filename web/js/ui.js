// Small widgets shared by the pages: error text, notices, avatars, busy buttons, toasts.

import { h } from "./dom.js";
import { t } from "./i18n.js";

/** A translated sentence for an API error. */
export function errorText(err) {
  const code = err?.code || "internal";
  const text = t(`error.${code}`);
  return text === `error.${code}` ? t("error.internal") : text;
}

/** Errors whose server message names what to fix (a field, an existing school, a recipient). */
const DETAILED = new Set(["validation_failed", "conflict", "forbidden"]);

/**
 * The server's own explanation, for the errors where it names what to fix (which field, which
 * existing school, which recipient is not a contact or why a contact request is refused). It
 * is in English: marked so, and shown under the translated sentence.
 */
export function errorDetail(err) {
  if (!DETAILED.has(err?.code)) return null;
  return err.message ? h("span", { class: "detail", lang: "en" }, err.message) : null;
}

/** A message box: kind is "error", "info" or "success". Errors are announced at once. */
export function notice(kind, text, detail = null) {
  return h(
    "p",
    { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status", tabindex: "-1" },
    text,
    detail,
  );
}

/** Shows `err` in `slot` (an element kept in the page for messages). */
export function showError(slot, err) {
  slot.replaceChildren(notice("error", errorText(err), errorDetail(err)));
}

export function showSuccess(slot, text) {
  slot.replaceChildren(notice("success", text));
}

/** The member's picture, or their initials on a coloured disc. */
export function avatar(profile, size = "md") {
  const name = profile?.display_name || "?";
  if (profile?.picture_url) {
    return h("img", { class: `avatar avatar-${size}`, src: profile.picture_url, alt: "" });
  }
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => (w.match(/\p{L}|\p{N}/u) || [""])[0].toUpperCase())
    .join("");
  return h("span", { class: `avatar avatar-${size} avatar-initials`, "aria-hidden": "true" }, initials || "?");
}

/** Disables the button while `work` runs, so a double click does not send twice. */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/** Removes every toast (a new member must not see the previous one's). */
export function clearToasts() {
  document.getElementById("toasts")?.replaceChildren();
}

/** A short-lived message in the corner, read out by screen readers. */
export function toast(text) {
  const region = document.getElementById("toasts");
  if (!region) return;
  const item = h("div", { class: "toast" }, text);
  region.appendChild(item);
  setTimeout(() => item.remove(), 6000);
}

/** A clearly marked area that is not built yet. */
export function comingSoon(what) {
  return h(
    "section",
    { class: "card placeholder" },
    h("p", { class: "badge badge-soon" }, t("common.coming_soon")),
    h("p", {}, t("placeholder.text", { what })),
    h("p", {}, h("a", { href: "#/" }, t("placeholder.back"))),
  );
}

/** A member's picture and name, the name linking to their profile; `extra` goes under it. */
export function personLine(person, ...extra) {
  return h(
    "div",
    { class: "person-line" },
    avatar(person, "sm"),
    h("div", {}, h("a", { href: `#/people/${person.id}` }, person.display_name), extra),
  );
}

/** A labelled pill that says whether a member is a validated eTwinner. */
export function roleBadges(profile) {
  const badges = [];
  if (profile.roles?.etwinner) badges.push(h("span", { class: "badge badge-ok" }, t("profile.etwinner")));
  if (profile.roles?.nso_officer) badges.push(h("span", { class: "badge" }, t("profile.nso_officer")));
  if (profile.roles?.admin) badges.push(h("span", { class: "badge" }, t("profile.admin")));
  return badges;
}
