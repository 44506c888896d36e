// Standing areas on the seat map: each drawn once as its outline with its name and the places
// left, and a labelled quantity picker beside the map (a number input and a button, so the
// keyboard and screen readers use it like any form) that holds places through the same
// selection as the seats. seatmap.js owns the map, the socket and the basket; it tells this
// module through document events: "sandali:map" (the map as read), "sandali:live" (a socket
// message: {areas: [[id, free, version]]}), "sandali:selection" (the hold as it is now), and
// takes back the selection this module's requests return ("sandali:apply-selection").
// Counts keep the highest version seen per area, so a late message never undoes a newer one.
import { format, sendSelection, toast } from "./seatmap-requests.js";

const config = JSON.parse(document.getElementById("seat-map-config").textContent);
const text = config.messages;
const lang = document.documentElement.lang || "en";
const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en");
const SVG_NS = "http://www.w3.org/2000/svg";
const svg = document.getElementById("seat-map");
const areas = new Map(); // id -> {id, name, capacity, free, version, left: <text>}

function corners(outline) {
  if (outline?.type === "rect") {
    const { x, y, width: w, height: h } = outline;
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
  }
  return outline?.type === "polygon" ? outline.points : [];
}

function svgText(x, y, className, content) {
  const el = document.createElementNS(SVG_NS, "text");
  el.setAttribute("x", x);
  el.setAttribute("y", y);
  el.setAttribute("class", className);
  // The map is laid out left to right; its words still read in the page's direction.
  el.setAttribute("direction", document.dir === "rtl" ? "rtl" : "ltr");
  el.textContent = content;
  return el;
}

function drawArea(area) {
  const points = corners(area.outline);
  if (!points.length) return null;
  const group = document.createElementNS(SVG_NS, "g");
  group.setAttribute("class", "area");
  group.dataset.areaId = area.id;
  const shape = document.createElementNS(SVG_NS, "path");
  shape.setAttribute("d", `M${points.map(([x, y]) => `${x},${y}`).join("L")}z`);
  shape.setAttribute("class", "area-shape");
  const cx = points.reduce((sum, p) => sum + p[0], 0) / points.length;
  const cy = points.reduce((sum, p) => sum + p[1], 0) / points.length;
  const left = svgText(cx, cy + 1.2, "area-left", "");
  group.append(shape, svgText(cx, cy - 0.4, "area-name", area.name), left);
  // A click on the area goes to its picker, where the quantity is chosen.
  group.addEventListener("click", () => document.getElementById(`area-${area.id}`)?.focus());
  svg.prepend(group); // under the seats
  return left;
}

function render(area) {
  const left = format(text.places_left, {
    free: numbers.format(area.free), capacity: numbers.format(area.capacity),
  });
  if (area.left) area.left.textContent = left;
  for (const cell of document.querySelectorAll(`[data-area-free="${area.id}"]`)) {
    cell.textContent = numbers.format(area.free);
  }
  const status = document.querySelector(`[data-area-status="${area.id}"]`);
  if (status) status.textContent = left;
}

function update(id, free, version) {
  const area = areas.get(id);
  if (!area || version < area.version) return; // late news never undoes newer counts
  area.free = free;
  area.version = version;
  render(area);
}

document.addEventListener("sandali:map", (event) => {
  for (const area of event.detail.areas ?? []) {
    if (!areas.has(area.id)) {
      areas.set(area.id, { ...area, version: -1, left: drawArea(area) });
    }
    update(area.id, area.free, area.version);
  }
});

document.addEventListener("sandali:live", (event) => {
  for (const [id, free, version] of event.detail.areas ?? []) update(id, free, version);
});

document.addEventListener("sandali:selection", (event) => {
  const held = new Map((event.detail.areas ?? []).map((area) => [area.area, area.quantity]));
  for (const form of document.querySelectorAll(".area-picker")) {
    const quantity = held.get(Number(form.dataset.area)) ?? 0;
    const giveBack = form.querySelector("[data-give-back]");
    giveBack.hidden = quantity === 0;
    form.querySelector("[data-area-held]").textContent = quantity
      ? `· ${form.dataset.name} × ${numbers.format(quantity)}` : "";
  }
});

// One request at a time with the seats' own (seatmap-requests.js), so that no two choices
// start two holds and no request carries a session id its predecessor replaced.
async function send(method, areaId, body) {
  const result = await sendSelection(`${config.urls.selection}/areas/${areaId}`, method, body);
  if (result.ok) {
    document.dispatchEvent(new CustomEvent("sandali:apply-selection", { detail: result.body }));
  } else {
    toast(result.body.detail ?? text.error);
  }
}

for (const form of document.querySelectorAll(".area-picker")) {
  const areaId = Number(form.dataset.area);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("[type=submit]");
    const quantity = Number(form.elements.quantity.value);
    if (!Number.isInteger(quantity) || quantity < 1) {
      form.elements.quantity.focus();
      return;
    }
    button.disabled = true;
    try {
      await send("POST", areaId, { quantity });
    } finally {
      button.disabled = false;
    }
  });
  form.querySelector("[data-give-back]").addEventListener("click", () => send("DELETE", areaId));
}
