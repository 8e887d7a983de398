/* 调整审批: change requests from /api/v1/adjustments/requests. The street's grid centre sees the pending ones
 * of its area (or all), everyone else their own; a request opens as a before/after map with its reason,
 * submitter and time, and approvers decide it (批准 / 驳回 with a note). ?request=<id> opens one directly.
 * window.geogridAdjustments exposes the map for browser tests. */
import { createMap } from "../../../maps/frontend/basemap.js";
import { api, fmt, shortCode, escapeHtml, diffLayer, diffLegend } from "./adjust-common.js";

const mapEl = document.getElementById("map");
const approver = mapEl.dataset.approver === "1";
const username = mapEl.dataset.username;
const names = JSON.parse(document.getElementById("community-names").textContent);
const panel = document.querySelector(".adjustments-panel");
const $ = (selector) => panel.querySelector(selector);
let filter = approver ? "pending" : "mine";
let requests = [];
let layer = null;

const map = createMap(mapEl, { zoomSnap: 0.25, center: [26.955, 108.68], zoom: 14 });
const legend = diffLegend();

const communityName = (code) => names[code] || code;
const codes = (list, community) => list.map((c) => escapeHtml(shortCode(c, community))).join("、") || "无";
const statusBadge = (r) => `<span class="status ${escapeHtml(r.status)}">${escapeHtml(r.status_display)}</span>`;

async function loadList() {
  const url = filter === "pending" ? `${mapEl.dataset.requestsUrl}?status=pending` : mapEl.dataset.requestsUrl;
  try {
    const body = await api(url);
    requests = filter === "mine" ? body.requests.filter((r) => r.created_by === username) : body.requests;
    renderList();
  } catch (error) {
    $(".request-summary").textContent = `无法载入申请：${error.message}`;
  }
}

function renderList() {
  const label = { pending: "待审批的申请", all: "申请", mine: "您提交的申请" }[filter];
  $(".request-summary").textContent = requests.length ? `共 ${requests.length} 条${label}。点击查看调整前后对比。`
    : `没有${label}。`;
  $(".request-list").innerHTML = requests.map((r) => `<li data-id="${r.id}" tabindex="0">
      <b>#${r.id}</b> ${escapeHtml(communityName(r.community))} ${statusBadge(r)}
      <div>${escapeHtml(r.reason)}</div>
      <small>${escapeHtml(r.created_by)} · ${escapeHtml(fmt.time(r.created_at))} · 变动 ${codes(r.changed, r.community)}` +
      `${r.removed.length ? `，撤销 ${codes(r.removed, r.community)}` : ""}</small></li>`).join("");
  $(".request-list").querySelectorAll("li").forEach((item) => {
    item.addEventListener("click", () => open(Number(item.dataset.id)));
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") open(Number(item.dataset.id)); });
  });
}

async function open(id) {
  $(".request-list").querySelectorAll("li").forEach((li) => li.classList.toggle("active", Number(li.dataset.id) === id));
  const detail = $(".request-detail");
  detail.hidden = false;
  detail.innerHTML = "正在载入…";
  try {
    const request = await api(`${mapEl.dataset.requestsUrl}/${id}`);
    showOnMap(request);
    showDetail(request);
  } catch (error) {
    detail.innerHTML = `<div class="message error">无法载入申请 #${id}：${escapeHtml(error.message)}</div>`;
  }
}

function showOnMap(request) {
  if (layer) map.removeLayer(layer);
  layer = diffLayer(request.before, request.after, [...request.changed, ...request.removed], request.community).addTo(map);
  legend.addTo(map);
  if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [16, 16], animate: false });
}

function showDetail(request) {
  const detail = $(".request-detail");
  const decided = request.status !== "pending";
  const canDecide = approver && !decided;
  detail.dataset.id = request.id;
  detail.innerHTML = `<h3>申请 #${request.id} ${statusBadge(request)}</h3>
    <dl>
      <dt>社区/村</dt><dd>${escapeHtml(communityName(request.community))}（${escapeHtml(request.community)}）</dd>
      <dt>调整理由</dt><dd class="reason">${escapeHtml(request.reason)}</dd>
      <dt>申请人</dt><dd class="submitter">${escapeHtml(request.created_by)}</dd>
      <dt>申请时间</dt><dd>${escapeHtml(fmt.time(request.created_at))}</dd>
      <dt>变动网格</dt><dd>${codes(request.changed, request.community)}</dd>
      <dt>撤销网格</dt><dd>${codes(request.removed, request.community)}</dd>
      ${decided ? `<dt>审批人</dt><dd>${escapeHtml(request.decided_by || "")}</dd>
        <dt>审批意见</dt><dd>${escapeHtml(request.decision_note || "—")}</dd>` : ""}
      ${request.generation ? `<dt>网格版本</dt><dd>已生成第 ${request.generation} 版</dd>` : ""}
    </dl>
    ${effectsTable(request)}
    <p class="muted">地图：变动网格调整前的边界为红色虚线，调整后为填色（变动的为橙色）。新网格的正式编码在批准时按编码规则分配。</p>
    ${canDecide ? `<form class="decision-form">
      <label for="decision-note">审批意见</label>
      <textarea id="decision-note" rows="2" placeholder="可选；驳回时请说明原因"></textarea>
      <div class="buttons"><button type="button" class="primary approve">批准</button>
      <button type="button" class="danger reject">驳回</button></div></form>` : ""}
    <div class="decision-result" aria-live="assertive"></div>`;
  if (canDecide) {
    detail.querySelector(".approve").addEventListener("click", () => decide(request, true));
    detail.querySelector(".reject").addEventListener("click", () => decide(request, false));
  }
}

// What each affected grid gains and loses (staff, households, child grids, business grids, violations).
const people = (list, arrow, community) => list.map((p) =>
  `${escapeHtml(p.name)}（${escapeHtml(p.role)}${p.grid ? `${arrow}${escapeHtml(shortCode(p.grid, community))}` : ""}）`)
  .join("、");
const moves = (label, list) => (list.length ? `<div>${label}：${list.map(escapeHtml).join("、")}</div>` : "");
const STATUS = { new: "新增", changed: "变动", removed: "撤销" };

function effectsTable(request) {
  if (!request.effects || !request.effects.length) return "";
  const rows = request.effects.map((e) => `<tr class="effect" data-code="${escapeHtml(e.code)}">
      <th scope="row">${escapeHtml(shortCode(e.code, request.community))} ${escapeHtml(e.name)}
        <small>${STATUS[e.status] || ""}</small></th>
      <td class="households">${fmt.int(e.households_before)} → ${fmt.int(e.households_after)}</td>
      <td class="people">
        ${e.staff_gained.length ? `<div class="gained">增加：${people(e.staff_gained, "，来自 ", request.community)}</div>` : ""}
        ${e.staff_lost.length ? `<div class="lost">减少：${people(e.staff_lost, "，转至 ", request.community)}</div>` : ""}
        ${moves("转入子网格", e.children_in)}${moves("转出子网格", e.children_out)}
        ${moves("新增业务网格", e.business_in)}${moves("移出业务网格", e.business_out)}
        ${!e.staff_gained.length && !e.staff_lost.length ? '<div class="muted">人员不变</div>' : ""}</td>
      <td class="violations">${e.violations.length
        ? `<ul>${e.violations.map((v) => `<li>${escapeHtml(v)}</li>`).join("")}</ul>` : "—"}</td></tr>`).join("");
  return `<h4>各网格得失${request.status === "approved" ? "（批准时记录）" : "（批准后）"}</h4>
    <table class="effects"><thead><tr><th>网格</th><th>户数</th><th>人员与关联</th><th>规则提示</th></tr></thead>
    <tbody>${rows}</tbody></table>`;
}

async function decide(request, approve) {
  const detail = $(".request-detail");
  const note = detail.querySelector("#decision-note").value.trim();
  const result = detail.querySelector(".decision-result");
  if (!approve && !note) {
    result.innerHTML = '<div class="message error">驳回时请填写审批意见，说明原因。</div>';
    return;
  }
  detail.querySelectorAll(".decision-form button").forEach((b) => { b.disabled = true; });
  try {
    const decided = await api(`${mapEl.dataset.requestsUrl}/${request.id}/decision`, { method: "POST", body: { approve, note } });
    showDetail({ ...request, ...decided });
    detail.querySelector(".decision-result").innerHTML = approve
      ? `<div class="message success">已批准申请 #${decided.id}，已生成第 ${decided.generation} 版网格。</div>`
      : `<div class="message success">已驳回申请 #${decided.id}。</div>`;
    await loadList();
    $(".request-list").querySelectorAll("li").forEach((li) => li.classList.toggle("active", Number(li.dataset.id) === request.id));
  } catch (error) {
    result.innerHTML = `<div class="message error">未能${approve ? "批准" : "驳回"}：${escapeHtml(error.message)}</div>`;
    detail.querySelectorAll(".decision-form button").forEach((b) => { b.disabled = false; });
  }
}

panel.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", () => {
  filter = tab.dataset.filter;
  panel.querySelectorAll(".tab").forEach((t) => {
    t.classList.toggle("active", t === tab);
    t.setAttribute("aria-selected", t === tab ? "true" : "false");
  });
  loadList();
}));

window.geogridAdjustments = { map };
const wanted = Number(new URLSearchParams(window.location.search).get("request"));
loadList().then(() => {
  if (wanted) open(wanted);
  else if (requests.length) open(requests[0].id);
  document.body.dataset.ready = "1";
});
