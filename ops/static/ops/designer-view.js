// The designer's canvas: one path per colour for all seats (a canvas, not an element per
// seat, so that 20,000 seats pan, zoom and drag smoothly), shapes behind them, the selection,
// the refused seats and the lasso on top. World units are the layout's (a seat is 1 wide).
export const PALETTE = ["#1f5fbf", "#8a2be2", "#0b7a4b", "#b3261e", "#8c5a00", "#00677f"];
const NO_TYPE = "#9a9a9a";
const RADIUS = 0.42;

export class MapView {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.scale = 20; // pixels per unit
    this.ox = 0; // where the world's origin is on the canvas, in CSS pixels
    this.oy = 0;
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(width * ratio));
    this.canvas.height = Math.max(1, Math.round(height * ratio));
    this.ratio = ratio;
  }

  toWorld(px, py) {
    return { x: (px - this.ox) / this.scale, y: (py - this.oy) / this.scale };
  }

  toScreen(x, y) {
    return { x: this.ox + x * this.scale, y: this.oy + y * this.scale };
  }

  shows(x, y) {
    const { width, height } = this.canvas.getBoundingClientRect();
    const at = this.toScreen(x, y);
    return at.x >= 0 && at.y >= 0 && at.x <= width && at.y <= height;
  }

  fit(box) {
    if (!Number.isFinite(box.minX)) box = { minX: -10, minY: -10, maxX: 10, maxY: 10 };
    const { width, height } = this.canvas.getBoundingClientRect();
    const w = box.maxX - box.minX + 4;
    const h = box.maxY - box.minY + 4;
    this.scale = Math.max(0.5, Math.min(60, Math.min(width / w, height / h)));
    this.ox = width / 2 - ((box.minX + box.maxX) / 2) * this.scale;
    this.oy = height / 2 - ((box.minY + box.maxY) / 2) * this.scale;
  }

  zoomAt(factor, px, py) {
    const scale = Math.max(0.5, Math.min(200, this.scale * factor));
    this.ox = px - ((px - this.ox) * scale) / this.scale;
    this.oy = py - ((py - this.oy) * scale) / this.scale;
    this.scale = scale;
  }

  // The seat nearest the point within a seat's radius: [section, index] or null.
  seatAt(doc, point) {
    let best = null;
    let bestDistance = 0.5 * 0.5;
    doc.sections.forEach((section, s) => {
      section.seats.forEach((seat, i) => {
        const d = (seat.x - point.x) ** 2 + (seat.y - point.y) ** 2;
        if (d < bestDistance) {
          bestDistance = d;
          best = [s, i];
        }
      });
    });
    return best;
  }

  shapeAt(doc, point) {
    for (let k = doc.shapes.length - 1; k >= 0; k--) {
      const g = doc.shapes[k].geometry;
      const [w, h] = g.type === "rect" ? [g.width, g.height] : [g.size * 4, g.size * 1.2];
      const [x, y] = g.type === "rect" ? [g.x, g.y] : [g.x - w / 2, g.y - h / 2];
      if (point.x >= x && point.x <= x + w && point.y >= y && point.y <= y + h) return k;
    }
    return null;
  }

  // state: {selection, problems (Set "s:i"), preview, drag {dx, dy}, lasso [points],
  // colours (Map ticket type -> colour), shape (selected index)}
  draw(doc, state) {
    const { ctx, ratio } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(ratio * this.scale, 0, 0, ratio * this.scale, ratio * this.ox, ratio * this.oy);
    this.drawShapes(doc, state);
    const paths = new Map();
    const blocked = new Path2D();
    const flagged = new Path2D();
    const chosen = new Path2D();
    const refused = new Path2D();
    const { dx = 0, dy = 0 } = state.drag ?? {};
    doc.sections.forEach((section, s) => {
      const selected = state.selection.get(s);
      section.seats.forEach((seat, i) => {
        const on = !state.preview && selected?.has(i);
        const x = on ? seat.x + dx : seat.x;
        const y = on ? seat.y + dy : seat.y;
        const colour = state.colours.get(seat.ticket_type) ?? NO_TYPE;
        let path = paths.get(colour);
        if (!path) paths.set(colour, (path = new Path2D()));
        circle(path, x, y, RADIUS);
        if (seat.blocked) circle(blocked, x, y, RADIUS * 0.55);
        if (state.preview) return;
        if (seat.flags.length) circle(flagged, x, y, RADIUS * 0.25);
        if (on) circle(chosen, x, y, RADIUS + 0.12);
        if (state.problems.has(`${s}:${i}`)) circle(refused, x, y, RADIUS + 0.22);
      });
    });
    for (const [colour, path] of paths) {
      ctx.fillStyle = colour;
      ctx.fill(path);
    }
    ctx.fillStyle = "#fff";
    ctx.fill(blocked);
    if (!state.preview) {
      ctx.fillStyle = "#111";
      ctx.fill(flagged);
      ctx.lineWidth = 0.12;
      ctx.strokeStyle = "#000";
      ctx.stroke(chosen);
      ctx.lineWidth = 0.16;
      ctx.strokeStyle = "#e00000";
      ctx.stroke(refused);
    }
    if (state.lasso?.length > 1) {
      ctx.beginPath();
      state.lasso.forEach((p, k) => (k ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
      ctx.closePath();
      ctx.lineWidth = 1.5 / this.scale;
      ctx.setLineDash([6 / this.scale, 4 / this.scale]);
      ctx.strokeStyle = "#1f5fbf";
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  drawShapes(doc, state) {
    const { ctx } = this;
    doc.shapes.forEach((shape, k) => {
      let g = shape.geometry;
      if (state.shape === k && state.drag) g = { ...g, x: g.x + state.drag.dx, y: g.y + state.drag.dy };
      ctx.lineWidth = state.shape === k && !state.preview ? 0.2 : 0.08;
      ctx.strokeStyle = state.shape === k && !state.preview ? "#000" : "#b9b5ab";
      if (g.type === "rect") {
        ctx.fillStyle = shape.kind === "stage" ? "#e9e6df" : "#f1efea";
        ctx.fillRect(g.x, g.y, g.width, g.height);
        ctx.strokeRect(g.x, g.y, g.width, g.height);
        if (shape.text) text(this, shape.text, g.x + g.width / 2, g.y + g.height / 2, Math.min(1.2, g.height * 0.5));
      } else if (g.type === "text") {
        text(this, shape.text, g.x, g.y, g.size);
        if (state.shape === k && !state.preview) ctx.strokeRect(g.x - g.size * 2, g.y - g.size * 0.6, g.size * 4, g.size * 1.2);
      }
    });
  }
}

function circle(path, x, y, r) {
  path.moveTo(x + r, y);
  path.arc(x, y, r, 0, 2 * Math.PI);
}

// Text is set in screen pixels: fonts a fraction of a pixel tall are not drawn reliably.
function text(view, content, x, y, size) {
  const { ctx } = view;
  const at = view.toScreen(x, y);
  ctx.save();
  ctx.setTransform(view.ratio, 0, 0, view.ratio, 0, 0);
  ctx.fillStyle = "#4a4a55";
  ctx.font = `${size * view.scale}px system-ui, Vazirmatn, sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(content, at.x, at.y);
  ctx.restore();
}

// Whether the point is inside the polygon (even-odd rule).
export function inside(point, polygon) {
  let within = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i];
    const b = polygon[j];
    if ((a.y > point.y) !== (b.y > point.y) && point.x < ((b.x - a.x) * (point.y - a.y)) / (b.y - a.y) + a.x) {
      within = !within;
    }
  }
  return within;
}
