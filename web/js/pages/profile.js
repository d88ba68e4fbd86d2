// My profile (view, edit, picture, "available for eTwinning projects") and other members'
// profiles. Everything a member typed is shown as text.

import { h, field, select, when } from "../dom.js";
import { t, lang, countryName, languageName, subjectName } from "../i18n.js";
import { api } from "../api.js";
import { state } from "../state.js";
import { catalog } from "../catalog.js";
import { avatar, busy, showError, roleBadges, notice, errorText, toast } from "../ui.js";

const MEMBER_TYPES = [
  "teacher",
  "head_teacher",
  "librarian",
  "counsellor",
  "pedagogical_advisor",
  "ict_coordinator",
  "teacher_trainer",
  "other",
];

function facts(profile) {
  const row = (label, value) => (value ? [h("dt", {}, label), h("dd", {}, value)] : null);
  return h(
    "dl",
    { class: "facts" },
    row(t("profile.member_type"), t(`member_type.${profile.member_type}`)),
    row(t("profile.country"), countryName(profile.country)),
    row(t("profile.languages"), profile.languages.map(languageName).join(", ")),
    row(t("profile.subjects"), profile.subjects.map(subjectName).join(", ")),
    row(t("profile.member_since"), when(profile.member_since, lang())),
  );
}

function schoolList(schools) {
  if (schools.length === 0) return h("p", { class: "muted" }, t("schools.none"));
  return h(
    "ul",
    { class: "plain-list" },
    schools.map((s) => h("li", {}, h("a", { href: `#/schools/${s.id}` }, s.name), ` · ${s.city}, ${countryName(s.country)}`)),
  );
}

function profileHeader(profile, extra) {
  return h(
    "div",
    { class: "profile-head" },
    avatar(profile, "lg"),
    h(
      "div",
      {},
      h("p", { class: "profile-name" }, profile.display_name),
      h("p", { class: "badges" }, roleBadges(profile)),
      profile.available_for_projects ? h("p", { class: "badge badge-ok" }, t("profile.available")) : null,
    ),
    extra,
  );
}

/** Where my registration stands with my NSO. */
export function validationStatus(me) {
  if (me.validation) return notice("success", t("profile.validated", { date: when(me.validation.at, lang()) }));
  if (me.refusal) {
    return h(
      "div",
      { class: "notice notice-error", role: "status" },
      h("p", {}, t("profile.refused")),
      me.refusal.reason ? h("p", { class: "quote" }, me.refusal.reason) : null,
    );
  }
  if (me.roles?.nso_officer || me.roles?.admin) return null;
  return notice("info", me.country ? t("profile.pending") : t("profile.pending_no_country"));
}

function pictureForm(me, onChanged) {
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const input = h("input", {
    type: "file",
    accept: "image/png,image/jpeg,image/gif,image/webp",
    id: "picture-input",
    onchange: async () => {
      const file = input.files[0];
      if (!file) return;
      try {
        await api.upload(`/api/users/${me.id}/picture`, file);
        await onChanged();
      } catch (err) {
        showError(message, err);
      }
    },
  });
  const remove = me.picture_url
    ? h(
        "button",
        {
          type: "button",
          class: "button button-quiet",
          onclick: async () => {
            try {
              await api.del(`/api/users/${me.id}/picture`);
              await onChanged();
            } catch (err) {
              showError(message, err);
            }
          },
        },
        t("profile.remove_picture"),
      )
    : null;
  const maxMb = state.limits.picture_bytes ? (state.limits.picture_bytes / 1048576).toFixed(0) : "2";
  return h(
    "div",
    { class: "picture-form" },
    field(t("profile.change_picture"), input, t("profile.picture_hint", { mb: maxMb })),
    remove,
    message,
  );
}

export async function ownProfilePage(_params, app) {
  const me = await api.get("/api/me").then((r) => r.user);
  state.me = me;
  const schools = await api.get(`/api/users/${me.id}/schools`);
  const refresh = async () => {
    await app.refreshMe();
    app.render();
  };
  const body = h(
    "div",
    { class: "stack" },
    validationStatus(me),
    h(
      "section",
      { class: "card" },
      profileHeader(me, h("a", { href: "#/profile/edit", class: "button", id: "edit-profile" }, t("profile.edit"))),
      facts(me),
      me.bio ? h("p", { class: "bio" }, me.bio) : null,
      h("p", { class: "muted" }, t("profile.email_private", { email: me.email })),
      pictureForm(me, refresh),
    ),
    h("section", { class: "card" }, h("h2", {}, t("nav.schools")), schoolList(schools), h("a", { href: "#/schools" }, t("schools.manage"))),
  );
  return { title: t("nav.profile"), crumbs: [[t("nav.profile"), null]], body };
}

function checkboxes(name, legend, options, chosen) {
  return h(
    "fieldset",
    { class: "choices" },
    h("legend", {}, legend),
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

export async function editProfilePage(_params, app) {
  const lists = await catalog();
  const me = (await api.get("/api/me")).user;
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const byName = (a, b) => a[1].localeCompare(b[1], lang());
  const name = h("input", { name: "display_name", value: me.display_name, required: true, maxlength: state.limits.display_name_chars });
  // No country yet: the member must pick one; nothing is chosen for them.
  const countries = lists.countries.map((c) => [c.code, countryName(c.code)]).sort(byName);
  const country = select("country", me.country ? countries : [["", t("auth.choose_country")], ...countries], me.country || "", {
    required: !me.country,
  });
  const memberType = select("member_type", MEMBER_TYPES.map((m) => [m, t(`member_type.${m}`)]), me.member_type);
  const bio = h("textarea", { name: "bio", rows: 5, maxlength: state.limits.bio_chars }, me.bio);
  const available = h("input", { type: "checkbox", name: "available_for_projects", checked: me.available_for_projects });
  const submit = h("button", { type: "submit", class: "button" }, t("common.save"));
  const form = h(
    "form",
    {
      class: "card form",
      onsubmit: async (e) => {
        e.preventDefault();
        if (country.value !== me.country && me.validation && !confirm(t("profile.country_change_warning"))) return;
        await busy(submit, async () => {
          try {
            await api.patch(`/api/users/${me.id}/profile`, {
              display_name: name.value,
              country: country.value || null,
              member_type: memberType.value,
              bio: bio.value,
              available_for_projects: available.checked,
              languages: checked(form, "languages"),
              subjects: checked(form, "subjects"),
            });
            await app.refreshMe();
            toast(t("profile.saved"));
            app.navigate("#/profile");
          } catch (err) {
            showError(message, err);
          }
        });
      },
    },
    message,
    field(t("profile.display_name"), name),
    field(t("profile.country"), country, t("profile.country_hint")),
    field(t("profile.member_type"), memberType),
    checkboxes("languages", t("profile.languages"), lists.languages.map((l) => [l.code, languageName(l.code)]).sort(byName), me.languages),
    checkboxes("subjects", t("profile.subjects"), lists.subjects.map((s) => [s.code, subjectName(s.code)]).sort(byName), me.subjects),
    field(t("profile.bio"), bio, t("profile.bio_hint", { max: state.limits.bio_chars ?? 2000 })),
    h("label", { class: "choice toggle" }, available, t("profile.available_label")),
    h("p", { class: "hint" }, t("profile.available_hint")),
    h("div", { class: "actions" }, submit, h("a", { href: "#/profile", class: "button button-quiet" }, t("common.cancel"))),
  );
  return {
    title: t("profile.edit"),
    crumbs: [
      [t("nav.profile"), "#/profile"],
      [t("profile.edit"), null],
    ],
    body: form,
  };
}

export async function memberPage({ id }, app) {
  if (state.me && String(state.me.id) === id) {
    app.navigate("#/profile");
    return { title: "", body: h("div") };
  }
  let profile;
  try {
    profile = await api.get(`/api/users/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status !== 404 && err.status !== 400) throw err;
    return { title: t("nav.not_found"), body: notice("error", errorText(err)) };
  }
  const schools = await api.get(`/api/users/${profile.id}/schools`);
  const soon = (label) =>
    h("button", { type: "button", class: "button", disabled: true, title: t("common.coming_soon") }, label, " ", h("span", { class: "badge badge-soon" }, t("common.coming_soon")));
  const body = h(
    "div",
    { class: "stack" },
    h(
      "section",
      { class: "card" },
      profileHeader(profile, h("div", { class: "actions" }, soon(t("profile.add_contact")), soon(t("profile.more_options")))),
      facts(profile),
      profile.bio ? h("p", { class: "bio" }, profile.bio) : null,
    ),
    h("section", { class: "card" }, h("h2", {}, t("profile.schools_of", { name: profile.display_name })), schoolList(schools)),
  );
  return {
    title: profile.display_name,
    crumbs: [
      [t("nav.networking"), "#/networking"],
      [profile.display_name, null],
    ],
    body,
  };
}
