/* Vector tiles (MVT) from /tiles/ drawn on canvas tiles: L.geogridVectorTiles(url, options), a Leaflet GridLayer.
 *
 * Why our own small layer rather than a plugin: Leaflet.VectorGrid 1.3.0, its last release, breaks clicks on
 * Leaflet >= 1.8 (it calls L.DomEvent.fakeStop, which Leaflet removed; fixed upstream, never released), and
 * protomaps-leaflet dropped feature interaction in 2.0. The map needs per-feature styles, hover hit-testing,
 * a highlighted grid and name labels, and nothing more. Tiles are decoded by @mapbox/vector-tile + pbf,
 * bundled from npm into the page scripts (scripts/frontend.mjs).
 *
 * Options (besides GridLayer's: minZoom, maxNativeZoom, pane, zIndex...):
 *   sources: { mvtLayerName: (properties, zoom) => style | null }  drawn in this order; null: not drawn
 *   labels:  { source, key(p), content(p) -> Node, fits(p, zoom) -> bool, className }  permanent DOM labels,
 *            one per key however many tiles hold its point (the tile buffer repeats points near edges)
 * Style: { color, weight, opacity, dashArray: [..], fillColor, fillOpacity, radius, shape: "circle"|"square",
 *          casing: { color, weight } }  (a line drawn twice: casing under, colour over)
 */
import { LruCache, TILE, decode, hits } from "./mvt-data.js";

/* One decoded tile per URL, shared by every layer drawing it. */
const decoded = new LruCache(1500);

function loadTile(url) {
  return decoded.get(url, () => fetch(url, { credentials: "same-origin" }).then(async (response) => {
    if (response.status === 401 || response.status === 403) {
      window.dispatchEvent(new CustomEvent("geogrid:unauthorized"));
      throw new Error("not logged in");
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return decode(await response.arrayBuffer());
  }));
}

/* ---------- drawing ---------- */
function pathOf(feature) {
  if (feature.path) return feature.path;
  const path = new Path2D();
  for (const ring of feature.rings) {
    ring.forEach(([x, y], i) => (i ? path.lineTo(x, y) : path.moveTo(x, y)));
    if (feature.type === 3) path.closePath();
  }
  feature.path = path;
  return path;
}

function strokeWith(ctx, path, color, weight, opacity, dash) {
  ctx.globalAlpha = opacity;
  ctx.strokeStyle = color;
  ctx.lineWidth = weight;
  ctx.setLineDash(dash || []);
  ctx.stroke(path);
}

function drawPoints(ctx, feature, style) {
  const r = style.radius || 4;
  for (const ring of feature.rings) {
    for (const [x, y] of ring) {
      const path = new Path2D();
      if (style.shape === "square") path.rect(x - r, y - r, 2 * r, 2 * r);
      else path.arc(x, y, r, 0, 2 * Math.PI);
      ctx.globalAlpha = style.fillOpacity ?? 1;
      ctx.fillStyle = style.fillColor || style.color;
      ctx.fill(path);
      if (style.weight) strokeWith(ctx, path, style.color, style.weight, style.opacity ?? 1, null);
    }
  }
}

function drawFeature(ctx, feature, style) {
  if (feature.type === 1) return drawPoints(ctx, feature, style);
  const path = pathOf(feature);
  if (feature.type === 3 && style.fillColor && style.fillOpacity) {
    ctx.globalAlpha = style.fillOpacity;
    ctx.fillStyle = style.fillColor;
    ctx.fill(path, "evenodd");
  }
  if (style.casing) strokeWith(ctx, path, style.casing.color, style.casing.weight, style.opacity ?? 1, null);
  if (style.color && style.weight !== 0) {
    strokeWith(ctx, path, style.color, style.weight ?? 1, style.opacity ?? 1, style.dashArray);
  }
}

/* ---------- the layer ---------- */
L.GeoGridVectorTiles = L.GridLayer.extend({
  options: { sources: {}, labels: null, tileset: "" },

  initialize(url, options) {
    this._url = url;
    L.GridLayer.prototype.initialize.call(this, options);
    this._labels = new Map(); // key -> {tooltip, count, properties}
    this.on("tileunload", (e) => {
      e.tile._unloaded = true; // a tile may be dropped before its data arrives
      this._releaseLabels(e.tile);
    });
  },

  onAdd(map) {
    L.GridLayer.prototype.onAdd.call(this, map);
    map.on("zoomend", this._fitLabels, this);
  },

  onRemove(map) {
    map.off("zoomend", this._fitLabels, this);
    L.GridLayer.prototype.onRemove.call(this, map);
    for (const entry of this._labels.values()) map.removeLayer(entry.tooltip);
    this._labels.clear();
  },

  createTile(coords, done) {
    const canvas = L.DomUtil.create("canvas", "mvt-tile");
    const size = this.getTileSize();
    const ratio = window.devicePixelRatio || 1;
    canvas.width = size.x * ratio;
    canvas.height = size.y * ratio;
    canvas.dataset.tileset = this.options.tileset;
    loadTile(L.Util.template(this._url, { z: coords.z, x: coords.x, y: coords.y }))
      .then((layers) => {
        canvas._mvt = layers;
        canvas._coords = coords;
        this._draw(canvas);
        this._addLabels(canvas);
        done(null, canvas);
      })
      .catch((error) => done(error, canvas));
    return canvas;
  },

  _draw(canvas) {
    const ctx = canvas.getContext("2d");
    const ratio = canvas.width / TILE;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, TILE, TILE);
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    let drawn = 0;
    for (const [name, styleOf] of Object.entries(this.options.sources)) {
      for (const feature of canvas._mvt[name] || []) {
        const style = styleOf(feature.properties, canvas._coords.z);
        if (style) {
          drawFeature(ctx, feature, style);
          drawn++;
        }
      }
    }
    canvas.dataset.features = String(drawn); // for tests: how much this tile drew
  },

  /** Draw every loaded tile again (after the styles' inputs changed), without fetching anything. */
  restyle() {
    for (const tile of Object.values(this._tiles || {})) {
      if (tile.el._mvt) this._draw(tile.el);
    }
    return this;
  },

  /** The features drawn under a point, topmost first: [{source, properties}]. */
  featuresAt(latlng) {
    if (!this._map || this._tileZoom === undefined) return [];
    const size = this.getTileSize();
    const point = this._map.project(latlng, this._tileZoom);
    const coords = L.point(Math.floor(point.x / size.x), Math.floor(point.y / size.y));
    coords.z = this._tileZoom;
    const tile = this._tiles[this._tileCoordsToKey(coords)];
    if (!tile || !tile.el._mvt) return [];
    const x = ((point.x - coords.x * size.x) * TILE) / size.x;
    const y = ((point.y - coords.y * size.y) * TILE) / size.y;
    const found = [];
    for (const [name, styleOf] of Object.entries(this.options.sources).reverse()) {
      const features = tile.el._mvt[name] || [];
      for (let i = features.length - 1; i >= 0; i--) {
        const style = styleOf(features[i].properties, coords.z);
        if (style && style.interactive !== false && hits(features[i], style, x, y)) {
          found.push({ source: name, properties: features[i].properties });
        }
      }
    }
    return found;
  },

  /** The properties of the first loaded feature of `source` that `test` accepts, or null. */
  findProperties(source, test) {
    for (const tile of Object.values(this._tiles || {})) {
      const feature = ((tile.el._mvt || {})[source] || []).find((f) => test(f.properties));
      if (feature) return feature.properties;
    }
    return null;
  },

  /* ----- labels: one permanent tooltip per key, counted by the tiles holding it ----- */
  _addLabels(canvas) {
    const spec = this.options.labels;
    canvas._labelKeys = [];
    if (!spec || !this._map || canvas._unloaded) return;
    const { x, y, z } = canvas._coords;
    for (const feature of canvas._mvt[spec.source] || []) {
      const key = spec.key(feature.properties);
      let entry = this._labels.get(key);
      if (!entry) {
        const [px, py] = feature.rings[0][0];
        const latlng = this._map.unproject([x * TILE + px, y * TILE + py], z);
        const tooltip = L.tooltip({ permanent: true, direction: "center", className: spec.className,
                                    interactive: false })
          .setLatLng(latlng).setContent(spec.content(feature.properties));
        entry = { tooltip, count: 0, properties: feature.properties };
        this._labels.set(key, entry);
        this._map.addLayer(tooltip);
        this._fitLabel(entry);
      }
      entry.count++;
      canvas._labelKeys.push(key);
    }
  },

  _releaseLabels(canvas) {
    for (const key of canvas._labelKeys || []) {
      const entry = this._labels.get(key);
      if (entry && --entry.count === 0) {
        if (this._map) this._map.removeLayer(entry.tooltip);
        this._labels.delete(key);
      }
    }
    canvas._labelKeys = [];
  },

  _fitLabel(entry) {
    entry.tooltip.setOpacity(this.options.labels.fits(entry.properties, this._map.getZoom()) ? 1 : 0);
  },

  _fitLabels() {
    for (const entry of this._labels.values()) this._fitLabel(entry);
  },
});

L.geogridVectorTiles = (url, options) => new L.GeoGridVectorTiles(url, options);
