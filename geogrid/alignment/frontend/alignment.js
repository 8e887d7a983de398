/* 多网合一 page: business grids coloured by verdict over the base grids, the disagreeing pieces, and the
 * auto-align preview (the base grids painted in the colour of the business grid they would join). */
import { fetchJSON, h, swatch, textLines, number, percent, tableRow } from "../../../maps/frontend/common.js";
import { createMap } from "../../../maps/frontend/basemap.js";
import { undecidedChoices } from "./decisions.js";

const mapEl = document.getElementById("map");
if (mapEl.dataset.reportUrl) {
  const VERDICT = { aligned: ["#2f9e44", "一致"], nearly: ["#f08c00", "基本一致"], not: ["#e03131", "不一致"] };
  const PALETTE = ["#4263eb", "#ae3ec9", "#0c8599", "#e8590c", "#5c940d", "#c2255c", "#1971c2", "#862e9c"];
  const map = createMap(mapEl);
  const summary = document.querySelector(".alignment-summary");
  let baseGrids = null;
  let previewLayer = null;
  let businessGrids = []; // [{code, name}] of the report, the choices of a 需人工确定 base grid

  /* The map's legend: the verdict colours, the disagreeing pieces and the base grids under them. */
  const Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd() {
      const div = L.DomUtil.create("div", "legend");
      div.append(h("strong", null, "业务网格"),
                 ...Object.values(VERDICT).map(([colour, label]) => h("div", null, swatch("", { borderColor: colour }), label)),
                 h("div", null, swatch("", { borderColor: "#c92a2a", background: "#ff6b6b" }), "不一致图斑"),
                 h("div", null, swatch("", { borderColor: "#495057", borderStyle: "dashed" }), "基础网格（一级）"));
      return div;
    },
  });
  new Legend().addTo(map);

  function showReport(collection) {
    const grids = collection.features.filter((f) => f.properties.type === "business_grid");
    const pieces = collection.features.filter((f) => f.properties.type === "disagreement");
    const layers = {};
    L.geoJSON({ type: "FeatureCollection", features: grids }, {
      style: (f) => ({ color: VERDICT[f.properties.verdict][0], weight: 2.5, fillOpacity: 0.15 }),
      onEachFeature: (f, layer) => {
        layers[f.properties.code] = layer;
        // A permanent label: the name and verdict of each business grid, readable without hovering.
        layer.bindTooltip(textLines(f.properties.name, `${VERDICT[f.properties.verdict][1]} · 重合度 ${percent(f.properties.iou)}`),
                          { permanent: true, direction: "center", className: "business-label" });
      },
    }).addTo(map);
    L.geoJSON({ type: "FeatureCollection", features: pieces },
              { style: { color: "#c92a2a", weight: 0.5, fillColor: "#ff6b6b", fillOpacity: 0.7 } }).addTo(map);
    businessGrids = grids.map((f) => ({ code: f.properties.code, name: f.properties.name }));
    const counts = { aligned: 0, nearly: 0, not: 0 };
    grids.forEach((f) => { counts[f.properties.verdict] += 1; });
    summary.textContent = `${grids.length} 个业务网格：一致 ${counts.aligned}，基本一致 ${counts.nearly}，不一致 ${counts.not}`;
    const body = document.querySelector(".alignment-grids tbody");
    body.replaceChildren(...grids.map((f) => {
      const p = f.properties;
      const tr = tableRow([`${p.code} ${p.name}`, percent(p.iou), number(p.symmetric_difference_m2),
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
                c.base_grids.length ? `${c.base_grids.length} 个：${c.base_grids.join("、")}` : "（无）"])));
    const moves = preview.moves.map((m) => `${m.from || "（无）"} → ${m.to || "（无）"}：${m.households} 户（${m.buildings} 栋）`);
    fill(".preview-moves", moves.length ? moves : ["没有住户变动业务网格"]);
    showUndecided(preview);
    document.querySelector(".alignment-preview").hidden = false;
  }

  /* 需人工确定: one choice per low-share base grid (the business grid it joins, or none), preset to the
   * majority; the choices go with the apply as its decisions. */
  function showUndecided(preview) {
    const list = document.querySelector(".preview-undecided");
    const choices = undecidedChoices(preview.undecided, preview.assignment);
    if (!choices.length) {
      list.replaceChildren(h("li", null, "无"));
      return;
    }
    list.replaceChildren(...choices.map(({ base, shares, chosen }) => {
      const choice = h("select", { className: "decision", name: base },
                       ...businessGrids.map((g) => h("option", { value: g.code }, `归入 ${g.code} ${g.name}`)),
                       h("option", { value: "" }, "不归入任何业务网格"));
      choice.value = chosen;
      return h("li", null, `${base}（${shares.join("，")}）：`, choice);
    }));
  }

  function decisions() {
    return Object.fromEntries([...document.querySelectorAll(".preview-undecided select.decision")]
      .map((select) => [select.name, select.value || null]));
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
      applyButton.disabled = true;
      fetchJSON(mapEl.dataset.applyUrl, { method: "POST", body: { decisions: decisions(), accept_low_share: false } })
        .then((body) => {
          if (body.generation === null) {
            result.textContent = "业务网格已与基础网格一致，无需生成新版本";
            applyButton.disabled = false;
            return;
          }
          // Reload: the table, the map and the followed changes all come from the new version.
          window.location.assign(`${window.location.pathname}?applied=${body.generation}`);
        })
        .catch((e) => {
          result.textContent = `未应用：${e.message}`;
          applyButton.disabled = false;
        });
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
