/* 覆盖校验 page: the area's grids, and every coverage problem from /api/v1/coverage drawn and listed.
 * A click on a listed problem zooms to it. No framework, no online basemap. */
import { fetchJSON, textLines, number } from "../../../maps/frontend/common.js";
import { createMap } from "../../../maps/frontend/basemap.js";

const mapEl = document.getElementById("map");
const summary = document.querySelector(".problem-summary");
const list = document.querySelector(".problem-list");
const SEVERITY_COLORS = { error: "#e03131", warning: "#f08c00", sliver: "#868e96" };
const SEVERITY_LABELS = { error: "错误", warning: "警告", sliver: "细碎" };

const map = createMap(mapEl);

function describe(p) {
  const codes = p.grid_codes.length ? `（${p.grid_codes.join("、")}）` : "";
  const area = p.area_m2 ? `，${number(p.area_m2)} m²` : "";
  return `[${SEVERITY_LABELS[p.severity] || p.severity}] ${p.kind_label}${codes}${area}：${p.message}`;
}

function show(collection) {
  const features = collection.features;
  const layer = L.geoJSON(collection, {
    style: (f) => ({ color: SEVERITY_COLORS[f.properties.severity], weight: 3, fillOpacity: 0.45 }),
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 7 }),
  }).addTo(map);
  summary.textContent = features.length
    ? `共 ${features.length} 个问题：错误 ${count(features, "error")}，警告 ${count(features, "warning")}，细碎 ${count(features, "sliver")}`
    : "没有发现问题：网格无缝隙、无重叠，规模均在规则之内。";
  list.replaceChildren(...features.map((f, i) => {
    const item = document.createElement("li");
    item.className = `problem ${f.properties.severity}`;
    item.textContent = describe(f.properties);
    item.addEventListener("click", () => {
      const target = layer.getLayers()[i];
      if (target.getBounds) map.fitBounds(target.getBounds(), { maxZoom: 18 });
      const loc = f.properties.location;
      L.popup().setLatLng([loc.lat, loc.lon]).setContent(textLines(item.textContent)).openOn(map);
    });
    return item;
  }));
}

function count(features, severity) {
  return features.filter((f) => f.properties.severity === severity).length;
}

Promise.all([fetchJSON(mapEl.dataset.gridsUrl), fetchJSON(mapEl.dataset.coverageUrl)])
  .then(([grids, problems]) => {
    const gridLayer = L.geoJSON(grids, {
      style: { color: "#1d4f91", weight: 1.5, fillOpacity: 0.05 },
      onEachFeature: (f, l) => l.bindTooltip(() => textLines(`${f.properties.code} ${f.properties.name}`)),
    }).addTo(map);
    if (gridLayer.getLayers().length) map.fitBounds(gridLayer.getBounds());
    show(problems);
  })
  .catch((error) => { summary.textContent = `无法校验：${error.message}`; });
