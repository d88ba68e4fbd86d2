// Networking (issue 6): find people, projects and partners, in three tabs as eTwinning has
// them. Each tab searches as you type (GET /api/search): every word of the query must be
// found, the last one as the start of a word; answers to an older query are dropped. Filters
// show how many results each choice would give (the answer's facets). The tab, the query and
// the filters live in the address (#/networking/partners?q=…&subject=…), so a search can be
// shared, and Back after opening a result comes back to it.

import { h } from "../dom.js";
import { t, lang, formatNumber } from "../i18n.js";
import { api, query } from "../api.js";
import { state } from "../state.js";
import { catalog } from "../catalog.js";
import { avatar, busy, showError } from "../ui.js";
import { vocabulary, snippet, postingRow, SCOPES } from "./postings.js";

const PAGE_SIZE = 20;
const DELAY_MS = 250;
/** A search the server found too fast is tried again once, after this long. */
const RETRY_MS = 1500;

const MEMBER_TYPES = ["teacher", "head_teacher", "librarian", "counsellor", "pedagogical_advisor", "ict_coordinator", "teacher_trainer", "other"];

const TABS = {
  people: { path: "/networking", kind: "people", label: "networking.tab_people" },
  projects: { path: "/networking/projects", kind: "projects", label: "networking.tab_projects" },
  partners: { path: "/networking/partners", kind: "postings", label: "networking.tab_partners" },
};

/**
 * The filters of each kind of search: `name` is the query parameter and the facet's name;
 * `value` names a code; `order` (when given) is the fixed order of the choices, else they are
 * sorted by name. `toggle` is a yes-only filter, shown as a checkbox.
 */
function filtersOf(kind, names, lists) {
  const f = (name, value, order) => ({
    name,
    value,
    order,
    label: `networking.filter_${name}`,
    any: `networking.any_${name}`,
    all: () => order ?? allCodes(name, lists),
  });
  if (kind === "people") {
    return [
      f("member_type", names.member_type, MEMBER_TYPES),
      f("country", names.country),
      f("language", names.language),
      f("subject", names.subject),
      { name: "available", toggle: true, label: "networking.available_only" },
    ];
  }
  if (kind === "postings") {
    return [
      f("scope", names.scope, SCOPES),
      f("country", names.country),
      f("language", names.language),
      f("subject", names.subject),
      f("age", names.age, (lists.pupil_ages ?? []).map((x) => x.code)),
      f("competence", names.competence),
      f("topic", names.topic),
    ];
  }
  return [];
}

/** Every code of a vocabulary, for a filter whose facet the answer did not give. */
function allCodes(name, lists) {
  const list = { country: lists.countries, language: lists.languages, subject: lists.subjects, topic: lists.topics, competence: lists.key_competences }[name];
  return (list ?? []).map((x) => x.code);
}

function personRow(item, names) {
  const c = item.card ?? {};
  const facts = [c.member_type ? names.member_type(c.member_type) : null, c.country ? names.country(c.country) : null].filter(Boolean).join(" · ");
  const subjects = (c.subjects ?? []).map(names.subject).join(", ");
  return h(
    "li",
    { class: "result-row person-row", dataset: { id: item.id } },
    avatar({ display_name: item.title, picture_url: c.picture_url ?? null }, "md"),
    h(
      "div",
      { class: "result-main" },
      h("h3", { class: "result-title" }, h("a", { href: `#/people/${item.id}` }, item.title)),
      h(
        "p",
        { class: "result-meta" },
        facts ? h("span", {}, facts) : null,
        c.etwinner ? h("span", { class: "badge badge-ok" }, t("profile.etwinner")) : null,
        c.available_for_projects ? h("span", { class: "badge" }, t("profile.available")) : null,
      ),
      subjects ? h("p", { class: "muted small" }, subjects) : null,
      snippet(item.snippet),
    ),
  );
}

function projectRow(item) {
  return h(
    "li",
    { class: "result-row", dataset: { id: item.id } },
    h("div", { class: "result-main" }, h("h3", { class: "result-title" }, item.title), snippet(item.snippet)),
  );
}

function rowOf(kind, item, names) {
  if (kind === "people") return personRow(item, names);
  if (kind === "postings") return postingRow({ ...(item.card ?? {}), id: item.id, title: item.title }, { marks: item.snippet, names });
  return projectRow(item);
}

const COUNT_KEY = { people: "networking.people_count", postings: "networking.postings_count", projects: "networking.projects_count" };
const SEARCH_HINT = { people: "networking.search_hint", postings: "networking.search_hint_postings", projects: "networking.search_hint_projects" };
const SEARCH_LABEL = { people: "networking.search_people", postings: "networking.search_postings", projects: "networking.search_projects" };

function emptyText(kind, searching) {
  if (kind === "people") return t("networking.no_people");
  if (kind === "postings") return searching ? t("networking.no_postings") : t("networking.no_postings_yet");
  return searching ? t("networking.no_projects_match") : t("networking.no_projects_yet");
}

/**
 * A search of one kind: the labelled box, the filters, the count, the results and "Show
 * more". `initial` holds the query and filters read from the address; `onChange(params)` is
 * told each search's parameters (to keep the address in step). Other areas (groups) give
 * their own `row(item)` and `texts` ({label, hint, count} keys, empty(searching) text).
 */
export function searchPanel({ kind, filters, names, initial, onChange, row, texts = {} }) {
  const drawRow = row ?? ((item) => rowOf(kind, item, names));
  const labelKey = texts.label ?? SEARCH_LABEL[kind];
  const hintKey = texts.hint ?? SEARCH_HINT[kind];
  const countKey = texts.count ?? COUNT_KEY[kind];
  const emptyOf = texts.empty ?? ((searching) => emptyText(kind, searching));
  const base = `search-${kind}`;
  const input = h("input", {
    type: "search",
    id: `${base}-q`,
    name: "q",
    value: initial.get("q") ?? "",
    maxlength: state.limits.query_chars,
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": `${base}-hint`,
    oninput: () => schedule(),
  });
  const submit = h("button", { type: "submit", class: "button" }, t("networking.search_button"));
  const controls = new Map(); // filter name → select or checkbox
  const countLabels = new Map(); // toggle name → its label's text span

  const filterEls = filters.map((spec) => {
    const id = `${base}-${spec.name}`;
    if (spec.toggle) {
      const box = h("input", { type: "checkbox", id, name: spec.name, value: "true", checked: initial.get(spec.name) === "true", onchange: () => run() });
      const text = h("span", {}, t(spec.label));
      controls.set(spec.name, box);
      countLabels.set(spec.name, text);
      return h("label", { class: "choice filter-toggle", for: id }, box, text);
    }
    const sel = h("select", { id, name: spec.name, onchange: () => run() });
    sel.dataset.current = initial.get(spec.name) ?? "";
    controls.set(spec.name, sel);
    return h("div", { class: "field" }, h("label", { for: id }, t(spec.label)), sel);
  });
  const clear = h(
    "button",
    {
      type: "button",
      class: "button button-quiet",
      id: `${base}-clear`,
      hidden: true,
      onclick: () => {
        for (const el of controls.values()) {
          if (el.type === "checkbox") el.checked = false;
          else {
            el.value = "";
            el.dataset.current = "";
          }
        }
        run();
        input.focus();
      },
    },
    t("networking.clear_filters"),
  );

  // Open on wide screens; on a phone it starts folded unless a filter is chosen.
  const activeCount = h("span", { class: "filter-active" });
  const narrow = window.matchMedia?.("(max-width: 700px)").matches;
  const filterBox = h(
    "details",
    { class: "filters", id: `${base}-filters`, open: !narrow || filters.some((spec) => initial.get(spec.name)) },
    h("summary", {}, t("networking.filters"), " ", activeCount),
    h("div", { class: "filter-grid" }, filterEls),
    h("div", { class: "filter-actions" }, clear),
  );

  const form = h(
    "form",
    {
      class: "search-panel",
      role: "search",
      "aria-label": t(labelKey),
      onsubmit: (e) => {
        e.preventDefault();
        run();
      },
    },
    h(
      "div",
      { class: "field" },
      h("label", { for: input.id }, t(labelKey)),
      h("div", { class: "search-row" }, input, submit),
      h("p", { class: "hint", id: `${base}-hint` }, t(hintKey)),
    ),
    filters.length ? filterBox : null,
  );

  const status = h("p", { class: "result-count", id: `${base}-count`, role: "status", "aria-live": "polite" });
  const errors = h("div", { class: "messages" });
  const empty = h("p", { class: "muted empty-state", id: `${base}-empty`, hidden: true });
  const list = h("ul", { class: "results", id: `${base}-results`, "aria-labelledby": `${base}-count` });
  const more = h("button", { type: "button", class: "button button-quiet", id: `${base}-more`, hidden: true, onclick: (e) => busy(e.currentTarget, () => run({ append: true })) }, t("common.load_more"));

  let asked = 0; // the latest search: answers to older ones are dropped
  let timer = null;
  let retried = false;
  let alive = true;
  let next = null;
  let last = {}; // the parameters of the results shown, for "Show more"
  const shown = new Set();

  function params() {
    const p = { q: input.value.trim() };
    for (const [name, el] of controls) {
      if (el.type === "checkbox") p[name] = el.checked ? "true" : "";
      else p[name] = el.value;
    }
    return p;
  }

  /** After a pause in typing; nothing is asked again when the words did not change. */
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const p = params();
      if (Object.keys(p).every((k) => (p[k] ?? "") === (last[k] ?? ""))) return;
      run();
    }, DELAY_MS);
  }

  /** The filter choices with their counts; estimated counts (`exact` false) read "about N". */
  function drawFacets(facets, exact = true) {
    const withCount = exact ? "networking.with_count" : "networking.with_count_about";
    for (const spec of filters) {
      const el = controls.get(spec.name);
      const facet = facets?.[spec.name];
      if (spec.toggle) {
        const n = facet?.find((f) => f.value === "true")?.count;
        countLabels.get(spec.name).textContent = n === undefined ? t(spec.label) : t(withCount, { name: t(spec.label), count: formatNumber(n) });
        continue;
      }
      const current = el.dataset.current;
      const counts = new Map((facet ?? []).map((f) => [f.value, f.count]));
      let values = facet ? [...counts.keys()] : spec.all();
      if (current && !values.includes(current)) values.push(current);
      if (spec.order) values = [...spec.order.filter((v) => values.includes(v)), ...values.filter((v) => !spec.order.includes(v))];
      else values.sort((a, b) => spec.value(a).localeCompare(spec.value(b), lang()));
      el.replaceChildren(
        h("option", { value: "" }, t(spec.any)),
        ...values.map((v) =>
          h(
            "option",
            { value: v, selected: v === current },
            facet ? t(withCount, { name: spec.value(v), count: formatNumber(counts.get(v) ?? 0) }) : spec.value(v),
          ),
        ),
      );
      el.value = current;
    }
  }

  /** Searches with what the form says now, or (`append`) fetches the next page of the last one. */
  async function run({ append = false } = {}) {
    clearTimeout(timer);
    if (!alive) return;
    const mine = ++asked;
    const p = append ? last : params();
    if (!append) {
      for (const spec of filters) if (!spec.toggle) controls.get(spec.name).dataset.current = p[spec.name] ?? "";
      const active = filters.filter((spec) => p[spec.name]).length;
      clear.hidden = active === 0;
      activeCount.textContent = active ? t("networking.filters_active", { count: active }) : "";
      onChange(p);
      // The shown "Show more" belongs to the previous query.
      more.hidden = true;
      list.setAttribute("aria-busy", "true");
    }
    let page;
    try {
      page = await api.get(`/api/search${query({ kind, ...p, limit: PAGE_SIZE, after: append ? next : undefined })}`);
    } catch (err) {
      if (mine !== asked || !alive) return;
      list.removeAttribute("aria-busy");
      if (!append) list.dataset.q = p.q;
      showError(errors, err);
      if (err.code === "rate_limited" && !retried) {
        retried = true;
        timer = setTimeout(() => run({ append }), RETRY_MS);
      }
      return;
    }
    if (mine !== asked || !alive) return;
    retried = false;
    errors.replaceChildren();
    list.removeAttribute("aria-busy");
    if (!append) {
      last = p;
      shown.clear();
      list.replaceChildren();
      drawFacets(page.facets, page.facets_exact !== false);
      list.dataset.q = p.q; // which words the results answer (tests wait on it)
    }
    for (const item of page.items) {
      if (shown.has(item.id)) continue;
      shown.add(item.id);
      list.append(drawRow(item));
    }
    next = page.next ?? null;
    more.hidden = !next;
    const total = page.total ?? shown.size;
    status.textContent = t(countKey, { count: total });
    status.dataset.total = String(total);
    const searching = Boolean(p.q) || filters.some((spec) => p[spec.name]);
    empty.textContent = emptyOf(searching);
    empty.hidden = shown.size > 0;
  }

  // The choices before the first answer (no counts yet), so a filter from the address holds.
  drawFacets(null);

  return {
    el: [form, h("div", { class: "results-area" }, errors, status, empty, h("h2", { class: "sr-only" }, t("networking.results")), list, more)],
    run,
    input,
    stop() {
      alive = false;
      clearTimeout(timer);
    },
  };
}

/** My own postings, newest first, expired ones marked. */
function myPostings(names) {
  const list = h("ul", { class: "results", id: "my-postings" });
  const empty = h("p", { class: "muted", hidden: true }, t("networking.my_postings_none"));
  const message = h("div", { class: "messages" });
  const more = h("button", { type: "button", class: "button button-quiet", hidden: true, onclick: (e) => busy(e.currentTarget, load) }, t("common.load_more"));
  let next = null;
  const seen = new Set();
  async function load() {
    try {
      const page = await api.get(`/api/me/postings${query({ after: next })}`);
      for (const p of page.items) {
        if (seen.has(p.id)) continue;
        seen.add(p.id);
        list.append(postingRow(p, { names }));
      }
      next = page.next;
      more.hidden = !next;
      empty.hidden = seen.size > 0;
    } catch (err) {
      showError(message, err);
    }
  }
  const el = h("section", { class: "card", "aria-labelledby": "my-postings-title" }, h("h2", { id: "my-postings-title" }, t("networking.my_postings")), message, empty, list, more);
  return { el, load };
}

async function networkingPage(tabName) {
  const tab = TABS[tabName];
  const lists = await catalog();
  const names = vocabulary(lists);
  const initial = new URLSearchParams(location.hash.split("?")[1] || "");
  const filters = filtersOf(tab.kind, names, lists);

  const tabLinks = Object.entries(TABS).map(([name, spec]) => {
    const a = h("a", { href: `#${spec.path}`, id: `tab-${name}`, "aria-current": name === tabName ? "page" : null }, t(spec.label));
    return { a, spec, name };
  });
  const nav = h("nav", { class: "section-tabs", "aria-label": t("networking.sections") }, h("ul", {}, tabLinks.map(({ a }) => h("li", {}, a))));

  /** Keeps the address in step with the search (no new history entry, no redraw). */
  const onChange = (p) => {
    if ((location.hash.slice(1) || "/").split("?")[0] !== tab.path) return; // the page is being left
    const hash = `#${tab.path}${query(p)}`;
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
    // The words go along to the other tabs; their filters differ.
    for (const { a, spec } of tabLinks) a.href = `#${spec.path}${query({ q: p.q })}`;
  };

  const panel = searchPanel({ kind: tab.kind, filters, names, initial, onChange });
  const intro = h("p", { class: "hint tab-intro" }, t(`networking.intro_${tabName}`));
  const head =
    tabName === "partners"
      ? h("div", { class: "tab-head" }, intro, h("a", { href: "#/postings/new", class: "button", id: "add-posting" }, t("networking.add_posting")))
      : intro;
  const mine = tabName === "partners" ? myPostings(names) : null;
  await Promise.all([panel.run(), mine?.load()]);

  const body = h("div", { class: "stack networking" }, h("section", { class: "card" }, nav, head, panel.el), mine?.el);
  const label = t(tab.label);
  return {
    title: t("nav.networking"),
    crumbs: tabName === "people" ? [[t("nav.networking"), null]] : [[t("nav.networking"), "#/networking"], [label, null]],
    body,
    cleanup: panel.stop,
  };
}

export const peopleTab = () => networkingPage("people");
export const projectsTab = () => networkingPage("projects");
export const partnersTab = () => networkingPage("partners");
