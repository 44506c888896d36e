// Accessible seats on the seat map: each flagged seat gets a mark drawn over it on the map's
// canvas (never colour alone), its attributes in its label, and a legend entry for each flag
// the hall has. The wheelchair filter that dims every other seat is the panel's
// (seatmap-panel.js, through "sandali:filter"). The flags are the seat map's `flags` column,
// catalog/seat_flags.py's bits; the words come translated from the server (web/access.py).
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

export const MARK_NAMES = FLAGS.map(([, name]) => name);
export const MARK_INK = { mark: "#111111", halo: "#ffffff" };

// One mark of a seat drawn on the seat map's canvas, in screen pixels around the seat's
// centre (sx, sy) at `scale` CSS px per seat; dark with a white halo, readable on any seat.
// False if the seat has no such flag.
export function drawMark(ctx, name, bits, sx, sy, scale) {
  const flag = FLAGS.find(([, n]) => n === name);
  if (!(bits & flag[0])) return false;
  ctx.lineJoin = "round";
  ctx.lineCap = "round";
  if (flag[2]) {
    ctx.font = `700 ${0.62 * scale}px system-ui, sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineWidth = 0.08 * scale * 2;
    ctx.strokeStyle = MARK_INK.halo;
    ctx.strokeText(flag[2], sx, sy + 0.02 * scale);
    ctx.fillStyle = MARK_INK.mark;
    ctx.fillText(flag[2], sx, sy + 0.02 * scale);
    return true;
  }
  ctx.beginPath();
  if (name === "restricted_view") {
    ctx.moveTo(sx - 0.34 * scale, sy + 0.34 * scale);
    ctx.lineTo(sx + 0.34 * scale, sy - 0.34 * scale);
  } else {
    ctx.moveTo(sx - 0.3 * scale, sy + 0.52 * scale);
    ctx.lineTo(sx + 0.3 * scale, sy + 0.52 * scale);
  }
  ctx.lineWidth = 0.22 * scale;
  ctx.strokeStyle = MARK_INK.halo;
  ctx.stroke();
  ctx.lineWidth = 0.1 * scale;
  ctx.strokeStyle = MARK_INK.mark;
  ctx.stroke();
  return true;
}

// What the seat's aria-label adds: ", wheelchair space, companion seat" in the page's language.
export function accessLabel(bits, words) {
  if (!bits) return "";
  return flagsOf(bits).map((name) => `${words.separator}${words.flags[name]}`).join("");
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

// The legend of the flags present in the hall (the wheelchair filter is the panel's).
export function showAccess(flags, words) {
  let present = 0;
  for (const bits of flags) present |= bits;
  const legend = document.getElementById("access-key");
  if (!legend || !present) return;
  legend.replaceChildren(...FLAGS.filter(([bit]) => present & bit)
    .map(([, name, glyph]) => legendEntry(name, glyph, words)));
  legend.hidden = false;
}
