/* Every page's small behaviours, declared in the templates by data attributes instead of inline handlers
 * (the Content-Security-Policy runs no inline script):
 *   <select data-autosubmit>            submits its form when changed;
 *   <form data-path-prefix="/x/">       on submit goes to /x/<the value of its field "code"> instead;
 *   <button data-print>                 opens the print dialog. */
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.requestSubmit();
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.dataset || form.dataset.pathPrefix === undefined) return;
  event.preventDefault();
  window.location.href = form.dataset.pathPrefix + encodeURIComponent(form.elements.code.value);
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
