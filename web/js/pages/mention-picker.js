// "@" in a send box offers the group's members whose name matches what follows it (the ARIA
// combobox pattern, as the recipient picker: arrows move, Enter or Tab picks, Escape closes);
// a pick writes "@Name " and remembers the member, so the message carries their id.

import { h } from "../dom.js";
import { t, lang } from "../i18n.js";
import { avatar } from "../ui.js";

const SUGGESTIONS = 8;
let pickers = 0;

/**
 * The suggestions for `box` (a textarea). `directory`: the group's members (all(),
 * complete, loadMore()); `me`: who is writing (never offered). Returns { list, suggest(),
 * close(), keydown(e) → true when the key was the picker's, mentionsIn(text) → the ids of the
 * picked members still named in `text` (and forgets the picks) }.
 */
export function mentionPicker(box, { directory, me }) {
  const n = ++pickers;
  const chosen = new Map(); // user id → name picked
  const list = h("ul", { class: "picker-list mention-list", id: `mention-list-${n}`, role: "listbox", "aria-label": t("group.chat.mention_suggestions"), hidden: true });
  let options = [];
  let active = -1;
  let at = -1;
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("aria-expanded", "false");

  function close() {
    list.hidden = true;
    options = [];
    active = -1;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function setActive(i) {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
    if (i >= 0 && list.children[i]) box.setAttribute("aria-activedescendant", list.children[i].id);
    else box.removeAttribute("aria-activedescendant");
  }

  /** "@" and up to two words before the caret: where the mention starts, and its words. */
  function query() {
    const caret = box.selectionStart;
    if (caret !== box.selectionEnd) return null;
    const m = /(^|\s)@([^\s@]*(?: [^\s@]*)?)$/u.exec(box.value.slice(0, caret));
    if (!m) return null;
    return { at: caret - m[2].length - 1, words: m[2].toLocaleLowerCase(lang()) };
  }

  function suggest() {
    const q = query();
    if (!q) return close();
    at = q.at;
    const words = q.words.trim();
    const matches = (p) => {
      const name = p.display_name.toLocaleLowerCase(lang());
      return !words || name.includes(q.words) || name.split(/\s+/).some((w) => w.startsWith(words));
    };
    options = directory
      .all()
      .filter((p) => p.user !== me.id && matches(p))
      .slice(0, SUGGESTIONS);
    if (options.length === 0 && !directory.complete) {
      directory.loadMore().then(() => document.activeElement === box && suggest(), () => {});
    }
    if (options.length === 0) return close();
    list.replaceChildren(
      ...options.map((p, i) =>
        h(
          "li",
          {
            id: `mention-${n}-${p.user}`,
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
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    setActive(0);
  }

  function pick(i) {
    const p = options[i];
    if (!p) return;
    const caret = box.selectionStart;
    const insert = `@${p.display_name} `;
    box.value = box.value.slice(0, at) + insert + box.value.slice(caret);
    const pos = at + insert.length;
    box.setSelectionRange(pos, pos);
    chosen.set(p.user, p.display_name);
    close();
    box.focus();
  }

  function keydown(e) {
    if (list.hidden) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      setActive(e.key === "ArrowDown" ? Math.min(active + 1, options.length - 1) : Math.max(active - 1, 0));
    } else if ((e.key === "Enter" || e.key === "Tab") && !e.shiftKey) {
      pick(active >= 0 ? active : 0);
    } else if (e.key === "Escape") {
      close();
    } else {
      return false;
    }
    e.preventDefault();
    return true;
  }

  function mentionsIn(text) {
    const ids = [...chosen].filter(([, name]) => text.includes(`@${name}`)).map(([id]) => id);
    chosen.clear();
    return ids;
  }

  return { list, suggest, close, keydown, mentionsIn };
}
