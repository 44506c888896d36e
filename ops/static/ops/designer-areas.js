// Standing areas in the designer: each drawn as its outline, filled, with its name and its
// capacity (as the buyer's map draws it, web/static/web/seatmap-areas.js), found under the
// pointer, and the panel of the active area: its capacity and, for a rectangle, its size.
import { addArea, corners, isArea, outlineCentre, updateSection } from "./designer-edits.js";
import { drawText, inside } from "./designer-view.js";

const FILL = "#eef3fb"; // the buyer's .area-shape
const EDGE = "#1f5fbf";

// The area under the point (its section's index), the last drawn first; or null.
export function areaAt(doc, point) {
  for (let s = doc.sections.length - 1; s >= 0; s--) {
    const section = doc.sections[s];
    if (!isArea(section)) continue;
    const polygon = corners(section.outline).map(([x, y]) => ({ x, y }));
    if (polygon.length >= 3 && inside(point, polygon)) return s;
  }
  return null;
}

// state: {area (the selected one's index), drag {dx, dy}, preview}; `label(section)` is the
// line under the name ("standing · 300 places"). `behind`: the canvas is drawn under what is
// there (far out, the seats are pixels already), so the words go first, then the outlines.
export function drawAreas(view, doc, state, label, behind = false) {
  for (const pass of behind ? ["words", "outlines"] : ["outlines", "words"]) {
    drawPass(view, doc, state, label, pass);
  }
}

function drawPass(view, doc, state, label, pass) {
  const { ctx } = view;
  doc.sections.forEach((section, s) => {
    if (!isArea(section)) return;
    const chosen = state.area === s && !state.preview;
    const { dx = 0, dy = 0 } = chosen ? state.drag ?? {} : {};
    const points = corners(section.outline).map(([x, y]) => [x + dx, y + dy]);
    if (points.length < 3) return;
    if (pass === "words") {
      const { x, y } = outlineCentre(section.outline);
      drawText(view, section.name, x + dx, y + dy - 0.6, 1.1, "#1b1b1f");
      drawText(view, label(section), x + dx, y + dy + 0.8, 0.8);
      return;
    }
    ctx.beginPath();
    points.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
    ctx.fillStyle = FILL;
    ctx.fill();
    ctx.lineWidth = (chosen ? 3 : 1.5) / view.scale;
    ctx.strokeStyle = chosen ? "#000" : EDGE;
    ctx.setLineDash(chosen ? [] : [6 / view.scale, 3 / view.scale]);
    ctx.stroke();
    ctx.setLineDash([]);
  });
}

// The active section's area fields, shown when it is a standing area. `current()` gives
// {doc, active}; `change(doc)` commits an edited document.
export function attachAreaPanel(current, change) {
  const $ = (id) => document.getElementById(id);
  const edit = () => {
    const { doc, active } = current();
    const section = doc.sections[active];
    if (!isArea(section)) return;
    const fields = {};
    const capacity = Number($("area-capacity").value);
    if (Number.isInteger(capacity) && capacity > 0) fields.capacity = capacity;
    if (section.outline?.type === "rect") {
      const outline = { ...section.outline };
      for (const key of ["width", "height"]) {
        const value = Number($(`area-${key}`).value);
        if (value > 0) outline[key] = value;
      }
      fields.outline = outline;
    }
    change(updateSection(doc, active, fields));
  };
  for (const id of ["area-capacity", "area-width", "area-height"]) $(id).addEventListener("change", edit);

  return function refresh() {
    const { doc, active } = current();
    const section = doc.sections[active];
    $("area-fields").hidden = !isArea(section);
    if (!isArea(section)) return;
    const rect = section.outline?.type === "rect";
    $("area-capacity").value = section.capacity ?? "";
    for (const key of ["width", "height"]) {
      $(`area-${key}`).closest("label").hidden = !rect;
      $(`area-${key}`).value = rect ? section.outline[key] : "";
    }
  };
}

// The document with the area the "Add a standing area" form describes, at `centre`; a name
// left empty or taken becomes `newName(used names)`. The form is emptied for the next one.
export function areaFromForm(doc, centre, newName) {
  const $ = (id) => document.getElementById(id);
  const used = new Set(doc.sections.map((s) => s.name));
  let name = $("area-name").value.trim();
  if (!name || used.has(name)) name = newName(used);
  const capacity = Number($("area-new-capacity").value);
  const price = Number($("area-price").value);
  $("area-name").value = "";
  return addArea(doc, {
    name,
    capacity: Number.isInteger(capacity) && capacity > 0 ? capacity : 100,
    ticketType: $("area-ticket-type").value,
    price: (Number.isFinite(price) && price >= 0 ? price : 0).toFixed(2),
    centre,
  });
}
