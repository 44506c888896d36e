// The live seat map: draws the seats from the API, holds each choice at once on the server
// (the hold's token stays in the server-side session), counts down the hold, and applies
// every change pushed through the WebSocket, keeping per seat the highest version seen.
import { accessLabel, markSeat, showAccess } from "./seatmap-access.js";
import { showBasket } from "./seatmap-basket.js";
import { csrfToken, oneAtATime } from "./seatmap-requests.js";
import { drawShapes } from "./seatmap-shapes.js";
import { readSeatMap } from "./seatmap-wire.js";

const config = JSON.parse(document.getElementById("seat-map-config").textContent);
const text = config.messages;
const lang = document.documentElement.lang || "en";
const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en");
const money = (value) => `${numbers.format(Number(value))} ${config.currency}`;
const svg = document.getElementById("seat-map");
const SVG_NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#1f5fbf", "#8a2be2", "#0b7a4b", "#b3261e", "#8c5a00", "#00677f"];

const seats = new Map(); // id -> {id, section, row, number, x, y, ticketType, status, version, el}
const sections = new Map(config.prices.map((p) => [p.section, p.sectionName]));
const prices = new Map(config.prices.map((p) => [`${p.section}-${p.ticketType}`, p]));
const ticketTypes = [...new Set(config.prices.map((p) => p.ticketType))];
// A ticket type's style is its place among its event's ticket types (the server's `style`),
// so it keeps one colour and shape on every performance of the event.
const styles = new Map(config.prices.map((p) => [p.ticketType, p.style]));
const styleOf = (ticketType) => styles.get(ticketType) ?? ticketTypes.indexOf(ticketType);
const colorOf = (ticketType) => PALETTE[styleOf(ticketType) % PALETTE.length];
// Ticket types differ by shape as well as color, so color is never the only signal.
const SHAPES = ["circle", "square", "diamond"];
const shapeOf = (ticketType) => SHAPES[styleOf(ticketType) % SHAPES.length];

function seatElement(shape, x, y) {
  const half = 0.4;
  if (shape === "circle") {
    const el = document.createElementNS(SVG_NS, "circle");
    el.setAttribute("cx", x);
    el.setAttribute("cy", y);
    el.setAttribute("r", 0.42);
    return el;
  }
  const el = document.createElementNS(SVG_NS, "path");
  const d = shape === "square"
    ? `M${x - half * 0.85},${y - half * 0.85}h${half * 1.7}v${half * 1.7}h${-half * 1.7}z`
    : `M${x},${y - half * 1.15}L${x + half * 1.15},${y}L${x},${y + half * 1.15}L${x - half * 1.15},${y}z`;
  el.setAttribute("d", d);
  return el;
}
const mine = new Set();
const pending = new Set();
let placesHeld = 0; // places of standing areas in the hold (seatmap-areas.js draws the areas)

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
}

function toast(message) {
  const box = document.getElementById("toasts");
  const item = document.createElement("p");
  item.className = "toast";
  item.textContent = message;
  box.append(item);
  setTimeout(() => item.remove(), 5000);
}

// ---- drawing -------------------------------------------------------------------------
function draw(map) {
  drawShapes(svg, config.shapes);
  const fragment = document.createDocumentFragment();
  const bounds = new Map();
  for (let i = 0; i < map.n; i += 1) {
    const seat = {
      id: map.id[i], section: map.section[i], row: map.row[i], number: map.number[i],
      x: map.x[i], y: map.y[i], ticketType: map.ticketType[i],
      status: map.status[i], version: map.version[i], flags: map.flags[i],
    };
    const el = seatElement(shapeOf(seat.ticketType), seat.x, seat.y);
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "button");
    el.dataset.seatId = seat.id;
    el.style.setProperty("--tt", colorOf(seat.ticketType));
    seat.el = el;
    seats.set(seat.id, seat);
    paint(seat);
    fragment.append(el);
    markSeat(seat, fragment);
    const b = bounds.get(seat.section) ?? { minX: Infinity, minY: Infinity, maxX: -Infinity };
    bounds.set(seat.section, {
      minX: Math.min(b.minX, seat.x), maxX: Math.max(b.maxX, seat.x), minY: Math.min(b.minY, seat.y),
    });
  }
  for (const [section, b] of bounds) {
    const label = document.createElementNS(SVG_NS, "text");
    label.setAttribute("x", (b.minX + b.maxX) / 2);
    label.setAttribute("y", b.minY - 0.9);
    label.setAttribute("class", "section-label");
    label.textContent = sections.get(section) ?? "";
    fragment.append(label);
  }
  svg.append(fragment);
  fitAll();
  showAccess(seats, svg, config.access);
  for (const el of document.querySelectorAll(".swatch")) {
    el.style.background = colorOf(Number(el.dataset.ticketType));
    el.dataset.shape = shapeOf(Number(el.dataset.ticketType));
  }
}

function statusOf(seat) {
  return mine.has(seat.id) ? "mine" : seat.status;
}

function paint(seat) {
  const status = statusOf(seat);
  seat.el.setAttribute("class", `seat seat--${status}`);
  seat.el.setAttribute("aria-pressed", String(status === "mine"));
  seat.el.setAttribute("aria-disabled", String(status !== "available" && status !== "mine"));
  const price = prices.get(`${seat.section}-${seat.ticketType}`);
  seat.el.setAttribute("aria-label", format(text.seat_label, {
    section: sections.get(seat.section) ?? "", row: seat.row, number: numbers.format(seat.number),
    ticket_type: price?.ticketTypeName ?? "", price: price ? money(price.price) : "",
    status: text.status[status],
  }) + accessLabel(seat, config.access));
}

function availableCount(section, ticketType) {
  let count = 0;
  for (const seat of seats.values()) {
    if (seat.section === section && seat.ticketType === ticketType && seat.status === "available") count++;
  }
  return count;
}

// Why a seat that is not free cannot be had: none of its kind (section x ticket type) is
// left, or just this one is taken.
function refusal(seat) {
  if (availableCount(seat.section, seat.ticketType) > 0) return text.taken;
  const price = prices.get(`${seat.section}-${seat.ticketType}`);
  return format(text.sold_out, { ticket_type: price?.ticketTypeName, section: sections.get(seat.section) });
}

// Counted again from the seats once per frame, however many changes arrived in it.
let countsPending = false;
function refreshCounts() {
  if (countsPending) return;
  countsPending = true;
  requestAnimationFrame(() => {
    countsPending = false;
    countSeatsLeft();
  });
}

function countSeatsLeft() {
  const left = new Map();
  for (const seat of seats.values()) {
    if (seat.status !== "available") continue;
    const key = `${seat.section}-${seat.ticketType}`;
    left.set(key, (left.get(key) ?? 0) + 1);
  }
  for (const cell of document.querySelectorAll("[data-available]")) {
    cell.textContent = numbers.format(left.get(cell.dataset.available) ?? 0);
  }
}

// ---- zoom and pan --------------------------------------------------------------------
let view = null;
let whole = null;
function setView(v) {
  view = v;
  svg.setAttribute("viewBox", `${v.x} ${v.y} ${v.w} ${v.h}`);
}
function fitAll() {
  const box = svg.getBBox();
  whole = { x: box.x - 1, y: box.y - 1, w: box.width + 2, h: box.height + 2 };
  setView(whole);
}
function zoom(factor, cx = view.x + view.w / 2, cy = view.y + view.h / 2) {
  const w = Math.min(whole.w * 2, Math.max(4, view.w * factor));
  const h = (view.h * w) / view.w;
  setView({ x: cx - ((cx - view.x) * w) / view.w, y: cy - ((cy - view.y) * h) / view.h, w, h });
}
document.querySelector(".zoom").addEventListener("click", (event) => {
  const action = event.target.dataset.zoom;
  if (action === "in") zoom(0.7);
  if (action === "out") zoom(1 / 0.7);
  if (action === "reset") setView(whole);
});
svg.addEventListener("wheel", (event) => {
  event.preventDefault();
  const point = svg.createSVGPoint();
  point.x = event.clientX;
  point.y = event.clientY;
  const at = point.matrixTransform(svg.getScreenCTM().inverse());
  zoom(event.deltaY < 0 ? 0.85 : 1 / 0.85, at.x, at.y);
}, { passive: false });
// Drag with one finger or the mouse pans; two fingers pinch to zoom around their middle.
const pointers = new Map();
let drag = null;
let pinch = null;
function toMap(x, y) {
  const point = svg.createSVGPoint();
  point.x = x;
  point.y = y;
  return point.matrixTransform(svg.getScreenCTM().inverse());
}
svg.addEventListener("pointerdown", (event) => {
  pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
  if (pointers.size === 2) {
    const [a, b] = [...pointers.values()];
    pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y) };
    drag = null;
  } else if (!event.target.dataset.seatId || event.pointerType === "touch") {
    drag = { x: event.clientX, y: event.clientY, view, moved: false };
  }
});
svg.addEventListener("pointermove", (event) => {
  if (!pointers.has(event.pointerId)) return;
  pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
  if (pinch && pointers.size === 2) {
    const [a, b] = [...pointers.values()];
    const distance = Math.hypot(a.x - b.x, a.y - b.y);
    const middle = toMap((a.x + b.x) / 2, (a.y + b.y) / 2);
    zoom(pinch.distance / distance, middle.x, middle.y);
    pinch.distance = distance;
  } else if (drag) {
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 6) return; // a tap, not a drag
    drag.moved = true;
    const scale = view.w / svg.clientWidth;
    setView({ ...drag.view, x: drag.view.x - dx * scale, y: drag.view.y - dy * scale });
  }
});
function endPointer(event) {
  pointers.delete(event.pointerId);
  if (pointers.size < 2) pinch = null;
  if (drag?.moved) suppressClick = true;
  if (!pointers.size) drag = null;
}
let suppressClick = false;
svg.addEventListener("pointerup", endPointer);
svg.addEventListener("pointercancel", endPointer);

// ---- choosing ------------------------------------------------------------------------
// Selection requests go one at a time, under a Web Lock (seatmap-requests.js says why).
function request(method, seatId) {
  return oneAtATime(async () => {
    const response = await fetch(`${config.urls.selection}/seats/${seatId}`, {
      method, headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin",
    });
    return { ok: response.ok, body: await response.json() };
  });
}

async function toggle(seat) {
  if (pending.has(seat.id)) return;
  if (mine.has(seat.id)) {
    pending.add(seat.id);
    const result = await request("DELETE", seat.id);
    pending.delete(seat.id);
    if (result.ok) applySelection(result.body);
    else if (result.body.code === "hold_expired") expired();
    else toast(result.body.detail ?? text.error);
    return;
  }
  if (seat.status !== "available") {
    toast(refusal(seat));
    return;
  }
  if (mine.size + pending.size + placesHeld >= config.maxSeats) {
    toast(format(text.too_many, { limit: numbers.format(config.maxSeats) }));
    return;
  }
  pending.add(seat.id);
  const result = await request("POST", seat.id);
  pending.delete(seat.id);
  if (result.ok) {
    applySelection(result.body);
  } else if (result.body.code === "seats_unavailable") {
    // Taken, or being taken by a hold that may yet roll back: ask the map, don't guess; then
    // say whether any seat of its kind is left.
    await refreshMap().catch(() => {});
    toast(refusal(seat));
  } else if (result.body.code === "waiting_room_required") {
    window.location.assign(result.body.queue_page); // the pass expired: back to the queue
  } else {
    toast(result.body.detail ?? text.error);
  }
}

svg.addEventListener("click", (event) => {
  if (suppressClick) {
    suppressClick = false; // the end of a drag is not a choice
    return;
  }
  const seat = seats.get(Number(event.target.dataset.seatId));
  if (seat) toggle(seat);
});
svg.addEventListener("keydown", (event) => {
  const seat = seats.get(Number(event.target.dataset.seatId));
  if (seat && (event.key === "Enter" || event.key === " ")) {
    event.preventDefault();
    toggle(seat);
  }
});

function applySelection(selection) {
  const before = new Set(mine);
  mine.clear();
  for (const id of selection.seats) mine.add(id);
  for (const id of new Set([...before, ...mine])) {
    const seat = seats.get(id);
    if (!seat) continue;
    if (mine.has(id) && seat.status === "available") {
      seat.status = "reserved"; // the hold raised the seat's version
      seat.version += 1;
    }
    paint(seat);
  }
  refreshCounts();
  placesHeld = (selection.areas ?? []).reduce((sum, area) => sum + area.quantity, 0);
  showBasket(selection, expired); // seatmap-basket.js: the seats, the total, the countdown
  document.dispatchEvent(new CustomEvent("sandali:selection", { detail: selection }));
}

// seatmap-areas.js holds places through the same selection and hands back the answer.
document.addEventListener("sandali:apply-selection", (event) => applySelection(event.detail));

function expired() {
  if (!mine.size && !placesHeld) return;
  applySelection({ seats: [] });
  toast(text.expired);
  loadSelection();
}

// ---- live changes --------------------------------------------------------------------
function apply(changes) {
  let lost = false;
  for (const [id, status, version] of changes) {
    const seat = seats.get(id);
    if (!seat || version < seat.version) continue; // late news never undoes newer state
    seat.status = status;
    seat.version = version;
    if (mine.has(id) && status !== "reserved" && !pending.has(id)) lost = true;
    paint(seat);
  }
  refreshCounts();
  if (lost) expired();
}

function connect(delay = 500) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${config.urls.socket}`);
  const live = document.getElementById("live");
  // The backoff starts again only once the server has sent the snapshot: a socket it accepts
  // and closes at once (Redis down: 1013, too many sockets: 4429) keeps backing off.
  socket.onmessage = (event) => {
    if (delay !== 500) {
      if (live.textContent) live.textContent = text.online;
      delay = 500;
    }
    const message = JSON.parse(event.data);
    apply(message.seats ?? []);
    // Standing areas' counts ({areas: [[id, free, version]]}) are seatmap-areas.js's.
    document.dispatchEvent(new CustomEvent("sandali:live", { detail: message }));
    document.body.dataset.live = "true"; // the snapshot is in: every later change will come
  };
  socket.onclose = () => {
    live.textContent = text.offline;
    // Jitter, so that pages cut off together do not all come back at the same instant.
    const wait = delay * (0.75 + Math.random() / 2);
    setTimeout(() => connect(Math.min(delay * 2, 10000)), wait);
  };
}

let mapEtag = "";
async function refreshMap() {
  const headers = mapEtag ? { "If-None-Match": mapEtag } : {};
  const response = await fetch(config.urls.seats, { headers });
  if (response.status !== 200) return;
  mapEtag = response.headers.get("ETag") ?? "";
  const body = await response.json();
  document.dispatchEvent(new CustomEvent("sandali:map", { detail: body }));
  const map = readSeatMap(body);
  apply(Array.from({ length: map.n }, (_, i) => [map.id[i], map.status[i], map.version[i]]));
}

async function loadSelection() {
  applySelection(await oneAtATime(async () => {
    const response = await fetch(config.urls.selection, { credentials: "same-origin" });
    return response.json();
  }));
}

// Other tabs of this browser share the session's hold: coming back to this one, show it.
function reloadSelectionIfIdle() {
  if (document.visibilityState === "visible" && !pending.size) loadSelection();
}
document.addEventListener("visibilitychange", reloadSelectionIfIdle);
window.addEventListener("focus", reloadSelectionIfIdle);

async function start() {
  const response = await fetch(config.urls.seats);
  const body = await response.json();
  document.dispatchEvent(new CustomEvent("sandali:map", { detail: body })); // areas, drawn first
  draw(readSeatMap(body));
  // The basket names seats as the map does (the contract of "sandali:map-ready").
  const seatLabel = (id) => seats.get(id)?.el.getAttribute("aria-label") ?? "";
  document.dispatchEvent(new CustomEvent("sandali:map-ready", { detail: { seatLabel } }));
  refreshCounts();
  performance.mark("seatmap:drawn"); // bench/map_phone.py times the map from the seat data to here
  await loadSelection();
  connect();
  document.body.dataset.ready = "true";
}

start();
