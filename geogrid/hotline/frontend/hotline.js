/* The hotline upload page: follow the batch just uploaded (poll its ImportJob every second), show the progress,
 * then the counts and the unmatched rows, or the row errors of a refused batch. */
import { fetchJSON } from "../../../maps/frontend/common.js";

const root = document.getElementById("hotline-batch");
if (root) {
  const $ = (selector) => root.querySelector(selector);

  function summary(job) {
    const c = job.counts || {};
    if (job.status === "failed") return `导入失败，数据库未作任何改动（${c.errors} 个错误）`;
    const counts = `已定位 ${c.matched} 件，待定位 ${c.unmatched} 件（其中地址重复 ${c.ambiguous} 件），重复工单 ${c.duplicates} 件`;
    return job.status === "checked" ? `检查通过（未导入）：共 ${c.rows} 行，将${counts}` : `已导入 ${c.rows} 行：${counts}`;
  }

  function item(kind, text) {
    const li = document.createElement("li");
    li.className = kind;
    li.textContent = text;
    return li;
  }

  function show(job) {
    $(".job-status").textContent = job.status_label;
    $(".job-progress").value = job.progress;
    $(".job-percent").textContent = `${job.progress}%`;
    if (!job.finished) return false;
    $(".job-summary").textContent = summary(job);
    $(".job-unplaced").hidden = !(job.status === "succeeded" && job.counts.unmatched > 0);
    const report = job.report || {};
    $(".job-report").replaceChildren(
      ...(report.errors || []).map((message) => item("error", `错误 ${message}`)),
      ...(report.waiting || []).map((w) => item("note", `待定位 第 ${w.line} 行 ${w.address || "（无地址）"}：${w.reason}`)),
    );
    return true;
  }

  async function poll() {
    try {
      if (show(await fetchJSON(root.dataset.url))) return;
    } catch (error) {
      $(".job-summary").textContent = `无法获取进度：${error.message}`;
    }
    setTimeout(poll, 1000);
  }
  poll();
}
