// Partner finding (R6): "eTwinning project idea" postings. A posting's page (every field with
// its codes named in the reader's language, the author and the school, its post comments with
// "Add post comment"), and the form that publishes or edits one. The search of postings is on
// the Networking page (networking.js), which uses the row and the names from here.

import { h, field, select, when } from "../dom.js";
import { t, lang, countryName, languageName, subjectName, formatNumber } from "../i18n.js";
import { api, query } from "../api.js";
import { state, onLive } from "../state.js";
import { catalog } from "../catalog.js";
import { avatar, busy, showError, showSuccess, notice, errorText, toast, personLine } from "../ui.js";

export const SCOPES = ["national", "european"];

/** A code's name in the reader's language: the catalogue's text, else the server's English name. */
function named(prefix, list) {
  return (code) => {
    const text = t(`${prefix}.${code}`);
    if (text !== `${prefix}.${code}`) return text;
    return list?.find((e) => e.code === code)?.name ?? code;
  };
}

/** Name functions for every vocabulary a posting uses, from GET /api/catalog. */
export function vocabulary(lists) {
  return {
    country: countryName,
    language: languageName,
    subject: subjectName,
    topic: named("topic", lists?.topics),
    competence: named("competence", lists?.key_competences),
    age: named("pupil_age", lists?.pupil_ages),
    scope: (code) => (SCOPES.includes(code) ? t(`posting.scope_${code}`) : code),
    member_type: (code) => {
      const text = t(`member_type.${code}`);
      return text === `member_type.${code}` ? code : text;
    },
  };
}

/** A calendar day ("2027-01-31") written the reader's way, without a time zone shift. */
export function day(iso) {
  try {
    return new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));
  } catch {
    return iso;
  }
}

/** Today's date in UTC (the server's calendar), plus `days`, as YYYY-MM-DD. */
function utcDay(days = 0) {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The search's snippet: matched words in <mark>, everything as text. */
export function snippet(parts) {
  if (!Array.isArray(parts) || parts.length === 0) return null;
  return h(
    "p",
    { class: "snippet" },
    parts.map((p) => (p.mark ? h("mark", {}, p.text) : p.text)),
  );
}

export function scopeBadge(scope) {
  return h("span", { class: `badge badge-scope badge-${scope === "european" ? "european" : "national"}` }, vocabulary().scope(scope));
}

function expiredBadge() {
  return h("span", { class: "badge badge-expired" }, t("posting.expired"));
}

/**
 * One posting in a list: its title (a link to its page), type, country, author, the search's
 * snippet (or the summary), and until when it is shown. `p` is a search item's card with the
 * title and id added, or a Posting.
 */
export function postingRow(p, { marks = null, names = vocabulary() } = {}) {
  const school = p.school;
  const country = p.country ?? school?.country;
  return h(
    "li",
    { class: "result-row posting-row", dataset: { id: p.id } },
    h(
      "div",
      { class: "result-main" },
      h("h3", { class: "result-title" }, h("a", { href: `#/postings/${p.id}` }, p.title)),
      h(
        "p",
        { class: "result-meta" },
        scopeBadge(p.scope),
        p.expired ? expiredBadge() : null,
        h(
          "span",
          {},
          [country ? names.country(country) : null, p.author ? t("posting.by", { name: p.author.display_name }) : null, school?.name]
            .filter(Boolean)
            .join(" · "),
        ),
      ),
      snippet(marks) || (p.summary ? h("p", { class: "snippet" }, p.summary) : null),
      p.visible_until ? h("p", { class: "muted small" }, t("posting.visible_until_date", { date: day(p.visible_until) })) : null,
    ),
  );
}

/** The Networking › Partner finding crumbs that lead to a posting. */
function crumbs(...rest) {
  return [[t("nav.networking"), "#/networking"], [t("networking.tab_partners"), "#/networking/partners"], ...rest];
}

function notFound(err) {
  return {
    title: t("nav.not_found"),
    crumbs: crumbs(),
    body: h("section", { class: "card" }, notice("error", errorText(err)), h("a", { href: "#/networking/partners" }, t("posting.back"))),
  };
}

// ---------------------------------------------------------------------------------------------
// A posting's page

export async function postingPage({ id }, app) {
  let posting;
  let lists;
  try {
    [posting, lists] = await Promise.all([api.get(`/api/postings/${encodeURIComponent(id)}`), catalog()]);
  } catch (err) {
    if (err.status !== 404 && err.status !== 400) throw err;
    return notFound(err);
  }
  const names = vocabulary(lists);
  const me = state.me;
  const status = h("div", { class: "messages", "aria-live": "polite" });
  const list = (codes, name) => (codes?.length ? codes.map(name).join(", ") : null);
  const row = (label, value) => (value ? [h("dt", {}, label), h("dd", {}, value)] : null);
  const school = posting.school;

  const remove = posting.mine
    ? h(
        "button",
        {
          type: "button",
          class: "button button-quiet",
          id: "delete-posting",
          onclick: (e) => {
            if (!confirm(t("posting.delete_confirm"))) return;
            busy(e.currentTarget, async () => {
              try {
                await api.del(`/api/postings/${posting.id}`);
                toast(t("posting.deleted_done"));
                app.navigate("#/networking/partners");
              } catch (err) {
                showError(status, err);
                status.firstChild?.focus();
              }
            });
          },
        },
        t("posting.delete"),
      )
    : null;

  const comments = commentSection(posting, me);
  const body = h(
    "div",
    { class: "stack networking" },
    h(
      "article",
      { class: "card posting", "aria-labelledby": "page-title" },
      status,
      h("p", { class: "posting-kind" }, scopeBadge(posting.scope), posting.expired ? expiredBadge() : null, h("span", { class: "muted" }, t("posting.kind"))),
      posting.expired && posting.mine ? notice("info", t("posting.expired_note")) : null,
      h(
        "div",
        { class: "posting-author" },
        avatar(posting.author, "md"),
        h(
          "div",
          {},
          h("p", {}, h("a", { href: `#/people/${posting.author.id}` }, posting.author.display_name)),
          school
            ? h("p", { class: "muted" }, h("a", { href: `#/schools/${school.id}` }, school.name), ` · ${school.city}, ${countryName(school.country)}`)
            : null,
        ),
      ),
      posting.summary ? h("p", { class: "lead posting-summary", id: "posting-summary" }, posting.summary) : null,
      posting.description ? h("div", { class: "posting-description", id: "posting-description" }, posting.description) : null,
      h(
        "dl",
        { class: "facts posting-facts" },
        row(t("posting.scope"), names.scope(posting.scope)),
        row(t("posting.languages"), list(posting.languages, names.language)),
        row(t("posting.subjects"), list(posting.subjects, names.subject)),
        row(t("posting.topics"), list(posting.topics, names.topic)),
        row(t("posting.key_competences"), list(posting.key_competences, names.competence)),
        row(t("posting.pupil_ages"), list(posting.pupil_ages, names.age)),
        row(t("posting.visible_until"), day(posting.visible_until)),
        row(t("posting.published_on"), h("time", { datetime: posting.created_at }, when(posting.created_at, lang()))),
        posting.updated_at && posting.updated_at !== posting.created_at
          ? row(t("posting.updated_on"), h("time", { datetime: posting.updated_at }, when(posting.updated_at, lang())))
          : null,
      ),
      h(
        "div",
        { class: "actions", id: "posting-actions" },
        posting.mine
          ? [h("a", { href: `#/postings/${posting.id}/edit`, class: "button", id: "edit-posting" }, t("posting.edit")), remove]
          : h("a", { href: `#/people/${posting.author.id}`, class: "button button-quiet" }, t("posting.contact_author", { name: posting.author.display_name })),
      ),
    ),
    comments.el,
  );
  await comments.load();
  return {
    title: posting.title,
    crumbs: crumbs([posting.title, null]),
    body,
    cleanup: comments.stop,
  };
}

/**
 * The post comments of a posting, oldest first and paged, with the form that adds one. A
 * `posting_comment` notification about this posting (I am its author) brings new ones live.
 */
function commentSection(posting, me) {
  const heading = h("h2", { id: "comments-title" }, t("posting.comments", { count: posting.comment_count ?? 0 }));
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const listEl = h("ol", { class: "comments", id: "comment-list" });
  const empty = h("p", { class: "muted", id: "no-comments", hidden: true }, t("posting.no_comments"));
  const more = h("button", { type: "button", class: "button button-quiet", hidden: true, onclick: (e) => busy(e.currentTarget, load) }, t("common.load_more"));
  const items = new Map(); // id → li
  let next = null;
  let loading = 0;
  let count = posting.comment_count ?? 0;

  const setCount = (n) => {
    count = Math.max(0, n);
    heading.textContent = t("posting.comments", { count });
    empty.hidden = items.size > 0 || Boolean(next);
  };

  function commentRow(c) {
    const canDelete = c.mine || posting.mine;
    return h(
      "li",
      { class: "comment", dataset: { id: c.id }, tabindex: "-1" },
      h(
        "div",
        { class: "comment-head" },
        personLine(c.author, h("p", { class: "muted small" }, h("time", { datetime: c.created_at }, when(c.created_at, lang())))),
        canDelete
          ? h(
              "button",
              {
                type: "button",
                class: "button button-quiet button-small",
                "aria-label": t("posting.delete_comment_named", { name: c.author.display_name }),
                onclick: (e) => {
                  if (!confirm(t("posting.delete_comment_confirm"))) return;
                  busy(e.currentTarget, async () => {
                    try {
                      await api.del(`/api/postings/${posting.id}/comments/${c.id}`);
                      drop(c.id);
                      setCount(count - 1);
                      showSuccess(message, t("posting.comment_deleted"));
                      message.firstChild?.focus();
                    } catch (err) {
                      showError(message, err);
                      message.firstChild?.focus();
                    }
                  });
                },
              },
              t("posting.delete_comment"),
            )
          : null,
      ),
      h("div", { class: "comment-body" }, c.body),
    );
  }

  function add(c) {
    if (items.has(c.id)) return;
    const li = commentRow(c);
    items.set(c.id, li);
    listEl.append(li);
    empty.hidden = true;
  }

  function drop(cid) {
    items.get(cid)?.remove();
    items.delete(cid);
    empty.hidden = items.size > 0 || Boolean(next);
  }

  async function load() {
    const mine = ++loading;
    try {
      const page = await api.get(`/api/postings/${posting.id}/comments${query({ after: next })}`);
      if (mine !== loading) return;
      page.items.forEach(add);
      next = page.next;
      more.hidden = !next;
      empty.hidden = items.size > 0 || Boolean(next);
    } catch (err) {
      if (mine === loading) showError(message, err);
    }
  }

  /** Reads the comments and their count again (a comment arrived, or a resync). */
  async function reload() {
    const mine = ++loading;
    try {
      const shown = items.size;
      const [fresh, page] = await Promise.all([api.get(`/api/postings/${posting.id}`), api.get(`/api/postings/${posting.id}/comments`)]);
      if (mine !== loading) return;
      const all = [...page.items];
      let last = page;
      // As many pages as were shown before, so nothing shown disappears.
      while (last.next && all.length <= shown) {
        last = await api.get(`/api/postings/${posting.id}/comments${query({ after: last.next })}`);
        if (mine !== loading) return;
        all.push(...last.items);
      }
      const seen = new Set(all.map((c) => c.id));
      for (const cid of [...items.keys()]) if (!seen.has(cid)) drop(cid);
      all.forEach(add);
      next = last.next;
      more.hidden = !next;
      setCount(fresh.comment_count ?? all.length);
    } catch {
      // keep what is shown; the next event tries again
    }
  }

  const stop = onLive((event) => {
    const n = event.kind === "notification" ? event.notification : null;
    if (n?.kind === "posting_comment" && Number(n.params?.posting) === posting.id) {
      reload();
    } else if (event.kind === "resync") reload();
  });

  let form = null;
  if (!me.roles?.etwinner) {
    form = notice("info", t("posting.comment_not_validated"));
  } else {
    const max = state.limits.comment_chars ?? 2000;
    const text = h("textarea", { name: "body", rows: 4, required: true, maxlength: max });
    const send = h("button", { type: "submit", class: "button", id: "add-comment" }, t("posting.add_comment"));
    form = h(
      "form",
      {
        class: "form comment-form",
        onsubmit: async (e) => {
          e.preventDefault();
          if (!text.value.trim()) {
            text.focus();
            return;
          }
          await busy(send, async () => {
            try {
              const c = await api.post(`/api/postings/${posting.id}/comments`, { body: text.value });
              text.value = "";
              // Oldest first: mine goes at the end, unless older pages are still to be shown.
              if (!next) add(c);
              setCount(count + 1);
              showSuccess(message, t("posting.comment_added"));
            } catch (err) {
              showError(message, err);
              message.firstChild?.focus();
            }
          });
        },
      },
      field(t("posting.comment_label"), text, t("common.max_chars", { max: formatNumber(max) })),
      h("div", { class: "actions" }, send),
    );
  }

  const el = h("section", { class: "card", "aria-labelledby": "comments-title", id: "comments" }, heading, message, empty, listEl, more, form);
  return { el, load, stop };
}

// ---------------------------------------------------------------------------------------------
// Publishing and editing

/** A list of choices; `required`: at least one must be ticked (said under the legend). */
function checkboxes(name, legend, options, chosen, required = false) {
  const hintId = `${name}-choices-hint`;
  return h(
    "fieldset",
    { class: "choices", id: `${name}-choices`, "aria-describedby": required ? hintId : null },
    h("legend", {}, legend),
    required ? h("p", { class: "hint", id: hintId }, t("posting.choose_one")) : null,
    h(
      "div",
      { class: "choice-grid" },
      options.map(([value, label]) =>
        h("label", { class: "choice" }, h("input", { type: "checkbox", name, value, checked: chosen.includes(value) }), label),
      ),
    ),
  );
}

function checked(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

/** The form of a posting: new (`posting` null) or the author's edit. */
async function postingForm(posting, app) {
  const me = state.me;
  const [lists, schools] = await Promise.all([catalog(), api.get(`/api/users/${me.id}/schools`)]);
  const names = vocabulary(lists);
  const back = posting ? `#/postings/${posting.id}` : "#/networking/partners";
  const cancel = h("a", { href: back, class: "button button-quiet" }, t("common.cancel"));
  if (!me.roles?.etwinner) {
    return h("section", { class: "card" }, notice("info", t("posting.not_validated")), h("div", { class: "actions" }, cancel));
  }
  const options = schools.map((s) => [String(s.id), `${s.name} · ${s.city}, ${countryName(s.country)}`]);
  if (posting?.school && !schools.some((s) => s.id === posting.school.id)) {
    options.push([String(posting.school.id), `${posting.school.name} · ${posting.school.city}, ${countryName(posting.school.country)}`]);
  }
  if (options.length === 0) {
    return h(
      "section",
      { class: "card" },
      notice("info", t("posting.no_school")),
      h("div", { class: "actions" }, h("a", { href: "#/schools", class: "button" }, t("schools.manage")), cancel),
    );
  }

  const limits = state.limits;
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const byName = (a, b) => a[1].localeCompare(b[1], lang());
  const scopeChoice = h(
    "fieldset",
    { class: "choices scope-choice" },
    h("legend", {}, t("posting.scope")),
    SCOPES.map((s) =>
      h(
        "label",
        { class: "choice choice-described" },
        h("input", { type: "radio", name: "scope", value: s, required: true, checked: (posting?.scope ?? "european") === s }),
        h("span", {}, h("span", { class: "choice-title" }, t(`posting.scope_${s}`)), h("span", { class: "hint" }, t(`posting.scope_${s}_hint`))),
      ),
    ),
  );
  const school = select("school_id", options, String(posting?.school?.id ?? options[0][0]), { required: true });
  const title = h("input", { name: "title", required: true, maxlength: limits.posting_title_chars, value: posting?.title ?? "" });
  const summary = h("textarea", { name: "summary", rows: 3, required: true, maxlength: limits.posting_summary_chars }, posting?.summary ?? "");
  const description = h("textarea", { name: "description", rows: 8, required: true, maxlength: limits.posting_description_chars }, posting?.description ?? "");
  const maxDays = Number(limits.posting_visible_days_max ?? 366);
  const lastDay = utcDay(maxDays);
  const until = h("input", {
    type: "date",
    name: "visible_until",
    required: true,
    min: utcDay(0),
    max: lastDay,
    value: posting?.visible_until ?? utcDay(Math.min(maxDays, 90)),
  });
  const submit = h("button", { type: "submit", class: "button", id: "publish-posting" }, posting ? t("common.save") : t("posting.publish"));
  const chars = (n) => t("common.max_chars", { max: formatNumber(n) });
  const maxItems = limits.posting_list_items_max;

  const form = h(
    "form",
    {
      class: "card form posting-form",
      onsubmit: async (e) => {
        e.preventDefault();
        // The lists that need a choice: said before sending, and the first box focused.
        for (const [name, legend] of [["languages", "posting.languages"], ["subjects", "posting.subjects"], ["pupil_ages", "posting.pupil_ages"]]) {
          if (checked(form, name).length === 0) {
            message.replaceChildren(notice("error", t("posting.need_choice", { list: t(legend) })));
            form.querySelector(`input[name="${name}"]`)?.focus();
            return;
          }
        }
        const body = {
          scope: form.querySelector('input[name="scope"]:checked')?.value,
          school_id: Number(school.value),
          title: title.value,
          summary: summary.value,
          description: description.value,
          languages: checked(form, "languages"),
          subjects: checked(form, "subjects"),
          topics: checked(form, "topics"),
          key_competences: checked(form, "key_competences"),
          pupil_ages: checked(form, "pupil_ages"),
          visible_until: until.value,
        };
        await busy(submit, async () => {
          try {
            const saved = posting ? await api.patch(`/api/postings/${posting.id}`, body) : await api.post("/api/postings", body);
            toast(posting ? t("posting.saved_done") : t("posting.published_done"));
            app.navigate(`#/postings/${saved?.id ?? posting.id}`);
          } catch (err) {
            showError(message, err);
            message.firstChild?.focus();
          }
        });
      },
    },
    posting ? null : h("p", { class: "hint" }, t("posting.form_intro")),
    message,
    scopeChoice,
    field(t("posting.school"), school, t("posting.school_hint")),
    field(t("posting.title"), title, chars(limits.posting_title_chars ?? 200)),
    field(t("posting.summary"), summary, chars(limits.posting_summary_chars ?? 500)),
    field(t("posting.description"), description, chars(limits.posting_description_chars ?? 5000)),
    maxItems ? h("p", { class: "hint" }, t("posting.lists_hint", { max: formatNumber(maxItems) })) : null,
    checkboxes("languages", t("posting.languages"), lists.languages.map((l) => [l.code, languageName(l.code)]).sort(byName), posting?.languages ?? [], true),
    checkboxes("subjects", t("posting.subjects"), lists.subjects.map((s) => [s.code, subjectName(s.code)]).sort(byName), posting?.subjects ?? [], true),
    checkboxes("topics", t("posting.topics"), (lists.topics ?? []).map((x) => [x.code, names.topic(x.code)]).sort(byName), posting?.topics ?? []),
    checkboxes("key_competences", t("posting.key_competences"), (lists.key_competences ?? []).map((x) => [x.code, names.competence(x.code)]).sort(byName), posting?.key_competences ?? []),
    checkboxes("pupil_ages", t("posting.pupil_ages"), (lists.pupil_ages ?? []).map((x) => [x.code, names.age(x.code)]), posting?.pupil_ages ?? [], true),
    field(t("posting.visible_until"), until, t("posting.visible_until_hint", { date: day(lastDay) })),
    h("div", { class: "actions" }, submit, cancel),
  );
  return form;
}

export async function newPostingPage(_params, app) {
  const body = await postingForm(null, app);
  return { title: t("posting.new_title"), crumbs: crumbs([t("posting.new_title"), null]), body };
}

export async function editPostingPage({ id }, app) {
  let posting;
  try {
    posting = await api.get(`/api/postings/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status !== 404 && err.status !== 400) throw err;
    return notFound(err);
  }
  if (!posting.mine) {
    app.navigate(`#/postings/${posting.id}`);
    return { title: "", body: h("div") };
  }
  const body = await postingForm(posting, app);
  return {
    title: t("posting.edit_title"),
    crumbs: crumbs([posting.title, `#/postings/${posting.id}`], [t("posting.edit_title"), null]),
    body,
  };
}
