/* 15分钟服务圈 page: isochrone bands around the stations, buildings coloured by their walk to the nearest
 * station, uncovered households, suggested new sites with their gain, and a coverage table per grid.
 * A new run is queued through /api/v1/circles/runs (optionally with the planner's own candidate sites) and
 * polled for its progress; the basemap is our own tiles (/tiles/: hillshade, roads, water), so nothing
 * leaves the server. */
import { fetchJSON, h, textLines, escapeHtml, number, percent, tableRow } from "../../../maps/frontend/common.js";
import { createMap, addBasemap, bboxBounds } from "../../../maps/frontend/basemap.js";

const mapEl = document.getElementById("map");
const BAND_COLOURS = ["#2b8a3e", "#74b816", "#f59f00"]; // 5 / 10 / 15 minutes (or 300 / 500 / 1000 m)
const OUTSIDE = "#e03131";
const map = createMap(mapEl, { preferCanvas: true });
let fitted = false; // a run's circles fit the view; before one is drawn, the data's own bounds do
const summary = document.querySelector(".circle-summary");
const progressBox = document.querySelector(".run-progress");

/* ---------- basemap: our own tiles, hillshade and above it roads and water (vector) ---------- */
// The hillshade is opaque, so the roads and water go over it in a pane of their own (as on the main map),
// both under the circles: the walking network the circles follow stays readable.
addBasemap(map, mapEl.dataset.catalogueUrl, { attribution: "本地底图：道路、水系、地形晕渲（本系统数据）" })
  .then((catalogue) => {
    if (!fitted && catalogue.bounds) map.fitBounds(bboxBounds(catalogue.bounds));
  })
  .catch(() => { /* the circles are readable without a basemap */ });

/* ---------- progress of a queued run ---------- */
function watch(runUrl, onDone) {
  progressBox.hidden = false;
  const bar = progressBox.querySelector("progress");
  const stage = progressBox.querySelector(".run-stage");
  const poll = () => fetchJSON(runUrl).then((run) => {
    bar.value = run.progress;
    stage.textContent = `${run.status_label}${run.stage ? "：" + run.stage : ""}（${run.progress}%）`;
    if (run.status === "failed") stage.textContent = `计算失败：${run.error}`;
    else if (run.finished) onDone(run);
    else setTimeout(poll, 1000);
  }).catch((e) => { stage.textContent = `无法读取进度：${e.message}`; });
  poll();
}

const form = document.querySelector(".circle-form");
if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    data.new_sites = Number(data.new_sites || 0);
    data.target_share = data.target_share ? Number(data.target_share) / 100 : null;
    // One "lon,lat" (or "lon lat") per line; the server checks them against the chosen system.
    data.candidates = (data.candidates || "").split("\n").map((line) => line.trim()).filter(Boolean)
      .map((line) => line.split(/[\s,，;；]+/).filter(Boolean).map(Number));
    if (!data.candidates.length) { delete data.candidates; delete data.crs; }
    form.querySelector(".run-button").disabled = true;
    fetchJSON(mapEl.dataset.runsUrl, { method: "POST", body: data })
      .then((run) => watch(`${mapEl.dataset.runsUrl}/${run.id}`,
                           () => { location.href = `${mapEl.dataset.pageUrl}?run=${run.id}`; }))
      .catch((e) => {
        progressBox.hidden = false;
        progressBox.querySelector(".run-stage").textContent = `未能开始：${e.message}`;
        form.querySelector(".run-button").disabled = false;
      });
  });
}

/* ---------- one run's results ---------- */
function describeReach(p, run) {
  if (p.reach === null) return "超出计算范围";
  return run.unit === "s" ? `步行 ${(p.reach / 60).toFixed(1)} 分钟` : `步行 ${number(Math.round(p.reach))} 米`;
}

// A given candidate by its number and label, and how far it stands off the network.
function siteName(p) {
  if (!p.candidate) return "";
  return `（候选 ${p.candidate}${p.label && p.label !== `#${p.candidate}` ? " " + p.label : ""}` +
    `${p.snap_m >= 1 ? `，距路网 ${Math.round(p.snap_m)} 米` : ""}）`;
}

function showMap(collection) {
  const run = collection.run;
  const by = (type) => collection.features.filter((f) => f.properties.type === type);
  const bands = L.geoJSON({ type: "FeatureCollection", features: by("isochrone").sort((a, b) => b.properties.band - a.properties.band) }, {
    style: (f) => ({ color: BAND_COLOURS[f.properties.band - 1], weight: 1, fillOpacity: 0.18 }),
    onEachFeature: (f, layer) => layer.bindTooltip(() => textLines(`${run.band_labels[f.properties.band - 1]}服务圈`)),
  }).addTo(map);
  const buildings = L.geoJSON({ type: "FeatureCollection", features: by("building") }, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, {
      radius: Math.min(9, 2 + Math.sqrt(f.properties.households)), weight: f.properties.band ? 0.5 : 1.2,
      color: f.properties.band ? "#fff" : "#862e2e", fillOpacity: 0.85,
      fillColor: f.properties.band ? BAND_COLOURS[f.properties.band - 1] : OUTSIDE,
    }),
    onEachFeature: (f, layer) => layer.bindTooltip(() => textLines(
      `${f.properties.address}（${f.properties.households} 户）`,
      describeReach(f.properties, run) + (f.properties.station ? `，最近：${f.properties.station}` : ""))),
  }).addTo(map);
  const stations = L.geoJSON({ type: "FeatureCollection", features: by("station") }, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 8, color: "#fff", weight: 2, fillColor: "#1d4f91", fillOpacity: 1 }),
    onEachFeature: (f, layer) => layer.bindTooltip(() => textLines(`${f.properties.name}（${f.properties.kind}）`)),
  }).addTo(map);
  const siteLayers = {};
  for (const f of by("site")) {
    const p = f.properties;
    siteLayers[p.method] = siteLayers[p.method] || L.layerGroup();
    L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
      icon: L.divIcon({ className: `site-icon site-${p.method}`, html: String(p.rank), iconSize: [22, 22] }),
    }).bindTooltip(() => textLines(`建议站点 ${p.method_label} 第 ${p.rank} 个${siteName(p)}：新增覆盖 ${p.gain} 户`)).addTo(siteLayers[p.method]);
  }
  // Leaflet's layer control takes its names as HTML.
  const overlays = { [`${escapeHtml(run.band_labels.join("/"))}服务圈`]: bands, "楼栋（按步行时间着色）": buildings, "现有站点": stations };
  for (const [method, layer] of Object.entries(siteLayers)) {
    overlays[`建议站点：${escapeHtml(by("site").find((f) => f.properties.method === method).properties.method_label)}`] = layer;
    if (method === "mclp" || method === "lscp") layer.addTo(map);
  }
  L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map);
  const extent = bands.getLayers().length ? bands.getBounds() : buildings.getBounds();
  if (extent.isValid()) {
    map.fitBounds(extent.pad(0.05));
    fitted = true;
  }
  return { buildings: by("building") };
}

function showSummary(run, buildings) {
  const s = run.summary;
  const visible = buildings.reduce((n, f) => n + f.properties.households, 0);
  const outside = buildings.filter((f) => !f.properties.band).reduce((n, f) => n + f.properties.households, 0);
  const parts = run.band_labels.map((label, i) => `${label}内 ${number(s.covered[i])} 户（${percent(s.covered[i] / s.households)}）`);
  summary.textContent = `共 ${number(s.households)} 户、${number(s.buildings)} 栋，站点 ${s.stations} 个；` +
    `${parts.join("，")}；圈外 ${number(s.households - s.covered[s.covered.length - 1])} 户` +
    (visible !== s.households ? `（您的辖区内 ${number(visible)} 户，圈外 ${number(outside)} 户）` : "");
  const legend = document.querySelector(".circle-legend");
  const swatch = (colour) => {
    const i = h("i", { className: "swatch" });
    i.style.background = colour;
    return i;
  };
  legend.replaceChildren(...run.band_labels.map((label, i) => h("span", null, swatch(BAND_COLOURS[i]), `${label}内`)),
    h("span", null, swatch(OUTSIDE), "圈外（未覆盖）"), h("span", null, h("i", { className: "swatch station" }), "现有站点"));
}

function showSites(run, collection) {
  const siting = run.summary.siting;
  const box = document.querySelector(".sites");
  if (!siting) return;
  const rows = [];
  const labels = { mclp: "最大覆盖（MCLP）", greedy: "贪心", lscp: "最少站点（LSCP）", greedy_target: "贪心（达到目标）" };
  for (const method of ["mclp", "greedy", "lscp", "greedy_target"]) {
    const result = siting[method];
    if (!result) continue;
    const head = document.createElement("p");
    head.className = `site-method site-${method}`;
    head.textContent = `${labels[method]}：${result.sites} 个，新增覆盖 ${number(result.covered)} 户，覆盖率 ` +
      `${percent(siting.before)} → ${percent(result.after)}${result.optimal ? "" : "（未证明最优）"}`;
    rows.push(head);
    const list = document.createElement("ol");
    list.className = "site-list";
    collection.features.filter((f) => f.properties.type === "site" && f.properties.method === method).forEach((f) => {
      const li = document.createElement("li");
      li.textContent = `${siteName(f.properties)}新增覆盖 ${f.properties.gain} 户（${f.properties.gain_buildings} 栋）`;
      li.addEventListener("click", () => map.setView([f.geometry.coordinates[1], f.geometry.coordinates[0]], 17));
      list.append(li);
    });
    rows.push(list);
    result.notes.forEach((note) => rows.push(Object.assign(document.createElement("p"), { className: "hint", textContent: note })));
  }
  (siting.candidate_notes || []).forEach((note) => rows.push(Object.assign(document.createElement("p"), { className: "hint", textContent: note })));
  if (siting.lscp_note) rows.push(Object.assign(document.createElement("p"), { className: "hint", textContent: siting.lscp_note }));
  box.replaceChildren(...rows);
}

function showTable(level) {
  fetchJSON(`${mapEl.dataset.tableUrl}?level=${level}`).then((body) => {
    const labels = body.run.band_labels;
    document.querySelector(".circle-table thead").replaceChildren(
      tableRow(["名称 / 编码", "户数", ...labels, "覆盖率"], "th"));
    document.querySelector(".circle-table tbody").replaceChildren(...body.rows.map((r) => {
      const tr = tableRow([r.name, number(r.households), ...labels.map((_, i) => number(r[`band${i + 1}`])),
                            r.share === null ? "—" : percent(r.share)]);
      if (r.code) tr.firstChild.append(Object.assign(document.createElement("small"), { textContent: r.code }));
      if (r.total) tr.className = "total";
      else if (r.share !== null && r.share < 0.5) tr.className = "low";
      return tr;
    }));
  }).catch((e) => { summary.textContent = `无法读取覆盖表：${e.message}`; });
}

function showRun() {
  fetchJSON(mapEl.dataset.mapUrl).then((collection) => {
    const { buildings } = showMap(collection);
    showSummary(collection.run, buildings);
    showSites(collection.run, collection);
    showTable(document.querySelector(".table-level").value);
  }).catch((e) => { summary.textContent = `无法读取结果：${e.message}`; });
}

if (mapEl.dataset.runUrl) {
  document.querySelector(".table-level").addEventListener("change", (event) => showTable(event.target.value));
  fetchJSON(mapEl.dataset.runUrl).then((run) => {
    if (run.status === "succeeded") showRun();
    else if (run.status === "failed") summary.textContent = `计算失败：${run.error}`;
    else { summary.textContent = "计算中…"; watch(mapEl.dataset.runUrl, showRun); }
  }).catch((e) => { summary.textContent = `无法读取：${e.message}`; });
}
