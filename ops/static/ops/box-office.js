// The box office desk's seat map (ops/admin/box_office.py): the buyer's map modules in a staff
// mode. The same seat data, canvas renderer, camera, hit testing, sections' overview and live
// socket as the buyer's page (web/static/web/seatmap-*.js); a click holds or gives back a seat
// through the desk's selection (held in the admin's session, as the buyer's is in theirs),
// and the desk's seats show as "mine". The buyer's page itself (seatmap.js) is not reused whole: it brings the
// buyer's best-available panel, filters and basket, which the desk has its own form for.
import { startCountdown } from "../web/countdown.js";
import { Camera, attachGestures } from "../web/seatmap-camera.js";
import { PALETTE, Renderer, SEAT_SCALE, SHAPES } from "../web/seatmap-canvas.js";
import { SeatIndex, insidePolygon } from "../web/seatmap-hit.js";
import { attachKeys } from "../web/seatmap-keys.js";
import { connect, readMap, refreshMap } from "../web/seatmap-live.js";
import { Overview } from "../web/seatmap-overview.js";
import { makeProbe } from "../web/seatmap-probe.js";
import { csrfToken, format, oneAtATime, toast } from "../web/seatmap-requests.js";
import { SeatStore } from "../web/seatmap-store.js";

const config = JSON.parse(document.getElementById("seat-map-config").textContent);
const text = config.text;
const lang = document.documentElement.lang || "en";
const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en");
const element = document.getElementById("seat-map");

const styleOf = (ticketType) => config.styles[ticketType] ?? 0;
let store, index, camera, renderer, overview;
const look = { focus: -1, focusShown: false, highlight: new Set(), dimmed: () => false };
look.statusOf = (i) => store.statusAt(i);
look.colorOf = (i) => PALETTE[styleOf(store.ticketType[i]) % PALETTE.length];
look.shapeOf = (i) => SHAPES[styleOf(store.ticketType[i]) % SHAPES.length];

const sectionNames = new Map(config.sections.map((s) => [s.id, s.name]));
const labelAt = (i) => format(text.seat, {
  section: sectionNames.get(store.section[i]) ?? "", row: store.row[i], number: numbers.format(store.number[i]),
});

let frame = 0;
function redraw() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    renderer.draw();
    overview.follow(renderer.seatsShown);
  });
}

// A large hall opens as its sections (outlined, named, with seats left), as on the buyer's
// page; a click on one zooms into it.
function refreshSections() {
  const left = new Map();
  for (const [key, count] of store.countAvailable()) {
    const section = Number(key.split("-")[0]);
    left.set(section, (left.get(section) ?? 0) + count);
  }
  overview.refresh(left);
}

// ---- the desk's selection -------------------------------------------------------------------
const pending = new Set();

async function send(method, url) {
  return oneAtATime(async () => {
    const response = await fetch(url, {
      method, headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin",
    });
    return { ok: response.ok, body: await response.json() };
  });
}

function showSelection(selection) {
  store.setMine(selection.seats);
  redraw();
  const list = document.getElementById("desk-seats");
  list.replaceChildren(...selection.seat_details.map((seat) => {
    const item = document.createElement("li");
    item.dataset.deskSeat = seat.id;
    item.textContent = `${seat.label} · ${seat.ticket_type} · ${seat.price}`;
    return item;
  }));
  document.getElementById("desk-count").textContent = numbers.format(selection.seats.length);
  document.getElementById("desk-total").textContent = selection.total;
  document.getElementById("desk-sell").disabled = selection.seats.length === 0;
  document.body.dataset.deskSeats = String(selection.seats.length);
  if (stopCountdown) stopCountdown();
  stopCountdown = null;
  const left = document.getElementById("desk-countdown");
  left.textContent = "";
  if (selection.expires_at && selection.seats.length) {
    // At zero the server is asked again: it forgets the expired hold and says so.
    stopCountdown = startCountdown(left, selection.expires_at, selection.now, () => reload());
  }
  if (selection.expired) toast(text.expired);
}

let stopCountdown = null;
async function reload() {
  const result = await send("GET", config.urls.selection).catch(() => null);
  if (result?.ok) showSelection(result.body);
}

// The payment's extra field: the terminal's reference for a card, the reason for a
// complimentary sale (required), none for cash.
function showPaymentFields() {
  const method = document.querySelector("input[name=method]:checked")?.value;
  document.querySelector(".desk-field--reference").hidden = method !== "card";
  document.querySelector(".desk-field--reason").hidden = method !== "comp";
}

async function toggle(i) {
  const id = store.id[i];
  if (pending.has(id)) return;
  const mine = store.mine.has(id);
  if (!mine && store.status[i] !== "available") return toast(text.taken);
  pending.add(id);
  try {
    const result = await send(mine ? "DELETE" : "POST", `${config.urls.selection}seats/${id}/`);
    if (result.ok) return showSelection(result.body);
    if (result.body.code === "seats_unavailable") await refreshMap(page).catch(() => {});
    toast(result.body.detail ?? text.error);
  } catch {
    toast(text.error);
  } finally {
    pending.delete(id);
  }
}

// Standing areas are chosen by quantity (a form each), not on the map.
async function sendPlaces(method, form) {
  const url = `${config.urls.selection}areas/${form.dataset.area}/`;
  const quantity = Number(form.elements.quantity.value);
  const result = await oneAtATime(async () => {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/json" },
      body: method === "POST" ? JSON.stringify({ quantity }) : undefined,
    });
    return { ok: response.ok, body: await response.json() };
  }).catch(() => null);
  if (result?.ok) showSelection(result.body);
  else toast(result?.body?.detail ?? text.error);
}

function attachAreaForms() {
  for (const form of document.querySelectorAll(".desk-area")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sendPlaces("POST", form);
    });
    form.querySelector("[data-give-back]").addEventListener("click", () => sendPlaces("DELETE", form));
  }
}

// ---- pointer: a click on a seat holds or gives it back; elsewhere, zooms in there ------------
function onTap(sx, sy) {
  const [wx, wy] = camera.toWorld(sx, sy);
  if (!renderer.seatsShown) {
    const section = overview.sectionAt(wx, wy, insidePolygon);
    const b = section?.bounds;
    const [cx, cy] = b ? [(b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2] : [wx, wy];
    return camera.animateTo(camera.viewAround(cx, cy, SEAT_SCALE * 1.5));
  }
  const i = index.at(wx, wy, Math.max(0.6, 10 / camera.scale));
  if (i >= 0) toggle(i);
}

function onHover(sx, sy) {
  if (!renderer.seatsShown) return;
  const [wx, wy] = camera.toWorld(sx, sy);
  const i = index.at(wx, wy, Math.max(0.6, 10 / camera.scale));
  element.classList.toggle("seat-map--over-seat", i >= 0);
  element.title = i >= 0 ? labelAt(i) : "";
}

// ---- the keyboard, as on the buyer's map: arrows move, Enter or Space holds --------------
function moveTo(i) {
  look.focus = i;
  look.focusShown = true;
  const current = document.getElementById("seat-current");
  current.dataset.seatId = store.id[i];
  current.setAttribute("aria-label", `${labelAt(i)}: ${text.status[store.statusAt(i)] ?? ""}`);
  const [sx, sy] = camera.toScreen(store.x[i], store.y[i]);
  const inside = sx > 40 && sy > 40 && sx < camera.width - 40 && sy < camera.height - 40;
  if (renderer.seatsShown && inside) return redraw();
  camera.animateTo(camera.viewAround(store.x[i], store.y[i], Math.max(camera.scale, SEAT_SCALE * 2)));
}

function firstFreeSeat() {
  for (let i = 0; i < store.n; i++) if (store.status[i] === "available") return i;
  return 0;
}

const page = {
  config, text,
  apply(changes) {
    if (!store.apply(changes).length) return;
    redraw();
    refreshSections();
  },
};

async function start() {
  store = new SeatStore(await readMap(config.urls.seats));
  index = new SeatIndex(store);
  camera = new Camera(element, () => redraw());
  renderer = new Renderer(element.querySelector("canvas.seat-map__seats"), camera, store, index, look);
  overview = new Overview(element.querySelector("svg"), camera, index, config.shapes, {
    name: (id) => sectionNames.get(id) ?? "",
    prices: () => "",
    left: (count) => format(text.seats_left, { count: numbers.format(count) }),
  });
  renderer.resize();
  camera.fit(index.bounds ?? { minX: 0, minY: 0, maxX: 10, maxY: 10 });
  new ResizeObserver(() => {
    camera.measure();
    renderer.resize();
    camera.fit(index.bounds ?? { minX: 0, minY: 0, maxX: 10, maxY: 10 });
  }).observe(element);
  attachGestures(element, camera, { tap: onTap, hover: onHover, settle: () => redraw() });
  document.getElementById("desk-whole-hall").addEventListener("click", () => camera.animateTo(camera.fitted));
  document.getElementById("desk-clear").addEventListener("click", async () => {
    const result = await send("DELETE", config.urls.selection).catch(() => null);
    if (result?.ok) showSelection(result.body);
    else toast(text.error);
  });
  attachKeys(element, { index, store, eligible: () => true, current: () => look.focus,
    start: firstFreeSeat, moveTo, choose: (i) => toggle(i).then(() => moveTo(i)),
    escape: () => {} });
  element.addEventListener("blur", () => {
    look.focusShown = false;
    redraw();
  });
  attachAreaForms();
  document.getElementById("desk-form").addEventListener("change", showPaymentFields);
  showPaymentFields();
  element.probe = makeProbe({ element, store, index, camera, renderer, look, labelAt });
  refreshSections();
  await reload();
  connect(page);
  document.body.dataset.ready = "true";
}

start();
