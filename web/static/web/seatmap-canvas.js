// Drawing the seats on one <canvas>, sharp at the device's pixel ratio. Seats are batched by
// shape, colour and status, one path per batch, not one per seat; a ticket type has a colour
// AND a shape (never colour alone). A change repaints only the seats it touched: the region
// around each is cleared and the seats in it drawn again (the stage and areas, in the SVG
// beneath, show through). While a gesture runs the drawn bitmap is moved with a CSS transform
// and drawn again properly once it settles, or at once while a full draw is cheap.
import { SEAT_RADIUS } from "./seatmap-hit.js";
import { drawMark, MARK_NAMES } from "./seatmap-access.js";

export const PALETTE = ["#1f5fbf", "#8a2be2", "#0b7a4b", "#b3261e", "#8c5a00", "#00677f"];
// Ticket types differ by shape as well as colour, so colour is never the only signal.
export const SHAPES = ["circle", "square", "diamond"];
export const SEAT_SCALE = 9; // CSS px per seat pitch from which seats are drawn (about 8 px wide)
const MARK_SCALE = 18; // ... from which the accessibility marks are legible
const ROW_LABEL_SCALE = 12; // ... from which row labels fit beside the rows
export const INK = { rowLabel: "#4a4a55", focusInner: "#000000", focusOuter: "#ffffff",
  highlight: "#1f5fbf", paper: "#ffffff", sold: "#4d4d4d", reservedEdge: "#6b6b6b",
  mineEdge: "#000000", blockedEdge: "#9a9a9a" };

// Every colour from INK, so that the contrast test (tests/web/test_seat_map.py) checks what is
// drawn.
const STATUS_LOOK = {
  available: { size: 1, stroke: INK.paper, width: 0.06 },
  mine: { size: 1, stroke: INK.mineEdge, width: 0.2 },
  reserved: { size: 1, fill: INK.paper, stroke: INK.reservedEdge, width: 0.1, dash: [0.18, 0.12] },
  sold: { size: 0.6, fill: INK.sold },
  blocked: { size: 0.5, fill: INK.paper, stroke: INK.blockedEdge, width: 0.08 },
};

function addShape(ctx, shape, x, y, size) {
  if (shape === "circle") {
    const r = SEAT_RADIUS * size;
    ctx.moveTo(x + r, y);
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  } else if (shape === "square") {
    const h = 0.34 * size;
    ctx.rect(x - h, y - h, 2 * h, 2 * h);
  } else {
    const h = 0.46 * size;
    ctx.moveTo(x, y - h); ctx.lineTo(x + h, y); ctx.lineTo(x, y + h); ctx.lineTo(x - h, y);
    ctx.closePath();
  }
}

export class Renderer {
  // look: {shapeOf(i), colorOf(i), statusOf(i), dimmed(i), focus: index | -1,
  // focusShown: bool, highlight: Set of indices}
  constructor(canvas, camera, store, index, look) {
    Object.assign(this, { canvas, camera, store, index, look });
    this.ctx = canvas.getContext("2d");
    this.drawn = null; // the camera the bitmap was drawn with
    this.seatsDrawn = 0; // seats painted since the page opened: the tests' probe reads it
    this.seatsInLastDraw = 0; // ... and in the last full draw
    this.marksDrawn = {}; // marks in the last full draw, by name
    this.cost = 0; // milliseconds the last full draw took
  }

  get seatsShown() {
    return this.camera.scale >= SEAT_SCALE;
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    this.ratio = ratio;
    this.canvas.width = Math.round(this.camera.width * ratio);
    this.canvas.height = Math.round(this.camera.height * ratio);
  }

  // While the camera moves, slide the bitmap drawn for another view; true if that is enough.
  follow() {
    const from = this.drawn;
    if (!from) return false;
    const k = this.camera.scale / from.scale;
    const tx = this.camera.x - from.x * k, ty = this.camera.y - from.y * k;
    this.canvas.style.transform = `translate(${tx}px, ${ty}px) scale(${k})`;
    return true;
  }

  draw() {
    const started = performance.now();
    const { ctx, camera, ratio } = this;
    this.canvas.style.transform = "";
    this.drawn = { scale: camera.scale, x: camera.x, y: camera.y };
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const seats = [];
    const { x0, y0, x1, y1 } = camera.visibleWorld();
    if (this.seatsShown) this.index.within(x0 - 1, y0 - 1, x1 + 1, y1 + 1, (i) => seats.push(i));
    else for (const id of this.store.mine) { // the buyer's own seats show even in the overview
      const i = this.store.indexOf(id);
      if (i >= 0) seats.push(i);
    }
    this.paintSeats(seats, true);
    this.seatsInLastDraw = seats.length;
    if (camera.scale >= ROW_LABEL_SCALE) this.paintRowLabels(x0, y0, x1, y1);
    this.paintRings(null);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.cost = performance.now() - started;
  }

  // Repaints the seats at these indices and whatever their region overlaps, on the current
  // bitmap (drawn for this.drawn's view).
  repaint(indices) {
    if (!this.drawn || !indices.length) return;
    // The overview draws only the buyer's seats: a full draw is cheap, and it also clears
    // seats that have just left the buyer's hold (released or expired).
    if (!this.seatsShown) {
      this.draw();
      return;
    }
    const { ctx, store, ratio } = this;
    const margin = Math.max(0.75, 14 / this.drawn.scale);
    for (const i of indices) {
      // The region is cleared on whole device pixels, so that no seam is left at its edge.
      const [sx, sy] = this.screenOf(i);
      const half = margin * this.drawn.scale;
      const left = Math.floor((sx - half) * ratio), top = Math.floor((sy - half) * ratio);
      const right = Math.ceil((sx + half) * ratio), bottom = Math.ceil((sy + half) * ratio);
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.beginPath();
      ctx.rect(left, top, right - left, bottom - top);
      ctx.clip();
      ctx.clearRect(left, top, right - left, bottom - top);
      const x = store.x[i], y = store.y[i];
      const reach = margin + 1;
      const seats = [];
      this.index.within(x - reach, y - reach, x + reach, y + reach, (j) => seats.push(j));
      this.paintSeats(seats, false);
      if (this.drawn.scale >= ROW_LABEL_SCALE) {
        this.paintRowLabels(x - reach - 3, y - reach, x + reach + 3, y + reach);
      }
      this.paintRings([x - margin, y - margin, x + margin, y + margin]);
      ctx.restore();
    }
  }

  worldTransform() {
    const { scale, x, y } = this.drawn;
    const r = this.ratio;
    this.ctx.setTransform(r * scale, 0, 0, r * scale, r * x, r * y);
  }

  paintSeats(seats, full) {
    const { ctx, store, look } = this;
    const batches = new Map();
    for (const i of seats) {
      const status = look.statusOf(i);
      const dim = look.dimmed(i) && status !== "mine";
      const key = `${look.shapeOf(i)}|${status}|${look.colorOf(i)}|${dim}`;
      const batch = batches.get(key);
      if (batch) batch.push(i);
      else batches.set(key, [i]);
    }
    this.worldTransform();
    for (const [key, batch] of batches) {
      const [shape, status, color, dim] = key.split("|");
      const style = STATUS_LOOK[status] ?? STATUS_LOOK.blocked;
      ctx.globalAlpha = dim === "true" ? 0.2 : 1;
      ctx.beginPath();
      for (const i of batch) addShape(ctx, shape, store.x[i], store.y[i], style.size);
      ctx.fillStyle = style.fill ?? color;
      ctx.fill();
      if (style.stroke && this.drawn.scale * style.width >= 0.5) {
        ctx.strokeStyle = style.stroke;
        ctx.lineWidth = style.width;
        ctx.setLineDash(style.dash ?? []);
        ctx.stroke();
        ctx.setLineDash([]);
      }
    }
    ctx.globalAlpha = 1;
    this.seatsDrawn += seats.length;
    if (full) this.marksDrawn = {};
    if (this.drawn.scale < MARK_SCALE) return;
    const r = this.ratio;
    ctx.setTransform(r, 0, 0, r, 0, 0);
    for (const i of seats) {
      if (!store.flags[i]) continue;
      const [sx, sy] = this.screenOf(i);
      ctx.globalAlpha = look.dimmed(i) ? 0.2 : 1;
      for (const name of MARK_NAMES) {
        if (!drawMark(ctx, name, store.flags[i], sx, sy, this.drawn.scale)) continue;
        if (full) this.marksDrawn[name] = (this.marksDrawn[name] ?? 0) + 1;
      }
    }
    ctx.globalAlpha = 1;
  }

  screenOf(i) {
    const { scale, x, y } = this.drawn;
    return [this.store.x[i] * scale + x, this.store.y[i] * scale + y];
  }

  paintRowLabels(x0, y0, x1, y1) {
    const { ctx, store } = this;
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.fillStyle = INK.rowLabel;
    ctx.font = "600 11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    const gap = 0.75 * this.drawn.scale;
    for (const row of this.index.rows.values()) {
      const first = row.seats[0], last = row.seats.at(-1);
      const y = store.y[first];
      if (y < y0 || y > y1 || store.x[last] < x0 || store.x[first] > x1) continue;
      const [lx, ly] = this.screenOf(first);
      const [rx, ry] = this.screenOf(last);
      ctx.textAlign = "right";
      ctx.fillText(row.label, lx - gap, ly);
      ctx.textAlign = "left";
      ctx.fillText(row.label, rx + gap, ry);
    }
  }

  // The focus ring (thick, black inside white, visible on any seat however small) and the
  // rings of seats just found for the buyer (sandali:show-seats).
  paintRings(region) {
    const { ctx, look, store } = this;
    const rings = [...look.highlight].map((i) => [i, INK.highlight]);
    if (look.focusShown && look.focus >= 0) rings.push([look.focus, INK.focusInner]);
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    for (const [i, colour] of rings) {
      if (region && (store.x[i] < region[0] - 2 || store.x[i] > region[2] + 2
        || store.y[i] < region[1] - 2 || store.y[i] > region[3] + 2)) continue;
      const [sx, sy] = this.screenOf(i);
      const radius = Math.max(SEAT_RADIUS * this.drawn.scale + 4, 9);
      ctx.beginPath();
      ctx.arc(sx, sy, radius, 0, 2 * Math.PI);
      ctx.lineWidth = 7;
      ctx.strokeStyle = INK.focusOuter;
      ctx.stroke();
      ctx.lineWidth = 3.5;
      ctx.strokeStyle = colour;
      ctx.stroke();
    }
  }
}
