/* The grid editor's live statistics table: one row per grid of the draft (households, resident households,
 * population, buildings, area in m² and ha), the grid's sizing-rule violations in red under it, a total row;
 * new grids (provisional codes 新1...) get a name field. */
import { fmt, escapeHtml } from "./adjust-common.js";

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
    const code = escapeHtml(p.code);
    const classes = ["grid-row", marks.changed.has(p.code) && "changed", marks.last.has(p.code) && "last",
                     violations.length && "violation", marks.picked.has(p.code) && "picked",
                     marks.conflicts.has(p.code) && "conflict"].filter(Boolean).join(" ");
    const isNew = p.code.startsWith(NEW_PREFIX);
    const name = isNew
      ? `<input class="name-input" data-code="${code}" value="${escapeHtml(p.name)}" maxlength="100"
           aria-label="新网格 ${code} 的名称">`
      : `<span class="name">${escapeHtml(p.name)}</span>`;
    rows.push(`<tr class="${classes}" data-code="${code}" title="${code}">
      <td class="grid-cell"><b class="code">${escapeHtml(short(p.code))}</b>${isNew ? '<span class="tag">新网格</span>' : ""}
        <br>${name}</td>${cells(s)}</tr>`);
    if (violations.length) {
      rows.push(`<tr class="violations" data-code="${code}"><td colspan="6">⚠ ${violations.map(escapeHtml).join("；")}</td></tr>`);
    }
  }
  table.tBodies[0].innerHTML = rows.join("");
  table.tFoot.innerHTML = `<tr><td>合计 ${features.length} 个网格</td>${cells(total)}</tr>`;
}

function cells(s) {
  return `<td class="households">${fmt.int(s.households)}</td><td class="resident">${fmt.int(s.resident_households)}</td>
    <td class="population">${fmt.int(s.population)}</td><td class="buildings">${fmt.int(s.buildings)}</td>
    <td class="area">${fmt.area(s.area_m2)}</td>`;
}

export { render, NEW_PREFIX };
