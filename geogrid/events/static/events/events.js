/* Built by scripts/frontend.mjs from the ES modules in the frontend/ folders: edit those, then npm run build. */
(() => {
  // geogrid/events/frontend/events.js
  var filters = document.querySelector("form.event-filters");
  if (filters) {
    filters.addEventListener("change", () => filters.requestSubmit());
  }
})();
