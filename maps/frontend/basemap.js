/* The map set-up the map pages repeat: a Leaflet map with our attribution and a metric scale, and our own
 * basemap from /tiles/catalogue.json (the hillshade raster, and roads and water as vector tiles drawn by mvt.js).
 * Leaflet is the page's global `L` (maps/_map_assets.html loads it before the page's bundle). */
import { fetchJSON } from "./common.js";
import "./mvt.js";

/**
 * A Leaflet map in `element` (node or id) as the pages make it: `prefix` in the attribution, a metric scale
 * bottom left, the `panes` ({name: zIndex}) created, open at `center` and `zoom` (all of China unless given).
 * Other options go to L.map.
 */
function createMap(element, { center = [35, 105], zoom = 4, prefix = "GeoGrid · Leaflet", panes = {}, ...options } = {}) {
  const map = L.map(element, options).setView(center, zoom);
  map.attributionControl.setPrefix(prefix);
  for (const [name, zIndex] of Object.entries(panes)) map.createPane(name).style.zIndex = zIndex;
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  return map;
}

/** Leaflet bounds of a [west, south, east, north] box (the catalogue's and the search's), or the box if empty. */
function bboxBounds(b) {
  return b && L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
}

/** A vector tile layer (mvt.js) of a catalogue entry ({url, minzoom, maxzoom}), named `name` (its canvases'
 * data-tileset), in the overlay pane unless `options` say otherwise. */
function vectorLayer(spec, name, options) {
  return L.geogridVectorTiles(spec.url, Object.assign({
    tileset: name, minZoom: spec.minzoom, maxNativeZoom: spec.maxzoom, maxZoom: 19, pane: "overlayPane",
  }, options));
}

/** The catalogue's rasters (the hillshade, any orthophoto a county loads) as tile layers with the class
 * raster-<name>, asking for no tile outside the file: {label (else name): layer}, in catalogue order. */
function rasterLayers(catalogue, options) {
  const layers = {};
  for (const [name, raster] of Object.entries(catalogue.raster || {})) {
    layers[raster.label || name] = L.tileLayer(raster.url, Object.assign({
      minZoom: raster.minzoom, maxNativeZoom: raster.maxzoom, maxZoom: 19, bounds: bboxBounds(raster.bounds),
      className: `raster-${name}`,
    }, options));
  }
  return layers;
}

const WATER_STYLE = { fillColor: "#a9cce8", fillOpacity: 1, color: "#86b6dc", weight: 0.8 };

/** The main map's roads: wider from z13 on, majors in yellow, paths dashed. */
function roadStyle(p, z) {
  const major = p.kind === "primary" || p.kind === "secondary";
  const width = (major ? 2.2 : p.kind === "path" ? 0.8 : 1.4) * Math.max(1, Math.pow(1.5, z - 13));
  if (p.kind === "path") {
    return { color: "#ffffff", weight: width, dashArray: [4, 3], casing: { color: "#c8c0b0", weight: width + 1 } };
  }
  return { color: major ? "#fbe3a6" : "#ffffff", weight: width,
           casing: { color: major ? "#d4a147" : "#c8c0b0", weight: width + (z >= 14 ? 2 : 1) } };
}

/** Roads and water, the catalogue's "basemap" tiles, in the "basemap" pane (see createMap's panes); null when
 * the catalogue has none. options: `roads` (a style function, else roadStyle), the rest to the layer. */
function basemapLayer(catalogue, { roads = roadStyle, ...options } = {}) {
  const spec = catalogue.vector && catalogue.vector.basemap;
  if (!spec) return null;
  return vectorLayer(spec, "basemap", Object.assign({
    pane: "basemap", zIndex: 1, sources: { water: () => WATER_STYLE, roads },
  }, options));
}

/**
 * Our own basemap on `map`: the catalogue's rasters (unless `rasters` is false) in the tile pane and above them
 * roads and water (basemapLayer, given the other options) in the "basemap" pane, made here if the map has none.
 * Resolves to the catalogue, for the page's own layers.
 */
async function addBasemap(map, catalogueUrl, { rasters = true, ...options } = {}) {
  const catalogue = await fetchJSON(catalogueUrl);
  if (rasters) Object.values(rasterLayers(catalogue)).forEach((layer) => layer.addTo(map));
  if (!map.getPane("basemap")) map.createPane("basemap").style.zIndex = 250;
  const basemap = basemapLayer(catalogue, options);
  if (basemap) basemap.addTo(map);
  return catalogue;
}

export { createMap, bboxBounds, vectorLayer, rasterLayers, roadStyle, basemapLayer, addBasemap };
