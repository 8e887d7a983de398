/* 工单详情: the ticket on a small map, and its workflow buttons. The page lists only the actions this user may
 * take now; a press posts {action, note, ...} to /api/v1/events/<id>/transitions, which checks again (the
 * page may be stale, or a note missing) and answers 400 with the reason, shown here. After a step the page
 * reloads, so the state, the deadline, the timeline and the buttons all come from the server again.
 */
import { fetchJSON } from "../../../maps/frontend/common.js";
import { smallMap } from "./small-map.js";

const root = document.getElementById("event");
const errorBox = document.querySelector(".action-error");
const form = document.querySelector(".action-form");

const mapEl = document.getElementById("event-map");
if (mapEl) {
  const at = [Number(mapEl.dataset.lat), Number(mapEl.dataset.lon)];
  smallMap(mapEl, mapEl.dataset.catalogueUrl, at).then((map) => {
    L.circleMarker(at, { radius: 8, color: "#fff", weight: 2, fillColor: "#e03131", fillOpacity: 1 }).addTo(map);
    mapEl.dataset.ready = "1";
  }).catch((error) => { mapEl.textContent = error.message; });
}

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}

async function post(body, button) {
  showError("");
  button.disabled = true;
  try {
    await fetchJSON(root.dataset.transitionUrl, { method: "POST", body });
    window.location.reload();
    return;
  } catch (error) {
    if (!error.status) {
      showError("网络异常，操作未完成，请重试");
    } else {
      const answer = error.body || {};
      showError(answer.message || answer.error || answer.detail || `操作失败（HTTP ${error.status}）`);
    }
  }
  button.disabled = false;
}

if (form) { // no action for this user

  /* ---------- the chosen action's form: a note (required where the table says so) and its extra fields ---------- */
  let chosen = null;
  const buttons = document.querySelectorAll(".actions button[data-action]");

  function choose(button) {
    chosen = button;
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    form.querySelector(".chosen").textContent = `操作：${button.textContent}`;
    form.querySelector(".required").hidden = button.dataset.needsNote !== "1";
    form.querySelectorAll(".extra").forEach((group) => { group.hidden = group.dataset.for !== button.dataset.action; });
    form.hidden = false;
    showError("");
    form.elements.note.focus();
  }

  buttons.forEach((button) => button.addEventListener("click", () => choose(button)));

  form.querySelector(".cancel").addEventListener("click", () => {
    form.hidden = true;
    buttons.forEach((b) => b.setAttribute("aria-pressed", "false"));
    showError("");
  });

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = { action: chosen.dataset.action, note: form.elements.note.value };
    const extra = form.querySelector(`.extra[data-for="${chosen.dataset.action}"]`);
    if (extra) {
      for (const field of extra.querySelectorAll("select, input")) {
        if (field.value === "") continue;
        if (field.name === "satisfied") body.satisfied = field.value === "true";
        else if (field.type === "number") body[field.name] = Number(field.value);
        else body[field.name] = field.value;
      }
    }
    post(body, form.querySelector(".confirm"));
  });

  /* ---------- merge into a nearby duplicate (the centre) ---------- */
  document.querySelectorAll(".merge-button").forEach((button) => button.addEventListener("click", () => {
    post({ action: "merge", into: Number(button.dataset.into), note: `与 #${button.dataset.into} 重复` }, button);
  }));
}
