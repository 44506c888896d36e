// Where seats are: a grid of cells over the hall for hit testing (which seat is under the
// pointer, which seats a repaint touches), the neighbour in a screen direction for the arrow
// keys, each row's ends for Home/End and its label, and each section's outline (the convex
// hull of its seats, padded) for the overview.

const CELL = 2; // world units (about two seats) per grid cell
export const SEAT_RADIUS = 0.42;

export class SeatIndex {
  constructor(store) {
    this.store = store;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = 0; i < store.n; i++) {
      minX = Math.min(minX, store.x[i]); maxX = Math.max(maxX, store.x[i]);
      minY = Math.min(minY, store.y[i]); maxY = Math.max(maxY, store.y[i]);
    }
    this.bounds = store.n ? { minX, minY, maxX, maxY } : null;
    this.cells = new Map();
    for (let i = 0; i < store.n; i++) {
      const key = this.key(Math.floor(store.x[i] / CELL), Math.floor(store.y[i] / CELL));
      const cell = this.cells.get(key);
      if (cell) cell.push(i);
      else this.cells.set(key, [i]);
    }
    this.rows = rowsOf(store);
    this.sections = sectionsOf(store);
  }

  key(cx, cy) {
    return `${cx},${cy}`;
  }

  // Indices of the seats whose centre lies within the world rectangle.
  within(x0, y0, x1, y1, visit) {
    for (let cx = Math.floor(x0 / CELL); cx <= Math.floor(x1 / CELL); cx++) {
      for (let cy = Math.floor(y0 / CELL); cy <= Math.floor(y1 / CELL); cy++) {
        const cell = this.cells.get(this.key(cx, cy));
        if (!cell) continue;
        for (const i of cell) {
          const x = this.store.x[i], y = this.store.y[i];
          if (x >= x0 && x <= x1 && y >= y0 && y <= y1) visit(i);
        }
      }
    }
  }

  // The seat under a world point, within `reach` world units of its centre; -1 if none.
  at(wx, wy, reach = 0.6) {
    let best = -1, bestDistance = reach;
    this.within(wx - reach, wy - reach, wx + reach, wy + reach, (i) => {
      const d = Math.hypot(this.store.x[i] - wx, this.store.y[i] - wy);
      if (d <= bestDistance) { best = i; bestDistance = d; }
    });
    return best;
  }

  // The nearest seat from seat `from` in a direction ([dx, dy], the screen's: y grows down),
  // among those `eligible(i)` allows: seats off the line cost twice their distance, and a
  // seat more than 60° off the direction is not in it.
  neighbour(from, [dx, dy], eligible) {
    const { x, y } = this.store;
    let best = -1, bestScore = Infinity;
    for (let i = 0; i < this.store.n; i++) {
      if (i === from || !eligible(i)) continue;
      const ex = x[i] - x[from], ey = y[i] - y[from];
      const along = ex * dx + ey * dy;
      if (along <= 0.05) continue;
      const across = Math.abs(ex * dy - ey * dx);
      if (across > along * 1.8) continue;
      const score = along + 2 * across;
      if (score < bestScore) { best = i; bestScore = score; }
    }
    return best;
  }
}

// Each row of each section: its seats from left to right, for Home/End and the row labels.
function rowsOf(store) {
  const rows = new Map();
  for (let i = 0; i < store.n; i++) {
    const key = `${store.section[i]}\u0000${store.row[i]}`;
    const row = rows.get(key);
    if (row) row.seats.push(i);
    else rows.set(key, { section: store.section[i], label: store.row[i], seats: [i] });
  }
  for (const row of rows.values()) row.seats.sort((a, b) => store.x[a] - store.x[b]);
  return rows;
}

export function rowOf(index, i) {
  const store = index.store;
  return index.rows.get(`${store.section[i]}\u0000${store.row[i]}`);
}

// Each seated section: its seats in id order, bounds and outline (a padded convex hull).
function sectionsOf(store) {
  const sections = new Map();
  for (let i = 0; i < store.n; i++) {
    const id = store.section[i];
    if (!sections.has(id)) sections.set(id, { id, seats: [] });
    sections.get(id).seats.push(i);
  }
  for (const section of sections.values()) {
    const centres = hull(section.seats.map((i) => [store.x[i], store.y[i]]));
    // Hull of the centres first (cheap), then of small squares around its corners: padded.
    const pad = 0.9;
    section.outline = hull(centres.flatMap(([x, y]) => [
      [x - pad, y - pad], [x + pad, y - pad], [x + pad, y + pad], [x - pad, y + pad],
    ]));
    const xs = section.outline.map((p) => p[0]), ys = section.outline.map((p) => p[1]);
    section.bounds = {
      minX: Math.min(...xs), maxX: Math.max(...xs), minY: Math.min(...ys), maxY: Math.max(...ys),
    };
  }
  return sections;
}

// Andrew's monotone chain: the convex hull of points, counter-clockwise.
export function hull(points) {
  const p = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower = [], upper = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower.at(-2), lower.at(-1), q) <= 0) lower.pop();
    lower.push(q);
  }
  for (let k = p.length - 1; k >= 0; k--) {
    const q = p[k];
    while (upper.length >= 2 && cross(upper.at(-2), upper.at(-1), q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

export function insidePolygon(points, x, y) {
  let inside = false;
  for (let a = 0, b = points.length - 1; a < points.length; b = a++) {
    const [xa, ya] = points[a], [xb, yb] = points[b];
    if ((ya > y) !== (yb > y) && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside;
  }
  return inside;
}
