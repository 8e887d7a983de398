/* Built by scripts/frontend.mjs from the ES modules in the frontend/ folders: edit those, then npm run build. */
(() => {
  // maps/frontend/common.js
  function h(tag, props, ...children) {
    const { dataset, ...properties } = props || {};
    const node = Object.assign(document.createElement(tag), properties);
    Object.assign(node.dataset, dataset);
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== void 0 && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }
  var textLines = (...lines) => h("span", null, lines.map((line, i) => i ? [h("br"), line] : line));
  var numberFormat = new Intl.NumberFormat("zh-CN");

  // geogrid/grids/frontend/plan.js
  var data = JSON.parse(document.getElementById("plan-data").textContent);
  var PALETTE = ["#fde2e4", "#e2ece9", "#dfe7fd", "#fff1c1", "#e8dff5", "#d8f3dc", "#fce1e4", "#ddedea"];
  var map = L.map("plan-map", {
    zoomControl: false,
    attributionControl: false,
    renderer: L.svg({ padding: 0.2 }),
    zoomSnap: 0.1
  });
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  L.geoJSON(data.water, { style: { color: "#74c0fc", weight: 1, fillColor: "#a5d8ff", fillOpacity: 0.8 } }).addTo(map);
  var level1 = data.grids.features.filter((f) => f.properties.level === 1);
  var finer = data.grids.features.filter((f) => f.properties.level > 1);
  L.geoJSON({ type: "FeatureCollection", features: level1 }, {
    style: (f) => ({
      color: "#c92a2a",
      weight: 2.5,
      fillColor: PALETTE[level1.indexOf(f) % PALETTE.length],
      fillOpacity: 0.75
    })
  }).addTo(map);
  L.geoJSON(data.buildings, { style: { color: "#495057", weight: 0.5, fillColor: "#adb5bd", fillOpacity: 0.9 } }).addTo(map);
  L.geoJSON(data.roads, { style: (f) => ({ color: "#868e96", weight: { primary: 4, secondary: 3, residential: 1.5 }[f.properties.kind] || 1 }) }).addTo(map);
  L.geoJSON({ type: "FeatureCollection", features: finer }, {
    style: { color: "#e8590c", weight: 1.2, dashArray: "4 3", fill: false }
  }).addTo(map);
  var boundary = L.geoJSON(data.boundary, { style: { color: "#212529", weight: 3, dashArray: "10 4 2 4", fill: false } }).addTo(map);
  level1.forEach((f) => {
    L.tooltip({ permanent: true, direction: "center", className: "grid-label" }).setLatLng(f.properties.label_at).setContent(textLines(h("b", null, f.properties.short_code), f.properties.name)).addTo(map);
  });
  map.fitBounds(boundary.getBounds(), { padding: [12, 12] });
  window.geogridPlan = map;
  document.body.dataset.ready = "1";
})();
