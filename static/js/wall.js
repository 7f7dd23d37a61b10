// Wall screen: a ticking clock in the team's time zone, and a visible banner when the
// board stops refreshing (after two missed polls); it goes away by itself on the next
// successful refresh, because htmx keeps polling whatever the outcome.
(function () {
  "use strict";
  var MISSES_BEFORE_BANNER = 2;
  var missed = 0;

  function banner() { return document.getElementById("wall-offline"); }

  function failed() {
    missed += 1;
    if (missed >= MISSES_BEFORE_BANNER && banner()) { banner().hidden = false; }
  }

  function answered(event) {
    if (!event.detail || !event.detail.successful) { return; }
    missed = 0;
    if (banner()) { banner().hidden = true; }
  }

  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:timeout", failed);
  document.addEventListener("htmx:afterRequest", answered);

  function tick() {
    var clock = document.getElementById("wall-clock");
    if (!clock) { return; }
    try {
      clock.textContent = new Intl.DateTimeFormat("en-GB", {
        hour: "2-digit", minute: "2-digit", hour12: false, timeZone: clock.dataset.timezone
      }).format(new Date());
    } catch (e) { /* unknown zone in this browser: keep the server's time */ }
  }
  tick();
  setInterval(tick, 10000);
})();
