/* 网格编辑: one community's level-1 grids as a draft on a Leaflet map, changed with four tools that each send
 * one operation to /api/v1/adjustments/<community>/operations and take the server's new draft (the server
 * keeps the grids a clean partition and buildings whole), a live table of every grid's statistics with the
 * sizing-rule violations in red (editor-table.js), undo/redo (editor-drafts.js), submission for approval, and
 * the versions (editor-history.js). Drawing uses Leaflet-Geoman, snapping to the grid boundaries, building
 * outlines, roads and water on the map.
 * window.geogridEditor exposes the map and the session for browser tests. */
import { h, textLines } from "../../../maps/frontend/common.js";
import { createMap } from "../../../maps/frontend/basemap.js";
import { api, fmt, shortCode, gridLabel } from "./adjust-common.js";
import { DraftStack } from "./editor-drafts.js";
import * as EditorTable from "./editor-table.js";
import * as EditorHistory from "./editor-history.js";

const mapEl = document.getElementById("map");
const data = mapEl.dataset;
const community = { code: data.community, name: data.communityName };
const panel = document.querySelector(".editor-panel");
const $ = (selector) => panel.querySelector(selector);
const short = (code) => shortCode(code, community.code);

const drafts = new DraftStack(data.storageKey);
const state = {
  tool: null, // {kind: draw|split|merge|reshape, grid, picked: []}
  busy: false,
  mode: "edit", // or "history"
  pending: [], // pending change requests of the community, from the server
  conflicts: [], // codes the last refused submission conflicted on
};

// ---- the map ------------------------------------------------------------------------------------------

const map = createMap(mapEl, { zoomSnap: 0.25, doubleClickZoom: false, // fitted to the community once its grids load
                               prefix: "GeoGrid · Leaflet · Leaflet-Geoman" });
for (const [name, zIndex] of [["context", 420], ["drawing", 450]]) {
  map.createPane(name).style.zIndex = zIndex;
  map.getPane(name).style.pointerEvents = "none"; // clicks go through to the grids below
}
map.pm.setLang("zh");
map.pm.setGlobalOptions({
  snappable: true, snapDistance: 15, snapMiddle: false, finishOnEnter: true,
  panes: { vertexPane: "markerPane", layerPane: "drawing", markerPane: "markerPane" },
});

// Under the grids' labels, above their fills; not clickable, but snapped to (pmIgnore with snapIgnore:false).
const snapOnly = { pane: "context", interactive: false, pmIgnore: true, snapIgnore: false };
const ROAD_WEIGHT = { primary: 4, secondary: 3, residential: 1.8, rural: 1.5, path: 1 };

const gridLayer = L.geoJSON(null, {
  pmIgnore: true, snapIgnore: false, style: gridStyle, onEachFeature: bindGrid,
}).addTo(map);
const labelLayer = L.layerGroup().addTo(map);

function showSurroundings(layers) {
  L.geoJSON(layers.water, { ...snapOnly, style: { color: "#74c0fc", weight: 1, fillColor: "#a5d8ff", fillOpacity: 0.7 } })
    .addTo(map);
  L.geoJSON(layers.buildings, { ...snapOnly, style: { color: "#495057", weight: 0.8, fillColor: "#adb5bd", fillOpacity: 0.75 } })
    .addTo(map);
  L.geoJSON(layers.roads, { ...snapOnly, style: (f) => ({ color: "#868e96", weight: ROAD_WEIGHT[f.properties.kind] || 1.5 }) })
    .addTo(map);
  L.geoJSON(layers.boundary, { ...snapOnly, style: { color: "#212529", weight: 2.5, dashArray: "10 4 2 4", fill: false } })
    .addTo(map);
}

function gridStyle(feature) {
  const code = feature.properties.code;
  const violations = (feature.properties.stats || {}).violations || [];
  const style = { color: "#1d4f91", weight: 2, fillColor: "#74c0fc", fillOpacity: 0.2 };
  if (violations.length) Object.assign(style, { fillColor: "#ff6b6b", fillOpacity: 0.35 });
  if (drafts.touched().changed.includes(code)) Object.assign(style, { color: "#e8590c", weight: 3.5 });
  if (state.conflicts.includes(code)) Object.assign(style, { color: "#c92a2a", weight: 4, dashArray: "8 4" });
  if (state.tool && (state.tool.grid === code || state.tool.picked.includes(code))) {
    Object.assign(style, { color: "#7048e8", weight: 4, fillColor: "#b197fc", fillOpacity: 0.45 });
  }
  return style;
}

function bindGrid(feature, layer) {
  const p = feature.properties;
  const stats = p.stats || {};
  gridLabel(feature, textLines(h("b", null, short(p.code)), `${fmt.int(stats.households)}户`)).addTo(labelLayer);
  layer.on("click", () => {
    if (!map.pm.globalDrawModeEnabled()) pickGrid(p.code);
  });
}

// ---- the session: render the current draft ---------------------------------------------------------------

function features() {
  return drafts.current().draft.features;
}

function featureOf(code) {
  return features().find((f) => f.properties.code === code);
}

function render({ fit = false } = {}) {
  gridLayer.clearLayers();
  labelLayer.clearLayers();
  gridLayer.addData(drafts.current().draft);
  if (fit && gridLayer.getLayers().length) map.fitBounds(gridLayer.getBounds(), { padding: [16, 16], animate: false });
  renderTable();
  renderState();
}

function restyle() {
  gridLayer.setStyle(gridStyle);
  renderTable();
}

function renderState() {
  const touched = drafts.touched();
  $(".editor-state").textContent = drafts.dirty()
    ? `草稿：已做 ${drafts.index} 步调整（变动 ${touched.changed.length} 个网格` +
      `${touched.removed.length ? `，撤销 ${touched.removed.length} 个` : ""}），尚未提交；草稿已保存在本机。`
    : "与现行网格一致。选择一个工具开始调整。";
  $(".undo").disabled = state.busy || !drafts.canUndo();
  $(".redo").disabled = state.busy || !drafts.canRedo();
  panel.querySelectorAll(".tool").forEach((button) => {
    button.disabled = state.busy;
    button.classList.toggle("active", !!state.tool && state.tool.kind === button.dataset.tool);
  });
  $(".submit-form button").disabled = state.busy || !drafts.dirty();
  const removed = $(".removed-grids");
  removed.hidden = !touched.removed.length;
  removed.textContent = touched.removed.length ? `将撤销的网格：${touched.removed.join("、")}` : "";
  document.body.dataset.busy = state.busy ? "1" : "";
}

function renderTable() {
  const tool = state.tool;
  EditorTable.render($(".grid-table"), features(), {
    changed: new Set(drafts.touched().changed), last: new Set(drafts.current().changed),
    picked: new Set(tool ? [tool.grid, ...tool.picked].filter(Boolean) : []), conflicts: new Set(state.conflicts),
  }, short);
}

/** The message under the tools: text and nodes in a <div class="message {kind}">. */
function say(kind, ...content) {
  $(".messages").replaceChildren(EditorHistory.message(kind, ...content));
}

// ---- tools ------------------------------------------------------------------------------------------------

/** Each tool's hint: a list of text and nodes. */
const HINTS = {
  draw: () => ["在地图上依次单击，画出新网格的范围（会吸附到道路、楼栋和网格边界，按住 Alt 键则不吸附），单击第一个点结束。" +
    "新网格从它覆盖的网格中划出。"],
  split: (t) => (t.grid
    ? ["画一条完整穿过网格 ", h("b", null, short(t.grid)), " 的分割线（两端都在网格外），再次单击最后一点或按回车结束。"]
    : ["单击要分割的网格（地图上或表格中）。"]),
  merge: (t) => (t.picked.length
    ? ["依次单击两个相邻的网格。已选：", h("b", null, t.picked.map(short).join("、"))]
    : ["依次单击两个相邻的网格。"]),
  reshape: (t) => (t.grid
    ? ["画出要划入网格 ", h("b", null, short(t.grid)), " 的范围，单击第一个点结束；范围内其他网格的部分将划给它。"]
    : ["单击接收调整区域的网格（地图上或表格中）。"]),
};

function startTool(kind) {
  if (state.busy || state.mode !== "edit") return;
  const again = state.tool && state.tool.kind === kind;
  cancelTool();
  if (again) return; // a second press of the same tool turns it off
  $(".messages").replaceChildren(); // the last operation's message no longer applies
  state.tool = { kind, grid: null, picked: [] };
  if (kind === "draw") beginDrawing("Polygon");
  showHint();
}

function beginDrawing(shape) {
  state.tool.shape = shape;
  map.pm.enableDraw(shape, {
    snappable: true, snapDistance: 15, allowSelfIntersection: false, tooltips: true,
    templineStyle: { color: "#e8590c", weight: 3 }, hintlineStyle: { color: "#e8590c", dashArray: "5,5" },
    pathOptions: { color: "#e8590c" },
  });
}

function showHint() {
  const hint = $(".tool-hint");
  hint.hidden = !state.tool;
  if (state.tool) {
    $(".hint-text").replaceChildren(...HINTS[state.tool.kind](state.tool));
    $(".finish-drawing").hidden = !state.tool.shape;
  }
  restyle();
  renderState();
}

function cancelTool() {
  state.tool = null;
  if (map.pm.globalDrawModeEnabled()) map.pm.disableDraw();
  showHint();
}

function pickGrid(code) {
  const tool = state.tool;
  if (state.busy || state.mode !== "edit") return;
  if (!tool) {
    focusGrid(code);
    return;
  }
  if ((tool.kind === "split" || tool.kind === "reshape") && !tool.grid) {
    tool.grid = code;
    beginDrawing(tool.kind === "split" ? "Line" : "Polygon");
    showHint();
  } else if (tool.kind === "merge") {
    tool.picked = tool.picked.includes(code) ? tool.picked.filter((c) => c !== code) : [...tool.picked, code];
    showHint();
    if (tool.picked.length === 2) {
      const [a, b] = tool.picked;
      run({ op: "merge", grids: [a, b] }, `合并 ${short(a)} 与 ${short(b)}`);
    }
  }
}

function focusGrid(code) {
  const layer = gridLayer.getLayers().find((l) => l.feature.properties.code === code);
  if (layer) map.fitBounds(layer.getBounds(), { maxZoom: map.getZoom(), padding: [40, 40] });
  const row = $(`.grid-row[data-code="${CSS.escape(code)}"]`);
  if (row) {
    row.scrollIntoView({ block: "nearest" });
    row.classList.add("flash");
    setTimeout(() => row.classList.remove("flash"), 1200);
  }
}

map.on("pm:create", ({ layer }) => {
  const geometry = layer.toGeoJSON(9).geometry;
  map.removeLayer(layer);
  const tool = state.tool;
  // let Geoman finish its own clean-up before the tool is reset
  setTimeout(() => {
    if (!tool) return;
    if (tool.kind === "draw") run({ op: "draw", region: geometry }, "新建网格");
    else if (tool.kind === "split") run({ op: "split", grid: tool.grid, line: geometry }, `分割 ${short(tool.grid)}`);
    else if (tool.kind === "reshape") {
      run({ op: "reshape", grid: tool.grid, region: geometry }, `调整 ${short(tool.grid)} 的边界`);
    }
  }, 0);
});

/** The draft as sent to the server: without the statistics (the server recomputes them). */
function payload(draft) {
  return { type: "FeatureCollection", features: draft.features.map((f) => {
    const { stats, ...properties } = f.properties;
    return { type: "Feature", id: f.id, geometry: f.geometry, properties };
  }) };
}

async function run(operation, label) {
  cancelTool();
  setBusy(true);
  say("info", `正在计算：${label}…`);
  try {
    const result = await api(data.operationsUrl, { method: "POST", body: { draft: payload(drafts.current().draft), operation } });
    drafts.push({ draft: result.draft, changed: result.changed, removed: result.removed, label });
    state.conflicts = [];
    render();
    const changed = result.changed.map(short).join("、");
    const removed = result.removed.length ? `；撤销 ${result.removed.map(short).join("、")}` : "";
    const warnings = result.warnings || [];
    say(warnings.length ? "warning" : "success", `${label}：完成，变动网格 ${changed}${removed}。`,
        warnings.length ? h("ul", { className: "warnings" }, warnings.map((w) => h("li", null, w))) : null);
  } catch (error) {
    // Refused over a few hundredths of a square metre: rounding in the backend's partition check (its fixed
    // 0.01 m² tolerance; tests/test_editor_browser.py has the case), not the drawing.
    const rounding = /(覆盖面积|重叠) [+-]?0\.0\d 平方米/.test(error.message)
      ? "（差值只有零点零几平方米，是计算精度所致：请把线或范围稍微移动后再试一次。）" : "";
    say("error", `${label}未完成：${error.message}${rounding}`);
  } finally {
    setBusy(false);
  }
}

function setBusy(busy) {
  state.busy = busy;
  renderState();
}

function undo() {
  if (state.busy || !drafts.canUndo()) return;
  cancelTool();
  const entry = drafts.current();
  drafts.undo();
  render();
  say("info", `已撤销：${entry.label}`);
}

function redo() {
  if (state.busy || !drafts.canRedo()) return;
  cancelTool();
  drafts.redo();
  render();
  say("info", `已重做：${drafts.current().label}`);
}

function rename(code, name) {
  const feature = featureOf(code);
  name = name.trim();
  if (!feature || !name || feature.properties.name === name) return;
  const draft = JSON.parse(JSON.stringify(drafts.current().draft));
  draft.features.find((f) => f.properties.code === code).properties.name = name;
  drafts.push({ draft, changed: [code], removed: [], label: `命名 ${code} 为“${name}”` });
  render();
  say("success", `已将新网格 ${code} 命名为“${name}”。`);
}

// ---- loading, reloading, submitting -----------------------------------------------------------------------

async function load({ keepLocal }) {
  const server = await api(data.draftUrl);
  showPending(server.pending);
  if (keepLocal && drafts.restore()) {
    const stale = Object.keys(drafts.base).some((c) => drafts.base[c] !== server.base[c]) ||
      Object.keys(server.base).some((c) => !(c in drafts.base));
    say(stale ? "warning" : "info",
        `已恢复本机保存的草稿（${fmt.time(drafts.savedAt)}）。` +
        (stale ? "此后现行网格已有变化：涉及已变化网格的调整提交时会被拒绝，可点击“重新载入现行网格”重新开始。" : ""));
  } else {
    drafts.reset(server.draft, server.base);
  }
  state.conflicts = [];
  render({ fit: true });
}

function showPending(pending) {
  state.pending = pending || [];
  const box = $(".pending-requests");
  box.hidden = !state.pending.length;
  box.replaceChildren(...(state.pending.length ? [h("b", null, "待审批的调整申请"), h("ul", null, state.pending.map((r) =>
    h("li", null, EditorHistory.requestLink(r.id), ` ${r.created_by} 于 ${fmt.time(r.created_at)} 提交： ` +
      `${r.reason}（涉及 ${[...r.changed, ...r.removed].map(short).join("、")}）`)))] : []));
}

let reloadArmed = null;
async function reload() {
  if (state.busy) return;
  const button = $(".reload");
  if (drafts.dirty() && !reloadArmed) { // ask once, inline (no blocking dialog)
    button.textContent = "确认放弃草稿？再点一次";
    button.classList.add("armed");
    reloadArmed = setTimeout(() => { reloadArmed = null; button.textContent = "重新载入现行网格"; button.classList.remove("armed"); }, 5000);
    return;
  }
  clearTimeout(reloadArmed);
  reloadArmed = null;
  button.textContent = "重新载入现行网格";
  button.classList.remove("armed");
  await reloadNow();
}

async function reloadNow() {
  cancelTool();
  drafts.forget();
  setBusy(true);
  try {
    await load({ keepLocal: false });
    say("info", "已载入现行网格。");
    $(".submit-result").replaceChildren();
  } catch (error) {
    say("error", `无法载入：${error.message}`);
  } finally {
    setBusy(false);
  }
}

async function submit(event) {
  event.preventDefault();
  const reason = $("#reason").value.trim();
  const result = $(".submit-result");
  if (!reason) {
    result.replaceChildren(EditorHistory.message("error", "请填写调整理由。"));
    $("#reason").focus();
    return;
  }
  cancelTool();
  setBusy(true);
  try {
    const change = await api(data.submitUrl, { method: "POST", body: { draft: payload(drafts.current().draft), base: drafts.base, reason } });
    drafts.forget();
    $("#reason").value = "";
    await load({ keepLocal: false });
    result.replaceChildren(EditorHistory.message("success", "已提交调整申请 ", EditorHistory.requestLink(change.id),
      `，待街道网格中心审批。变动网格：${change.changed.map(short).join("、")}` +
      `${change.removed.length ? `；撤销：${change.removed.map(short).join("、")}` : ""}。`));
    result.scrollIntoView({ block: "nearest" });
  } catch (error) {
    if (error.status === 409) {
      state.conflicts = (error.body && error.body.conflicts) || [];
      restyle();
      const again = h("button", { type: "button", className: "reload-now" }, "重新载入现行网格");
      again.addEventListener("click", reloadNow);
      const box = EditorHistory.message("conflict", h("b", null, "提交未成功：与其他调整冲突"),
        h("p", { className: "conflict-text" }, error.message),
        h("p", null, "冲突网格：", state.conflicts.map((c, i) => [i ? "、" : null, h("b", null, c)]), "（地图上以红色虚线标出）"),
        h("p", null, "您的草稿仍保留在本机。可等对方的申请审批后，点击“重新载入现行网格”在新的网格上重新调整。"), again);
      box.setAttribute("role", "alert");
      result.replaceChildren(box);
      result.scrollIntoView({ block: "nearest" });
    } else {
      result.replaceChildren(EditorHistory.message("error", `提交未成功：${error.message}`));
    }
  } finally {
    setBusy(false);
  }
}

// ---- the versions (editor-history.js) ---------------------------------------------------------------------

const history = EditorHistory.create({
  map, panel, historyUrl: data.historyUrl, restoreUrl: data.restoreUrl, communityCode: community.code,
  onRestored: () => api(data.draftUrl).then((server) => showPending(server.pending)).catch(() => {}),
});

function switchTab(name) {
  cancelTool();
  state.mode = name === "history" ? "history" : "edit";
  panel.querySelectorAll(".tab").forEach((tab) => {
    tab.classList.toggle("active", tab.dataset.tab === name);
    tab.setAttribute("aria-selected", tab.dataset.tab === name ? "true" : "false");
  });
  panel.querySelectorAll(".tab-panel").forEach((p) => { p.hidden = p.dataset.panel !== name; });
  if (state.mode === "history") {
    map.removeLayer(gridLayer);
    map.removeLayer(labelLayer);
    history.show();
  } else {
    history.hide();
    gridLayer.addTo(map);
    labelLayer.addTo(map);
  }
}

// ---- wiring -------------------------------------------------------------------------------------------

panel.querySelectorAll(".tool").forEach((button) => button.addEventListener("click", () => startTool(button.dataset.tool)));
panel.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", () => switchTab(tab.dataset.tab)));
$(".undo").addEventListener("click", undo);
$(".redo").addEventListener("click", redo);
$(".reload").addEventListener("click", reload);
$(".cancel-tool").addEventListener("click", cancelTool);
$(".finish-drawing").addEventListener("click", () => {
  const shape = map.pm.Draw.getActiveShape();
  if (shape) map.pm.Draw[shape]._finishShape();
});
$(".submit-form").addEventListener("submit", submit);
$(".grid-table tbody").addEventListener("click", (event) => {
  const row = event.target.closest("tr[data-code]");
  if (row && !event.target.closest("input")) pickGrid(row.dataset.code);
});
$(".grid-table tbody").addEventListener("change", (event) => {
  if (event.target.matches(".name-input")) rename(event.target.dataset.code, event.target.value);
});
document.addEventListener("keydown", (event) => {
  if (event.target.closest && event.target.closest("input, textarea, select")) return;
  const key = event.key.toLowerCase();
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && key === "z" && !event.shiftKey) {
    event.preventDefault();
    undo();
  } else if (ctrl && (key === "y" || (key === "z" && event.shiftKey))) {
    event.preventDefault();
    redo();
  } else if (key === "escape") {
    cancelTool();
  }
});

window.geogridEditor = { map, drafts, gridLayer, state };

api(data.surroundingsUrl).then(showSurroundings).catch((error) => {
  say("warning", `道路和楼栋底图未能载入（绘制时无法吸附到它们）：${error.message}`);
});
load({ keepLocal: true })
  .then(() => { document.body.dataset.ready = "1"; })
  .catch((error) => {
    $(".editor-state").textContent = `无法载入网格：${error.message}`;
  });
