/* The import page: poll the job's state every second and show progress, then the report. */
(function () {
  "use strict";
  const root = document.getElementById("import-job");
  if (!root) return;
  const $ = (selector) => root.querySelector(selector);

  function item(kind, problem) {
    const li = document.createElement("li");
    li.className = kind;
    const where = problem.number ? `要素 ${problem.number}：` : "";
    const at = problem.location ? `（位置 ${problem.location[0].toFixed(6)}, ${problem.location[1].toFixed(6)}）` : "";
    li.textContent = `${kind === "error" ? "错误" : kind === "repair" ? "修复" : "提示"} ${where}${problem.message}${at}`;
    return li;
  }

  function show(job) {
    $(".job-status").textContent = job.status_label;
    $(".job-crs").textContent = job.source_crs || "—";
    $(".job-progress").value = job.progress;
    $(".job-percent").textContent = `${job.progress}%`;
    if (!job.finished) return false;
    const counts = job.counts || {};
    $(".job-summary").textContent = job.status === "failed"
      ? `导入失败，数据库未作任何改动（${counts.errors} 个错误）`
      : job.status === "checked" ? `试导入通过：将写入 ${counts.would_create} 条（未写入）`
      : `已导入 ${counts.created} 条`;
    const list = $(".job-report");
    list.replaceChildren();
    const report = job.report || {};
    (report.notes || []).forEach((note) => list.append(item("note", {message: note})));
    (report.repairs || []).forEach((p) => list.append(item("repair", p)));
    (report.errors || []).forEach((p) => list.append(item("error", p)));
    return true;
  }

  async function poll() {
    const response = await fetch(root.dataset.url, {credentials: "same-origin"});
    if (response.ok && show(await response.json())) return;
    setTimeout(poll, 1000);
  }
  poll();
})();
