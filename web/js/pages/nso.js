// For NSO officers (R1): the members of their country waiting for validation, with
// validate and refuse; the validated and refused lists, where a decision can be changed.

import { h, mount, when } from "../dom.js";
import { t, lang, countryName } from "../i18n.js";
import { api, query } from "../api.js";
import { state } from "../state.js";
import { avatar, busy, showError, showSuccess, notice } from "../ui.js";

const TABS = ["pending", "validated", "refused"];

export async function nsoPage() {
  const me = state.me;
  if (!me.roles?.nso_officer) {
    return { title: t("nav.nso"), crumbs: [[t("nav.nso"), null]], body: notice("error", t("nso.not_officer")) };
  }
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const list = h("ul", { class: "rows", id: "nso-members" });
  const more = h("button", { type: "button", class: "button button-quiet", hidden: true }, t("common.load_more"));
  let status = "pending";
  let next = null;
  let loading = 0; // the latest list request; answers to older ones are dropped

  const act = (button, work, done) =>
    busy(button, async () => {
      try {
        await work();
        showSuccess(message, done);
        button.closest("li")?.remove();
        empty.hidden = list.children.length > 0;
        // The row (and the focused button) is gone: the outcome takes the focus.
        message.firstChild?.focus();
      } catch (err) {
        showError(message, err);
      }
    });

  function refuseForm(member) {
    const reason = h("textarea", { rows: 2, maxlength: state.limits.refusal_reason_chars });
    const send = h("button", { type: "submit", class: "button button-danger" }, t("nso.refuse_confirm"));
    return h(
      "form",
      {
        class: "refuse-form",
        onsubmit: (e) => {
          e.preventDefault();
          act(send, () => api.put(`/api/nso/members/${member.id}/refusal`, { reason: reason.value.trim() }), t("nso.refused_done", { name: member.display_name }));
        },
      },
      h("label", {}, t("nso.reason"), reason),
      send,
    );
  }

  function row(member, shown) {
    const li = h("li", { class: "row", dataset: { member: member.id } });
    const validate = h(
      "button",
      {
        type: "button",
        class: "button",
        onclick: (e) =>
          act(e.currentTarget, () => api.put(`/api/nso/members/${member.id}/validation`), t("nso.validated_done", { name: member.display_name })),
      },
      t("nso.validate"),
    );
    const refuse = h(
      "button",
      {
        type: "button",
        class: "button button-quiet",
        onclick: (e) => {
          const form = refuseForm(member);
          e.currentTarget.replaceWith(form);
          form.querySelector("textarea").focus();
        },
      },
      t("nso.refuse"),
    );
    const withdraw = h(
      "button",
      {
        type: "button",
        class: "button button-quiet",
        onclick: (e) =>
          act(e.currentTarget, () => api.del(`/api/nso/members/${member.id}/validation`), t("nso.withdrawn_done", { name: member.display_name })),
      },
      t("nso.withdraw"),
    );
    const actions = { pending: [validate, refuse], validated: [withdraw], refused: [validate] }[shown];
    mount(
      li,
      h(
        "div",
        { class: "person-line" },
        avatar(member, "sm"),
        h(
          "div",
          {},
          h("a", { href: `#/people/${member.id}` }, member.display_name),
          h("p", { class: "muted" }, t("nso.registered", { date: when(member.member_since, lang()) })),
        ),
      ),
      h("div", { class: "actions" }, actions),
    );
    return li;
  }

  async function load() {
    const mine = ++loading;
    const shown = status;
    try {
      const page = await api.get(`/api/nso/members${query({ status: shown, after: next })}`);
      if (mine !== loading) return;
      page.items.forEach((m) => list.append(row(m, shown)));
      next = page.next;
      more.hidden = !next;
      empty.hidden = list.children.length > 0;
    } catch (err) {
      if (mine === loading) showError(message, err);
    }
  }
  more.addEventListener("click", (e) => busy(e.currentTarget, load));
  const empty = h("p", { class: "muted" }, t("nso.none"));

  // Plain toggle buttons (aria-pressed): three filters of one list, not a tab widget.
  const tabs = h(
    "div",
    { class: "tabs", role: "group", "aria-label": t("nso.filter") },
    TABS.map((name) =>
      h(
        "button",
        {
          type: "button",
          id: `tab-${name}`,
          "aria-pressed": name === status ? "true" : "false",
          onclick: async (e) => {
            status = name;
            next = null;
            list.replaceChildren();
            message.replaceChildren();
            more.hidden = true;
            for (const b of tabs.children) b.setAttribute("aria-pressed", String(b === e.currentTarget));
            await load();
          },
        },
        t(`nso.tab_${name}`),
      ),
    ),
  );
  await load();
  const body = h(
    "section",
    { class: "card" },
    h("p", {}, t("nso.intro", { country: countryName(me.roles.nso_officer) })),
    tabs,
    message,
    empty,
    list,
    more,
  );
  return { title: t("nav.nso"), crumbs: [[t("nav.nso"), null]], body };
}
