// The live seat map. Seats are drawn on a canvas (seatmap-canvas.js): 20,000 SVG elements
// could not be drawn, panned or updated fast enough on a phone. A large hall opens as its
// sections (seatmap-overview.js); a tap zooms into one. A mouse click holds a seat at once;
// a tap on a touch screen shows its details first (seatmap-details.js). The keyboard reaches
// the map as one Tab stop (seatmap-keys.js) whose active descendant is the current seat.
// Every change pushed through the WebSocket is applied keeping per seat the highest version.
import { showAccess } from "./seatmap-access.js";
import { Camera, attachGestures } from "./seatmap-camera.js";
import { PALETTE, Renderer, SEAT_SCALE, SHAPES } from "./seatmap-canvas.js";
import { SeatDetails } from "./seatmap-details.js";
import { SEAT_RADIUS, SeatIndex, insidePolygon } from "./seatmap-hit.js";
import { attachKeys } from "./seatmap-keys.js";
import { MiniMap, Overview, withGenericStage } from "./seatmap-overview.js";
import { makeProbe } from "./seatmap-probe.js";
import { createSelection } from "./seatmap-select.js";
import { SeatStore } from "./seatmap-store.js";
import { format } from "./seatmap-requests.js";
import { SeatWords } from "./seatmap-words.js";
import { connect, readMap, refreshMap } from "./seatmap-live.js";

const config = JSON.parse(document.getElementById("seat-map-config").textContent);
const text = config.messages;
const lang = document.documentElement.lang || "en";
const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en");
const element = document.getElementById("seat-map");
const current = document.getElementById("seat-current");

const ticketTypes = [...new Set(config.prices.map((p) => p.ticketType))];
// A ticket type's look: its `style` (its index among its event's ticket types, the same at
// every performance) where the page has it, else its index on this page.
const styleOf = (ticketType) => config.prices.find((p) => p.ticketType === ticketType)?.style
  ?? ticketTypes.indexOf(ticketType);
const colorOf = (ticketType) => PALETTE[styleOf(ticketType) % PALETTE.length];
const shapeOf = (ticketType) => SHAPES[styleOf(ticketType) % SHAPES.length];

function toast(message) {
  const item = document.createElement("p");
  item.className = "toast";
  item.textContent = message;
  document.getElementById("toasts").append(item);
  setTimeout(() => item.remove(), 5000);
}

let store, words, index, camera, renderer, overview, minimap, details, selection;
const filter = { maxPrice: null, accessibleOnly: false };
const look = { focus: -1, focusShown: false, highlight: new Set() };

look.statusOf = (i) => store.statusAt(i);
look.colorOf = (i) => colorOf(store.ticketType[i]);
look.shapeOf = (i) => shapeOf(store.ticketType[i]);
look.dimmed = (i) => {
  if (filter.accessibleOnly && !(store.flags[i] & 3)) return true;
  const price = words.priceOf(i);
  return filter.maxPrice !== null && price !== undefined && Number(price.price) > Number(filter.maxPrice);
};

const labelAt = (i) => words.labelAt(i);
const labelOf = (id) => (store?.indexOf(id) >= 0 ? labelAt(store.indexOf(id)) : String(id));

// ---- drawing, once per frame however many changes came in it -------------------------------
let frame = 0, fullDraw = false;
const dirty = new Set();
function redraw(indices = null) {
  if (indices) for (const i of indices) dirty.add(i);
  else fullDraw = true;
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    if (fullDraw) renderer.draw();
    else renderer.repaint([...dirty]);
    fullDraw = false;
    dirty.clear();
    minimap.draw(camera.scale > camera.fitted.scale * 1.4);
  });
}

let countsPending = false;
function refreshCounts() {
  if (countsPending) return;
  countsPending = true;
  requestAnimationFrame(() => {
    countsPending = false;
    const left = store.countAvailable();
    for (const cell of document.querySelectorAll("[data-available]")) {
      cell.textContent = numbers.format(left.get(cell.dataset.available) ?? 0);
    }
    const bySection = new Map();
    for (const [key, count] of left) {
      const section = Number(key.split("-")[0]);
      bySection.set(section, (bySection.get(section) ?? 0) + count);
    }
    overview.refresh(bySection);
  });
}

function seatsChanged(indices) {
  if (!indices.length) return;
  redraw(indices);
  refreshCounts();
  details.changed(indices);
  if (look.focus >= 0 && indices.includes(look.focus)) showCurrent();
}

function onCamera(cam, moving) {
  overview.follow(renderer.seatsShown);
  details.hideTip();
  // Mid-gesture the drawn bitmap slides along, unless a proper draw costs less than a frame.
  if (moving && renderer.cost > 6 && renderer.follow()) {
    minimap.draw(cam.scale > cam.fitted.scale * 1.4);
    return;
  }
  redraw();
}

// ---- the current seat: keyboard focus, tooltip, screen readers -----------------------------
function showCurrent() {
  const i = look.focus;
  current.dataset.seatId = i >= 0 ? store.id[i] : "";
  current.setAttribute("aria-label", i >= 0 ? labelAt(i) : text.details.no_seat);
  current.setAttribute("aria-pressed", String(i >= 0 && store.statusAt(i) === "mine"));
  current.setAttribute("aria-disabled", String(i >= 0 && !["available", "mine"].includes(store.statusAt(i))));
  if (i >= 0 && look.focusShown) {
    const [sx, sy] = camera.toScreen(store.x[i], store.y[i]);
    details.showTip(i, sx, sy, Math.max(SEAT_RADIUS * camera.scale + 6, 12));
  }
}

// The camera follows the focus: zoomed in to legible seats, the seat well inside the view.
function moveTo(i, follow = true) {
  const before = look.focus;
  look.focus = i;
  showCurrent();
  if (!follow) return redraw(before >= 0 ? [before, i] : [i]);
  const [sx, sy] = camera.toScreen(store.x[i], store.y[i]);
  const margin = Math.min(60, camera.width / 4);
  const inside = sx > margin && sx < camera.width - margin && sy > margin && sy < camera.height - margin;
  if (renderer.seatsShown && camera.scale >= 14 && inside) {
    redraw(before >= 0 ? [before, i] : [i]);
  } else {
    const scale = Math.max(camera.scale, 24);
    camera.animateTo(camera.viewAround(store.x[i], store.y[i], scale), showCurrent);
  }
}

// Where the keyboard starts: the free seat nearest the middle of the view once the buyer has
// zoomed in; at the whole hall, the first free seat of the first section.
function startSeat() {
  const eligible = (i) => !look.dimmed(i) && store.status[i] === "available";
  if (renderer.seatsShown && camera.scale > camera.fitted.scale * 1.05) {
    const [cx, cy] = camera.toWorld(camera.width / 2, camera.height / 2);
    let best = -1, bestDistance = Infinity;
    const { x0, y0, x1, y1 } = camera.visibleWorld();
    index.within(x0, y0, x1, y1, (i) => {
      const d = Math.hypot(store.x[i] - cx, store.y[i] - cy);
      if (eligible(i) && d < bestDistance) { best = i; bestDistance = d; }
    });
    if (best >= 0) return best;
  }
  const sections = [...index.sections.values()].sort((a, b) => a.id - b.id);
  for (const section of sections) {
    const seat = section.seats.find(eligible);
    if (seat !== undefined) return seat;
  }
  return 0;
}

// "+" and "−" zoom around the focused seat, or else the middle of the section with seats
// nearest the view's middle (never into an empty aisle).
function zoomAnchor() {
  if (look.focus >= 0) return camera.toScreen(store.x[look.focus], store.y[look.focus]);
  const [cx, cy] = camera.toWorld(camera.width / 2, camera.height / 2);
  let best = null, bestDistance = Infinity;
  for (const section of index.sections.values()) {
    const b = section.bounds;
    const mx = (b.minX + b.maxX) / 2, my = (b.minY + b.maxY) / 2;
    const d = Math.hypot(mx - cx, my - cy);
    if (d < bestDistance) { best = [mx, my]; bestDistance = d; }
  }
  return best ? camera.toScreen(...best) : [camera.width / 2, camera.height / 2];
}

function zoomButtons() {
  document.querySelector(".zoom").addEventListener("click", (event) => {
    const action = event.target.closest("[data-zoom]")?.dataset.zoom;
    if (action === "reset") return camera.animateTo(camera.fitted);
    if (!action) return;
    const [ax, ay] = zoomAnchor();
    const scale = camera.clampScale(camera.scale * (action === "in" ? 1.6 : 1 / 1.6));
    const [wx, wy] = camera.toWorld(ax, ay);
    // The anchor comes to the middle as the view zooms, so that it stays in sight.
    camera.animateTo(camera.viewAround(wx, wy, scale));
  });
}

// ---- pointer: hover shows, a click holds, a tap shows the sheet, a section tap zooms in ----
function hitSeat(sx, sy) {
  if (!renderer.seatsShown) return -1;
  const [wx, wy] = camera.toWorld(sx, sy);
  return index.at(wx, wy, Math.max(0.6, 10 / camera.scale));
}

function onTap(sx, sy, event) {
  const i = hitSeat(sx, sy);
  if (i >= 0) {
    look.focus = i;
    showCurrent();
    redraw([i]);
    if (event.pointerType === "touch") {
      details.openSheet(i);
      keepAboveSheet(i);
    } else selection.toggle(i);
    return;
  }
  const area = document.elementsFromPoint(event.clientX, event.clientY)
    .find((el) => el.closest?.(".area"))?.closest(".area");
  if (area) return document.getElementById(`area-${area.dataset.areaId}`)?.focus();
  // Zoomed in, a tap that just misses a seat keeps the view: only the overview's sections zoom.
  if (renderer.seatsShown) return;
  const [wx, wy] = camera.toWorld(sx, sy);
  const section = overview.sectionAt(wx, wy, insidePolygon);
  if (section) zoomToSection(section);
}

// The sheet covers the bottom of a phone's screen: the seat it describes stays in sight above.
function keepAboveSheet(i) {
  const sheetTop = document.getElementById("seat-sheet").getBoundingClientRect().top;
  const seatY = element.getBoundingClientRect().top + camera.toScreen(store.x[i], store.y[i])[1];
  const room = sheetTop - 48;
  if (seatY > room) camera.animateTo({ scale: camera.scale, x: camera.x, y: camera.y - (seatY - room) });
}

function zoomToSection(section) {
  const view = camera.viewOf(section.bounds, 16);
  if (view.scale < SEAT_SCALE * 1.5) {
    const b = section.bounds;
    Object.assign(view, camera.viewAround((b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2, SEAT_SCALE * 1.5));
  }
  camera.animateTo(view);
}

function onHover(sx, sy) {
  const i = hitSeat(sx, sy);
  element.classList.toggle("seat-map--over-seat", i >= 0);
  if (i < 0) return details.hideTip();
  if (details.tipped === i) return;
  const [cx, cy] = camera.toScreen(store.x[i], store.y[i]);
  details.showTip(i, cx, cy, Math.max(SEAT_RADIUS * camera.scale + 6, 12));
}

// ---- the page's filters and finds (contract: sandali:filter, sandali:show-seats) -----------
document.addEventListener("sandali:filter", (event) => {
  filter.maxPrice = event.detail.maxPrice ?? null;
  filter.accessibleOnly = Boolean(event.detail.accessibleOnly);
  if (store) redraw();
});

let highlightTimer = 0;
document.addEventListener("sandali:show-seats", (event) => {
  if (!store) return; // the map is not drawn yet: nothing to show the seats on
  const found = event.detail.ids.map((id) => store.indexOf(id)).filter((i) => i >= 0);
  if (!found.length) return;
  look.highlight = new Set(found);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const i of found) {
    minX = Math.min(minX, store.x[i]); maxX = Math.max(maxX, store.x[i]);
    minY = Math.min(minY, store.y[i]); maxY = Math.max(maxY, store.y[i]);
  }
  const view = camera.viewOf({ minX: minX - 3, minY: minY - 3, maxX: maxX + 3, maxY: maxY + 3 });
  view.scale = Math.min(view.scale, 40);
  camera.animateTo(camera.viewAround((minX + maxX) / 2, (minY + maxY) / 2, Math.max(view.scale, SEAT_SCALE * 1.5)));
  clearTimeout(highlightTimer);
  highlightTimer = setTimeout(() => {
    look.highlight = new Set();
    redraw();
  }, 4000);
});

// seatmap-areas.js and the page's other controls hold through the same selection and hand
// back the answer. One that comes before the map is ready is not lost: start() ends by
// reading the session's selection, which has it.
document.addEventListener("sandali:apply-selection", (event) => selection?.apply(event.detail));

// Other tabs of this browser share the session's hold: coming back to this one, show it.
function reloadSelectionIfIdle() {
  if (document.visibilityState === "visible" && selection && !selection.pending.size) selection.load();
}
document.addEventListener("visibilitychange", reloadSelectionIfIdle);
window.addEventListener("focus", reloadSelectionIfIdle);

// ---- wiring ------------------------------------------------------------------------------
// A seat of the buyer's that turns free or sold was released in another tab of this browser,
// or the hold expired: the server's selection says which (only then is "expired" shown).
function applyChanges(changes) {
  const changed = store.apply(changes);
  let lost = false;
  for (const i of changed) {
    const id = store.id[i];
    if (store.mine.has(id) && store.status[i] !== "reserved" && !selection.pending.has(id)) lost = true;
  }
  seatsChanged(changed);
  if (lost) selection.reconcile();
}

// Work in steps of a few tens of milliseconds, so that no task freezes a slow phone for long.
const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

async function start() {
  const map = await readMap(config.urls.seats);
  await yieldToPage();
  store = new SeatStore(map);
  words = new SeatWords(config, store, numbers);
  await yieldToPage();
  index = new SeatIndex(store);
  await yieldToPage();
  camera = new Camera(element, (cam, moving) => onCamera(cam, moving));
  renderer = new Renderer(element.querySelector("canvas.seat-map__seats"), camera, store, index, look);
  overview = new Overview(element.querySelector("svg"), camera, index, withGenericStage(config.shapes, index.bounds), words.sections());
  minimap = new MiniMap(element.querySelector(".minimap"), camera, index, (wx, wy) => {
    camera.animateTo(camera.viewAround(wx, wy, camera.scale));
  });
  const page = { config, text, store, toast, format, numbers, refusal: (i) => words.refusal(i), labelOf,
    refreshMap: () => refreshMap(page), changed: seatsChanged, apply: applyChanges };
  selection = createSelection(page);
  details = new SeatDetails(document.getElementById("seat-tip"), document.getElementById("seat-sheet"),
    (i) => words.describe(i), (i) => selection.toggle(i));
  await yieldToPage();
  renderer.resize();
  // The whole hall: the seats, the stage and other shapes, the standing areas.
  const whole = () => {
    const box = overview.world.getBBox();
    if (!box.width) return index.bounds ?? { minX: 0, minY: 0, maxX: 10, maxY: 10 };
    return { minX: box.x, minY: box.y, maxX: box.x + box.width, maxY: box.y + box.height };
  };
  camera.fit(whole());
  new ResizeObserver(() => {
    camera.measure();
    const [wx, wy] = camera.toWorld(camera.width / 2, camera.height / 2);
    renderer.resize();
    const scale = camera.scale;
    camera.fit(whole());
    camera.set(camera.viewAround(wx, wy, scale));
  }).observe(element);
  attachGestures(element, camera, { tap: onTap, hover: onHover, settle: () => redraw() });
  attachKeys(element, { index, store, eligible: (i) => !look.dimmed(i), current: () => look.focus,
    start: startSeat, moveTo, choose: (i) => selection.toggle(i),
    escape: () => details.hideTip() });
  element.addEventListener("keydown", () => {
    look.focusShown = true;
  }, { capture: true });
  element.addEventListener("focus", () => {
    // Focus that a click gave is not shown, nor followed: the click chose what it chose.
    if (!element.matches(":focus-visible")) return;
    look.focusShown = true;
    if (look.focus < 0) look.focus = startSeat();
    moveTo(look.focus);
  });
  element.addEventListener("blur", () => {
    look.focusShown = false;
    details.hideTip();
    redraw();
  });
  zoomButtons();
  showCurrent(); // named from the start: "no seat chosen yet: press an arrow key"
  showAccess(store.flags, config.access);
  for (const el of document.querySelectorAll(".swatch")) {
    el.style.background = colorOf(Number(el.dataset.ticketType));
    el.dataset.shape = shapeOf(Number(el.dataset.ticketType));
  }
  refreshCounts();
  performance.mark("seatmap:drawn"); // bench/map_phone.py times the map from the seat data to here
  element.probe = makeProbe({ element, store, index, camera, renderer, look, labelAt });
  await selection.load();
  connect(page);
  document.body.dataset.ready = "true";
  document.dispatchEvent(new CustomEvent("sandali:map-ready", { detail: { seatLabel: labelOf } }));
}

start();
