import { beforeEach, describe, expect, it, vi } from "vitest";
import { DraftStack } from "../../geogrid/adjustments/frontend/editor-drafts.js";

const draft = (...codes) => ({ type: "FeatureCollection", features: codes.map((code) => ({ properties: { code } })) });

beforeEach(() => {
  const store = new Map();
  vi.stubGlobal("localStorage", {
    getItem: (key) => (store.has(key) ? store.get(key) : null),
    setItem: (key, value) => store.set(key, String(value)),
    removeItem: (key) => store.delete(key),
  });
});

describe("DraftStack", () => {
  it("undoes and redoes, and a new edit after an undo drops the redo branch", () => {
    const stack = new DraftStack("k");
    stack.reset(draft("001", "002"), { "001": 1, "002": 2 });
    stack.push({ draft: draft("001", "003", "004"), changed: ["003", "004"], removed: ["002"], label: "分割" });
    expect(stack.touched()).toEqual({ changed: ["003", "004"], removed: ["002"] });
    expect(stack.undo().label).toBe("现行网格");
    expect(stack.dirty()).toBe(false);
    expect(stack.redo().label).toBe("分割");
    stack.undo();
    stack.push({ draft: draft("005"), changed: ["005"], removed: ["001", "002"], label: "合并" });
    expect(stack.canRedo()).toBe(false);
    expect(stack.entries.map((e) => e.label)).toEqual(["现行网格", "合并"]);
  });

  it("keeps the loaded grids and the newest edits when the history is full", () => {
    const stack = new DraftStack("k");
    stack.reset(draft("001"), { "001": 1 });
    for (let i = 0; i < 60; i++) stack.push({ draft: draft("001"), changed: [], removed: [], label: `#${i}` });
    expect(stack.entries).toHaveLength(50);
    expect(stack.entries[0].label).toBe("现行网格");
    expect(stack.current().label).toBe("#59");
  });

  it("survives a reload through localStorage, and forgets a session without edits", () => {
    const first = new DraftStack("editor:522624001001");
    first.reset(draft("001"), { "001": 1 });
    first.push({ draft: draft("001", "002"), changed: ["002"], removed: [], label: "新增" });
    const again = new DraftStack("editor:522624001001");
    expect(again.restore()).toBe(true);
    expect(again.current().label).toBe("新增");
    expect(again.base).toEqual({ "001": 1 });
    again.reset(draft("001"), { "001": 1 });
    expect(new DraftStack("editor:522624001001").restore()).toBe(false);
  });

  it("refuses a saved session of another format", () => {
    localStorage.setItem("k", JSON.stringify({ version: 2, entries: [{}, {}] }));
    expect(new DraftStack("k").restore()).toBe(false);
    localStorage.setItem("k", "{not json");
    expect(new DraftStack("k").restore()).toBe(false);
  });
});
