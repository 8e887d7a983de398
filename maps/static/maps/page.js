/* Built by scripts/frontend.mjs from the ES modules in the frontend/ folders: edit those, then npm run build. */
(() => {
  // maps/frontend/page.js
  document.addEventListener("change", (event) => {
    const field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit();
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.dataset || form.dataset.pathPrefix === void 0) return;
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
})();
