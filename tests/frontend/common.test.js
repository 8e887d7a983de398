import { describe, expect, it } from "vitest";
import { escapeHtml, number, percent } from "../../maps/frontend/common.js";

describe("formats", () => {
  it("groups thousands the Chinese way and writes shares as percentages", () => {
    expect(number(1234567.5)).toBe("1,234,567.5");
    expect(percent(0.1234)).toBe("12.3%");
    expect(percent(1, 0)).toBe("100%");
  });

  it("escapes the five HTML characters", () => {
    expect(escapeHtml(`<img src=x onerror="a&b">'`)).toBe("&lt;img src=x onerror=&quot;a&amp;b&quot;&gt;&#39;");
    expect(escapeHtml(null)).toBe("");
  });
});
