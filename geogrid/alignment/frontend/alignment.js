/* 多网合一 page: business grids coloured by verdict over the base grids, the disagreeing pieces, and the
 * auto-align preview (the base grids painted in the colour of the business grid they would join). */
import { fetchJSON, textLines, number, percent, tableRow } from "../../../maps/frontend/common.js";
import { createMap } from "../../../maps/frontend/basemap.js";

const mapEl = document.getElementById("map");
if (mapEl.dataset.reportUrl) {
  const VERDICT = { aligned: ["#2f9e44", "一致"], nearly: ["#f08c00", "基本一致"], not: ["#e03131", "不一致"] };
  const PALETTE = ["#4263eb", "#ae3ec9", "#0c8599", "#e8590c", "#5c940d", "#c2255c", "#1971c2", "#862e9c"];
  const map = createMap(mapEl);
  const summary = document.querySelector(".alignment-summary");
  let baseGrids = null;
  let previewLayer = null;

  function showReport(collection) {
    const grids = collection.features.filter((f) => f.properties.type === "business_grid");
    const pieces = collection.features.filter((f) => f.properties.type === "disagreement");
    const layers = {};
    L.geoJSON({ type: "FeatureCollection", features: grids }, {
      style: (f) => ({ color: VERDICT[f.properties.verdict][0], weight: 2.5, fillOpacity: 0.15 }),
      onEachFeature: (f, layer) => {
        layers[f.properties.code] = layer;
        layer.bindTooltip(() => textLines(`${f.properties.code} ${f.properties.name}：${VERDICT[f.properties.verdict][1]}`));
      },
    }).addTo(map);
    L.geoJSON({ type: "FeatureCollection", features: pieces },
              { style: { color: "#c92a2a", weight: 0.5, fillColor: "#ff6b6b", fillOpacity: 0.7 } }).addTo(map);
    const counts = { aligned: 0, nearly: 0, not: 0 };
    grids.forEach((f) => { counts[f.properties.verdict] += 1; });
    summary.textContent = `${grids.length} 个业务网格：一致 ${counts.aligned}，基本一致 ${counts.nearly}，不一致 ${counts.not}`;
    const body = document.querySelector(".alignment-grids tbody");
    body.replaceChildren(...grids.map((f) => {
      const p = f.properties;
      const tr = tableRow([`${p.code} ${p.name}`, p.iou.toFixed(4), number(p.symmetric_difference_m2),
                           VERDICT[p.verdict][1]]);
      tr.className = `verdict-${p.verdict}`;
      tr.addEventListener("click", () => map.fitBounds(layers[p.code].getBounds()));
      return tr;
    }));
    const followed = (collection.followed_changes || []).map((c) => {
      const change = c.area_before_m2 === null ? "" : `，面积 ${number(c.area_before_m2)} → ${number(c.area_after_m2)} m²`;
      return `第 ${c.generation} 版 ${c.code} ${c.name}${change}（${c.description}）`;
    });
    fill(".followed-changes", followed.length ? followed : ["暂无：业务网格对齐后，基础网格的调整会自动带动业务网格，并在此列出"]);
  }

  function showPreview(preview) {
    const colour = {};
    preview.changes.forEach((c, i) => { colour[c.code] = PALETTE[i % PALETTE.length]; });
    if (previewLayer) previewLayer.remove();
    previewLayer = L.geoJSON(baseGrids, {
      filter: (f) => preview.assignment[f.properties.code],
      style: (f) => ({ color: "#fff", weight: 1, fillColor: colour[preview.assignment[f.properties.code]],
                       fillOpacity: 0.45 }),
      onEachFeature: (f, layer) => layer.bindTooltip(() => textLines(`${f.properties.code} → ${preview.assignment[f.properties.code]}`)),
    }).addTo(map);
    document.querySelector(".preview-changes tbody").replaceChildren(...preview.changes.map((c) =>
      tableRow([`${c.code} ${c.name}`, (c.area_change_m2 > 0 ? "+" : "") + number(c.area_change_m2),
                String(c.base_grids.length)])));
    const moves = preview.moves.map((m) => `${m.from || "（无）"} → ${m.to || "（无）"}：${m.households} 户（${m.buildings} 栋）`);
    fill(".preview-moves", moves.length ? moves : ["没有住户变动业务网格"]);
    const undecided = preview.undecided.map((u) => `${u.base_code}：${u.business_code} 只占 ${percent(u.share, 0)}`);
    fill(".preview-undecided", undecided.length ? undecided : ["无"]);
    document.querySelector(".alignment-preview").hidden = false;
  }

  function fill(selector, lines) {
    document.querySelector(selector).replaceChildren(...lines.map((text) => {
      const li = document.createElement("li"); li.textContent = text; return li;
    }));
  }

  document.querySelector(".preview-button").addEventListener("click", () => {
    fetchJSON(mapEl.dataset.previewUrl).then(showPreview).catch((e) => { summary.textContent = `预览失败：${e.message}`; });
  });
  const applyButton = document.querySelector(".apply-button");
  if (applyButton) {
    applyButton.addEventListener("click", () => {
      const result = document.querySelector(".apply-result");
      fetchJSON(mapEl.dataset.applyUrl, { method: "POST", body: { decisions: {}, accept_low_share: false } })
        .then((body) => { result.textContent = `已生成第 ${body.generation} 版：一致 ${body.report.aligned} 个`; })
        .catch((e) => { result.textContent = `未应用：${e.message}`; });
    });
  }

  Promise.all([fetchJSON(mapEl.dataset.gridsUrl), fetchJSON(mapEl.dataset.reportUrl)])
    .then(([grids, report]) => {
      baseGrids = grids;
      const base = L.geoJSON(grids, { style: { color: "#495057", weight: 1, dashArray: "3 3", fillOpacity: 0 } }).addTo(map);
      if (base.getLayers().length) map.fitBounds(base.getBounds());
      showReport(report);
    })
    .catch((error) => { summary.textContent = `无法计算：${error.message}`; });
}
