// The seat-map designer: loads the layout's document, edits it in the browser (every edit a
// new document, kept for undo), asks the server to lay out new rows, and saves the document
// whole; the server refuses what cannot be sold and the refused seats are marked in red.
import { areaAt, areaFromForm, attachAreaPanel, drawAreas } from "./designer-areas.js";
import * as edits from "./designer-edits.js";
import { attachPointer } from "./designer-pointer.js";
import { probe } from "./designer-probe.js";
import { layOutRow, numberOf } from "./designer-rows.js";
import { post, refusedSeats, savedDocument } from "./designer-server.js";
import { attachShapePanel } from "./designer-shape-panel.js";
import { inside, MapView, PALETTE } from "./designer-view.js";

const config = JSON.parse(document.getElementById("designer-config").textContent);
const text = config.messages;
const lang = document.documentElement.lang || "en";
const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en");
const $ = (id) => document.getElementById(id);
const canvas = $("designer-canvas");
const view = new MapView(canvas);

let doc = null;
let history = [];
let saved = null; // the document as last loaded or saved
let revision = 0; // the layout's revision then: a save is refused if another came between
let selection = new Map();
let shape = null; // the selected shape's index
let area = null; // the selected standing area's section index
let problems = new Set(); // "section:seat" of the seats the server refused
let preview = false;
const colours = new Map();
const typeIndex = new Map();
let active = 0; // the section new rows go to

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
}

function say(message) {
  $("status").textContent = message;
}

// ---- state and history --------------------------------------------------------------------
function commit(next, nextSelection = selection) {
  history.push(doc);
  if (history.length > 200) history.shift();
  doc = next;
  selection = nextSelection;
  problems = new Set();
  changed();
}

function undo() {
  if (!history.length) return;
  doc = history.pop();
  selection = new Map();
  shape = null;
  area = null;
  problems = new Set();
  changed();
}

function changed() {
  active = Math.min(active, Math.max(0, doc.sections.length - 1));
  document.body.dataset.dirty = String(doc !== saved);
  $("undo").disabled = !history.length;
  showSections();
  showSelection();
  redraw();
}

let frame = 0;
function redraw() {
  if (frame || !doc) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const { drag, lasso } = gesture;
    const areas = (behind) => drawAreas(view, doc, { area, drag, preview }, areaLabel, behind);
    view.draw(doc, { selection, problems, preview, drag, lasso, colours, typeIndex, shape, drawAreas: areas });
  });
}

// The preview says what the buyer's map says of an area no one has bought from yet.
function areaLabel(section) {
  const capacity = numbers.format(section.capacity);
  return format(preview ? text.places_left : text.area_places, { free: capacity, capacity });
}

// ---- panels -------------------------------------------------------------------------------
function option(value, label) {
  const el = document.createElement("option");
  el.value = value;
  el.textContent = label;
  return el;
}

function fillTicketTypes() {
  doc.ticket_types.forEach((type, k) => {
    colours.set(type.id, PALETTE[k % PALETTE.length]);
    typeIndex.set(type.id, k);
  });
  for (const select of [$("row-ticket-type"), $("assign-type"), $("area-ticket-type")]) {
    select.replaceChildren(option("", text.no_ticket_type), ...doc.ticket_types.map((t) => option(t.id, t.name)));
  }
  $("area-ticket-type").value = doc.ticket_types[0]?.id ?? "";
  $("legend").replaceChildren(...doc.ticket_types.map((type) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.setProperty("background", colours.get(type.id));
    item.append(swatch, type.name);
    return item;
  }));
}

function showSections() {
  const select = $("section");
  select.replaceChildren(...doc.sections.map((section, s) => option(s, section.name)));
  select.value = String(active);
  const section = doc.sections[active];
  $("section-name").value = section?.name ?? "";
  $("prices").replaceChildren(...(section ? doc.ticket_types : []).map((type) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "number";
    input.min = "0";
    input.step = "0.01";
    input.dataset.priceType = type.id;
    input.value = section.prices[type.id] ?? "";
    input.addEventListener("change", () => {
      const value = input.value === "" ? "" : Number(input.value).toFixed(2);
      commit(edits.setPrice(doc, active, String(type.id), value));
    });
    label.append(format(text.price_of, { ticket_type: type.name }), input);
    return label;
  }));
  refreshAreaPanel();
}

const refreshAreaPanel = attachAreaPanel(() => ({ doc, active }), (next) => commit(next));

const refreshShapePanel = attachShapePanel(
  () => ({ doc, shape }),
  (shapes) => commit(edits.setShapes(doc, shapes)),
);

function showSelection() {
  refreshShapePanel();
  const count = edits.countSelected(selection);
  $("selection-count").textContent = count ? format(text.selected, { count: numbers.format(count) })
    : area !== null ? doc.sections[area]?.name ?? "" : text.nothing_selected;
  for (const button of document.querySelectorAll("[data-needs-selection]")) button.disabled = !count && shape === null && area === null;
}

// ---- rows, sections and shapes ------------------------------------------------------------

// The row's middle goes to (x, y); left empty, under the section's last row.
async function addRow(event) {
  event.preventDefault();
  if (!doc.sections.length) return say(text.no_section);
  const section = doc.sections[active];
  if (edits.isArea(section)) return say(text.area_no_rows);
  const result = await layOutRow(config.urls.rows, section);
  if (!result.ok) return showProblems(result.body);
  const { seats } = result;
  const added = edits.addSeats(doc, active, seats);
  commit(added.doc, added.selection);
  if (!seats.every((seat) => view.shows(seat.x, seat.y))) fitAll();
  suggestLabel();
  $("problems").replaceChildren();
  say("");
}

// The row form proposes the label after the active section's last row.
function suggestLabel() {
  const seats = doc.sections[active]?.seats ?? [];
  const used = new Set(seats.map((seat) => seat.row));
  $("row-label").value = seats.length ? edits.nextLabel(seats.at(-1).row, used) : "A";
}

function copyName(name, used) {
  let k = 2;
  while (used.has(`${name} ${k}`)) k++;
  return `${name} ${k}`;
}

function addSection() {
  const used = new Set(doc.sections.map((s) => s.name));
  let name = $("new-section-name").value.trim();
  if (!name || used.has(name)) name = copyName(format(text.new_section, { number: "" }).trim(), used);
  commit(edits.addSection(doc, name), new Map());
  active = doc.sections.length - 1;
  suggestLabel();
  changed();
  $("new-section-name").value = "";
}

function addShape(kind) {
  const box = edits.bounds(doc.sections.flatMap((section) => section.seats));
  const known = Number.isFinite(box.minX);
  const centre = known ? (box.minX + box.maxX) / 2 : 0;
  const top = known ? box.minY : 0;
  const width = known ? Math.max(6, (box.maxX - box.minX) * 0.6) : 10;
  const added = kind === "stage"
    ? { kind, text: text.stage, geometry: { type: "rect", x: centre - width / 2, y: top - 5, width, height: 2.5 } }
    : { kind, text: $("label-text").value.trim() || "?", geometry: { type: "text", x: centre, y: top - 1.5, size: 1 } };
  commit(edits.setShapes(doc, [...doc.shapes, added]), new Map());
  shape = doc.shapes.length - 1;
  showSelection();
}

// A standing area: a rectangle at the middle of the view, selected to be moved or resized.
function addArea() {
  const box = canvas.getBoundingClientRect();
  const next = areaFromForm(doc, view.toWorld(box.width / 2, box.height / 2), (used) => copyName(text.new_area, used));
  commit(next, new Map());
  active = area = doc.sections.length - 1;
  shape = null;
  changed();
}

// ---- saving -------------------------------------------------------------------------------
async function save() {
  say("");
  const sent = doc;
  let result;
  try {
    result = await post(config.urls.document, { ...savedDocument(sent), revision });
  } catch {
    return say(text.error);
  }
  if (result.ok) {
    saved = sent;
    revision = result.body.revision;
    changed();
    $("problems").replaceChildren();
    say(format(text.saved, { seats: numbers.format(result.body.seats) }));
    document.body.dataset.saved = String(result.body.seats);
    return;
  }
  showProblems(result.body);
}

// The server's refusal: its problems listed, the seats they name ringed in red.
function showProblems(body) {
  problems = refusedSeats(doc, body);
  const list = (body.problems ?? []).map((p) => p.message);
  $("problems").replaceChildren(...(list.length ? list : [body.detail ?? text.error]).map((message) => {
    const item = document.createElement("li");
    item.textContent = message;
    return item;
  }));
  say(body.problems ? format(text.refused, { count: numbers.format(body.problems.length) }) : body.detail ?? text.error);
  redraw();
}

// ---- pointer: pan, zoom, select, move -----------------------------------------------------
function select(found, how, add) {
  const next = add ? new Map([...selection].map(([s, set]) => [s, new Set(set)])) : new Map();
  if (found) {
    const [s, i] = found;
    const seats = doc.sections[s].seats;
    const chosen = how === "section" ? seats.map((_, k) => k)
      : how === "row" ? seats.flatMap((seat, k) => (seat.row === seats[i].row ? [k] : []))
      : [i];
    next.set(s, new Set([...(next.get(s) ?? []), ...chosen]));
    if (active !== s) {
      active = s;
      suggestLabel();
    }
  }
  selection = next;
  changed();
}

const gesture = attachPointer(canvas, view, {
  tool: () => document.querySelector("input[name=tool]:checked").value,
  isPreview: () => preview,
  redraw,
  hitAt(at) {
    const seat = view.seatAt(doc, at);
    const shapeHit = seat ? null : view.shapeAt(doc, at);
    return { seat, shape: shapeHit, area: seat || shapeHit !== null ? null : areaAt(doc, at) };
  },
  onPick(hit, mode, add) {
    shape = hit.shape;
    area = hit.area;
    if (area !== null) active = area;
    select(hit.seat, mode, add);
  },
  onMove(dx, dy) {
    if (edits.countSelected(selection)) commit(edits.move(doc, selection, dx, dy));
    else if (area !== null) commit(edits.moveArea(doc, area, dx, dy));
    else if (shape !== null) commit(edits.moveShape(doc, shape, dx, dy));
  },
  onLasso(polygon, add) {
    const next = add ? selection : new Map();
    doc.sections.forEach((section, s) => section.seats.forEach((seat, i) => {
      if (!inside(seat, polygon)) return;
      if (!next.has(s)) next.set(s, new Set());
      next.get(s).add(i);
    }));
    shape = null;
    area = null;
    selection = next;
    changed();
  },
});

// ---- buttons and keys ---------------------------------------------------------------------
function whenSelected(edit) {
  return () => {
    if (edits.countSelected(selection)) commit(edit());
  };
}

$("row-form").addEventListener("submit", addRow);
$("add-section").addEventListener("click", addSection);
$("section").addEventListener("change", () => {
  active = Number($("section").value);
  suggestLabel();
  changed();
});
$("remove-section").addEventListener("click", () => {
  if (!doc.sections.length) return;
  commit(edits.removeSection(doc, active), new Map());
  area = null;
  active = Math.max(0, active - 1);
  changed();
});
$("section-name").addEventListener("change", () => {
  const name = $("section-name").value.trim();
  if (name) commit(edits.updateSection(doc, active, { name }));
});
$("assign").addEventListener("click", whenSelected(() => {
  const type = $("assign-type").value;
  return edits.mapSelected(doc, selection, (seat) => ({ ...seat, ticket_type: type === "" ? null : Number(type) }));
}));
for (const button of document.querySelectorAll("[data-flag]")) {
  button.addEventListener("click", whenSelected(() => edits.toggleFlag(doc, selection, button.dataset.flag)));
}
$("block").addEventListener("click", whenSelected(() => edits.mapSelected(doc, selection, (s) => ({ ...s, blocked: true }))));
$("unblock").addEventListener("click", whenSelected(() => edits.mapSelected(doc, selection, (s) => ({ ...s, blocked: false }))));
$("rotate").addEventListener("click", whenSelected(() => edits.rotate(doc, selection, numberOf("rotate-by", 15))));
$("duplicate").addEventListener("click", () => {
  if (!edits.countSelected(selection)) return;
  const copy = edits.duplicate(doc, selection, copyName);
  commit(copy.doc, copy.selection);
});
function removeSelected() {
  if (edits.countSelected(selection)) return commit(edits.remove(doc, selection), new Map());
  if (area !== null) {
    const gone = area;
    area = null;
    commit(edits.removeSection(doc, gone), new Map());
    active = Math.max(0, Math.min(active, doc.sections.length - 1));
    return changed();
  }
  if (shape !== null) {
    const shapes = doc.shapes.filter((_, k) => k !== shape);
    shape = null;
    commit(edits.setShapes(doc, shapes));
  }
}
$("delete").addEventListener("click", removeSelected);
$("select-none").addEventListener("click", () => {
  shape = null;
  area = null;
  select(null, "seat", false);
});
$("add-stage").addEventListener("click", () => addShape("stage"));
$("add-label").addEventListener("click", () => addShape("label"));
$("add-area").addEventListener("click", addArea);
$("undo").addEventListener("click", undo);
$("save").addEventListener("click", save);
function fitAll() {
  view.fit(edits.hallBounds(doc));
  redraw();
}
$("fit").addEventListener("click", fitAll);
$("preview").addEventListener("click", () => {
  preview = !preview;
  document.body.classList.toggle("preview", preview);
  $("preview").setAttribute("aria-pressed", String(preview));
  view.resize();
  fitAll();
});
const NUDGES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, select, textarea")) return;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
    event.preventDefault();
    undo();
  } else if (event.key === "Delete" || event.key === "Backspace") {
    removeSelected();
  } else if (event.key in NUDGES && (edits.countSelected(selection) || shape !== null || area !== null)) {
    // Arrow keys move the selection a tenth of a seat, a whole seat with Shift.
    event.preventDefault();
    const [dx, dy] = NUDGES[event.key].map((d) => d * (event.shiftKey ? 1 : 0.1));
    const seats = edits.countSelected(selection);
    commit(seats ? edits.move(doc, selection, dx, dy)
      : area !== null ? edits.moveArea(doc, area, dx, dy) : edits.moveShape(doc, shape, dx, dy));
  }
});
window.addEventListener("beforeunload", (event) => {
  if (doc !== saved) event.preventDefault();
});
new ResizeObserver(() => {
  view.resize();
  redraw();
}).observe(canvas);

// For the browser tests and the console: where seats and areas are drawn, the document.
window.sandaliDesigner = probe(canvas, view, () => doc);

async function start() {
  const response = await fetch(config.urls.document, { credentials: "same-origin" });
  doc = await response.json();
  saved = doc;
  revision = doc.revision;
  fillTicketTypes();
  suggestLabel();
  view.resize();
  fitAll();
  changed();
  document.body.dataset.ready = "true";
}

start();
