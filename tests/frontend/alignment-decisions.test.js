import { describe, expect, it } from "vitest";
import { undecidedChoices } from "../../geogrid/alignment/frontend/decisions.js";

describe("undecidedChoices", () => {
  it("groups a base grid's shares and presets the majority's business grid", () => {
    const undecided = [
      { base_code: "522624001001003", business_code: "PCS-01", share: 0.18 },
      { base_code: "522624001001007", business_code: "PCS-02", share: 0.3 },
      { base_code: "522624001001003", business_code: "PCS-02", share: 0.12 },
    ];
    const assignment = { "522624001001003": "PCS-03", "522624001001001": "PCS-01" };
    expect(undecidedChoices(undecided, assignment)).toEqual([
      { base: "522624001001003", shares: ["PCS-01 占 18%", "PCS-02 占 12%"], chosen: "PCS-03" },
      { base: "522624001001007", shares: ["PCS-02 占 30%"], chosen: "" }, // the majority puts it nowhere
    ]);
  });

  it("has nothing to decide when nothing is undecided", () => {
    expect(undecidedChoices([], { a: "b" })).toEqual([]);
  });
});
