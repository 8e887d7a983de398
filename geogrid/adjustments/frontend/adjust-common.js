/* Shared by the 网格编辑 (editor.js) and 调整审批 (adjustments.js) pages: JSON calls to /api/v1/adjustments/
 * (common.js's fetchJSON), number and time formats, and the before/after map of a grid change.
 * No framework, no online resources. */
import { ApiError, fetchJSON, h, swatch, textLines, number } from "../../../maps/frontend/common.js";


/** fetchJSON, but a failure's message is the server's (the whole answer is in the error's `body`), or names
 * the status when the server gave none. */
async function api(url, { method = "GET", body } = {}) {
  try {
    return await fetchJSON(url, { method, body });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error; // no answer at all
    const data = error.body;
    const text = (data && (data.message || data.error || data.detail)) || `服务器返回 ${error.status}`;
    throw new ApiError(String(text), error.status, data);
  }
}

const fmt = {
  int: (n) => number(n || 0),
  /** 12,345 m² / 1.23 ha */
  area: (m2) => `${number(Math.round(m2 || 0))} m² / ${((m2 || 0) / 10000).toFixed(2)} ha`,
  time: (iso) => (iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : ""),
};

/** The part of a grid code after the community code ("001"), or the provisional code ("新1"). */
function shortCode(code, communityCode) {
  return communityCode && code.startsWith(communityCode) && code.length > communityCode.length
    ? code.slice(communityCode.length) : code;
}

/** Where a grid's label goes: a point well inside the polygon (the most inland of a grid of samples), so
 * that a label stays inside its grid even when the grid wraps around another (a centroid would not). */
function labelPoint(geometry) {
  const polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
  const largest = polygons.reduce((best, p) => (ringArea(p[0]) > ringArea(best[0]) ? p : best), polygons[0]);
  const xs = largest[0].map((c) => c[0]);
  const ys = largest[0].map((c) => c[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180); // metres east per metre north, near enough
  const steps = 24;
  let best = null;
  let bestDistance = -1;
  for (let i = 0; i <= steps; i += 1) {
    for (let j = 0; j <= steps; j += 1) {
      const x = minX + ((maxX - minX) * (i + 0.5)) / (steps + 1);
      const y = minY + ((maxY - minY) * (j + 0.5)) / (steps + 1);
      if (!inside(largest, x, y)) continue;
      const d = Math.min(...largest.map((ring) => ringDistance(ring, x, y, k)));
      if (d > bestDistance) {
        bestDistance = d;
        best = [y, x];
      }
    }
  }
  return best || [(minY + maxY) / 2, (minX + maxX) / 2];
}

function ringArea(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
  return Math.abs(a / 2);
}

function inside(polygon, x, y) { // even-odd over the outer ring and its holes
  let result = false;
  for (const ring of polygon) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) result = !result;
    }
  }
  return result;
}

function ringDistance(ring, x, y, k) {
  let best = Infinity;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const ax = ring[j][0] * k; const ay = ring[j][1];
    const bx = ring[i][0] * k; const by = ring[i][1];
    const px = x * k;
    const dx = bx - ax; const dy = by - ay;
    const t = dx || dy ? Math.max(0, Math.min(1, ((px - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy))) : 0;
    best = Math.min(best, Math.hypot(px - ax - t * dx, y - ay - t * dy));
  }
  return best;
}

/** A permanent label (a Leaflet tooltip standing alone) well inside a grid feature; `content` an element. */
function gridLabel(feature, content) {
  return L.tooltip({ permanent: true, direction: "center", className: "grid-label" })
    .setLatLng(labelPoint(feature.geometry)).setContent(content);
}

/** Before (dashed red outlines of the touched grids) and after (filled) of a change on one layer group, the
 * touched grids in orange, labelled with their short codes. Layers are neither editable nor snapped to
 * (pmIgnore / snapIgnore). */
function diffLayer(before, after, touched, communityCode) {
  const codeOf = (f) => f.properties.code;
  const touchedSet = new Set(touched || []);
  const group = L.featureGroup();
  L.geoJSON(after, {
    pmIgnore: true, snapIgnore: true,
    style: (f) => (touchedSet.has(codeOf(f))
      ? { color: "#e8590c", weight: 3, fillColor: "#ffa94d", fillOpacity: 0.45 }
      : { color: "#1d4f91", weight: 1.5, fillColor: "#74c0fc", fillOpacity: 0.25 }),
    onEachFeature: (f, layer) => {
      gridLabel(f, h("b", null, shortCode(codeOf(f), communityCode))).addTo(group);
      layer.bindPopup(() => textLines(`${codeOf(f)} ${f.properties.name}（调整后）`));
    },
  }).addTo(group);
  L.geoJSON(before, { // only the grids that change: the others' outlines are the same before and after
    pmIgnore: true, snapIgnore: true, interactive: false, filter: (f) => touchedSet.has(codeOf(f)),
    style: { color: "#c92a2a", weight: 2.5, dashArray: "7 5", fill: false },
  }).addTo(group);
  return group;
}

/** A small legend for the before/after map. */
function diffLegend() {
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    div.append(
      h("div", null, swatch("", { borderColor: "#c92a2a", borderStyle: "dashed" }), "调整前（变动的网格）"),
      h("div", null, swatch("", { borderColor: "#1d4f91", background: "#74c0fc80" }), "调整后"),
      h("div", null, swatch("", { borderColor: "#e8590c", background: "#ffa94d99" }), "变动的网格"));
    return div;
  };
  return legend;
}

export { api, fmt, shortCode, gridLabel, labelPoint, diffLayer, diffLegend };
