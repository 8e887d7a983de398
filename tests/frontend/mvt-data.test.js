import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HIT_SLOP_PX, LruCache, decode, hits } from "../../maps/frontend/mvt-data.js";

// One polygon with a hole, written by Python's mapbox-vector-tile (extent 4096, y down): the outer ring is the
// tile's top half, the hole a quarter-width box inside it.
const tile = readFileSync(new URL("./fixtures/grid-with-hole.mvt", import.meta.url));

describe("decode", () => {
  it("gives each layer's features in 256 px tile pixels with their properties", () => {
    const { grids } = decode(tile.buffer.slice(tile.byteOffset, tile.byteOffset + tile.byteLength));
    expect(grids).toHaveLength(1);
    expect(grids[0].type).toBe(3);
    expect(grids[0].properties).toEqual({ code: "522624001001001", name: "一网格" });
    const xs = grids[0].rings.flat().map(([x]) => x);
    expect(Math.min(...xs)).toBe(0);
    expect(Math.max(...xs)).toBe(256);
    expect(grids[0].rings).toHaveLength(2);
  });

  it("reads an empty body as a tile without layers", () => {
    expect(decode(new ArrayBuffer(0))).toEqual({});
  });
});

describe("hits", () => {
  const square = { type: 3, rings: [[[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]],
                                    [[40, 40], [60, 40], [60, 60], [40, 60], [40, 40]]] };
  it("finds a polygon by even-odd: inside the outer ring, not in the hole", () => {
    expect(hits(square, {}, 10, 10)).toBe(true);
    expect(hits(square, {}, 50, 50)).toBe(false);
    expect(hits(square, {}, 150, 50)).toBe(false);
  });

  const line = { type: 2, rings: [[[0, 0], [100, 0]]] };
  it("finds a line within half its width and the slop", () => {
    expect(hits(line, { weight: 4 }, 50, 2 + HIT_SLOP_PX)).toBe(true);
    expect(hits(line, { weight: 4 }, 50, 2 + HIT_SLOP_PX + 0.5)).toBe(false);
    expect(hits(line, { weight: 4 }, 100 + 2 + HIT_SLOP_PX + 1, 0)).toBe(false); // past the end
  });

  it("finds a point within its radius and the slop", () => {
    const point = { type: 1, rings: [[[10, 10]]] };
    expect(hits(point, { radius: 5 }, 10 + 5 + HIT_SLOP_PX, 10)).toBe(true);
    expect(hits(point, { radius: 5 }, 10 + 5 + HIT_SLOP_PX + 1, 10)).toBe(false);
  });
});

describe("LruCache", () => {
  it("loads a key once and keeps the most recently used", async () => {
    const cache = new LruCache(2);
    let loads = 0;
    const load = (value) => () => { loads += 1; return Promise.resolve(value); };
    await cache.get("a", load(1));
    await cache.get("b", load(2));
    expect(await cache.get("a", load(99))).toBe(1); // kept: a is now the most recent
    await cache.get("c", load(3)); // evicts b, the least recently used
    expect([...cache.entries.keys()]).toEqual(["a", "c"]);
    expect(loads).toBe(3);
  });

  it("forgets a failed load so that the next get tries again", async () => {
    const cache = new LruCache(4);
    await expect(cache.get("x", () => Promise.reject(new Error("HTTP 500")))).rejects.toThrow("HTTP 500");
    expect(await cache.get("x", () => Promise.resolve("again"))).toBe("again");
  });
});
