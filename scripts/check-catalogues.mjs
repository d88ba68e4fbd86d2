#!/usr/bin/env node
// Checks the UI message catalogues in this directory against en.json.
//
//   node scripts/check-catalogues.mjs         every web/i18n/<code>.json
//   node scripts/check-catalogues.mjs fr pl   only these languages
//
// For each catalogue: the JSON parses and has no duplicate keys; every key path of en.json
// exists with the same type (string or plural object) and no key is extra; every {placeholder}
// of the English text is kept and no unknown one is added (in each plural form); a plural
// object has exactly the categories Intl.PluralRules(<code>) reports; "…" is kept where the
// English text has it; no text is empty or padded with spaces. Exits 1 listing every problem.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "web", "i18n");
const ELLIPSIS = "…";
const problems = [];
const warnings = [];

/** Duplicate keys in one object (JSON.parse keeps the last one silently). */
function duplicateKeys(text) {
  const found = [];
  const stack = []; // { keys: Set, path: string, expectKey: bool } for objects, null for arrays
  let lastKey = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      let s = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\") j++;
        s += text[j];
        j++;
      }
      const top = stack[stack.length - 1];
      if (top && top.expectKey) {
        if (top.keys.has(s)) found.push(top.path ? `${top.path}.${s}` : s);
        top.keys.add(s);
        top.expectKey = false;
        lastKey = s;
      }
      i = j;
    } else if (c === "{") {
      const parent = stack[stack.length - 1];
      const path = parent ? (parent.path ? `${parent.path}.${lastKey}` : lastKey) : "";
      stack.push({ keys: new Set(), path: path ?? "", expectKey: true });
    } else if (c === "[") {
      stack.push({ keys: new Set(), path: "", expectKey: false, array: true });
    } else if (c === "}" || c === "]") {
      stack.pop();
    } else if (c === ",") {
      const top = stack[stack.length - 1];
      if (top && !top.array) top.expectKey = true;
    }
  }
  return found;
}

function load(file) {
  const text = readFileSync(join(dir, file), "utf8");
  let data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    problems.push(`${file}: does not parse: ${e.message}`);
    return null;
  }
  for (const key of duplicateKeys(text)) problems.push(`${file}: ${key}: duplicate key`);
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    problems.push(`${file}: the top level is not an object`);
    return null;
  }
  return data;
}

const CATEGORIES = ["zero", "one", "two", "few", "many", "other"];
// A plural entry: an object whose keys are all CLDR plural categories, "other" among them.
const isPlural = (v) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && "other" in v && Object.keys(v).every((k) => CATEGORIES.includes(k));
const kind = (v) => (typeof v === "string" ? "string" : isPlural(v) ? "plural" : v !== null && typeof v === "object" && !Array.isArray(v) ? "group" : Array.isArray(v) ? "array" : String(v === null ? "null" : typeof v));
const placeholders = (s) => new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));

function checkText(file, path, en, text) {
  if (text.trim() === "") {
    problems.push(`${file}: ${path}: empty`);
    return;
  }
  if (text !== text.trim()) problems.push(`${file}: ${path}: leading or trailing whitespace`);
  const want = placeholders(en);
  const have = placeholders(text);
  for (const p of want) if (!have.has(p)) problems.push(`${file}: ${path}: placeholder {${p}} missing`);
  for (const p of have) if (!want.has(p)) problems.push(`${file}: ${path}: unknown placeholder {${p}} (English has ${[...want].map((x) => `{${x}}`).join(", ") || "none"})`);
  if (en.includes(ELLIPSIS) && !text.includes(ELLIPSIS)) problems.push(`${file}: ${path}: the "${ELLIPSIS}" of the English text is missing`);
}

function pluralCategories(code) {
  try {
    return new Intl.PluralRules(code).resolvedOptions().pluralCategories;
  } catch (e) {
    problems.push(`${code}: Intl.PluralRules does not know this language: ${e.message}`);
    return null;
  }
}

function compare(file, code, en, tr, path) {
  const counts = { strings: 0, plurals: 0 };
  for (const key of Object.keys(en)) {
    const p = path ? `${path}.${key}` : key;
    if (!(key in tr)) {
      problems.push(`${file}: ${p}: missing`);
      continue;
    }
    const ek = kind(en[key]);
    let tk = kind(tr[key]);
    // A plural object with a misspelt category still counts as a plural: the category check names it.
    if (ek === "plural" && tk === "group") tk = "plural";
    if (ek !== tk) {
      problems.push(`${file}: ${p}: is ${tk}, English is ${ek}`);
      continue;
    }
    if (ek === "string") {
      counts.strings++;
      checkText(file, p, en[key], tr[key]);
    } else if (ek === "plural") {
      counts.plurals++;
      const wanted = pluralCategories(code);
      if (wanted) {
        const got = Object.keys(tr[key]);
        const missing = wanted.filter((c) => !got.includes(c));
        const extra = got.filter((c) => !wanted.includes(c));
        if (missing.length || extra.length) {
          problems.push(
            `${file}: ${p}: plural categories ${JSON.stringify(got)}, Intl.PluralRules('${code}') has ${JSON.stringify(wanted)}` +
              (missing.length ? `; missing ${missing.join(", ")}` : "") +
              (extra.length ? `; extra ${extra.join(", ")}` : ""),
          );
        }
      }
      // Every form must keep every placeholder used by any English form.
      const enAll = Object.values(en[key]).join(" ");
      for (const [cat, text] of Object.entries(tr[key])) {
        if (typeof text === "string") checkText(file, `${p}.${cat}`, enAll, text);
        else problems.push(`${file}: ${p}.${cat}: is ${kind(text)}, not a string`);
      }
    } else if (ek === "group") {
      const sub = compare(file, code, en[key], tr[key], p);
      counts.strings += sub.strings;
      counts.plurals += sub.plurals;
    } else {
      problems.push(`${file}: ${p}: unexpected ${ek} value`);
    }
  }
  for (const key of Object.keys(tr)) {
    if (!(key in en)) problems.push(`${file}: ${path ? `${path}.${key}` : key}: not in en.json`);
  }
  return counts;
}

/** The English catalogue's own plurals must match English plural rules too. */
function checkEnglish(en, path = "") {
  for (const [key, value] of Object.entries(en)) {
    const p = path ? `${path}.${key}` : key;
    if (kind(value) === "plural") {
      const wanted = pluralCategories("en");
      const got = Object.keys(value);
      if (wanted && (wanted.length !== got.length || wanted.some((c) => !got.includes(c)))) {
        problems.push(`en.json: ${p}: plural categories ${JSON.stringify(got)}, Intl.PluralRules('en') has ${JSON.stringify(wanted)}`);
      }
    } else if (kind(value) === "group") checkEnglish(value, p);
  }
}

const en = load("en.json");
if (!en) {
  console.error(problems.join("\n"));
  process.exit(1);
}
checkEnglish(en);

const requested = process.argv.slice(2).map((a) => a.replace(/\.json$/, ""));
const files = requested.length
  ? requested.map((c) => `${c}.json`)
  : readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "en.json").sort();

for (const file of files) {
  const code = file.replace(/\.json$/, "");
  const before = problems.length;
  let tr;
  try {
    tr = load(file);
  } catch (e) {
    problems.push(`${file}: cannot be read: ${e.message}`);
  }
  if (!tr) {
    console.log(`${file}: not checked further — ${problems.length - before} problem(s)`);
    continue;
  }
  const counts = compare(file, code, en, tr, "");
  if (typeof tr._language_name === "string") {
    let native;
    try {
      native = new Intl.DisplayNames([code], { type: "language" }).of(code);
    } catch {
      native = undefined;
    }
    if (tr._language_name === en._language_name && code !== "en") problems.push(`${file}: _language_name is still "${en._language_name}"`);
    else if (native && native.toLocaleLowerCase(code) !== tr._language_name.toLocaleLowerCase(code)) {
      warnings.push(`${file}: _language_name "${tr._language_name}" differs from Intl.DisplayNames' "${native}" (only a warning)`);
    }
  }
  const categories = pluralCategories(code);
  const status = problems.length === before ? "OK" : `${problems.length - before} problem(s)`;
  console.log(`${file}: ${status} — ${counts.strings} strings, ${counts.plurals} plurals [${categories?.join(", ")}]`);
}

for (const w of warnings) console.log(`warning: ${w}`);
if (problems.length) {
  console.error(`\n${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`All ${files.length} catalogue(s) match en.json.`);
