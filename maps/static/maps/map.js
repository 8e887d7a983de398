/* GeoGrid web map: current grids from /api/v1/grids.geojson, a click asks /api/v1/locate for a 网格卡片.
 *
 * No framework and no build step. No online basemap: the map must work on an intranet.
 * CGCS2000 lon/lat is shown as WGS84 on the standard Web Mercator map (they differ by centimetres).
 */
(function () {
  "use strict";

  const mapEl = document.getElementById("map");
  const cardEl = document.getElementById("card");
  const GRIDS_URL = mapEl.dataset.gridsUrl;
  const LOCATE_URL = mapEl.dataset.locateUrl;
  const LOGIN_URL = mapEl.dataset.loginUrl;

  const LEVELS = { 1: "一级网格", 2: "二级网格", 3: "三级网格" };
  const KINDS = { comprehensive: "综合网格", exclusive: "专属网格" };
  const LEVEL_STYLES = {
    1: { color: "#1d4f91", weight: 2.5, fillColor: "#4a7fc1", fillOpacity: 0.08 },
    2: { color: "#2b8a3e", weight: 1.5, fillColor: "#51cf66", fillOpacity: 0.08 },
    3: { color: "#7b2cbf", weight: 1, fillColor: "#b197fc", fillOpacity: 0.08, dashArray: "3 3" },
  };
  const EXCLUSIVE_STYLE = { color: "#d9480f", fillColor: "#f59f00", fillOpacity: 0.25, dashArray: "6 4" };
  const SELECTED_STYLE = { color: "#e03131", weight: 4, fill: false, interactive: false };
  const LABEL_CHAR_PX = 13; // about the width of one character of a grid label

  /* ---------- small DOM helper: h("p", {className: "x"}, "text", childNode) ---------- */
  function h(tag, props, ...children) {
    const node = Object.assign(document.createElement(tag), props || {});
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  function areaText(area) {
    return area ? `${area.name}（${area.code}）` : "—";
  }

  /* ---------- the map ---------- */
  const map = L.map(mapEl, { zoomControl: true, attributionControl: true }).setView([35, 105], 4);
  map.attributionControl.setPrefix("GeoGrid · Leaflet");
  window.geogridMap = map; // for tests and the browser console
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);

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
  map.on("mousemove", (e) => coords.show(e.latlng));

  const Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd() {
      const swatch = (style, text) => {
        const border = `2px ${style.dashArray ? "dashed" : "solid"} ${style.color}`;
        return h("div", null, h("i", { style: `border:${border};background:${style.fillColor}40` }), text);
      };
      return h("div", { className: "legend" },
        h("strong", null, "图例"),
        swatch(LEVEL_STYLES[1], "一级网格"),
        swatch(LEVEL_STYLES[2], "二级网格"),
        swatch(LEVEL_STYLES[3], "三级网格"),
        swatch(EXCLUSIVE_STYLE, "专属网格"),
        swatch({ color: SELECTED_STYLE.color, fillColor: "#ffffff" }, "点选位置所在网格"));
    },
  });
  new Legend().addTo(map);

  function showMessage(text) {
    const box = h("div", { className: "map-message" }, text);
    const control = L.control({ position: "topright" });
    control.onAdd = () => box;
    control.addTo(map);
  }

  /* ---------- grid layers ---------- */
  const featuresByCode = new Map();

  function gridStyle(feature) {
    const p = feature.properties;
    return Object.assign({}, LEVEL_STYLES[p.level], p.kind === "exclusive" ? EXCLUSIVE_STYLE : {});
  }

  function gridLayer(collection) {
    return L.geoJSON(collection, {
      style: gridStyle,
      onEachFeature(feature, layer) {
        const p = feature.properties;
        featuresByCode.set(p.code, feature);
        const kind = p.kind === "exclusive" ? `（专属网格${p.exclusive_type ? "·" + p.exclusive_type : ""}）` : "";
        // Elements, not strings: Leaflet would read a string as HTML, and names are typed in by people.
        layer.bindTooltip(h("span", null, `${p.code} ${p.name}${kind}`), { sticky: true });
      },
    });
  }

  // Permanent name labels; the polygons must already be on the map (getCenter needs its projection).
  const labels = [];

  function nameLabels(polygons) {
    const group = L.layerGroup();
    polygons.eachLayer((layer) => {
      const name = layer.feature.properties.name;
      const label = L.tooltip({ permanent: true, direction: "center", className: "grid-label" })
        .setLatLng(layer.getCenter()).setContent(h("span", null, name));
      labels.push({ layer, label, width: name.length * LABEL_CHAR_PX });
      group.addLayer(label);
    });
    return group;
  }

  // A label is shown only where its grid is drawn wide enough to hold it.
  function updateLabels() {
    for (const { layer, label, width } of labels) {
      const bounds = layer.getBounds();
      const sw = map.latLngToLayerPoint(bounds.getSouthWest());
      const ne = map.latLngToLayerPoint(bounds.getNorthEast());
      label.setOpacity(ne.x - sw.x > width && sw.y - ne.y > 2 * LABEL_CHAR_PX ? 1 : 0);
    }
  }
  map.on("zoomend", updateLabels);

  async function fetchJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.status === 401 || response.status === 403) {
      window.location.href = `${LOGIN_URL}?next=${encodeURIComponent(window.location.pathname)}`;
      throw new Error("not logged in");
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.error || body.detail || `HTTP ${response.status}`);
    }
    return body;
  }

  async function loadGrids() {
    const levels = [1, 2, 3];
    const collections = await Promise.all(levels.map((level) => fetchJSON(`${GRIDS_URL}?level=${level}`)));
    const overlays = {};
    const bounds = L.latLngBounds([]);
    levels.forEach((level, i) => {
      const polygons = gridLayer(collections[i]);
      const group = L.layerGroup([polygons]).addTo(map);
      if (level === 1) group.addLayer(nameLabels(polygons));
      overlays[`${LEVELS[level]}（${collections[i].features.length}）`] = group;
      if (polygons.getLayers().length) bounds.extend(polygons.getBounds());
    });
    L.control.layers(null, overlays, { collapsed: false, position: "topleft" }).addTo(map);
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20] });
      updateLabels();
    } else {
      showMessage("暂无可显示的网格");
    }
  }

  /* ---------- click → locate → 网格卡片 ---------- */
  const selection = L.layerGroup().addTo(map);

  function select(latlng, grid) {
    selection.clearLayers();
    const feature = grid && featuresByCode.get(grid.code);
    if (feature) {
      selection.addLayer(L.geoJSON(feature, { style: SELECTED_STYLE, interactive: false }));
    }
    selection.addLayer(L.circleMarker(latlng, {
      radius: 5, color: "#fff", weight: 2, fillColor: SELECTED_STYLE.color, fillOpacity: 1, interactive: false,
    }));
  }

  function gridDetails(grid, answer) {
    const feature = featuresByCode.get(grid.code);
    const exclusiveType = feature && feature.properties.exclusive_type;
    const kind = (KINDS[grid.kind] || grid.kind) + (exclusiveType ? `（${exclusiveType}）` : "");
    const row = (label, value, cls) => [h("dt", null, label), h("dd", cls ? { className: cls } : null, value)];
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
      h("dd", null, grids.map((b) => h("div", null, `${b.name}（`, h("span", { className: "code" }, b.code), "）"))),
    ]));
  }

  function renderCard(answer) {
    const parts = [];
    if (!answer.covered) {
      parts.push(h("p", { className: "notice warn" }, "该位置不在任何网格内。"));
      const n = answer.nearest_grid;
      if (n) {
        parts.push(h("p", null, `最近的网格：${n.name}（`, h("span", { className: "code" }, n.code),
          `），${LEVELS[n.level] || ""}，距离约 ${Math.round(n.distance_m)} 米。`));
      }
      parts.push(h("dl", null, h("dt", null, "所属社区"), h("dd", null, areaText(answer.community)),
        h("dt", null, "所属街道"), h("dd", null, areaText(answer.street))));
    } else {
      if (answer.on_boundary) {
        parts.push(h("p", { className: "notice" },
          "该位置恰在网格边界上：按规则归入编码最小的网格，请结合实地情况确认。"));
      }
      const [finest, ...parents] = answer.grids;
      parts.push(gridDetails(finest, answer));
      if (parents.length) {
        parts.push(h("h3", null, "上级网格"), h("ul", null, parents.map((g) =>
          h("li", null, `${LEVELS[g.level]} ${g.name}（`, h("span", { className: "code" }, g.code), "）"))));
      }
      parts.push(h("h3", null, "网格力量"), staffList(answer.staff));
    }
    parts.push(h("h3", null, "业务网格"), businessGridList(answer.business_grids));
    parts.push(h("p", { className: "muted" },
      `坐标（CGCS2000）：${answer.point.lon.toFixed(6)}, ${answer.point.lat.toFixed(6)}`));
    openCard(parts);
  }

  function openCard(parts) {
    cardEl.querySelector(".card-body").replaceChildren(...parts);
    cardEl.hidden = false;
  }

  cardEl.querySelector(".close").addEventListener("click", () => {
    cardEl.hidden = true;
    selection.clearLayers();
  });

  let lastRequest = 0;
  map.on("click", async (e) => {
    const request = ++lastRequest;
    const lon = e.latlng.lng.toFixed(8);
    const lat = e.latlng.lat.toFixed(8);
    select(e.latlng, null);
    openCard([h("p", { className: "muted" }, "查询中…")]);
    try {
      const answer = await fetchJSON(`${LOCATE_URL}?lon=${lon}&lat=${lat}&crs=cgcs2000`);
      if (request !== lastRequest) return; // a newer click won
      select(e.latlng, answer.grids[0]);
      renderCard(answer);
    } catch (error) {
      if (request === lastRequest) openCard([h("p", { className: "notice warn" }, `查询失败：${error.message}`)]);
    }
  });

  loadGrids().catch((error) => showMessage(`网格数据加载失败：${error.message}`));
})();
