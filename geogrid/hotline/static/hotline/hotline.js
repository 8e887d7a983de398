/* Built by scripts/frontend.mjs from the ES modules in the frontend/ folders: edit those, then npm run build. */
(() => {
  // maps/frontend/common.js
  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  var ApiError = class extends Error {
    constructor(message, status, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  };
  async function fetchJSON(url, { method = "GET", body, headers } = {}) {
    const options = { method, credentials: "same-origin", headers: Object.assign({}, headers) };
    if (body !== void 0) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) {
        window.dispatchEvent(new CustomEvent("geogrid:unauthorized"));
      }
      throw new ApiError(String(data && (data.message || data.error || data.detail) || `HTTP ${response.status}`), response.status, data);
    }
    return data;
  }
  var numberFormat = new Intl.NumberFormat("zh-CN");

  // geogrid/hotline/frontend/hotline.js
  var root = document.getElementById("hotline-batch");
  if (root) {
    let summary = function(job) {
      const c = job.counts || {};
      if (job.status === "failed") return `导入失败，数据库未作任何改动（${c.errors} 个错误）`;
      const counts = `已定位 ${c.matched} 件，待定位 ${c.unmatched} 件（其中地址重复 ${c.ambiguous} 件），重复工单 ${c.duplicates} 件`;
      return job.status === "checked" ? `检查通过（未导入）：共 ${c.rows} 行，将${counts}` : `已导入 ${c.rows} 行：${counts}`;
    }, item = function(kind, text) {
      const li = document.createElement("li");
      li.className = kind;
      li.textContent = text;
      return li;
    }, show = function(job) {
      $(".job-status").textContent = job.status_label;
      $(".job-progress").value = job.progress;
      $(".job-percent").textContent = `${job.progress}%`;
      if (!job.finished) return false;
      $(".job-summary").textContent = summary(job);
      $(".job-unplaced").hidden = !(job.status === "succeeded" && job.counts.unmatched > 0);
      const report = job.report || {};
      $(".job-report").replaceChildren(
        ...(report.errors || []).map((message) => item("error", `错误 ${message}`)),
        ...(report.waiting || []).map((w) => item("note", `待定位 第 ${w.line} 行 ${w.address || "（无地址）"}：${w.reason}`))
      );
      return true;
    };
    const $ = (selector) => root.querySelector(selector);
    async function poll() {
      try {
        if (show(await fetchJSON(root.dataset.url))) return;
      } catch (error) {
        $(".job-summary").textContent = `无法获取进度：${error.message}`;
      }
      setTimeout(poll, 1e3);
    }
    poll();
  }
})();
