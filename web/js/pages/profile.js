// My profile (view, edit, picture, "available for eTwinning projects") and other members'
// profiles. Everything a member typed is shown as text.

import { h, field, select, when } from "../dom.js";
import { t, lang, countryName, languageName, subjectName, formatNumber } from "../i18n.js";
import { api } from "../api.js";
import { state, onLive } from "../state.js";
import { catalog } from "../catalog.js";
import { avatar, busy, showError, showSuccess, roleBadges, notice, errorText, toast } from "../ui.js";

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

/**
 * Where I stand with a member, and what I can do about it (R1, R2): add them, cancel my
 * request, accept or decline theirs, remove them. `relation` is the server's
 * {state, blocked}; `me`/`them` are the two profiles (only validated eTwinners add contacts).
 */
function contactPanel({ me, them, relation, act }) {
  const name = them.display_name;
  const say = (text, extra = null) => h("p", { class: "contact-status", id: "contact-status", tabindex: "-1" }, text, extra);
  const button = (label, onclick, quiet) =>
    h("button", { type: "button", class: quiet ? "button button-quiet" : "button", onclick }, label);
  if (relation.blocked) return [say(t("profile.blocked_note", { name }))];
  switch (relation.state) {
    case "request_sent":
      return [
        say(t("profile.request_sent")),
        button(t("contacts.cancel_request"), (e) => act(e.currentTarget, () => api.del(`/api/contacts/requests/${them.id}`), t("contacts.cancelled_done", { name })), true),
      ];
    case "request_received":
      return [
        say(t("profile.request_received", { name })),
        button(t("contacts.accept"), (e) => act(e.currentTarget, () => api.post(`/api/contacts/requests/${them.id}/accept`))),
        button(t("contacts.decline"), (e) => act(e.currentTarget, () => api.post(`/api/contacts/requests/${them.id}/decline`), t("contacts.declined_done", { name })), true),
      ];
    case "contact":
      return [
        say(t("profile.is_contact", { name })),
        h("a", { href: `#/mailbox/new?to=${them.id}`, class: "button" }, t("contacts.write")),
        button(
          t("profile.remove_contact"),
          (e) => {
            if (!confirm(t("profile.remove_contact_confirm", { name }))) return;
            act(e.currentTarget, () => api.del(`/api/contacts/${them.id}`), t("contacts.removed_done", { name }));
          },
          true,
        ),
      ];
    default:
      // Known refusals are said before a click; the server still decides (and says why).
      if (!me.roles?.etwinner) return [h("p", { class: "hint" }, t("profile.you_not_validated"))];
      if (!them.roles?.etwinner) return [h("p", { class: "hint" }, t("profile.they_not_validated", { name }))];
      return [
        button(t("profile.add_contact"), (e) =>
          act(e.currentTarget, () => api.post("/api/contacts/requests", { user_id: them.id })),
        ),
      ];
  }
}

/** "Send a message" (R3): to their mailbox when we are contacts, else to their private e-mail. */
function messageForm({ them, relation, onClose }) {
  const name = them.display_name;
  const result = h("div", { class: "messages", "aria-live": "polite" });
  const subject = h("input", { name: "subject", required: true, maxlength: state.limits.mail_subject_chars });
  const body = h("textarea", { name: "body", rows: 6, required: true, maxlength: state.limits.mail_body_chars });
  const send = h("button", { type: "submit", class: "button" }, t("mailbox.send"));
  const cancel = h("button", { type: "button", class: "button button-quiet", onclick: () => onClose(true) }, t("common.cancel"));
  const form = h(
    "form",
    {
      class: "form send-form",
      id: "send-message-form",
      "aria-labelledby": "send-message-title",
      onsubmit: async (e) => {
        e.preventDefault();
        await busy(send, async () => {
          try {
            const answer = await api.post(`/api/users/${them.id}/message`, { subject: subject.value, body: body.value });
            const done = answer?.delivered === "email" ? t("profile.message_sent_email", { name }) : t("profile.message_sent_mailbox", { name });
            const outcome = notice("success", done);
            form.replaceWith(h("div", { class: "send-form", id: "send-message-done" }, outcome, h("button", { type: "button", class: "button button-quiet", onclick: () => onClose(true) }, t("profile.close"))));
            outcome.focus();
          } catch (err) {
            showError(result, err);
            result.firstChild?.focus();
          }
        });
      },
    },
    h("h2", { id: "send-message-title" }, t("profile.message_title", { name })),
    h("p", { class: "hint" }, relation.state === "contact" ? t("profile.message_hint_contact", { name }) : t("profile.message_hint_email", { name })),
    result,
    field(t("mailbox.subject"), subject, t("common.max_chars", { max: formatNumber(state.limits.mail_subject_chars ?? 200) })),
    field(t("mailbox.body"), body, t("common.max_chars", { max: formatNumber(state.limits.mail_body_chars ?? 20000) })),
    h("div", { class: "actions" }, send, cancel),
  );
  return { el: form, focus: () => subject.focus() };
}

export async function memberPage({ id }, app) {
  if (state.me && String(state.me.id) === id) {
    app.navigate("#/profile");
    return { title: "", body: h("div") };
  }
  // Listening starts before the relation is fetched: a `contact` event for this member that
  // races the fetch is applied after it.
  let pending = [];
  let apply = null;
  const stop = onLive((event) => (pending ? pending.push(event) : apply(event)));
  let profile;
  let schools;
  let relation;
  try {
    profile = await api.get(`/api/users/${encodeURIComponent(id)}`);
    [schools, relation] = await Promise.all([api.get(`/api/users/${profile.id}/schools`), api.get(`/api/contacts/${profile.id}/state`)]);
  } catch (err) {
    stop();
    if (err.status !== 404 && err.status !== 400) throw err;
    return { title: t("nav.not_found"), body: notice("error", errorText(err)) };
  }
  const me = state.me;
  const name = profile.display_name;
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const panel = h("div", { class: "actions contact-panel", id: "contact-panel", "aria-live": "polite" });
  const formSlot = h("div", { id: "send-message-slot" });
  const menuList = h("ul", { class: "menu-list" });
  const menu = h(
    "details",
    { class: "menu menu-actions", id: "more-options" },
    h("summary", { class: "button button-quiet" }, t("profile.more_options")),
    menuList,
  );

  /** Runs an action; the answer's state (or the reload after it) redraws; focus stays near. */
  const act = (button, work, done) =>
    busy(button, async () => {
      try {
        const answer = await work();
        if (answer?.state) relation = { ...relation, state: answer.state };
        if (done) showSuccess(message, done);
        else message.replaceChildren();
        draw(true);
      } catch (err) {
        showError(message, err);
        message.firstChild?.focus();
      }
    });

  function closeForm(focusMenu) {
    formSlot.replaceChildren();
    if (focusMenu) menu.querySelector("summary").focus();
  }

  function openForm() {
    menu.open = false;
    const form = messageForm({ them: profile, relation, onClose: closeForm });
    formSlot.replaceChildren(form.el);
    form.focus();
  }

  const block = () => {
    menu.open = false;
    if (!confirm(t("profile.block_confirm", { name }))) return;
    act(menu.querySelector("summary"), async () => {
      await api.put(`/api/blocks/${profile.id}`);
      relation = { state: "none", blocked: true };
    }, t("profile.blocked_done", { name }));
  };
  const unblock = () => {
    menu.open = false;
    act(menu.querySelector("summary"), async () => {
      await api.del(`/api/blocks/${profile.id}`);
      relation = { ...relation, blocked: false };
    }, t("profile.unblocked_done", { name }));
  };

  /** Redraws the contact actions and the menu; with `focus`, the outcome takes the focus. */
  function draw(focus = false) {
    const hadFocus = panel.contains(document.activeElement);
    panel.replaceChildren(...contactPanel({ me, them: profile, relation, act }));
    menuList.replaceChildren(
      h("li", {}, h("button", { type: "button", id: "send-message-open", onclick: openForm }, t("profile.send_message"))),
      h(
        "li",
        {},
        relation.blocked
          ? h("button", { type: "button", id: "unblock", onclick: unblock }, t("profile.unblock"))
          : h("button", { type: "button", id: "block", onclick: block }, t("profile.block")),
      ),
    );
    if (focus || hadFocus) {
      const target = message.querySelector(".notice") || panel.querySelector("#contact-status, button, a");
      target?.focus();
    }
  }

  // The server's word on where we stand: the latest answer wins (events can outrun answers).
  let asked = 0;
  async function refresh() {
    const mine = ++asked;
    try {
      const fresh = await api.get(`/api/contacts/${profile.id}/state`);
      if (mine === asked) {
        relation = fresh;
        draw();
      }
    } catch {
      // keep what is shown; the next event tries again
    }
  }
  apply = (event) => {
    if (event.kind === "contact" && event.user === profile.id) {
      relation = { ...relation, state: event.state };
      draw();
      refresh(); // and whether I blocked them (a block on another tab ends ties, privately)
    } else if (event.kind === "resync") refresh();
  };
  draw();
  const early = pending;
  pending = null;
  early.forEach(apply);

  const body = h(
    "div",
    { class: "stack" },
    h(
      "section",
      { class: "card" },
      profileHeader(profile, h("div", { class: "actions profile-actions" }, panel, menu)),
      message,
      formSlot,
      facts(profile),
      profile.bio ? h("p", { class: "bio" }, profile.bio) : null,
    ),
    h("section", { class: "card" }, h("h2", {}, t("profile.schools_of", { name })), schoolList(schools)),
  );
  return {
    title: name,
    crumbs: [
      [t("nav.networking"), "#/networking"],
      [name, null],
    ],
    body,
    cleanup: stop,
  };
}
