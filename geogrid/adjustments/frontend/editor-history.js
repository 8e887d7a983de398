/* The grid editor's 历史版本 tab: the versions that changed the community's grids (newest first); one opens
 * as a before/after map (adjust-common.js diffLayer) and, unless it is the current one, can be proposed
 * again with a reason (恢复此版本, a change request like any other). */
import { api, fmt, shortCode, escapeHtml, diffLayer, diffLegend } from "./adjust-common.js";


/** options: {map, panel, historyUrl, restoreUrl, communityCode, onRestored(change)} */
function create({ map, panel, historyUrl, restoreUrl, communityCode, onRestored }) {
  const $ = (selector) => panel.querySelector(selector);
  const short = (code) => shortCode(code, communityCode);
  const legend = diffLegend();
  let layer = null;

  async function show() {
    $(".history-detail").hidden = true;
    const list = $(".history-list");
    list.innerHTML = "<li>正在载入…</li>";
    try {
      const { versions } = await api(historyUrl);
      list.innerHTML = versions.map(item).join("") || "<li>没有历史版本。</li>";
      list.querySelectorAll(".version").forEach((li) => {
        const open = () => openVersion(versions[li.dataset.index], li.dataset.index === "0", li);
        li.addEventListener("click", open);
        li.addEventListener("keydown", (e) => { if (e.key === "Enter") open(); });
      });
    } catch (error) {
      list.innerHTML = `<li class="message error">无法载入历史版本：${escapeHtml(error.message)}</li>`;
    }
  }

  function item(v, i) {
    const by = v.by ? ` · ${escapeHtml(v.by)}` : "";
    return `<li class="version" data-generation="${v.generation}" data-index="${i}" tabindex="0">
      <b>第 ${v.generation} 版</b>${i === 0 ? ' <span class="tag">现行</span>' : ""}
      <small>${escapeHtml(fmt.time(v.created_at))}${by}</small>
      <div>${escapeHtml(v.description)}</div><small>${describe(v)}</small></li>`;
  }

  function describe(v) {
    const part = (label, codes) => (codes.length ? `${label} ${codes.map((c) => escapeHtml(short(c))).join("、")}` : "");
    return [part("新增", v.added), part("变更", v.changed), part("撤销", v.removed)].filter(Boolean).join("；");
  }

  async function openVersion(version, current, li) {
    $(".history-list").querySelectorAll(".version").forEach((el) => el.classList.toggle("active", el === li));
    const detail = $(".history-detail");
    detail.hidden = false;
    detail.innerHTML = "正在载入…";
    try {
      const diff = await api(`${historyUrl}/${version.generation}`);
      hide();
      layer = diffLayer(diff.before, diff.after, [...version.added, ...version.changed, ...version.removed],
                        communityCode).addTo(map);
      legend.addTo(map);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [16, 16], animate: false });
      const request = version.request
        ? `<p>来自调整申请 <a href="/adjustments/?request=${version.request}">#${version.request}</a></p>` : "";
      detail.innerHTML = `<h3>第 ${version.generation} 版</h3><p>${escapeHtml(diff.description)}</p>
        <p class="hint">地图：变动网格调整前的边界为红色虚线，调整后为填色（变动的为橙色）。</p>${request}` +
        (current ? "<p>这是现行版本。</p>" : `<form class="restore-form" novalidate>
          <label for="restore-reason">恢复理由（必填）</label>
          <textarea id="restore-reason" rows="2" required placeholder="例如：撤销错误的拆分"></textarea>
          <button type="submit" class="primary">恢复此版本</button></form>
          <div class="restore-result" aria-live="polite"></div>`);
      const form = detail.querySelector(".restore-form");
      if (form) form.addEventListener("submit", (e) => restore(e, version));
    } catch (error) {
      detail.innerHTML = `<div class="message error">无法载入该版本：${escapeHtml(error.message)}</div>`;
    }
  }

  async function restore(event, version) {
    event.preventDefault();
    const reason = $("#restore-reason").value.trim();
    const result = $(".restore-result");
    if (!reason) {
      result.innerHTML = '<div class="message error">请填写恢复理由。</div>';
      return;
    }
    const button = $(".restore-form button");
    button.disabled = true;
    try {
      const change = await api(restoreUrl, { method: "POST", body: { generation: version.generation, reason } });
      result.innerHTML = `<div class="message success">已提交恢复申请 <a href="/adjustments/?request=${change.id}">` +
        `#${change.id}</a>（恢复到第 ${version.generation} 版），待审批。</div>`;
      if (onRestored) onRestored(change);
    } catch (error) {
      const kind = error.status === 409 ? "conflict" : "error";
      result.innerHTML = `<div class="message ${kind}">未能提交：${escapeHtml(error.message)}</div>`;
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

export { create };
