/* GeoGrid web map: everything drawn from our own tiles (/tiles/), a click asks /api/v1/locate for a 网格卡片
 * (and /api/v1/building for the details of a building clicked); the search box asks /api/v1/search.
 *
 * The basemap is ours too (hillshade raster, roads, water and buildings as vector tiles), so the map is
 * complete on an intranet; online basemaps appear in the layer switcher only when the settings name them
 * (GEOGRID_ONLINE_BASEMAPS, none by default). /tiles/catalogue.json says which layers the user has, with
 * their tile URLs and feature counts. Vector tiles are drawn by mvt.js. No framework and no build step.
 * CGCS2000 lon/lat is shown as WGS84 on the standard Web Mercator map (they differ by centimetres).
 */
import { fetchJSON, h, textLines, escapeHtml } from "./common.js";
import { createMap, bboxBounds, vectorLayer, rasterLayers, basemapLayer } from "./basemap.js";

const mapEl = document.getElementById("map");
const cardEl = document.getElementById("card");
const CATALOGUE_URL = mapEl.dataset.catalogueUrl;
const LOCATE_URL = mapEl.dataset.locateUrl;
const SEARCH_URL = mapEl.dataset.searchUrl;
const BUILDING_URL = mapEl.dataset.buildingUrl;
const PLAN_URL = mapEl.dataset.planUrl; // "/plan/CODE": CODE stands for a community's code
const LOGIN_URL = mapEl.dataset.loginUrl;

const LEVELS = { 1: "一级网格", 2: "二级网格", 3: "三级网格" };
const KINDS = { comprehensive: "综合网格", exclusive: "专属网格" };
const BUILDING_USES = { residential: "住宅", mixed: "商住", commercial: "商业", public: "公共服务", industrial: "工业" };
const HIT_KINDS = { grid: "网格", building: "地址", point: "坐标" };
const STATION_KINDS = { party_mass_centre: "党群服务中心", grid_station: "网格党群服务站", convenience: "便民服务点" };
const EVENT_STATUS = {
  reported: "已上报", accepted: "已受理", returned: "已退回", dispatched: "已派遣", handling: "处置中",
  fed_back: "已反馈", verifying: "核查中", closed: "已办结",
};
const LEVEL_STYLES = {
  1: { color: "#1d4f91", weight: 2.5, fillColor: "#4a7fc1", fillOpacity: 0.08 },
  2: { color: "#2b8a3e", weight: 1.5, fillColor: "#51cf66", fillOpacity: 0.08 },
  3: { color: "#7b2cbf", weight: 1, fillColor: "#b197fc", fillOpacity: 0.08, dashArray: [3, 3] },
};
const EXCLUSIVE_STYLE = { color: "#d9480f", fillColor: "#f59f00", fillOpacity: 0.25, dashArray: [6, 4] };
const SELECTED_STYLE = { color: "#e03131", weight: 4, interactive: false };
const SELECTED_BUILDING_STYLE = { color: "#e03131", weight: 2.5, fillColor: "#ff8787", fillOpacity: 0.7, radius: 4,
                                  interactive: false };
const BUILDING_STYLE = { fillColor: "#ddd3c8", fillOpacity: 0.95, color: "#b3a799", weight: 0.6, radius: 2 };
const OTHER_BUILDING_STYLE = Object.assign({}, BUILDING_STYLE, { fillColor: "#d2cbd8" });
// Where a place found by search is put: clear of the card (340 px wide, on the right) and the search box.
const FLY_PADDING = { paddingTopLeft: [60, 60], paddingBottomRight: [380, 40] };
const AREA_STYLES = {
  street: { color: "#495057", weight: 2.5, dashArray: [10, 4, 2, 4], interactive: false },
  community: { color: "#862e9c", weight: 1.5, dashArray: [8, 4], interactive: false },
};
const DEPARTMENT_COLORS = ["#c2255c", "#0b7285", "#5f3dc4", "#e67700", "#2f9e44", "#1971c2"];
const STATION_STYLES = {
  party_mass_centre: { shape: "square", radius: 6, fillColor: "#c92a2a", color: "#fff", weight: 1.5 },
  grid_station: { shape: "square", radius: 5, fillColor: "#e8590c", color: "#fff", weight: 1.5 },
  convenience: { radius: 5, fillColor: "#2b8a3e", color: "#fff", weight: 1.5 },
};
const OPEN_EVENT_STYLE = { radius: 4, fillColor: "#f08c00", color: "#fff", weight: 1 };
const CLOSED_EVENT_STYLE = { radius: 3, fillColor: "#868e96", fillOpacity: 0.7, color: "#fff", weight: 0.5 };
const OVERDUE_EVENT_STYLE = { radius: 5, fillColor: "#e03131", color: "#fff", weight: 1.5 };
const ENDED = new Set(["closed", "returned"]);
// Tiles carry each ticket's deadline (`due`, Unix seconds), so "overdue" is decided here, at view time.
const eventStyle = (p) => (ENDED.has(p.status) ? CLOSED_EVENT_STYLE
  : p.due && p.due * 1000 < Date.now() ? OVERDUE_EVENT_STYLE : OPEN_EVENT_STYLE);
const LABEL_CHAR_PX = 13; // about the width of one character of a grid label
const METRES_PER_PX_Z0 = 156543.03392804097; // Web Mercator metres per pixel at zoom 0


function areaText(area) {
  return area ? `${area.name}（${area.code}）` : "—";
}

function toLogin() {
  window.location.href = `${LOGIN_URL}?next=${encodeURIComponent(window.location.pathname)}`;
}
window.addEventListener("geogrid:unauthorized", toLogin); // a tile or API request found the session gone

/* ---------- the map ---------- */
// Fixed zoom limits: left to Leaflet, they would follow the layers' minZoom and re-zoom the map (animated)
// just as the first fitBounds is asked for, which then is dropped.
const map = createMap(mapEl, { zoomControl: true, attributionControl: true, minZoom: 4, maxZoom: 19,
                               panes: { basemap: 250, points: 450, selection: 460 } });
window.geogridMap = map; // for tests and the browser console

const CoordsControl = L.Control.extend({
  options: { position: "bottomleft" },
  onAdd() {
    this._div = h("div", { className: "coords", title: "光标处坐标（CGCS2000）" }, "CGCS2000 经度 —  纬度 —");
    return this._div;
  },
  show(latlng) {
    this._div.textContent = `CGCS2000 经度 ${latlng.lng.toFixed(6)}  纬度 ${latlng.lat.toFixed(6)}`;
  },
});
const coords = new CoordsControl().addTo(map);

const Legend = L.Control.extend({
  options: { position: "bottomright" },
  onAdd() {
    const swatch = (style, text) => {
      const border = `2px ${style.dashArray ? "dashed" : "solid"} ${style.color}`;
      return h("div", null, h("i", { style: `border:${border};background:${style.fillColor}40` }), text);
    };
    const dot = (style, text) => h("div", null, h("i", {
      className: style.shape === "square" ? "dot square" : "dot", style: `background:${style.fillColor}`,
    }), text);
    return h("div", { className: "legend" },
      h("strong", null, "图例"),
      swatch(LEVEL_STYLES[1], "一级网格"),
      swatch(LEVEL_STYLES[2], "二级网格"),
      swatch(LEVEL_STYLES[3], "三级网格"),
      swatch(BUILDING_STYLE, "房屋（住宅）"),
      swatch(EXCLUSIVE_STYLE, "专属网格"),
      swatch({ color: DEPARTMENT_COLORS[0], fillColor: DEPARTMENT_COLORS[0], dashArray: [1] }, "业务网格（按部门着色）"),
      swatch({ color: AREA_STYLES.community.color, fillColor: "#ffffff", dashArray: [1] }, "社区/村界"),
      dot(STATION_STYLES.party_mass_centre, "党群服务中心/服务站"),
      dot(OPEN_EVENT_STYLE, "未办结事件"),
      dot(OVERDUE_EVENT_STYLE, "超期未办结事件"),
      dot(CLOSED_EVENT_STYLE, "已办结事件"),
      swatch({ color: SELECTED_STYLE.color, fillColor: "#ffffff" }, "点选位置所在网格"),
      swatch(SELECTED_BUILDING_STYLE, "点选的房屋"));
  },
});
new Legend().addTo(map);

function showMessage(text) {
  const box = h("div", { className: "map-message" }, text);
  const control = L.control({ position: "topright" });
  control.onAdd = () => box;
  control.addTo(map);
}

/* ---------- styles of our vector layers (roads and water: common.js) ---------- */
const BUILDING_SOURCES = {
  buildings: (p) => (p.use === "residential" ? BUILDING_STYLE : OTHER_BUILDING_STYLE),
};

function gridStyle(p) {
  return Object.assign({}, LEVEL_STYLES[p.level], p.kind === "exclusive" ? EXCLUSIVE_STYLE : {});
}

// A level-1 grid's name is shown only where the grid is drawn wide enough to hold it.
function labelFits(p, zoom) {
  const metresPerPx = METRES_PER_PX_Z0 / Math.pow(2, zoom);
  return p.w / metresPerPx > p.name.length * LABEL_CHAR_PX && p.h / metresPerPx > 2 * LABEL_CHAR_PX;
}

/* ---------- layers ---------- */
const gridLayers = {}; // level -> layer
const hoverLayers = []; // [layer, describe(source, properties)], topmost first
let buildingLayer = null;

// Roads and water; hillshade and buildings are overlays of their own, so each can be switched off.
function localBasemap(catalogue) {
  return basemapLayer(catalogue, { attribution: "本地底图：道路、水系、房屋、地形晕渲（本系统数据）" });
}

// Hillshade (and any orthophoto a county loads), under every vector layer.
function rasterOverlays(catalogue) {
  const result = rasterLayers(catalogue);
  Object.values(result).forEach((layer) => layer.addTo(map));
  return result;
}

function onlineBasemap(basemap) {
  const options = { subdomains: basemap.subdomains, maxZoom: 19, maxNativeZoom: basemap.max_zoom,
                    attribution: basemap.attribution };
  const layers = [L.tileLayer(basemap.url, options)];
  if (basemap.overlay_url) layers.push(L.tileLayer(basemap.overlay_url, options));
  return L.layerGroup(layers);
}

function gridDescription(p) {
  const kind = p.kind === "exclusive" ? `（专属网格${p.exclusive_type ? "·" + p.exclusive_type : ""}）` : "";
  return `${p.code} ${p.name}${kind}`;
}

function overlays(catalogue) {
  const { vector, counts } = catalogue;
  const result = {};
  const areas = vectorLayer(vector.areas, "areas", {
    sources: { areas: (p) => AREA_STYLES[p.kind === "village" ? "community" : p.kind] || AREA_STYLES.street },
    zIndex: 1,
  });
  result["社区/村界"] = areas.addTo(map);

  catalogue.departments.forEach((department, i) => {
    const color = DEPARTMENT_COLORS[i % DEPARTMENT_COLORS.length];
    const style = { color, weight: 2, dashArray: [8, 4], fillColor: color, fillOpacity: 0.06 };
    const layer = vectorLayer(vector["business-grids"], "business-grids", {
      sources: { business_grids: (p) => (p.department === department.code ? style : null) }, zIndex: 2,
    });
    result[`业务网格·${escapeHtml(department.name)}（${department.count}）`] = layer;
    hoverLayers.push([layer, (s, p) => `${p.department_name}：${p.name}（${p.code}）`]);
  });

  for (const level of [1, 2, 3]) {
    const layer = vectorLayer(vector[`grids-${level}`], `grids-${level}`, {
      sources: { grids: gridStyle }, zIndex: 2 + level,
      labels: level === 1 ? {
        source: "grid_labels", key: (p) => p.code, className: "grid-label", fits: labelFits,
        content: (p) => h("span", null, p.name), // an element: names are typed in by people
      } : null,
    });
    gridLayers[level] = layer;
    result[`${LEVELS[level]}（${counts[`grids-${level}`]}）`] = layer.addTo(map);
  }

  const stations = vectorLayer(vector.stations, "stations", {
    pane: "points", sources: { stations: (p) => STATION_STYLES[p.kind] || STATION_STYLES.convenience },
  });
  result[`服务站点（${counts.stations}）`] = stations.addTo(map);
  const events = vectorLayer(vector.events, "events", {
    pane: "points", zIndex: 2,
    sources: { events: eventStyle },
  });
  result[`事件（${counts.events}）`] = events.addTo(map);
  buildingLayer = vectorLayer(vector.buildings, "buildings", { pane: "basemap", sources: BUILDING_SOURCES, zIndex: 2 });
  result["房屋"] = buildingLayer.addTo(map);

  // Hover order: the smallest things on top.
  hoverLayers.unshift(
    [events, (s, p) => `事件：${p.category}（${EVENT_STATUS[p.status] || p.status}` +
      `${eventStyle(p) === OVERDUE_EVENT_STYLE ? "，已超期" : ""}）`],
    [stations, (s, p) => `${p.name}（${STATION_KINDS[p.kind] || p.kind}）`],
    [gridLayers[3], (s, p) => gridDescription(p)],
    [gridLayers[2], (s, p) => gridDescription(p)],
    [gridLayers[1], (s, p) => gridDescription(p)],
  );
  return result;
}

/* ---------- hover: what is under the cursor ---------- */
const hoverTip = L.tooltip({ direction: "right", offset: [14, 0], className: "hover-tip" });
let hoverFrame = 0;

/** The properties (id, use, floors) of the building drawn under a point, or null. */
function buildingAt(latlng) {
  if (!buildingLayer || !map.hasLayer(buildingLayer)) return null;
  const hit = buildingLayer.featuresAt(latlng).find((f) => f.source === "buildings");
  return hit ? hit.properties : null;
}

// The topmost grid, station or event under the cursor, and below it the building there (a click shows both).
function hover(latlng) {
  const lines = [];
  for (const [layer, describe] of hoverLayers) {
    if (!map.hasLayer(layer)) continue;
    const [hit] = layer.featuresAt(latlng);
    if (hit) {
      lines.push(describe(hit.source, hit.properties));
      break;
    }
  }
  const building = buildingAt(latlng);
  if (building) lines.push(`房屋：${BUILDING_USES[building.use] || building.use}，${building.floors} 层`);
  if (!lines.length) {
    map.closeTooltip(hoverTip);
    mapEl.classList.remove("over-feature");
    return;
  }
  hoverTip.setLatLng(latlng).setContent(textLines(...lines));
  if (!map.hasLayer(hoverTip)) map.openTooltip(hoverTip);
  mapEl.classList.add("over-feature");
}

map.on("mousemove", (e) => {
  coords.show(e.latlng);
  cancelAnimationFrame(hoverFrame);
  hoverFrame = requestAnimationFrame(() => hover(e.latlng));
});
map.on("mouseout", () => map.closeTooltip(hoverTip));

/* ---------- click or search → locate (+ building) → 网格卡片 ---------- */
const selection = L.layerGroup().addTo(map);
let catalogue = null;

function select(latlng, grid, buildingId) {
  selection.clearLayers();
  if (grid && catalogue) {
    const spec = catalogue.vector[`grids-${grid.level}`];
    selection.addLayer(vectorLayer(spec, `selected-grid`, {
      pane: "selection", minZoom: 0, sources: { grids: (p) => (p.code === grid.code ? SELECTED_STYLE : null) },
    }));
  }
  if (buildingId && catalogue) {
    selection.addLayer(vectorLayer(catalogue.vector.buildings, "selected-building", {
      pane: "selection", sources: { buildings: (p) => (p.id === buildingId ? SELECTED_BUILDING_STYLE : null) },
    }));
  }
  selection.addLayer(L.circleMarker(latlng, {
    pane: "markerPane", radius: 5, color: "#fff", weight: 2, fillColor: SELECTED_STYLE.color, fillOpacity: 1,
    interactive: false,
  }));
}

const row = (label, value, cls) => [h("dt", null, label), h("dd", cls ? { className: cls } : null, value)];
const codeOf = (g) => [`${g.name}（`, h("span", { className: "code" }, g.code), "）"];

function gridDetails(grid, answer) {
  const drawn = gridLayers[grid.level] && gridLayers[grid.level].findProperties("grids", (p) => p.code === grid.code);
  const exclusiveType = drawn && drawn.exclusive_type;
  const kind = (KINDS[grid.kind] || grid.kind) + (exclusiveType ? `（${exclusiveType}）` : "");
  return h("dl", { className: "grid" },
    row("网格编码", grid.code, "code"),
    row("网格名称", grid.name),
    row("网格层级", LEVELS[grid.level] || grid.level),
    row("网格类型", kind),
    row("所属社区", areaText(answer.community)),
    row("所属街道", areaText(answer.street)),
    row("规划户数", grid.households),
    row("人口数", grid.population));
}

// The building's own counts (以房定户: a grid's households are the sum of its buildings').
function buildingDetails(b) {
  const [finest] = b.grids;
  return h("dl", { className: "building" },
    row("地址", b.address, "address"),
    row("用途", b.use_label),
    row("层数", `${b.floors} 层`, "floors"),
    row("规划户数", b.households, "households"),
    row("常住户数", b.resident_households, "resident-households"),
    row("常住人口", b.population, "population"),
    row("所在网格", finest ? [`${LEVELS[finest.level]} `, codeOf(finest)] : "未入格", "building-grid"),
    row("所属社区", areaText(b.community)));
}

function planLink(community) {
  const href = PLAN_URL.replace("CODE", encodeURIComponent(community.code));
  return h("p", { className: "plan-link" },
    h("a", { href, target: "_blank", rel: "noopener" }, "网格划分平面图"), `（${community.name}，可打印）`);
}

function staffList(staff) {
  if (!staff.length) return h("p", { className: "muted" }, "暂无登记的网格工作人员");
  return h("ul", { className: "staff" }, staff.map((m) =>
    h("li", null, `${m.role} ${m.name}${m.post ? `（${m.post}岗）` : ""} `,
      m.phone ? h("span", { className: "phone" }, m.phone) : h("span", { className: "muted" }, "无电话"))));
}

function businessGridList(businessGrids) {
  if (!businessGrids.length) return h("p", { className: "muted" }, "该位置暂无业务网格");
  const byDepartment = new Map();
  for (const b of businessGrids) {
    if (!byDepartment.has(b.department)) byDepartment.set(b.department, []);
    byDepartment.get(b.department).push(b);
  }
  return h("dl", { className: "business" }, [...byDepartment].map(([department, grids]) => [
    h("dt", null, department),
    h("dd", null, grids.map((b) => h("div", null, codeOf(b)))),
  ]));
}

/** The grid the card is about: the one searched for (`focusCode`), else the finest at the point. */
function focusIndex(answer, focusCode) {
  return Math.max(0, answer.grids.findIndex((g) => g.code === focusCode));
}

function renderCard(answer, focusCode, building) {
  const parts = [];
  if (building && building.error) {
    parts.push(h("p", { className: "notice warn" }, `房屋信息查询失败：${building.error}`));
  } else if (building) {
    parts.push(buildingDetails(building), h("h3", null, "所在网格"));
  }
  if (!answer.covered) {
    parts.push(h("p", { className: "notice warn" }, "该位置不在任何网格内。"));
    const n = answer.nearest_grid;
    if (n) {
      parts.push(h("p", null, "最近的网格：", codeOf(n), `，${LEVELS[n.level] || ""}，距离约 ${Math.round(n.distance_m)} 米。`));
    }
    parts.push(h("dl", null, row("所属社区", areaText(answer.community)), row("所属街道", areaText(answer.street))));
  } else {
    if (answer.on_boundary && !focusCode) { // a searched grid's point is inside it, whatever its children do
      parts.push(h("p", { className: "notice" },
        "该位置恰在网格边界上：按规则归入编码最小的网格，请结合实地情况确认。"));
    }
    const index = focusIndex(answer, focusCode);
    const parents = answer.grids.slice(index + 1);
    parts.push(gridDetails(answer.grids[index], answer));
    if (parents.length) {
      parts.push(h("h3", null, "上级网格"), h("ul", null, parents.map((g) => h("li", null, `${LEVELS[g.level]} `, codeOf(g)))));
    }
    parts.push(h("h3", null, "网格力量"), staffList(answer.staff));
  }
  if (answer.community) parts.push(planLink(answer.community));
  parts.push(h("h3", null, "业务网格"), businessGridList(answer.business_grids));
  parts.push(h("p", { className: "muted" },
    `坐标（CGCS2000）：${answer.point.lon.toFixed(6)}, ${answer.point.lat.toFixed(6)}`));
  openCard(building && !building.error ? "房屋信息 · 网格卡片" : "网格卡片", parts);
}

function openCard(title, parts) {
  cardEl.querySelector(".card-title").textContent = title;
  cardEl.querySelector(".card-body").replaceChildren(...parts);
  cardEl.hidden = false;
}

cardEl.querySelector(".close").addEventListener("click", () => {
  cardEl.hidden = true;
  selection.clearLayers();
});

/**
 * Open the card for a place: the grids at `latlng` (the searched grid `focusCode` first) and, when asked
 * for, a building by id (a click on the buildings layer) or by its point (a search result's query string).
 */
let lastRequest = 0;
async function showPlace(latlng, { focusCode = null, buildingId = null, buildingQuery = null } = {}) {
  const request = ++lastRequest;
  select(latlng, null, buildingId);
  openCard("网格卡片", [h("p", { className: "muted" }, "查询中…")]);
  const query = buildingId ? `id=${buildingId}` : buildingQuery;
  try {
    const [answer, building] = await Promise.all([
      fetchJSON(`${LOCATE_URL}?lon=${latlng.lng.toFixed(8)}&lat=${latlng.lat.toFixed(8)}&crs=cgcs2000`),
      query ? fetchJSON(`${BUILDING_URL}?${query}`).catch((error) => ({ error: error.message })) : null,
    ]);
    if (request !== lastRequest) return; // a newer click or search won
    select(latlng, answer.grids[focusIndex(answer, focusCode)], building && building.id);
    renderCard(answer, focusCode, building);
  } catch (error) {
    if (request === lastRequest) openCard("网格卡片", [h("p", { className: "notice warn" }, `查询失败：${error.message}`)]);
  }
}

map.on("click", (e) => {
  hideResults();
  const building = buildingAt(e.latlng);
  showPlace(e.latlng, { buildingId: building ? building.id : null });
});

/* ---------- search box: grid code or name, address, coordinates ---------- */
const searchForm = document.getElementById("search");
const searchInput = searchForm.elements.q;
const resultsEl = searchForm.querySelector(".search-results");
const SEARCH_DELAY_MS = 250;
let searchTimer = 0;
let searchSeq = 0;
let shown = { query: null, hits: [] }; // what the results list holds
let active = -1; // the result picked by the arrow keys

const SearchControl = L.Control.extend({
  options: { position: "topright" },
  onAdd() {
    L.DomEvent.disableClickPropagation(searchForm);
    L.DomEvent.disableScrollPropagation(searchForm);
    searchForm.hidden = false;
    return searchForm;
  },
});
new SearchControl().addTo(map);

/** The hits for a query, or null when a newer query was asked meanwhile. */
async function searchFor(query) {
  const seq = ++searchSeq;
  const body = await fetchJSON(`${SEARCH_URL}?q=${encodeURIComponent(query)}`);
  return seq === searchSeq ? body.results : null;
}

function hideResults() {
  resultsEl.hidden = true;
  active = -1;
}

function showResults(query, hits) {
  shown = { query, hits };
  active = -1;
  resultsEl.replaceChildren(...(hits.length ? hits.map((hit, i) => {
    const item = h("li", { className: `hit ${hit.kind}`, role: "option", id: `search-hit-${i}` },
      h("span", { className: "kind" }, HIT_KINDS[hit.kind] || hit.kind),
      h("span", { className: "label" }, hit.label),
      h("span", { className: "detail" }, hit.detail));
    item.addEventListener("click", () => choose(hit));
    return item;
  }) : [h("li", { className: "empty" }, `未找到“${query}”：请输入网格编码、网格名称、地址或经纬度坐标`)]));
  resultsEl.hidden = false;
}

function markActive(index) {
  const items = resultsEl.querySelectorAll("li.hit");
  if (!items.length) return;
  active = (index + items.length) % items.length;
  items.forEach((item, i) => item.classList.toggle("active", i === active));
  searchInput.setAttribute("aria-activedescendant", items[active].id);
}

/** Fly to the hit and open its card: a grid's card, a building's details, or the grids at a coordinate. */
function choose(hit) {
  hideResults();
  searchInput.value = hit.label;
  const latlng = L.latLng(hit.lat, hit.lon);
  const bounds = hit.bbox ? bboxBounds(hit.bbox) : L.latLngBounds(latlng, latlng);
  // Buildings are drawn from z14: a building found by its address is shown close enough to be seen.
  const maxZoom = hit.kind === "grid" ? 17 : 18;
  map.flyToBounds(bounds, Object.assign({ maxZoom, duration: 0.8 }, FLY_PADDING));
  if (hit.kind === "grid") {
    showPlace(latlng, { focusCode: hit.code });
  } else if (hit.kind === "building") {
    showPlace(latlng, { buildingQuery: `lon=${hit.lon}&lat=${hit.lat}` });
  } else {
    showPlace(latlng);
  }
}

async function searchNow(pickFirst) {
  clearTimeout(searchTimer);
  const query = searchInput.value.trim();
  if (!query) return hideResults();
  let hits = shown.query === query ? shown.hits : null;
  if (!hits) {
    try {
      hits = await searchFor(query);
    } catch (error) {
      resultsEl.replaceChildren(h("li", { className: "empty" }, `搜索失败：${error.message}`));
      resultsEl.hidden = false;
      return;
    }
    if (!hits || searchInput.value.trim() !== query) return; // the text changed meanwhile
  }
  if (pickFirst && hits.length) choose(hits[Math.max(active, 0)]);
  else showResults(query, hits);
}

searchInput.addEventListener("input", () => {
  clearTimeout(searchTimer);
  if (!searchInput.value.trim()) return hideResults();
  searchTimer = setTimeout(() => searchNow(false), SEARCH_DELAY_MS);
});
searchInput.addEventListener("keydown", (e) => {
  if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    e.preventDefault();
    markActive(active + (e.key === "ArrowDown" ? 1 : -1));
  } else if (e.key === "Escape") {
    hideResults();
  }
});
searchInput.addEventListener("focus", () => {
  if (shown.query && shown.query === searchInput.value.trim()) resultsEl.hidden = false;
});
searchForm.addEventListener("submit", (e) => {
  e.preventDefault(); // Enter: the highlighted result, or the first
  searchNow(true);
});

/* ---------- start: the user's layers, then the view ---------- */
async function start() {
  catalogue = await fetchJSON(CATALOGUE_URL);
  const basemaps = { "本地底图": localBasemap(catalogue).addTo(map) };
  for (const basemap of catalogue.online_basemaps) basemaps[basemap.name] = onlineBasemap(basemap);
  const layers = Object.assign(overlays(catalogue), rasterOverlays(catalogue));
  L.control.layers(basemaps, layers, { collapsed: false, position: "topleft" }).addTo(map);
  if (catalogue.bounds) {
    map.fitBounds(bboxBounds(catalogue.bounds), { padding: [20, 20] });
  } else {
    showMessage("暂无可显示的网格");
  }
}

start().catch((error) => showMessage(`地图图层加载失败：${error.message}`));
