/* Every page's small behaviours, declared in the templates by data attributes instead of inline handlers
 * (the Content-Security-Policy runs no inline script):
 *   <select data-autosubmit>            submits its form when changed;
 *   <form data-path-prefix="/x/">       on submit goes to /x/<the value of its field "code"> instead;
 *   <button data-print>                 opens the print dialog;
 *   <button data-menu-toggle>           opens and closes the top bar's menu (a phone's; maps/_topbar.html). */
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
  const toggle = event.target.closest("[data-menu-toggle]");
  if (toggle) {
    const open = toggle.closest(".topbar").classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  }
});
