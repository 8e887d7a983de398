/* The import page: while the job runs, poll its state every second and show the progress, then reload the page,
 * which shows the counts and the report. A succeeded import's undo button posts to the API; a refusal is shown with
 * its code and message, which names what depends on the import (as text). */
import { fetchJSON, h } from "../../../maps/frontend/common.js";

const root = document.getElementById("import-job");
if (root) {
  const $ = (selector) => root.querySelector(selector);

  async function poll() {
    try {
      const job = await fetchJSON(root.dataset.url);
      $(".job-status").textContent = job.status_label;
      $(".job-crs").textContent = job.source_crs || "—";
      $(".job-progress").value = job.progress;
      $(".job-percent").textContent = `${job.progress}%`;
      if (job.finished) {
        window.location.reload();
        return;
      }
    } catch (error) {
      // a failed poll (the server restarting) is retried
    }
    setTimeout(poll, 1000);
  }

  async function undo(button) {
    if (!window.confirm("撤销这次导入？")) return;
    const result = $(".job-undo-result");
    button.disabled = true;
    result.replaceChildren("正在撤销…");
    try {
      await fetchJSON(root.dataset.undoUrl, { method: "POST", body: {} });
      window.location.reload();
    } catch (error) {
      const code = (error.body && error.body.code) || error.status;
      result.replaceChildren(h("p", { className: "error" }, `不能撤销（${code}）：${error.message}`));
      button.disabled = false;
    }
  }

  const button = $(".job-undo-button");
  if (button) button.addEventListener("click", () => undo(button));
  if (root.dataset.finished === undefined) poll();
}
