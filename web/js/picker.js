// Choosing recipients among my contacts: a text box that searches them (GET /api/contacts?q=)
// and lists matches in a pop-up list (the ARIA 1.2 combobox pattern: arrows move, Enter
// picks, Escape closes), and the chosen members as chips, each with a button to take it away.
// Only contacts can be found, so only contacts can be chosen.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { api, query } from "./api.js";
import { state } from "./state.js";
import { avatar } from "./ui.js";

const SUGGESTIONS = 8;
const DELAY_MS = 150;

let pickers = 0;

/**
 * A recipient field. `label`: its visible label; `taken()`: ids chosen elsewhere (the other
 * field), left out of the suggestions. Returns `{ el, chosen(), add(person), input }`.
 */
export function recipientPicker({ label, name, taken = () => new Set(), hint }) {
  const n = ++pickers;
  const base = `picker-${name}-${n}`;
  const chosen = new Map(); // id → Person, in the order chosen
  let options = []; // the suggestions shown
  let active = -1;
  let asked = 0; // the latest search; older answers are dropped
  let timer = null;

  const chips = h("ul", { class: "chips", "aria-label": t("mailbox.chosen", { field: label }) });
  const list = h("ul", { class: "picker-list", id: `${base}-list`, role: "listbox", "aria-label": t("mailbox.suggestions"), hidden: true });
  // What happened, for screen readers; "nothing found" is also shown (announced once, here).
  const status = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  const emptyNote = h("p", { class: "picker-empty", "aria-hidden": "true", hidden: true }, t("mailbox.no_match"));
  const hintEl = h("p", { class: "hint", id: `${base}-hint` }, hint);
  const input = h("input", {
    id: `${base}-input`,
    type: "text",
    role: "combobox",
    autocomplete: "off",
    spellcheck: "false",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": list.id,
    "aria-describedby": hintEl.id,
    maxlength: state.limits.query_chars,
    oninput: () => schedule(),
    onkeydown: (e) => keydown(e),
    onblur: () => setTimeout(close, 150), // after a click on an option has picked it
  });

  function drawChips() {
    chips.replaceChildren(
      ...[...chosen.values()].map((p) =>
        h(
          "li",
          { class: "chip", dataset: { id: p.id } },
          avatar(p, "xs"),
          h("span", { class: "chip-name" }, p.display_name),
          h(
            "button",
            {
              type: "button",
              class: "chip-remove",
              "aria-label": t("mailbox.remove_recipient", { name: p.display_name, field: label }),
              title: t("mailbox.remove_recipient", { name: p.display_name, field: label }),
              onclick: () => {
                chosen.delete(p.id);
                drawChips();
                input.focus();
              },
            },
            "×",
          ),
        ),
      ),
    );
    chips.hidden = chosen.size === 0;
  }

  function add(person) {
    if (!person || chosen.has(person.id)) return;
    chosen.set(person.id, { id: person.id, display_name: person.display_name, picture_url: person.picture_url ?? null });
    drawChips();
  }

  function setActive(i) {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
    if (i >= 0 && list.children[i]) {
      input.setAttribute("aria-activedescendant", list.children[i].id);
      list.children[i].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }

  function close() {
    list.hidden = true;
    emptyNote.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function pick(i) {
    const person = options[i];
    if (!person) return;
    add(person);
    input.value = "";
    options = [];
    list.replaceChildren();
    close();
    status.textContent = t("mailbox.added_recipient", { name: person.display_name, field: label });
    input.focus();
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(search, DELAY_MS);
  }

  async function search() {
    const mine = ++asked;
    const words = input.value.trim();
    let page;
    try {
      page = await api.get(`/api/contacts${query({ q: words, limit: SUGGESTIONS + chosen.size + taken().size })}`);
    } catch {
      if (mine === asked) status.textContent = t("error.network");
      return;
    }
    if (mine !== asked || document.activeElement !== input) return;
    const skip = taken();
    options = page.items.map((c) => c.user).filter((u) => !chosen.has(u.id) && !skip.has(u.id)).slice(0, SUGGESTIONS);
    list.replaceChildren(
      ...options.map((p, i) =>
        h(
          "li",
          {
            id: `${base}-opt-${p.id}`,
            role: "option",
            class: "picker-option",
            "aria-selected": "false",
            onmousedown: (e) => e.preventDefault(), // keep the focus in the box
            onclick: () => pick(i),
          },
          avatar(p, "xs"),
          h("span", {}, p.display_name),
        ),
      ),
    );
    const open = options.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    setActive(-1);
    status.textContent = open ? t("mailbox.matches", { count: options.length }) : t("mailbox.no_match");
    emptyNote.hidden = open;
  }

  function keydown(e) {
    const open = !list.hidden;
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        if (!open) search();
        else setActive(Math.min(active + 1, options.length - 1));
        break;
      case "ArrowUp":
        if (!open) return;
        e.preventDefault();
        setActive(Math.max(active - 1, 0));
        break;
      case "Enter":
        // Enter picks a suggestion; it never sends the half-written message.
        e.preventDefault();
        if (open) pick(active >= 0 ? active : 0);
        break;
      case "Escape":
        if (open) {
          e.preventDefault();
          close();
        }
        break;
      case "Backspace":
        if (input.value === "" && chosen.size) {
          const last = [...chosen.values()].pop();
          chosen.delete(last.id);
          drawChips();
          status.textContent = t("mailbox.removed_recipient", { name: last.display_name, field: label });
        }
        break;
      default:
        break;
    }
  }

  drawChips();
  const el = h(
    "div",
    { class: "field picker" },
    h("label", { for: input.id }, label),
    chips,
    h("div", { class: "picker-box" }, input, list),
    emptyNote,
    hintEl,
    status,
  );
  return { el, input, add, chosen: () => [...chosen.values()] };
}
