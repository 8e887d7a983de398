/* 待定位工单: hotline tickets whose address matched no building. The centre picks one from the list, clicks where
 * it happened on our own map (/tiles/: roads, water, buildings and grids, so the buildings the address names can
 * be found by eye; the search box asks /api/v1/search), and confirms: /api/v1/events/<id>/place stores the point
 * and answers with the grid, community and unit the ticket is routed to now, shown under the list.
 *
 * The map is Web Mercator on WGS84/CGCS2000 lon/lat (centimetres apart): a click is sent as a WGS84 point.
 */
import { fetchJSON, textLines } from "../../../maps/frontend/common.js";
import { createMap, bboxBounds, vectorLayer, addBasemap } from "../../../maps/frontend/basemap.js";

const mapEl = document.getElementById("map");
const panel = document.querySelector(".place-panel");
const PLACE_URL = mapEl.dataset.placeUrl; // "/api/v1/events/0/place": 0 stands for the ticket's id
const GRID_STYLE = { color: "#1d4f91", weight: 1.5, fillColor: "#4a7fc1", fillOpacity: 0.05 };
const ROAD_STYLE = { color: "#ffffff", weight: 2, casing: { color: "#c8c0b0", weight: 3.5 } };
const BUILDING_STYLE = { fillColor: "#ddd3c8", fillOpacity: 0.95, color: "#b3a799", weight: 0.6, radius: 2 };
const PICKED = { radius: 8, color: "#fff", weight: 2, fillColor: "#e03131", fillOpacity: 1 };
const PLACED = { radius: 6, color: "#fff", weight: 2, fillColor: "#2b8a3e", fillOpacity: 1 };

const map = createMap(mapEl, { minZoom: 4, maxZoom: 19, panes: { basemap: 250 } });
window.geogridUnplacedMap = map; // for tests and the browser console

/* ---------- our own basemap and grids ---------- */
addBasemap(map, mapEl.dataset.catalogueUrl, {
  roads: () => ROAD_STYLE, attribution: "本地底图：道路、水系、房屋（本系统数据）",
}).then((catalogue) => {
  const v = catalogue.vector;
  vectorLayer(v.buildings, "buildings", { pane: "basemap", sources: { buildings: () => BUILDING_STYLE }, zIndex: 2 })
    .addTo(map);
  vectorLayer(v["grids-1"], "grids-1", { sources: { grids: () => GRID_STYLE }, zIndex: 3 }).addTo(map);
  if (catalogue.bounds) map.fitBounds(bboxBounds(catalogue.bounds), { padding: [20, 20] });
  mapEl.dataset.ready = "1";
}).catch((error) => {
  mapEl.dataset.ready = "error";
  mapEl.title = `地图图层加载失败：${error.message}`;
});

if (panel) { // nothing to place (or not the centre)

  const chosenText = panel.querySelector(".chosen");
  const placeButton = panel.querySelector(".place-button");
  const errorBox = panel.querySelector(".place-error");
  const resultBox = panel.querySelector(".place-result");
  let chosen = null; // the selected ticket's list button
  let picked = null; // the marker of the clicked place

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function choose(button) {
    if (button.closest("li").classList.contains("placed")) return;
    document.querySelectorAll(".unplaced-list button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    chosen = button;
    chosenText.textContent = `#${button.dataset.id} ${button.dataset.address || "（无地址）"}：请在地图上点击事发位置。`;
    panel.querySelector("input[name=q]").value = button.dataset.address || "";
    placeButton.disabled = picked === null;
    showError("");
  }

  document.querySelectorAll(".unplaced-list button").forEach((button) => {
    button.addEventListener("click", () => choose(button));
  });

  map.on("click", (e) => {
    if (!chosen) {
      showError("请先在列表中选择要定位的工单。");
      return;
    }
    if (picked) picked.setLatLng(e.latlng);
    else picked = L.circleMarker(e.latlng, PICKED).addTo(map);
    placeButton.disabled = false;
    showError("");
  });

  placeButton.addEventListener("click", async () => {
    if (!chosen || !picked) return;
    const at = picked.getLatLng();
    const button = chosen;
    placeButton.disabled = true;
    try {
      const body = await fetchJSON(PLACE_URL.replace("/0/place", `/${button.dataset.id}/place`), {
        method: "POST", body: { lon: at.lng, lat: at.lat, crs: "wgs84" },
      });
      const where = body.grid
        ? `网格 ${body.grid.code} ${body.grid.name}（${body.community || ""}）`
        : `不在任何网格内，转${body.street || "街道"}中心处理`;
      resultBox.className = body.grid ? "place-result" : "place-result warn";
      resultBox.textContent = `#${body.id} 已定位：${where}；责任单位：${body.department || "待中心指定"}。`;
      L.circleMarker(at, PLACED).bindTooltip(textLines(`#${body.id} ${where}`)).addTo(map);
      picked.remove();
      picked = null;
      const item = button.closest("li");
      item.classList.add("placed");
      button.setAttribute("aria-pressed", "false");
      button.disabled = true;
      button.querySelector(".meta").textContent += ` · 已定位：${body.grid ? body.grid.code : "网格外"}`;
      chosen = null;
      chosenText.textContent = "请在列表中选择下一件工单。";
    } catch (error) {
      showError(`定位失败：${error.message}`);
      placeButton.disabled = false;
    }
  });

  /* ---------- finding the place: our own search (addresses, grids, coordinates) ---------- */
  const hits = panel.querySelector(".search-hits");
  panel.querySelector(".address-search").addEventListener("submit", async (e) => {
    e.preventDefault();
    const q = e.target.elements.q.value.trim();
    if (!q) return;
    try {
      const body = await fetchJSON(`${mapEl.dataset.searchUrl}?${new URLSearchParams({ q })}`);
      hits.replaceChildren(...(body.results.length ? body.results.map((hit) => {
        const link = Object.assign(document.createElement("a"), { textContent: `${hit.label}（${hit.detail}）` });
        link.addEventListener("click", () => {
          if (hit.bbox) map.fitBounds(bboxBounds(hit.bbox), { maxZoom: 18 });
          else map.setView([hit.lat, hit.lon], 18);
        });
        const li = document.createElement("li");
        li.append(link);
        return li;
      }) : [Object.assign(document.createElement("li"), { textContent: "没有找到，可缩短关键词（如只输入路名）" })]));
    } catch (error) {
      showError(`搜索失败：${error.message}`);
    }
  });
}
