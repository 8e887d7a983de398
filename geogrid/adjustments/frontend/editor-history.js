/* The grid editor's 历史版本 tab: the versions that changed the community's grids (newest first); one opens
 * as a before/after map (adjust-common.js diffLayer) and, unless it is the current one, can be proposed
 * again with a reason (恢复此版本, a change request like any other). */
import { h } from "../../../maps/frontend/common.js";
import { api, fmt, shortCode, diffLayer, diffLegend } from "./adjust-common.js";

/** A message box: <div class="message {kind}"> with text (and nodes). */
const message = (kind, ...content) => h("div", { className: `message ${kind}` }, ...content);
/** A link to a change request on the 调整审批 page: #12. */
const requestLink = (id) => h("a", { href: `/adjustments/?request=${id}` }, `#${id}`);

/** options: {map, panel, historyUrl, restoreUrl, communityCode, onRestored(change)} */
function create({ map, panel, historyUrl, restoreUrl, communityCode, onRestored }) {
  const $ = (selector) => panel.querySelector(selector);
  const short = (code) => shortCode(code, communityCode);
  const legend = diffLegend();
  let layer = null;

  async function show() {
    $(".history-detail").hidden = true;
    const list = $(".history-list");
    list.replaceChildren(h("li", null, "正在载入…"));
    try {
      const { versions } = await api(historyUrl);
      list.replaceChildren(...(versions.length ? versions.map(item) : [h("li", null, "没有历史版本。")]));
      list.querySelectorAll(".version").forEach((li) => {
        const open = () => openVersion(versions[li.dataset.index], li.dataset.index === "0", li);
        li.addEventListener("click", open);
        li.addEventListener("keydown", (e) => { if (e.key === "Enter") open(); });
      });
    } catch (error) {
      list.replaceChildren(h("li", { className: "message error" }, `无法载入历史版本：${error.message}`));
    }
  }

  function item(v, i) {
    return h("li", { className: "version", tabIndex: 0, dataset: { generation: v.generation, index: i } },
      h("b", null, `第 ${v.generation} 版`), i === 0 ? [" ", h("span", { className: "tag" }, "现行")] : null, " ",
      h("small", null, fmt.time(v.created_at), v.by ? ` · ${v.by}` : null),
      h("div", null, v.description), h("small", null, describe(v)));
  }

  function describe(v) {
    const part = (label, codes) => (codes.length ? `${label} ${codes.map(short).join("、")}` : "");
    return [part("新增", v.added), part("变更", v.changed), part("撤销", v.removed)].filter(Boolean).join("；");
  }

  async function openVersion(version, current, li) {
    $(".history-list").querySelectorAll(".version").forEach((el) => el.classList.toggle("active", el === li));
    const detail = $(".history-detail");
    detail.hidden = false;
    detail.replaceChildren("正在载入…");
    try {
      const diff = await api(`${historyUrl}/${version.generation}`);
      hide();
      layer = diffLayer(diff.before, diff.after, [...version.added, ...version.changed, ...version.removed],
                        communityCode).addTo(map);
      legend.addTo(map);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [16, 16], animate: false });
      detail.replaceChildren(
        h("h3", null, `第 ${version.generation} 版`), h("p", null, diff.description),
        h("p", { className: "hint" }, "地图：变动网格调整前的边界为红色虚线，调整后为填色（变动的为橙色）。"),
        ...(version.request ? [h("p", null, "来自调整申请 ", requestLink(version.request))] : []),
        ...(current ? [h("p", null, "这是现行版本。")] : restoreForm(version)));
    } catch (error) {
      detail.replaceChildren(message("error", `无法载入该版本：${error.message}`));
    }
  }

  /** The 恢复此版本 form and the place for its answer. */
  function restoreForm(version) {
    const form = h("form", { className: "restore-form", noValidate: true },
      h("label", { htmlFor: "restore-reason" }, "恢复理由（必填）"),
      h("textarea", { id: "restore-reason", rows: 2, required: true, placeholder: "例如：撤销错误的拆分" }),
      h("button", { type: "submit", className: "primary" }, "恢复此版本"));
    form.addEventListener("submit", (e) => restore(e, version));
    const result = h("div", { className: "restore-result" });
    result.setAttribute("aria-live", "polite");
    return [form, result];
  }

  async function restore(event, version) {
    event.preventDefault();
    const reason = $("#restore-reason").value.trim();
    const result = $(".restore-result");
    if (!reason) {
      result.replaceChildren(message("error", "请填写恢复理由。"));
      return;
    }
    const button = $(".restore-form button");
    button.disabled = true;
    try {
      const change = await api(restoreUrl, { method: "POST", body: { generation: version.generation, reason } });
      result.replaceChildren(message("success", "已提交恢复申请 ", requestLink(change.id),
                                     `（恢复到第 ${version.generation} 版），待审批。`));
      if (onRestored) onRestored(change);
    } catch (error) {
      const kind = error.status === 409 ? "conflict" : "error";
      result.replaceChildren(message(kind, `未能提交：${error.message}`));
      button.disabled = false;
    }
  }

  /** Take the version's map off (leaving the tab, or before showing another version). */
  function hide() {
    if (layer) map.removeLayer(layer);
    layer = null;
    legend.remove();
  }

  return { show, hide };
}

export { create, message, requestLink };
