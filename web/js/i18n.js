// Message catalogues: web/i18n/<code>.json, one file per language. The server lists the
// files it found (GET /api/ui), so adding a language is adding a file. Every UI
// string comes from here; a key missing in a language falls back to English, then to the key.

let current = "en";
let messages = {};
let english = {};
let available = [{ code: "en", name: "English" }];

const STORAGE_KEY = "twinhub.lang";

async function fetchCatalogue(code) {
  const res = await fetch(`/i18n/${encodeURIComponent(code)}.json`, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`no catalogue for ${code}`);
  return res.json();
}

/** Takes the list of UI languages the server found ([{code, name}]) and loads English. */
export async function init(found) {
  if (found?.length) available = found;
  english = await fetchCatalogue("en");
  messages = english;
}

export function languages() {
  return available;
}

export function lang() {
  return current;
}

export function isAvailable(code) {
  return supported(code);
}

function supported(code) {
  return available.some((l) => l.code === code);
}

/** The language to start with: remembered on this device, else the browser's, else English. */
export function initialLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored && supported(stored)) return stored;
  for (const wanted of navigator.languages || [navigator.language]) {
    const base = String(wanted).toLowerCase().split("-")[0];
    if (supported(base)) return base;
  }
  return "en";
}

/** Switches the UI language (the caller re-renders). Unknown codes fall back to English. */
export async function use(code) {
  if (!supported(code)) code = "en";
  let loaded = english;
  if (code !== "en") {
    try {
      loaded = await fetchCatalogue(code);
    } catch {
      code = "en"; // shown in English, so remembered as English
    }
  }
  messages = loaded;
  current = code;
  localStorage.setItem(STORAGE_KEY, code);
  document.documentElement.lang = code;
}

function lookup(catalogue, key) {
  return key.split(".").reduce((node, part) => (node == null ? undefined : node[part]), catalogue);
}

/**
 * The text for `key` with `{name}` placeholders filled from `params`. A plural entry is an
 * object of Intl.PluralRules categories ({"one": …, "other": …}) chosen by `params.count`.
 */
export function t(key, params = {}) {
  let text = lookup(messages, key) ?? lookup(english, key);
  if (text && typeof text === "object") {
    const category = new Intl.PluralRules(current).select(Number(params.count ?? 0));
    text = text[category] ?? text.other;
  }
  if (typeof text !== "string") return key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** A number written the reader's way (20,000 · 20 000 · 20.000). */
export function formatNumber(n) {
  try {
    return new Intl.NumberFormat(current).format(n);
  } catch {
    return String(n);
  }
}

/** eTwinning country codes are ISO 3166 except Greece (EL). */
export function countryName(code) {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([current], { type: "region" }).of(code === "EL" ? "GR" : code);
  } catch {
    return code;
  }
}

export function languageName(code) {
  try {
    return new Intl.DisplayNames([current], { type: "language" }).of(code);
  } catch {
    return code;
  }
}

/** Subject and member-type labels live in the catalogues; unknown codes show as given. */
export function subjectName(code) {
  const text = t(`subject.${code}`);
  return text === `subject.${code}` ? code : text;
}
