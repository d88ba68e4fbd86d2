// My schools (R13): the schools on my profile, leaving one, finding a school to add, and
// registering a school that is not in Twinhub yet.

import { h, field, select, mount, when } from "../dom.js";
import { t, lang, countryName } from "../i18n.js";
import { api, query } from "../api.js";
import { state } from "../state.js";
import { catalog } from "../catalog.js";
import { busy, showError, notice, errorText, avatar, toast } from "../ui.js";

function schoolLine(s, action) {
  return h(
    "li",
    { class: "row" },
    h("div", {}, h("a", { href: `#/schools/${s.id}` }, s.name), h("p", { class: "muted" }, `${s.city}, ${countryName(s.country)}`)),
    action,
  );
}

export async function schoolsPage(_params, app) {
  const me = state.me;
  const lists = await catalog();
  const mine = await api.get(`/api/users/${me.id}/schools`);
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const redraw = () => app.render();

  const leave = (s) =>
    h(
      "button",
      {
        type: "button",
        class: "button button-quiet",
        "aria-label": t("schools.leave_named", { name: s.name }),
        onclick: async (e) => {
          if (!confirm(t("schools.leave_confirm", { name: s.name }))) return;
          await busy(e.currentTarget, async () => {
            try {
              await api.del(`/api/users/${me.id}/schools/${s.id}`);
              toast(t("schools.left", { name: s.name }));
              redraw();
            } catch (err) {
              showError(message, err);
            }
          });
        },
      },
      t("schools.leave"),
    );

  const join = async (s, button) =>
    busy(button, async () => {
      try {
        await api.post(`/api/users/${me.id}/schools`, { school_id: s.id });
        toast(t("schools.added", { name: s.name }));
        redraw();
      } catch (err) {
        showError(message, err);
      }
    });

  // Finding a school.
  const countries = lists.countries.map((c) => [c.code, countryName(c.code)]).sort((a, b) => a[1].localeCompare(b[1], lang()));
  const q = h("input", { type: "search", name: "q", maxlength: state.limits.query_chars });
  const country = select("country", [["", t("schools.any_country")], ...countries], me.country || "");
  const results = h("div", { "aria-live": "polite" });
  const findButton = h("button", { type: "submit", class: "button" }, t("schools.find_button"));
  const mineIds = new Set(mine.map((s) => s.id));
  const find = h(
    "form",
    {
      class: "form inline-form",
      role: "search",
      onsubmit: async (e) => {
        e.preventDefault();
        await busy(findButton, async () => {
          try {
            const page = await api.get(`/api/schools${query({ q: q.value.trim(), country: country.value })}`);
            if (page.items.length === 0) return mount(results, notice("info", t("schools.no_results")));
            mount(
              results,
              h(
                "ul",
                { class: "rows" },
                page.items.map((s) => {
                  const b = h("button", { type: "button", class: "button", onclick: (ev) => join(s, ev.currentTarget) }, t("schools.add"));
                  return schoolLine(s, mineIds.has(s.id) ? h("span", { class: "badge" }, t("schools.already")) : b);
                }),
              ),
            );
          } catch (err) {
            showError(results, err);
          }
        });
      },
    },
    field(t("schools.search_words"), q),
    field(t("profile.country"), country),
    findButton,
  );

  // Registering a new school.
  const newName = h("input", { name: "name", required: true, maxlength: state.limits.school_name_chars });
  const newCity = h("input", { name: "city", required: true, maxlength: state.limits.city_chars });
  const newCountry = select("country", me.country ? countries : [["", t("auth.choose_country")], ...countries], me.country || "", {
    required: true,
  });
  const createButton = h("button", { type: "submit", class: "button" }, t("schools.create_button"));
  const create = h(
    "form",
    {
      class: "form",
      onsubmit: async (e) => {
        e.preventDefault();
        await busy(createButton, async () => {
          try {
            const school = await api.post("/api/schools", { name: newName.value, city: newCity.value, country: newCountry.value });
            await api.post(`/api/users/${me.id}/schools`, { school_id: school.id });
            toast(t("schools.added", { name: school.name }));
            redraw();
          } catch (err) {
            showError(message, err);
          }
        });
      },
    },
    field(t("schools.name"), newName),
    field(t("schools.city"), newCity),
    field(t("profile.country"), newCountry),
    createButton,
  );

  const body = h(
    "div",
    { class: "stack" },
    message,
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("schools.mine")),
      mine.length ? h("ul", { class: "rows", id: "my-schools" }, mine.map((s) => schoolLine(s, leave(s)))) : h("p", { class: "muted" }, t("schools.none")),
    ),
    h("section", { class: "card" }, h("h2", {}, t("schools.find_title")), find, results),
    h("section", { class: "card" }, h("h2", {}, t("schools.create_title")), h("p", { class: "hint" }, t("schools.create_hint")), create),
  );
  return { title: t("nav.schools"), crumbs: [[t("nav.schools"), null]], body };
}

export async function schoolPage({ id }) {
  let school;
  try {
    school = await api.get(`/api/schools/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status !== 404 && err.status !== 400) throw err;
    return { title: t("nav.not_found"), body: notice("error", errorText(err)) };
  }
  const body = h(
    "section",
    { class: "card" },
    h("p", {}, `${school.city}, ${countryName(school.country)}`),
    h("p", { class: "muted" }, t("schools.registered_at", { date: when(school.registered_at, lang()) })),
    h("h2", {}, t("schools.teachers")),
    school.teachers.length
      ? h(
          "ul",
          { class: "rows" },
          school.teachers.map((p) => h("li", { class: "row" }, h("a", { href: `#/people/${p.id}`, class: "person" }, avatar(p, "sm"), p.display_name))),
        )
      : h("p", { class: "muted" }, t("schools.no_teachers")),
  );
  return {
    title: school.name,
    crumbs: [
      [t("nav.schools"), "#/schools"],
      [school.name, null],
    ],
    body,
  };
}
