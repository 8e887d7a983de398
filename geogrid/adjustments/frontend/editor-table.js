/* The grid editor's live statistics table: one row per grid of the draft (households, resident households,
 * population, buildings, area in m² and ha), the grid's sizing-rule violations in red under it, a total row;
 * new grids (provisional codes 新1...) get a name field. */
import { h } from "../../../maps/frontend/common.js";
import { fmt } from "./adjust-common.js";

const NEW_PREFIX = "新"; // provisional codes until approval (partition.NEW_CODE_PREFIX)
const COUNTS = ["households", "resident_households", "population", "buildings", "area_m2"];

/** marks: {changed, last, picked, conflicts} as Sets of codes; short(code) gives the label code. */
function render(table, features, marks, short) {
  const rows = [];
  const total = Object.fromEntries(COUNTS.map((k) => [k, 0]));
  for (const f of features) {
    const p = f.properties;
    const s = p.stats || {};
    COUNTS.forEach((k) => { total[k] += s[k] || 0; });
    const violations = s.violations || [];
    const code = p.code;
    const classes = ["grid-row", marks.changed.has(code) && "changed", marks.last.has(code) && "last",
                     violations.length && "violation", marks.picked.has(code) && "picked",
                     marks.conflicts.has(code) && "conflict"].filter(Boolean).join(" ");
    const isNew = code.startsWith(NEW_PREFIX);
    let name;
    if (isNew) {
      name = h("input", { className: "name-input", dataset: { code }, defaultValue: p.name, maxLength: 100 });
      name.setAttribute("aria-label", `新网格 ${code} 的名称`);
    } else {
      name = h("span", { className: "name" }, p.name);
    }
    rows.push(h("tr", { className: classes, dataset: { code }, title: code },
      h("td", { className: "grid-cell" }, h("b", { className: "code" }, short(code)),
        isNew ? h("span", { className: "tag" }, "新网格") : null, h("br"), name),
      cells(s)));
    if (violations.length) {
      rows.push(h("tr", { className: "violations", dataset: { code } }, h("td", { colSpan: 6 }, `⚠ ${violations.join("；")}`)));
    }
  }
  table.tBodies[0].replaceChildren(...rows);
  table.tFoot.replaceChildren(h("tr", null, h("td", null, `合计 ${features.length} 个网格`), cells(total)));
}

function cells(s) {
  return [
    h("td", { className: "households" }, fmt.int(s.households)), h("td", { className: "resident" }, fmt.int(s.resident_households)),
    h("td", { className: "population" }, fmt.int(s.population)), h("td", { className: "buildings" }, fmt.int(s.buildings)),
    h("td", { className: "area" }, fmt.area(s.area_m2)),
  ];
}

export { render, NEW_PREFIX };
