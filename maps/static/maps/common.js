/* Shared by the page scripts: the CSRF token, JSON calls to our API, number formats, table rows, and the map
 * set-up the map pages repeat (a Leaflet map with our attribution and a metric scale, and our own basemap from
 * /tiles/catalogue.json: the hillshade raster, and roads and water as vector tiles drawn by mvt.js).
 * Loaded by maps/_map_assets.html after Leaflet (and mvt.js where a page draws vector tiles); the map helpers
 * need them, the others need nothing. Sets window.GeoGrid. No framework, no online resources. */
(function () {
  "use strict";

  /** The CSRF token: the page's form field (the top bar's logout form has one), else the cookie. */
  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /** A non-2xx answer: `status` (HTTP status) and `body` (the parsed answer, or null) ride along with the message. */
  class ApiError extends Error {
    constructor(message, status, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }

  /**
   * fetch() for our JSON API: same-origin credentials; a `body` is sent as JSON with the CSRF token. Resolves to
   * the parsed answer (null when there is none); a non-2xx answer throws an ApiError with the server's `message`
   * (`error` or `detail` from older answers) as its message. A 401 or 403 also fires "geogrid:unauthorized" on window, as mvt.js does for
   * tiles, for a page that sends the user to the login page. No Accept header unless `headers` give one: with
   * Accept: application/json, DRF refuses (406) the GeoJSON that some URLs ask for with ?format=geojson.
   */
  async function fetchJSON(url, { method = "GET", body, headers } = {}) {
    const options = { method, credentials: "same-origin", headers: Object.assign({}, headers) };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) {
        window.dispatchEvent(new CustomEvent("geogrid:unauthorized"));
      }
      throw new ApiError(String((data && (data.message || data.error || data.detail)) || `HTTP ${response.status}`), response.status, data);
    }
    return data;
  }

  /**
   * An element built from text, never from HTML: h("p", {className: "x"}, "text", childNode, [more]). Strings
   * become text nodes, so names people typed in (stations, addresses, grids) show literally; pass the element to
   * Leaflet's bindTooltip/bindPopup/setContent, which would parse a string as HTML.
   */
  function h(tag, props, ...children) {
    const node = Object.assign(document.createElement(tag), props || {});
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  /** Text for the few places that take only HTML strings (Leaflet's layer control names, markup the editor
   * pages assemble): & < > " ' as entities. */
  function escapeHtml(text) {
    return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  /** Tooltip/popup content for Leaflet as text: lines (strings, or arrays of strings and nodes) joined by <br>. */
  const textLines = (...lines) => h("span", null, lines.map((line, i) => (i ? [h("br"), line] : line)));

  /* ---------- formats ---------- */
  const numberFormat = new Intl.NumberFormat("zh-CN");

  /** 12,345.678 */
  const number = (x) => numberFormat.format(x);

  /** A share (0.1234) as a percentage: "12.3%" (`digits` decimals). */
  const percent = (x, digits = 1) => `${(x * 100).toFixed(digits)}%`;

  /** A table row of text cells (`tag`: "td" or "th"). */
  function tableRow(values, tag = "td") {
    const tr = document.createElement("tr");
    values.forEach((text) => {
      const cell = document.createElement(tag);
      cell.textContent = text;
      tr.append(cell);
    });
    return tr;
  }

  /* ---------- maps ---------- */

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

  window.GeoGrid = {
    csrfToken, ApiError, fetchJSON, h, textLines, escapeHtml, number, percent, tableRow,
    createMap, bboxBounds, vectorLayer, rasterLayers, roadStyle, basemapLayer, addBasemap,
  };
})();
