/* 调整审批: change requests from /api/v1/adjustments/requests. The street's grid centre sees the pending ones
 * of its area (or all), everyone else their own; a request opens as a before/after map with its reason,
 * submitter and time, and approvers decide it (批准 / 驳回 with a note). ?request=<id> opens one directly.
 * window.geogridAdjustments exposes the map for browser tests. */
import { h } from "../../../maps/frontend/common.js";
import { createMap } from "../../../maps/frontend/basemap.js";
import { api, fmt, shortCode, diffLayer, diffLegend } from "./adjust-common.js";

const mapEl = document.getElementById("map");
const approver = mapEl.dataset.approver === "1";
const username = mapEl.dataset.username;
const names = JSON.parse(document.getElementById("community-names").textContent);
const panel = document.querySelector(".adjustments-panel");
const $ = (selector) => panel.querySelector(selector);
let filter = approver ? "pending" : "mine";
let requests = [];
let layer = null;

const map = createMap(mapEl, { zoomSnap: 0.25 }); // fitted to a request when one is opened
const legend = diffLegend();

const communityName = (code) => names[code] || code;
const codes = (list, community) => list.map((c) => shortCode(c, community)).join("、") || "无";
const statusBadge = (r) => h("span", { className: `status ${r.status}` }, r.status_display);
const message = (kind, ...text) => h("div", { className: `message ${kind}` }, ...text);

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
  $(".request-list").replaceChildren(...requests.map((r) => h("li", { tabIndex: 0, dataset: { id: r.id } },
    h("b", null, `#${r.id}`), ` ${communityName(r.community)} `, statusBadge(r),
    h("div", null, r.reason),
    h("small", null, `${r.created_by} · ${fmt.time(r.created_at)} · 变动 ${codes(r.changed, r.community)}`,
      r.removed.length ? `，撤销 ${codes(r.removed, r.community)}` : null))));
  $(".request-list").querySelectorAll("li").forEach((item) => {
    item.addEventListener("click", () => open(Number(item.dataset.id)));
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") open(Number(item.dataset.id)); });
  });
}

async function open(id) {
  $(".request-list").querySelectorAll("li").forEach((li) => li.classList.toggle("active", Number(li.dataset.id) === id));
  const detail = $(".request-detail");
  detail.hidden = false;
  detail.replaceChildren("正在载入…");
  try {
    const request = await api(`${mapEl.dataset.requestsUrl}/${id}`);
    showOnMap(request);
    showDetail(request);
  } catch (error) {
    detail.replaceChildren(message("error", `无法载入申请 #${id}：${error.message}`));
  }
}

function showOnMap(request) {
  if (layer) map.removeLayer(layer);
  layer = diffLayer(request.before, request.after, [...request.changed, ...request.removed], request.community).addTo(map);
  legend.addTo(map);
  if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [16, 16], animate: false });
}

/** A <dt>/<dd> pair of the request's details. */
const term = (label, value, props = null) => [h("dt", null, label), h("dd", props, value)];

function decisionForm() {
  return h("form", { className: "decision-form" },
    h("label", { htmlFor: "decision-note" }, "审批意见"),
    h("textarea", { id: "decision-note", rows: 2, placeholder: "可选；驳回时请说明原因" }),
    h("div", { className: "buttons" }, h("button", { type: "button", className: "primary approve" }, "批准"), " ",
      h("button", { type: "button", className: "danger reject" }, "驳回")));
}

function showDetail(request) {
  const detail = $(".request-detail");
  const decided = request.status !== "pending";
  const canDecide = approver && !decided;
  detail.dataset.id = request.id;
  const result = h("div", { className: "decision-result" });
  result.setAttribute("aria-live", "assertive");
  detail.replaceChildren(
    h("h3", null, `申请 #${request.id} `, statusBadge(request)),
    h("dl", null,
      term("社区/村", `${communityName(request.community)}（${request.community}）`),
      term("调整理由", request.reason, { className: "reason" }),
      term("申请人", request.created_by, { className: "submitter" }),
      term("申请时间", fmt.time(request.created_at)),
      term("变动网格", codes(request.changed, request.community)),
      term("撤销网格", codes(request.removed, request.community)),
      decided ? [term("审批人", request.decided_by || ""), term("审批意见", request.decision_note || "—")] : null,
      request.generation ? term("网格版本", `已生成第 ${request.generation} 版`) : null),
    ...effectsTable(request),
    h("p", { className: "muted" }, "地图：变动网格调整前的边界为红色虚线，调整后为填色（变动的为橙色）。新网格的正式编码在批准时按编码规则分配。"),
    ...(canDecide ? [decisionForm()] : []),
    result);
  if (canDecide) {
    detail.querySelector(".approve").addEventListener("click", () => decide(request, true));
    detail.querySelector(".reject").addEventListener("click", () => decide(request, false));
  }
}

// What each affected grid gains and loses (staff, households, child grids, business grids, violations).
const people = (list, arrow, community) => list.map((p) =>
  `${p.name}（${p.role}${p.grid ? `${arrow}${shortCode(p.grid, community)}` : ""}）`)
  .join("、");
const moves = (label, list) => (list.length ? h("div", null, `${label}：${list.join("、")}`) : null);
const STATUS = { new: "新增", changed: "变动", removed: "撤销" };

function effectRow(e, community) {
  return h("tr", { className: "effect", dataset: { code: e.code } },
    h("th", { scope: "row" }, `${shortCode(e.code, community)} ${e.name} `, h("small", null, STATUS[e.status] || "")),
    h("td", { className: "households" }, `${fmt.int(e.households_before)} → ${fmt.int(e.households_after)}`),
    h("td", { className: "people" },
      e.staff_gained.length ? h("div", { className: "gained" }, `增加：${people(e.staff_gained, "，来自 ", community)}`) : null,
      e.staff_lost.length ? h("div", { className: "lost" }, `减少：${people(e.staff_lost, "，转至 ", community)}`) : null,
      moves("转入子网格", e.children_in), moves("转出子网格", e.children_out),
      moves("新增业务网格", e.business_in), moves("移出业务网格", e.business_out),
      !e.staff_gained.length && !e.staff_lost.length ? h("div", { className: "muted" }, "人员不变") : null),
    h("td", { className: "violations" },
      e.violations.length ? h("ul", null, e.violations.map((v) => h("li", null, v))) : "—"));
}

function effectsTable(request) {
  if (!request.effects || !request.effects.length) return [];
  const head = ["网格", "户数", "人员与关联", "规则提示"].map((label) => h("th", null, label));
  return [
    h("h4", null, `各网格得失${request.status === "approved" ? "（批准时记录）" : "（批准后）"}`),
    h("table", { className: "effects" }, h("thead", null, h("tr", null, head)),
      h("tbody", null, request.effects.map((e) => effectRow(e, request.community)))),
  ];
}

async function decide(request, approve) {
  const detail = $(".request-detail");
  const note = detail.querySelector("#decision-note").value.trim();
  const result = detail.querySelector(".decision-result");
  if (!approve && !note) {
    result.replaceChildren(message("error", "驳回时请填写审批意见，说明原因。"));
    return;
  }
  detail.querySelectorAll(".decision-form button").forEach((b) => { b.disabled = true; });
  try {
    const decided = await api(`${mapEl.dataset.requestsUrl}/${request.id}/decision`, { method: "POST", body: { approve, note } });
    showDetail({ ...request, ...decided });
    detail.querySelector(".decision-result").replaceChildren(message("success", approve
      ? `已批准申请 #${decided.id}，已生成第 ${decided.generation} 版网格。`
      : `已驳回申请 #${decided.id}。`));
    await loadList();
    $(".request-list").querySelectorAll("li").forEach((li) => li.classList.toggle("active", Number(li.dataset.id) === request.id));
  } catch (error) {
    result.replaceChildren(message("error", `未能${approve ? "批准" : "驳回"}：${error.message}`));
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
