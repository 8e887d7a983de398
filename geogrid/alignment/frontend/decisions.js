/* 需人工确定: the base grids auto-align cannot place by the majority rule alone, one entry each. */
import { percent } from "../../../maps/frontend/common.js";

/**
 * [{base, shares: ["<business code> 占 12%", ...], chosen}] from a preview's `undecided` (one row per base grid
 * and business grid it partly lies in) and `assignment` (base code -> business code), in the order first
 * listed; `chosen` is where the majority rule puts the base grid, "" for none.
 */
export function undecidedChoices(undecided, assignment) {
  const byBase = new Map();
  for (const u of undecided) {
    if (!byBase.has(u.base_code)) byBase.set(u.base_code, []);
    byBase.get(u.base_code).push(`${u.business_code} 占 ${percent(u.share, 0)}`);
  }
  return [...byBase].map(([base, shares]) => ({ base, shares, chosen: assignment[base] || "" }));
}
