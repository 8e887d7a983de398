/* The data side of our vector tiles, free of Leaflet and canvas so that it is unit-tested (tests/frontend/):
 * decoding an MVT body into features in tile pixels, the cache of decoded tiles shared by every layer, and
 * hit-testing a pointer position against a feature as drawn. */
import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader } from "pbf";

export const TILE = 256;
export const HIT_SLOP_PX = 3; // how near a point or line the cursor counts as on it

/** {layerName: [{type, properties, rings: [[[x, y], ...]], path: null}]} in pixels of a 256 px tile. */
export function decode(buffer) {
  const layers = {};
  if (!buffer.byteLength) return layers; // an empty tile is an empty body
  const tile = new VectorTile(new PbfReader(buffer));
  for (const name of Object.keys(tile.layers)) {
    const layer = tile.layers[name];
    const scale = TILE / layer.extent;
    const features = [];
    for (let i = 0; i < layer.length; i++) {
      const feature = layer.feature(i);
      const rings = feature.loadGeometry().map((ring) => ring.map((p) => [p.x * scale, p.y * scale]));
      features.push({ type: feature.type, properties: feature.properties, rings, path: null });
    }
    layers[name] = features;
  }
  return layers;
}

/**
 * Promises by key, at most `size`, the least recently used dropped first. `get(key, load)` returns the kept
 * promise or keeps `load()`'s; a promise that rejects is forgotten, so the next get tries again.
 */
export class LruCache {
  constructor(size) {
    this.size = size;
    this.entries = new Map(); // insertion order = least recently used first
  }

  get(key, load) {
    let promise = this.entries.get(key);
    if (promise) {
      this.entries.delete(key); // re-inserted below as the most recently used
    } else {
      promise = load();
      promise.catch(() => {
        if (this.entries.get(key) === promise) this.entries.delete(key);
      });
    }
    this.entries.set(key, promise);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value);
    return promise;
  }
}

function insideRings(rings, x, y) {
  let inside = false; // even-odd over every ring: holes and multipolygons as the canvas fills them
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

function segmentDistance([ax, ay], [bx, by], x, y) {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / length2)) : 0;
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

/** Whether (x, y), in tile pixels, is on `feature` drawn with `style`: inside a polygon, within half the line's
 * width (and the slop) of a line, within the marker's radius (and the slop) of a point. */
export function hits(feature, style, x, y) {
  if (feature.type === 1) {
    const reach = (style.radius || 4) + HIT_SLOP_PX;
    return feature.rings.some((ring) => ring.some(([px, py]) => Math.abs(px - x) <= reach && Math.abs(py - y) <= reach));
  }
  if (feature.type === 3) return insideRings(feature.rings, x, y);
  const reach = (style.weight ?? 1) / 2 + HIT_SLOP_PX;
  return feature.rings.some((ring) => ring.some((point, i) => i > 0 && segmentDistance(ring[i - 1], point, x, y) <= reach));
}
