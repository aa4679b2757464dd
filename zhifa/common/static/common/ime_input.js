// Typing in Chinese: an element with data-ime-input gets a "ime-input" event on every input that is not part
// of an IME composition, and once when a composition ends. htmx triggers on it ("ime-input changed delay:300ms")
// without an hx-trigger filter (filters are evaluated with eval, which the CSP forbids).
document.addEventListener("input", (event) => {
  if (event.isComposing || !event.target.closest("[data-ime-input]")) return;
  event.target.dispatchEvent(new CustomEvent("ime-input", { bubbles: true }));
});
document.addEventListener("compositionend", (event) => {
  if (!event.target.closest("[data-ime-input]")) return;
  event.target.dispatchEvent(new CustomEvent("ime-input", { bubbles: true }));
});
// A select with data-form-action sets its form's action to the chosen option's value (no inline onchange).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-form-action]");
  if (select && select.form) select.form.action = select.value;
});
