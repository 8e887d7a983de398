/* 上报事件 (grid workers' phones): a two-step category picker, photos checked before they are sent, the place
 * from the phone's own fix, a tap on the map or numbers pasted from a map app (with their coordinate system),
 * and a submit that survives a lost connection.
 *
 * Idempotency: the form carries a client-made id (client_id). It is made once per ticket and kept when a
 * submit fails, so pressing 提交 again after a network error returns the ticket already filed instead of
 * making a second one; only "再报一件" makes a new id. crypto.randomUUID exists only in secure contexts
 * (HTTPS or localhost); an intranet served over plain HTTP gets the same kind of id from getRandomValues.
 *
 * The place is previewed with /api/v1/locate before submitting: the worker sees which grid the ticket will
 * go to, and the marker moves to where numbers in GCJ-02 or BD-09 really are (the server unshifts them).
 */
import { csrfToken } from "../../../maps/frontend/common.js";
import { smallMap } from "./small-map.js";

const form = document.getElementById("report-form");
const result = document.querySelector(".result");
const errorBox = form.querySelector(".form-error");
const submit = form.querySelector(".submit");
const category = form.elements.category;
const lon = form.elements.lon;
const lat = form.elements.lat;
const crs = form.elements.crs;
const located = form.querySelector(".located");
const photosInput = form.elements.photos;
const photoList = form.querySelector(".photo-list");
const settled = form.elements.settled;
const settledNote = form.querySelector(".settled-note");
const PHOTOS_MAX = Number(form.dataset.photosMax);
const PHOTO_MAX_BYTES = Number(form.dataset.photoMaxBytes);

function newClientId() {
  if (window.crypto.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
form.elements.client_id.value = newClientId();

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
  if (text) errorBox.scrollIntoView({ block: "nearest" });
}

/* ---------- category: top class first, then its leaves ---------- */
const leavesOf = {};
for (const group of category.querySelectorAll("optgroup")) {
  leavesOf[group.dataset.top] = Array.from(group.querySelectorAll("option"), (o) => [o.value, o.textContent]);
}
const chips = form.querySelectorAll(".chip[data-top]");

function pickTop(code) {
  chips.forEach((chip) => chip.setAttribute("aria-pressed", String(chip.dataset.top === code)));
  const leaves = leavesOf[code] || [];
  const placeholder = new Option(code ? "请选择小类" : "请先选择大类", "");
  category.replaceChildren(placeholder, ...leaves.map(([value, text]) => new Option(text, value)));
  if (leaves.length === 1) category.value = leaves[0][0];
}
chips.forEach((chip) => chip.addEventListener("click", () => pickTop(chip.dataset.top)));
pickTop("");

/* ---------- photos: count, size and type, before anything is uploaded ---------- */
function photoProblems() {
  const files = Array.from(photosInput.files);
  const problems = [];
  if (files.length > PHOTOS_MAX) problems.push(`最多上传 ${PHOTOS_MAX} 张照片`);
  for (const file of files) {
    if (!file.type.startsWith("image/")) problems.push(`${file.name} 不是图片`);
    else if (file.size > PHOTO_MAX_BYTES) {
      problems.push(`${file.name} 超过 ${Math.round(PHOTO_MAX_BYTES / 1048576)} MB，请压缩或重拍`);
    }
  }
  return problems;
}

photosInput.addEventListener("change", () => {
  const problems = photoProblems();
  photoList.replaceChildren(...Array.from(photosInput.files, (file) => {
    const li = document.createElement("li");
    li.textContent = `${file.name}（${(file.size / 1024).toFixed(0)} KB）`;
    return li;
  }), ...problems.map((text) => Object.assign(document.createElement("li"), { className: "problem", textContent: text })));
});

/* ---------- place: phone fix, map tap, or typed numbers ---------- */
const mapEl = document.getElementById("report-map");
let map = null;
let marker = null;
let lookup = 0; // the newest locate request wins

function placeMarker(latlng) {
  if (!map) return;
  if (marker) marker.setLatLng(latlng);
  else marker = L.circleMarker(latlng, { radius: 8, color: "#fff", weight: 2, fillColor: "#e03131", fillOpacity: 1 }).addTo(map);
}

async function preview() {
  const ticket = ++lookup;
  if (!lon.value.trim() || !lat.value.trim()) {
    located.textContent = "";
    return;
  }
  located.textContent = "正在确认所在网格…";
  const query = new URLSearchParams({ lon: lon.value.trim(), lat: lat.value.trim(), crs: crs.value });
  try {
    const response = await fetch(`${form.dataset.locateUrl}?${query}`, { credentials: "same-origin" });
    const body = await response.json();
    if (ticket !== lookup) return;
    if (!response.ok) {
      located.textContent = body.message || body.error || "坐标无效";
      located.className = "located warn";
      return;
    }
    const grid = body.grids[0];
    located.className = body.covered ? "located" : "located warn";
    located.textContent = body.covered
      ? `所在网格：${grid.code} ${grid.name}（${body.community ? body.community.name : ""}）`
      : "该位置不在任何网格内，将转街道中心处理";
    const at = [body.point.lat, body.point.lon];
    placeMarker(at);
    if (map && !map.getBounds().contains(at)) map.setView(at, Math.max(map.getZoom(), 16));
  } catch (error) {
    if (ticket === lookup) located.textContent = "网络异常，暂时无法确认所在网格";
  }
}

function setPoint(x, y, system) {
  lon.value = x.toFixed(7);
  lat.value = y.toFixed(7);
  crs.value = system;
  preview();
}

for (const input of [lon, lat, crs]) input.addEventListener("change", preview);

smallMap(mapEl, form.dataset.catalogueUrl).then((m) => {
  map = m;
  window.geogridReportMap = map; // for tests and the browser console
  // The map is Web Mercator on WGS84/CGCS2000 lon/lat (centimetres apart): a tap is a WGS84 point.
  map.on("click", (e) => {
    placeMarker(e.latlng);
    setPoint(e.latlng.lng, e.latlng.lat, "wgs84");
  });
  mapEl.dataset.ready = "1";
}).catch((error) => {
  mapEl.textContent = error.message;
});

document.getElementById("geolocate").addEventListener("click", () => {
  if (!navigator.geolocation) {
    located.textContent = "此浏览器不能定位，请在地图上点选位置";
    return;
  }
  located.textContent = "正在定位…";
  navigator.geolocation.getCurrentPosition((position) => {
    // The browser's fix is WGS84 (W3C Geolocation), whatever map app the phone also has.
    setPoint(position.coords.longitude, position.coords.latitude, "wgs84");
    if (position.coords.accuracy > 100) {
      located.textContent = `定位精度约 ${Math.round(position.coords.accuracy)} 米，请在地图上核对位置`;
    }
  }, (error) => {
    const why = error.code === error.PERMISSION_DENIED ? "未获得定位权限（内网 HTTP 页面也不能定位）" : "暂时无法定位";
    located.textContent = `${why}，请在地图上点选位置`;
  }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
});

/* ---------- on-the-spot settlement ---------- */
settled.addEventListener("change", () => { settledNote.hidden = !settled.checked; });

/* ---------- submit ---------- */
function problems() {
  const list = [];
  if (!category.value) list.push("请选择事件分类");
  if (!form.elements.description.value.trim()) list.push("请填写问题描述");
  if (!lon.value.trim() || !lat.value.trim()) list.push("请定位或在地图上点选事发位置");
  if (settled.checked && !form.elements.settled_note.value.trim()) list.push("当场处置须填写处置情况");
  return list.concat(photoProblems());
}

function fill(selector, text) {
  result.querySelector(selector).textContent = text || "—";
}

function showResult(ticket) {
  fill(".r-id", `#${ticket.id}`);
  fill(".r-status", ticket.status);
  fill(".r-category", ticket.category);
  fill(".r-grid", ticket.grid || "不在任何网格内");
  fill(".r-community", ticket.community);
  fill(".r-department", ticket.department || "由中心指定");
  fill(".r-due", ticket.due_at && (ticket.due_at + (ticket.due_estimated ? "（按周末估算）" : "")));
  fill(".r-note", ticket.routing_note);
  result.querySelector(".r-again").hidden = ticket.created;
  form.hidden = true;
  result.hidden = false;
  result.scrollIntoView({ block: "start" });
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const list = problems();
  if (list.length) {
    showError(list.join("；"));
    return;
  }
  showError("");
  submit.disabled = true;
  submit.textContent = "提交中…";
  try {
    const response = await fetch(window.location.pathname, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) showResult(body);
    else showError(body.message || body.error || `提交失败（HTTP ${response.status}）`);
  } catch (error) {
    // The ticket may or may not have arrived: the same client_id goes with the next try.
    showError("网络异常，未能确认是否提交成功。请检查网络后再次点击“提交上报”，不会重复建单。");
  } finally {
    submit.disabled = false;
    submit.textContent = "提交上报";
  }
});

result.querySelector(".another").addEventListener("click", () => {
  form.reset();
  form.elements.client_id.value = newClientId();
  pickTop("");
  photoList.replaceChildren();
  settledNote.hidden = true;
  located.textContent = "";
  if (marker) {
    marker.remove();
    marker = null;
  }
  result.hidden = true;
  form.hidden = false;
  window.scrollTo(0, 0);
});
