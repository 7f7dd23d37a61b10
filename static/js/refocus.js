// After an htmx swap replaces the control that had keyboard focus, focus goes back to the same
// control in the new content (its form's action, its name and words), else to the first control
// of that form, else to the swapped region: never to the top of the page. The board has finer
// rules of its own (board.js), so swaps inside #board are left to it.
(function () {
  "use strict";
  var last = null;

  function describe(el) {
    var form = el.closest("form");
    return {
      action: form ? form.getAttribute("action") : null,
      name: el.getAttribute("name"),
      words: (el.textContent || "").trim(),
      tag: el.tagName,
      target: null,
    };
  }

  function usable(el) {
    return el && !el.disabled && el.getClientRects().length > 0;
  }

  function sameControl(form, wanted) {
    var controls = form.querySelectorAll("button, input:not([type=hidden]), select, textarea");
    var first = null;
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i];
      if (!usable(c)) continue;
      if (!first) first = c;
      if (c.tagName === wanted.tag && c.getAttribute("name") === wanted.name &&
          (c.textContent || "").trim() === wanted.words) return c;
    }
    return first;
  }

  document.addEventListener("htmx:beforeRequest", function () {
    var el = document.activeElement;
    last = el instanceof HTMLElement && el !== document.body && !el.closest("#board")
      ? describe(el) : null;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (last && event.detail.target) last.target = event.detail.target.id || null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!last) return;
    var active = document.activeElement;
    var wanted = last;
    last = null;
    if (active && active !== document.body && document.contains(active)) return;
    var found = null;
    if (wanted.action) {
      var forms = document.querySelectorAll("form");
      for (var i = 0; i < forms.length && !found; i++) {
        if (forms[i].getAttribute("action") === wanted.action) found = sameControl(forms[i], wanted);
      }
    }
    if (!found && wanted.target) {
      found = document.getElementById(wanted.target);
      if (found && !found.hasAttribute("tabindex")) found.setAttribute("tabindex", "-1");
    }
    if (found) found.focus();
  });
})();
