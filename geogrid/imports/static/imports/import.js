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
  function h(tag, props, ...children) {
    const { dataset, ...properties } = props || {};
    const node = Object.assign(document.createElement(tag), properties);
    Object.assign(node.dataset, dataset);
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== void 0 && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }
  var numberFormat = new Intl.NumberFormat("zh-CN");

  // geogrid/imports/frontend/import.js
  var root = document.getElementById("import-job");
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
      }
      setTimeout(poll, 1e3);
    }
    async function undo(button2) {
      if (!window.confirm("撤销这次导入？")) return;
      const result = $(".job-undo-result");
      button2.disabled = true;
      result.replaceChildren("正在撤销…");
      try {
        await fetchJSON(root.dataset.undoUrl, { method: "POST", body: {} });
        window.location.reload();
      } catch (error) {
        const code = error.body && error.body.code || error.status;
        result.replaceChildren(h("p", { className: "error" }, `不能撤销（${code}）：${error.message}`));
        button2.disabled = false;
      }
    }
    const button = $(".job-undo-button");
    if (button) button.addEventListener("click", () => undo(button));
    if (root.dataset.finished === void 0) poll();
  }
})();
