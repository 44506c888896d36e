// The designer's canvas: one path per colour for all seats (a canvas, not an element per
// seat, so that 20,000 seats pan, zoom and drag smoothly), shapes behind them, the selection,
// the refused seats and the lasso on top. World units are the layout's (a seat is 1 wide).
export const PALETTE = ["#1f5fbf", "#8a2be2", "#0b7a4b", "#b3261e", "#8c5a00", "#00677f"];
const NO_TYPE = "#9a9a9a";
const RADIUS = 0.42;
const PIXEL_SCALE = 7; // device pixels per seat below which seats are written as pixels
// Canvas pixels are bytes r, g, b, a: as a little-endian Uint32, 0xAABBGGRR.
const rgba = (hex) => (0xff000000 | (parseInt(hex.slice(5, 7), 16) << 16) | (parseInt(hex.slice(3, 5), 16) << 8) | parseInt(hex.slice(1, 3), 16)) >>> 0;
const RED = rgba("#e00000");
const BLACK = rgba("#000000");
const WHITE = rgba("#ffffff");
const BUYER_MARKS = [circle, (path, x, y, r) => square(path, x, y, r * 0.85), diamond];

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
  // colours (Map ticket type -> colour), shape (selected index), drawAreas(behind): the
  // standing areas, drawn over the shapes and under the seats}
  draw(doc, state) {
    const { ctx, ratio } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(ratio * this.scale, 0, 0, ratio * this.scale, ratio * this.ox, ratio * this.oy);
    if (this.scale * ratio < PIXEL_SCALE) {
      this.drawPixels(doc, state);
    } else {
      this.drawShapes(doc, state);
      state.drawAreas?.(false);
      this.drawPaths(doc, state);
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

  // Near: each seat a disc (or a square, cheaper to fill, while seats are small), one path
  // per colour; seats outside the canvas are not drawn at all.
  drawPaths(doc, state) {
    const { ctx } = this;
    // The preview draws ticket types as the buyer's map does: by colour and by shape.
    const near = this.scale < 12 ? square : circle;
    const markOf = (type) => (state.preview ? BUYER_MARKS[(state.typeIndex.get(type) ?? 0) % 3] : near);
    const { width, height } = this.canvas.getBoundingClientRect();
    const low = this.toWorld(-10, -10);
    const high = this.toWorld(width + 10, height + 10);
    const paths = new Map();
    const blocked = new Path2D();
    const flagged = new Path2D();
    const chosen = new Path2D();
    const refused = new Path2D();
    const { dx = 0, dy = 0 } = state.drag ?? {};
    doc.sections.forEach((section, s) => {
      const selected = state.preview ? undefined : state.selection.get(s);
      section.seats.forEach((seat, i) => {
        const on = selected?.has(i);
        const x = on ? seat.x + dx : seat.x;
        const y = on ? seat.y + dy : seat.y;
        if (x < low.x || x > high.x || y < low.y || y > high.y) return;
        const colour = state.colours.get(seat.ticket_type) ?? NO_TYPE;
        let path = paths.get(colour);
        if (!path) paths.set(colour, (path = new Path2D()));
        markOf(seat.ticket_type)(path, x, y, RADIUS);
        const mark = near;
        if (seat.blocked) mark(blocked, x, y, RADIUS * 0.55);
        if (state.preview) return;
        if (seat.flags.length) mark(flagged, x, y, RADIUS * 0.25);
        if (on) mark(chosen, x, y, RADIUS + 0.14);
        if (state.problems.has(`${s}:${i}`)) mark(refused, x, y, RADIUS + 0.28);
      });
    });
    // Rings are filled discs under the seats (one fill is far cheaper than a stroke).
    ctx.fillStyle = "#e00000";
    ctx.fill(refused);
    ctx.fillStyle = "#000";
    ctx.fill(chosen);
    for (const [colour, path] of paths) {
      ctx.fillStyle = colour;
      ctx.fill(path);
    }
    ctx.fillStyle = "#fff";
    ctx.fill(blocked);
    ctx.fillStyle = "#111";
    ctx.fill(flagged);
    this.drawSectionNames(doc);
    if (!state.preview && this.scale >= 14) this.drawRowLabels(doc, state.drag, state.selection);
  }

  // Close up, each row's label before its leftmost seat and, closer, each seat's number.
  drawRowLabels(doc, drag, selection) {
    const { width, height } = this.canvas.getBoundingClientRect();
    const low = this.toWorld(-40, -40);
    const high = this.toWorld(width + 40, height + 40);
    const numbers = this.scale >= 30;
    doc.sections.forEach((section, s) => {
      const first = new Map();
      section.seats.forEach((seat, i) => {
        const on = drag && selection.get(s)?.has(i);
        const x = on ? seat.x + drag.dx : seat.x;
        const y = on ? seat.y + drag.dy : seat.y;
        if (x < low.x || x > high.x || y < low.y || y > high.y) return;
        if (!(first.get(seat.row)?.x <= x)) first.set(seat.row, { x, y });
        if (numbers) drawText(this, String(seat.number), x, y, 0.38, "#fff");
      });
      for (const [row, at] of first) drawText(this, row, at.x - 0.9, at.y, 0.5);
    });
  }

  // Each section's name above its seats, as the buyer's map has them.
  drawSectionNames(doc) {
    for (const section of doc.sections) {
      if (!section.seats.length) continue;
      let minX = Infinity;
      let maxX = -Infinity;
      let minY = Infinity;
      for (const seat of section.seats) {
        minX = Math.min(minX, seat.x);
        maxX = Math.max(maxX, seat.x);
        minY = Math.min(minY, seat.y);
      }
      drawText(this, section.name, (minX + maxX) / 2, minY - 0.9, 0.9);
    }
  }

  // Far out, a seat is a few pixels: they are written straight into the canvas's pixels
  // (20,000 seats in a few milliseconds, where as many filled paths take a software
  // rasterizer tens), then the shapes and the white ground are drawn behind them.
  drawPixels(doc, state) {
    const { ctx, canvas, ratio } = this;
    const W = canvas.width;
    const H = canvas.height;
    if (this.image?.width !== W || this.image?.height !== H) {
      this.image = ctx.createImageData(W, H);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    const pixels = this.pixels;
    pixels.fill(0);
    const scale = this.scale * ratio;
    const half = Math.max(1, Math.round(RADIUS * scale));
    const box = (cx, cy, r, colour) => {
      for (let y = Math.max(0, cy - r); y <= Math.min(H - 1, cy + r); y++) {
        const row = y * W;
        for (let x = Math.max(0, cx - r); x <= Math.min(W - 1, cx + r); x++) pixels[row + x] = colour;
      }
    };
    const colours = new Map([...state.colours].map(([type, hex]) => [type, rgba(hex)]));
    const noType = rgba(NO_TYPE);
    const { dx = 0, dy = 0 } = state.drag ?? {};
    doc.sections.forEach((section, s) => {
      const selected = state.preview ? undefined : state.selection.get(s);
      section.seats.forEach((seat, i) => {
        const on = selected?.has(i);
        const cx = Math.round((this.ox + (on ? seat.x + dx : seat.x) * this.scale) * ratio);
        const cy = Math.round((this.oy + (on ? seat.y + dy : seat.y) * this.scale) * ratio);
        if (cx < -4 || cy < -4 || cx > W + 4 || cy > H + 4) return;
        if (!state.preview && state.problems.has(`${s}:${i}`)) box(cx, cy, half + 2, RED);
        else if (on) box(cx, cy, half + 1, BLACK);
        box(cx, cy, half, colours.get(seat.ticket_type) ?? noType);
        if (seat.blocked && half > 1) box(cx, cy, half - 1, WHITE);
      });
    });
    ctx.putImageData(this.image, 0, 0);
    ctx.save();
    ctx.globalCompositeOperation = "destination-over";
    state.drawAreas?.(true);
    this.drawShapes(doc, state);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, W, H);
    ctx.restore();
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
        if (shape.text) drawText(this, shape.text, g.x + g.width / 2, g.y + g.height / 2, Math.min(1.2, g.height * 0.5));
      } else if (g.type === "text") {
        drawText(this, shape.text, g.x, g.y, g.size);
        if (state.shape === k && !state.preview) ctx.strokeRect(g.x - g.size * 2, g.y - g.size * 0.6, g.size * 4, g.size * 1.2);
      }
    });
  }
}

function square(path, x, y, r) {
  path.rect(x - r, y - r, 2 * r, 2 * r);
}

function diamond(path, x, y, r) {
  const d = r * 1.1;
  path.moveTo(x, y - d);
  path.lineTo(x + d, y);
  path.lineTo(x, y + d);
  path.lineTo(x - d, y);
  path.closePath();
}

function circle(path, x, y, r) {
  path.moveTo(x + r, y);
  path.arc(x, y, r, 0, 2 * Math.PI);
}

// Text is set in screen pixels: fonts a fraction of a pixel tall are not drawn reliably.
export function drawText(view, content, x, y, size, colour = "#4a4a55") {
  const { ctx } = view;
  const at = view.toScreen(x, y);
  ctx.save();
  ctx.setTransform(view.ratio, 0, 0, view.ratio, 0, 0);
  ctx.fillStyle = colour;
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
