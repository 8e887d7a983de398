/* Shared by the page scripts: the CSRF token, JSON calls to our API, DOM built from text (h), number formats
 * and table rows. Needs no Leaflet (the map set-up is basemap.js). No framework, no online resources. */
/** The CSRF token: the page's form field (the top bar's logout form has one), else the cookie. */
function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (field) return field.value;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/** A non-2xx answer: `status` (HTTP status) and `body` (the parsed answer, or null) ride along with the message. */
class ApiError extends Error {
  constructor(message, status, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/**
 * fetch() for our JSON API: same-origin credentials; a `body` is sent as JSON with the CSRF token. Resolves to
 * the parsed answer (null when there is none); a non-2xx answer throws an ApiError with the server's `message`
 * (`error` or `detail` from older answers) as its message. A 401 or 403 also fires "geogrid:unauthorized" on window, as mvt.js does for
 * tiles, for a page that sends the user to the login page. No Accept header unless `headers` give one: with
 * Accept: application/json, DRF refuses (406) the GeoJSON that some URLs ask for with ?format=geojson.
 */
async function fetchJSON(url, { method = "GET", body, headers } = {}) {
  const options = { method, credentials: "same-origin", headers: Object.assign({}, headers) };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.headers["X-CSRFToken"] = csrfToken();
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 || response.status === 403) {
      window.dispatchEvent(new CustomEvent("geogrid:unauthorized"));
    }
    throw new ApiError(String((data && (data.message || data.error || data.detail)) || `HTTP ${response.status}`), response.status, data);
  }
  return data;
}

/**
 * An element built from text, never from HTML: h("p", {className: "x"}, "text", childNode, [more]). Strings
 * become text nodes, so names people typed in (stations, addresses, grids) show literally; pass the element to
 * Leaflet's bindTooltip/bindPopup/setContent, which would parse a string as HTML. Props are set as properties,
 * but `dataset: {id: 3}` sets data-* attributes (data-id="3").
 */
function h(tag, props, ...children) {
  const { dataset, ...properties } = props || {};
  const node = Object.assign(document.createElement(tag), properties);
  Object.assign(node.dataset, dataset);
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

/** A legend's colour key: an <i> with `className` and inline `style` ({background: "#fff", ...}) set through
 * the CSSOM, which the Content-Security-Policy allows where a style attribute in markup would not. */
function swatch(className, style) {
  const key = h("i", className ? { className } : null);
  Object.assign(key.style, style);
  return key;
}

/** Text for the few places that take only HTML strings (Leaflet's layer control names, markup the editor
 * pages assemble): & < > " ' as entities. */
function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

/** Tooltip/popup content for Leaflet as text: lines (strings, or arrays of strings and nodes) joined by <br>. */
const textLines = (...lines) => h("span", null, lines.map((line, i) => (i ? [h("br"), line] : line)));

/* ---------- formats ---------- */
const numberFormat = new Intl.NumberFormat("zh-CN");

/** 12,345.678 */
const number = (x) => numberFormat.format(x);

/** A share (0.1234) as a percentage: "12.3%" (`digits` decimals). */
const percent = (x, digits = 1) => `${(x * 100).toFixed(digits)}%`;

/** A table row of text cells (`tag`: "td" or "th"). */
function tableRow(values, tag = "td") {
  const tr = document.createElement("tr");
  values.forEach((text) => {
    const cell = document.createElement(tag);
    cell.textContent = text;
    tr.append(cell);
  });
  return tr;
}

export { csrfToken, ApiError, fetchJSON, h, swatch, textLines, escapeHtml, number, percent, tableRow };
