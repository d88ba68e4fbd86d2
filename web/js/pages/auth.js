// Register, log in. Logging out is in the top bar's profile menu.

import { h, field, select } from "../dom.js";
import { t, countryName } from "../i18n.js";
import { api } from "../api.js";
import { busy, showError } from "../ui.js";
import { catalog } from "../catalog.js";
import { state } from "../state.js";

async function logIn(email, password) {
  return api.post("/api/auth/login", { email, password });
}

export async function loginPage(_params, app) {
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", class: "button" }, t("auth.login_button"));
  const form = h(
    "form",
    {
      class: "card form narrow",
      novalidate: false,
      onsubmit: async (e) => {
        e.preventDefault();
        await busy(submit, async () => {
          try {
            await app.loggedIn(await logIn(email.value, password.value));
          } catch (err) {
            showError(message, err);
          }
        });
      },
    },
    message,
    field(t("auth.email"), email),
    field(t("auth.password"), password),
    submit,
    h("p", {}, t("auth.no_account"), " ", h("a", { href: "#/register" }, t("nav.register"))),
  );
  return { title: t("auth.login_title"), body: form };
}

export async function registerPage(_params, app) {
  const lists = await catalog();
  const message = h("div", { class: "messages", "aria-live": "polite" });
  const name = h("input", { name: "display_name", autocomplete: "name", required: true, maxlength: 80 });
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true });
  const password = h("input", {
    type: "password",
    name: "password",
    autocomplete: "new-password",
    required: true,
    minlength: state.limits.password_min_chars,
  });
  const countries = lists.countries
    .map((c) => [c.code, countryName(c.code)])
    .sort((a, b) => a[1].localeCompare(b[1]));
  const country = select("country", [["", t("auth.choose_country")], ...countries], "", { required: true });
  const submit = h("button", { type: "submit", class: "button" }, t("auth.register_button"));
  const form = h(
    "form",
    {
      class: "card form narrow",
      onsubmit: async (e) => {
        e.preventDefault();
        await busy(submit, async () => {
          try {
            await api.post("/api/auth/register", {
              display_name: name.value,
              email: email.value,
              password: password.value,
              country: country.value || null,
            });
            await app.loggedIn(await logIn(email.value, password.value));
          } catch (err) {
            showError(message, err);
          }
        });
      },
    },
    h("p", {}, t("auth.register_intro")),
    message,
    field(t("auth.display_name"), name),
    field(t("auth.email"), email, t("auth.email_hint")),
    field(t("auth.password"), password, t("auth.password_hint", { min: state.limits.password_min_chars ?? 10 })),
    field(t("auth.country"), country, t("auth.country_hint")),
    submit,
    h("p", {}, t("auth.have_account"), " ", h("a", { href: "#/login" }, t("nav.login"))),
  );
  return { title: t("auth.register_title"), body: form };
}
