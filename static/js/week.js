// The week picture from the keyboard: one Tab stop, then the arrow keys move between blocks
// (left/right along a person's week, up/down between people, Home/End), and the focused
// block's details show in words under the picture. Without JavaScript every block is a Tab
// stop and the list under the picture says the same.
(function () {
  "use strict";

  function rows() {
    return Array.from(document.querySelectorAll(".week-svg .wk-row"))
      .map((row) => blocksOf(row))
      .filter((blocks) => blocks.length);
  }

  // Days are bands one under the other: a person's blocks in order are by day (data-col),
  // then by time (x).
  const col = (el) => Number(el.dataset.col);
  const left = (el) => el.getBBox().x;

  function blocksOf(row) {
    return Array.from(row.querySelectorAll("[data-block]")).sort(
      (a, b) => col(a) - col(b) || left(a) - left(b)
    );
  }

  function setup() {
    const all = rows().flat();
    all.forEach((block, index) => block.setAttribute("tabindex", index === 0 ? "0" : "-1"));
  }

  function go(from, to) {
    if (!to) return;
    from.setAttribute("tabindex", "-1");
    to.setAttribute("tabindex", "0");
    to.focus();
  }

  document.addEventListener("keydown", function (event) {
    const block = event.target instanceof Element && event.target.closest(".week-svg [data-block]");
    if (!block || event.ctrlKey || event.metaKey || event.altKey) return;
    const grid = rows();
    const r = grid.findIndex((blocks) => blocks.includes(block));
    const c = grid[r].indexOf(block);
    const x = left(block);
    // Up and down go to the other person's block nearest in time on the same day.
    const far = (b) => (col(b) === col(block) ? 0 : 1e6) + Math.abs(left(b) - x);
    const nearest = (blocks) => blocks && blocks.reduce((best, b) => (far(b) < far(best) ? b : best));
    const moves = {
      ArrowRight: () => grid[r][c + 1],
      ArrowLeft: () => grid[r][c - 1],
      ArrowDown: () => nearest(grid[r + 1]),
      ArrowUp: () => nearest(grid[r - 1]),
      Home: () => grid[r][0],
      End: () => grid[r][grid[r].length - 1],
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    go(block, moves[event.key]());
  });

  document.addEventListener("focusin", function (event) {
    const detail = document.getElementById("week-detail");
    const block = event.target instanceof Element && event.target.closest(".week-svg [data-block]");
    if (detail && block) detail.textContent = block.getAttribute("aria-label");
  });

  document.addEventListener("htmx:afterSettle", setup);
  setup();
})();
