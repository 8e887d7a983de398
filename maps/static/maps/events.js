/* Shared by the ticket pages (上报事件, 工单列表, 工单详情): a small map on our own tiles, the CSRF token, and
 * the list page's filters, which apply as soon as one is changed.
 *
 * The small map draws what the big map (map.js) draws underneath: the local basemap (roads and water as
 * vector tiles), hillshade, buildings and the grid outlines, all from /tiles/ as listed by the catalogue.
 * No online basemap, even when the settings offer one: a phone in the street must not leak where it is.
 */
(function () {
  "use strict";

  const GRID_STYLES = {
    1: { color: "#1d4f91", weight: 2, fillOpacity: 0 },
    2: { color: "#2b8a3e", weight: 1.2, fillOpacity: 0 },
    3: { color: "#7b2cbf", weight: 0.8, fillOpacity: 0, dashArray: [3, 3] },
  };
  const BASEMAP = {
    water: () => ({ fillColor: "#a9cce8", fillOpacity: 1, color: "#86b6dc", weight: 0.8 }),
    roads: (p) => ({ color: p.kind === "primary" || p.kind === "secondary" ? "#fbe3a6" : "#ffffff", weight: 2,
                     casing: { color: "#c8c0b0", weight: 3 } }),
  };
  const BUILDINGS = { buildings: () => ({ fillColor: "#ddd3c8", fillOpacity: 0.95, color: "#b3a799", weight: 0.6 }) };

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function vector(spec, name, options) {
    return L.geogridVectorTiles(spec.url, Object.assign({
      tileset: name, minZoom: spec.minzoom, maxNativeZoom: spec.maxzoom, maxZoom: 19,
    }, options));
  }

  /**
   * A small Leaflet map in `element` on the layers of /tiles/catalogue.json. Resolves to the map once the
   * layers are added; `center` ([lat, lng]) opens there at street zoom, otherwise on the user's area.
   */
  async function smallMap(element, catalogueUrl, center) {
    const map = L.map(element, { minZoom: 4, maxZoom: 19, attributionControl: true }).setView(center || [35, 105],
                                                                                            center ? 17 : 4);
    map.attributionControl.setPrefix("GeoGrid · Leaflet");
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    map.createPane("basemap").style.zIndex = 250;
    const response = await fetch(catalogueUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`地图图层加载失败（HTTP ${response.status}）`);
    const catalogue = await response.json();
    vector(catalogue.vector.basemap, "basemap", { pane: "basemap", sources: BASEMAP, zIndex: 1 }).addTo(map);
    for (const [name, raster] of Object.entries(catalogue.raster)) {
      const b = raster.bounds;
      L.tileLayer(raster.url, { minZoom: raster.minzoom, maxNativeZoom: raster.maxzoom, maxZoom: 19,
                                bounds: b && L.latLngBounds([b[1], b[0]], [b[3], b[2]]), className: `raster-${name}`,
                                pane: "basemap" }).addTo(map);
    }
    vector(catalogue.vector.buildings, "buildings", { pane: "basemap", sources: BUILDINGS, zIndex: 2 }).addTo(map);
    for (const level of [1, 2, 3]) {
      vector(catalogue.vector[`grids-${level}`], `grids-${level}`, {
        sources: { grids: () => GRID_STYLES[level] }, zIndex: 2 + level,
      }).addTo(map);
    }
    const b = catalogue.bounds;
    if (!center && b) map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    return map;
  }

  window.GeoGridEvents = { csrfToken, smallMap };

  // 工单列表: a changed filter applies at once (the 筛选 button stays for keyboards and scripts off).
  const filters = document.querySelector("form.event-filters");
  if (filters) {
    filters.addEventListener("change", () => filters.requestSubmit());
  }
})();
