/* 工单列表: a changed filter applies at once (the 筛选 button stays for keyboards and scripts off). */
const filters = document.querySelector("form.event-filters");
if (filters) {
  filters.addEventListener("change", () => filters.requestSubmit());
}
