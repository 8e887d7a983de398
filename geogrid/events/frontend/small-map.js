/* The small map of the ticket pages (上报事件, 工单详情) on our own tiles.
 *
 * The small map draws what the big map (map.js) draws underneath: the local basemap (roads and water as
 * vector tiles), hillshade, buildings and the grid outlines, all from /tiles/ as listed by the catalogue.
 * No online basemap, even when the settings offer one: a phone in the street must not leak where it is.
 */
import { fetchJSON } from "../../../maps/frontend/common.js";
import { createMap, vectorLayer, rasterLayers, basemapLayer, bboxBounds } from "../../../maps/frontend/basemap.js";

const GRID_STYLES = {
  1: { color: "#1d4f91", weight: 2, fillOpacity: 0 },
  2: { color: "#2b8a3e", weight: 1.2, fillOpacity: 0 },
  3: { color: "#7b2cbf", weight: 0.8, fillOpacity: 0, dashArray: [3, 3] },
};
const roads = (p) => ({ color: p.kind === "primary" || p.kind === "secondary" ? "#fbe3a6" : "#ffffff", weight: 2,
                        casing: { color: "#c8c0b0", weight: 3 } });
const BUILDINGS = { buildings: () => ({ fillColor: "#ddd3c8", fillOpacity: 0.95, color: "#b3a799", weight: 0.6 }) };

/**
 * A small Leaflet map in `element` on the layers of /tiles/catalogue.json. Resolves to the map once the
 * layers are added; `center` ([lat, lng]) opens there at street zoom, otherwise on the user's area.
 */
async function smallMap(element, catalogueUrl, center) {
  const map = createMap(element, { minZoom: 4, maxZoom: 19, attributionControl: true, center: center || [35, 105],
                                   zoom: center ? 17 : 4, panes: { basemap: 250 } });
  const catalogue = await fetchJSON(catalogueUrl).catch((error) => {
    throw error.status ? new Error(`地图图层加载失败（HTTP ${error.status}）`) : error;
  });
  basemapLayer(catalogue, { roads }).addTo(map);
  // The hillshade is opaque: it goes in Leaflet's tile pane, under the roads, water and buildings.
  Object.values(rasterLayers(catalogue)).forEach((layer) => layer.addTo(map));
  vectorLayer(catalogue.vector.buildings, "buildings", { pane: "basemap", sources: BUILDINGS, zIndex: 2 }).addTo(map);
  for (const level of [1, 2, 3]) {
    vectorLayer(catalogue.vector[`grids-${level}`], `grids-${level}`, {
      // above the basemap, as on the main map
      pane: "overlayPane", sources: { grids: () => GRID_STYLES[level] }, zIndex: 2 + level,
    }).addTo(map);
  }
  if (!center && catalogue.bounds) map.fitBounds(bboxBounds(catalogue.bounds));
  return map;
}

export { smallMap };
