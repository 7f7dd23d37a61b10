// "Copy as Markdown": copies the text of the element named by data-copy. The button is hidden
// until this script runs, so without JavaScript only the Markdown link shows.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.value || source.textContent);
      button.textContent = "Copied";
    } catch (err) {
      button.textContent = "Copy failed: use the Markdown link";
    }
    setTimeout(() => { button.textContent = "Copy as Markdown"; }, 2500);
  });
});
