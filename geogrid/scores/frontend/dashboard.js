/* 考核统计 dashboard: the rates and ticket counts of recent months as Chart.js charts, and the open tickets on
 * our own basemap (vector tiles from /tiles/, drawn by mvt.js) in Leaflet.markercluster clusters, each ticket
 * coloured by its state and red when overdue. Data comes embedded in the page (json_script). */
import { h, swatch } from "../../../maps/frontend/common.js";
import { createMap, bboxBounds, addBasemap } from "../../../maps/frontend/basemap.js";

const RATE_COLORS = ["#1971c2", "#2f9e44", "#f08c00", "#e03131", "#7048e8", "#0c8599", "#c2255c"];
const STATE_COLORS = {
  已上报: "#868e96", 已受理: "#4dabf7", 已派遣: "#1c7ed6", 处置中: "#f59f00", 已反馈: "#37b24d", 核查中: "#0ca678",
};
const OVERDUE = "#e03131";
const chart = JSON.parse(document.getElementById("chart-data").textContent);
const tickets = JSON.parse(document.getElementById("ticket-data").textContent);

/* ---------- charts ---------- */
Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
Chart.defaults.animation = false; // the page is a report: draw at once (and screenshots are complete)

new Chart(document.getElementById("rates-chart"), {
  type: "line",
  data: {
    labels: chart.months,
    datasets: Object.entries(chart.rates).map(([label, values], i) => ({
      label, data: values.map((v) => (v === null ? null : v * 100)), borderColor: RATE_COLORS[i],
      backgroundColor: RATE_COLORS[i], spanGaps: true, tension: 0.2,
    })),
  },
  options: {
    maintainAspectRatio: false,
    scales: { y: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } },
    plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}：${c.parsed.y.toFixed(1)}%` } } },
  },
});

new Chart(document.getElementById("volume-chart"), {
  type: "bar",
  data: {
    labels: chart.months,
    datasets: Object.entries(chart.volume).map(([label, values], i) => ({
      label, data: values, backgroundColor: ["#74c0fc", "#ffd43b", "#69db7c"][i],
    })),
  },
  options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
});

/* ---------- map ---------- */
const mapEl = document.getElementById("dashboard-map");
const map = createMap(mapEl, { minZoom: 4, maxZoom: 19, panes: { basemap: 250 } });
window.geogridDashboardMap = map; // for tests and the browser console

function dot(color, overdue) {
  return L.divIcon({ className: "ticket-dot", iconSize: [14, 14],
                     html: `<span style="background:${color}"${overdue ? ' class="overdue"' : ""}></span>` });
}

const clusters = L.markerClusterGroup({
  maxClusterRadius: 50,
  // A cluster is red when it holds an overdue ticket, so overdue work shows at every zoom.
  iconCreateFunction(cluster) {
    const markers = cluster.getAllChildMarkers();
    const late = markers.filter((m) => m.options.overdue).length;
    return L.divIcon({
      className: `ticket-cluster${late ? " has-overdue" : ""}`, iconSize: [36, 36],
      html: `<span title="${markers.length} 件，其中超期 ${late} 件">${markers.length}</span>`,
    });
  },
});
const eventUrl = (id) => mapEl.dataset.eventUrl.replace(/0$/, String(id));
for (const [lon, lat, id, status, category, overdue] of tickets) {
  const marker = L.marker([lat, lon], { icon: dot(overdue ? OVERDUE : STATE_COLORS[status] || "#495057", overdue),
                                        overdue, title: `#${id} ${category}` });
  const popup = document.createElement("div");
  const link = Object.assign(document.createElement("a"), { href: eventUrl(id), textContent: `#${id} ${category}` });
  popup.append(link, document.createElement("br"), `${status}${overdue ? "（已超期）" : ""}`);
  marker.bindPopup(popup);
  clusters.addLayer(marker);
}
clusters.addTo(map);

const Legend = L.Control.extend({
  options: { position: "bottomright" },
  onAdd() {
    const div = L.DomUtil.create("div", "legend");
    const rows = [...Object.entries(STATE_COLORS), ["已超期", OVERDUE]];
    div.append(h("strong", null, "工单状态"), ...rows.map(([label, color]) => h("div", null, swatch("dot", { background: color }), label)));
    return div;
  },
});
new Legend().addTo(map);

const roadStyle = (p) => {
  const major = p.kind === "primary" || p.kind === "secondary";
  return { color: major ? "#fbe3a6" : "#ffffff", weight: major ? 2.2 : 1.4,
           casing: { color: major ? "#d4a147" : "#c8c0b0", weight: major ? 3.4 : 2.4 } };
};
// data-view="fitted" once the fitted view is drawn. Leaflet animates the zoom after fitBounds and
// markercluster then animates the re-clustering, with the old and the new clusters both in the DOM until it
// ends, so "drawn" means: the map's moveend came and no cluster animation is running.
function markFittedWhenSettled() {
  const settle = () => {
    if (map.getPane("mapPane").classList.contains("leaflet-cluster-anim")) clusters.once("animationend", settle);
    else mapEl.dataset.view = "fitted";
  };
  map.once("moveend", settle);
}

addBasemap(map, mapEl.dataset.catalogueUrl, { rasters: false, roads: roadStyle, attribution: "本地底图（本系统数据）" })
  .then((catalogue) => {
    const target = tickets.length ? clusters.getBounds() : catalogue.bounds && bboxBounds(catalogue.bounds);
    if (!target) {
      mapEl.dataset.view = "fitted";
      return;
    }
    markFittedWhenSettled();
    map.fitBounds(target, tickets.length ? { padding: [30, 30], maxZoom: 16 } : { padding: [20, 20] });
  })
  .catch((error) => { mapEl.dataset.error = error.message; });
