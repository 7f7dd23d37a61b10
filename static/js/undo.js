// Undo toasts (templates/core/undo_toast.html): they go after a few seconds, but never while
// the pointer is on them or keyboard focus is inside (someone is reading or typing a note).
// Escape or Dismiss closes one. Without this script the toast simply stays on the page.
(function () {
  "use strict";
  var SECONDS = 8;

  function close(toast) {
    toast.remove();
  }

  function arm(toast) {
    if (toast.dataset.armed) {
      return;
    }
    toast.dataset.armed = "true";
    var dismiss = toast.querySelector("[data-toast-close]");
    if (dismiss) {
      dismiss.hidden = false;
      dismiss.addEventListener("click", function () { close(toast); });
    }
    toast.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        close(toast);
      }
    });
    function wait() {
      window.setTimeout(function () {
        if (toast.matches(":hover, :focus-within")) {
          wait();
        } else {
          close(toast);
        }
      }, SECONDS * 1000);
    }
    wait();
  }

  function scan() {
    document.querySelectorAll("[data-toast]").forEach(arm);
  }

  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("htmx:load", scan);
})();
