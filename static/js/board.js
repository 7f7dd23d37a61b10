// The focus board from the keyboard: focus stays on the acted-on item across htmx swaps, and
// Linear-style shortcuts (j/k select, e edit, p park, a activate, f finish, J/K or Alt+↓/↑
// reorder, ? help). Without JavaScript the board works as plain forms and links.
(function () {
  "use strict";

  const board = () => document.getElementById("board");
  const items = () => Array.from(document.querySelectorAll("#board [data-item]"));

  // --- Focus after htmx swaps ---------------------------------------------------------------
  // Before a request from inside an item, remember the item and where focus should land after
  // the swap: a control (data-refocus="up" → the item's [data-action="up"]), its first field
  // ("field", after Edit) or the item itself (Park, Finish…, the default).
  let pending = null;

  // From a request until its new board has settled, htmx has not yet wired the new forms: a
  // shortcut pressed then would submit the old-fashioned way and reload the page. Shortcuts
  // pressed meanwhile wait in this queue and run, in order, once the board has settled.
  let busy = false;
  let swapped = false;
  const queue = [];

  function idle() {
    busy = false;
    // A queued action that sends a request makes the board busy again; the rest wait for it.
    while (!busy && queue.length) queue.shift()();
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (!(elt instanceof Element) || !board()) return;
    if (elt.closest("#board")) {
      busy = true;
      swapped = false;
    }
    const item = elt.closest("[data-item]");
    const chosen = elt.dataset.refocusChosen && elt.querySelector(elt.dataset.refocusChosen);
    if (chosen) {
      // The swap picker: focus follows the item brought onto the board.
      pending = { id: "item-" + chosen.value, then: "item", index: 0 };
    } else if (item) {
      pending = { id: item.id, then: elt.dataset.refocus || "item", index: items().indexOf(item) };
    } else if (elt.closest(".add-form")) {
      pending = { id: null, then: "add", index: -1 };
    } else {
      pending = null;
    }
  });

  function focusItem(item, then) {
    if (then === "field") {
      const field = item.querySelector("input:not([type=hidden]), textarea, select");
      if (field) {
        field.focus();
        // The caret at the end of the text, ready to add to it.
        if (typeof field.value === "string" && field.setSelectionRange) {
          try {
            field.setSelectionRange(field.value.length, field.value.length);
          } catch (error) {
            // some input types (email, number) have no caret to place
          }
        }
        return;
      }
    } else if (then !== "item") {
      const control = item.querySelector('[data-action="' + then + '"]:not([disabled])');
      if (control) return control.focus();
    }
    item.focus();
  }

  function refocus() {
    if (!pending) return;
    const { id, then, index } = pending;
    pending = null;
    if (then === "add") {
      const title = document.getElementById("add-title");
      return (title || document.getElementById("board-heading")).focus();
    }
    const item = id && document.getElementById(id);
    if (item) return focusItem(item, then);
    // The item left the board (finished, dropped): its neighbour takes the selection.
    const rest = items();
    const neighbour = rest[Math.min(index, rest.length - 1)];
    (neighbour || document.getElementById("board-heading")).focus();
  }

  document.addEventListener("htmx:afterSwap", function () {
    swapped = true;
  });

  // afterSwap comes before afterRequest, afterSettle a moment after both; a request whose answer
  // is not swapped in (a network error, a 5xx) never settles, so afterRequest frees the queue.
  document.addEventListener("htmx:afterRequest", function () {
    if (busy && !swapped) {
      pending = null;
      idle();
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    refocus();
    if (busy && swapped) {
      // Once per swap, after every element of it has settled.
      swapped = false;
      setTimeout(idle, 0);
    }
  });

  // --- Shortcuts ----------------------------------------------------------------------------
  const help = () => document.getElementById("shortcuts-help");
  const ACTIONS = { e: "edit", p: "park", a: "activate", f: "finish", J: "down", K: "up" };

  function typing(target) {
    return (
      target instanceof Element &&
      (target.closest("input, textarea, select, [contenteditable]") !== null ||
        target.isContentEditable)
    );
  }

  function selected() {
    const active = document.activeElement;
    return active instanceof Element ? active.closest("#board [data-item]") : null;
  }

  function move(step) {
    const list = items();
    if (!list.length) return;
    const current = list.indexOf(selected());
    const next = current < 0 ? (step > 0 ? 0 : list.length - 1) : current + step;
    if (next >= 0 && next < list.length) {
      list[next].focus();
      list[next].scrollIntoView({ block: "nearest" });
    }
  }

  function press(action) {
    if (busy) return queue.push(() => press(action));
    const item = selected();
    const control = item && item.querySelector('[data-action="' + action + '"]:not([disabled])');
    if (control) control.click();
  }

  function openHelp() {
    const dialog = help();
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    // Never inside a field, an open dialog, or with the browser's own modifiers (Ctrl, ⌘).
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || typing(event.target)) return;
    if (!board() || (help() && help().open)) return;
    let action = null;
    if (event.altKey) {
      if (event.key === "ArrowDown") action = "down";
      else if (event.key === "ArrowUp") action = "up";
      else return;
    }
    if (!action) {
      if (event.key === "?") {
        event.preventDefault();
        return openHelp();
      }
      // j/k wait their turn too: the selection moves from where the last action left it.
      if (event.key === "j") return event.preventDefault(), busy ? queue.push(() => move(1)) : move(1);
      if (event.key === "k") return event.preventDefault(), busy ? queue.push(() => move(-1)) : move(-1);
      action = ACTIONS[event.key];
    }
    if (action) {
      event.preventDefault();
      press(action);
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest(".shortcuts-open")) openHelp();
  });

  // The help button is useless without this script, so it shows only when the script runs.
  function reveal() {
    document.querySelectorAll(".shortcuts-open").forEach((button) => (button.hidden = false));
  }
  document.addEventListener("htmx:afterSettle", reveal);
  reveal();
})();
