// Accessible seats on the seat map: each flagged seat gets a mark drawn over it (never colour
// alone), its attributes in its aria-label, a legend entry for each flag the hall has, and
// every other seat dimmed while the panel's "wheelchair spaces" filter is on. The flags are
// the seat map's `flags` column, catalog/seat_flags.py's bits; the words come translated from
// the server (web/access.py).
const SVG_NS = "http://www.w3.org/2000/svg";
const FLAGS = [ // bit, name, mark: the order of the aria-label and the legend
  [1, "wheelchair", "♿"],
  [2, "companion", "+"],
  [4, "restricted_view", null], // a slash across the seat, as an obstructed view
  [8, "aisle", null], // a bar below the seat, as the aisle's edge
];

export function flagsOf(bits) {
  return FLAGS.filter(([bit]) => bits & bit).map(([, name]) => name);
}

function markElement(name, glyph, x, y) {
  if (glyph) {
    const text = document.createElementNS(SVG_NS, "text");
    text.setAttribute("x", x);
    text.setAttribute("y", y + 0.02);
    text.setAttribute("class", `seat-mark seat-mark--${name}`);
    text.textContent = glyph;
    return text;
  }
  const line = document.createElementNS(SVG_NS, "path");
  const d = name === "restricted_view"
    ? `M${x - 0.34},${y + 0.34}L${x + 0.34},${y - 0.34}`
    : `M${x - 0.3},${y + 0.52}H${x + 0.3}`;
  line.setAttribute("d", d);
  line.setAttribute("class", `seat-mark seat-mark--${name}`);
  return line;
}

// The marks of a seat, appended after its element so that they are drawn over it; they take
// no clicks, which go to the seat beneath. Most seats have no flag: they cost one test.
export function markSeat(seat, parent) {
  if (!seat.flags) return;
  const names = flagsOf(seat.flags);
  seat.el.dataset.access = names.join(" ");
  for (const [, name, glyph] of FLAGS) {
    if (!names.includes(name)) continue;
    const mark = markElement(name, glyph, seat.x, seat.y);
    mark.setAttribute("aria-hidden", "true");
    mark.dataset.access = seat.el.dataset.access;
    parent.append(mark);
  }
}

// What the seat's aria-label adds: ", wheelchair space, companion seat" in the page's language.
export function accessLabel(seat, words) {
  if (!seat.flags) return "";
  return flagsOf(seat.flags).map((name) => `${words.separator}${words.flags[name]}`).join("");
}

function legendEntry(name, glyph, words) {
  const item = document.createElement("li");
  const icon = document.createElementNS(SVG_NS, "svg");
  icon.setAttribute("viewBox", "-0.6 -0.6 1.2 1.3");
  icon.setAttribute("class", "key-mark");
  icon.setAttribute("aria-hidden", "true");
  const seat = document.createElementNS(SVG_NS, "circle");
  seat.setAttribute("r", 0.42);
  seat.setAttribute("class", "key-mark__seat");
  icon.append(seat, markElement(name, glyph, 0, 0));
  item.dataset.flag = name;
  item.append(icon, words.flags[name]);
  return item;
}

// The legend of the flags present in the hall. The wheelchair filter is the panel's
// (seatmap-panel.js): it says so with "sandali:filter", and every other seat is dimmed.
export function showAccess(seats, svg, words) {
  let present = 0;
  for (const seat of seats.values()) present |= seat.flags ?? 0;
  document.addEventListener("sandali:filter", (event) => {
    svg.classList.toggle("access-only", event.detail.accessibleOnly);
  });
  const legend = document.getElementById("access-key");
  if (!legend || !present) return;
  legend.replaceChildren(...FLAGS.filter(([bit]) => present & bit)
    .map(([, name, glyph]) => legendEntry(name, glyph, words)));
  legend.hidden = false;
}
