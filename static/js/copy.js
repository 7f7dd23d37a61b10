// Copy buttons (feed, token and wall-screen addresses, review Markdown): copy the value of the
// input the button names. The buttons are rendered disabled (core/copy_button.html) and enabled
// here, so a click that comes before this script has run cannot silently do nothing.
const enableCopyButtons = (root) => {
  root.querySelectorAll("button[data-copy]").forEach((button) => { button.disabled = false; });
};

enableCopyButtons(document);
document.addEventListener("htmx:load", (event) => enableCopyButtons(event.target));

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  if (!input) return;
  input.select();
  const done = () => { button.textContent = "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, () => document.execCommand("copy") && done());
  } else if (document.execCommand("copy")) {
    done();
  }
});
