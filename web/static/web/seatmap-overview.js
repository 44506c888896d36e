// What lies beneath and beside the seats, in an SVG under the canvas: the stage and other
// shapes and the standing areas in one group whose single transform follows the camera, so
// they move and scale with the map; each seated section as a filled shape (its padded hull)
// labelled with its name, price range and seats left while the hall is seen whole; and the
// mini-map in a corner while zoomed in.
import { drawShapes } from "./seatmap-shapes.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function svgElement(name, attributes = {}) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  return el;
}

export class Overview {
  // words: {name(section), prices(section), left(count)} -> strings in the page's language
  constructor(svg, camera, index, shapes, words) {
    Object.assign(this, { svg, camera, index, words });
    this.world = svg.querySelector("#seat-map-world");
    this.labels = svg.querySelector(".section-labels");
    drawShapes(this.world, shapes);
    // Standing areas' words (seatmap-areas.js), drawn in hall units: grown while the view is
    // small, so that the overview of an arena still reads them.
    this.areaWords = [...this.world.querySelectorAll(".area-name, .area-left")].map((el) => ({
      el, y: Number(el.getAttribute("y")), size: el.classList.contains("area-name") ? 1.1 : 0.8,
    }));
    this.outlines = svgElement("g", { class: "sections" });
    this.world.append(this.outlines);
    this.sections = new Map();
    for (const section of index.sections.values()) {
      const path = svgElement("path", {
        class: "section-shape",
        d: `M${section.outline.map(([x, y]) => `${x},${y}`).join("L")}z`,
        "data-section": section.id,
      });
      const label = svgElement("g", { class: "section-label" });
      const lines = ["section-label__name", "section-label__detail", "section-label__detail"]
        .map((className, k) => {
          const text = svgElement("text", { class: className, y: k * 15 - 15,
            direction: document.dir === "rtl" ? "rtl" : "ltr" });
          label.append(text);
          return text;
        });
      this.outlines.append(path);
      this.labels.append(label);
      this.sections.set(section.id, { section, path, label, lines });
    }
  }

  // The transform of everything in world units, and the labels placed on screen: in the
  // overview as many of name, prices and seats left as fit the section's shape, with seats
  // shown the name above it; a label that would overlap one already placed is left out.
  follow(seatsShown) {
    const { scale, x, y } = this.camera;
    this.world.setAttribute("transform", `matrix(${scale} 0 0 ${scale} ${x} ${y})`);
    this.svg.classList.toggle("seats-shown", seatsShown);
    const grow = Math.max(1, 12 / (scale * 1.1));
    for (const word of this.areaWords) {
      // Each line's offset from the area's middle (0.4 above, 1.2 below) grows with its size.
      const middle = word.size === 1.1 ? word.y + 0.4 : word.y - 1.2;
      word.el.style.fontSize = `${word.size * grow}px`;
      word.el.setAttribute("y", middle + (word.y - middle) * grow);
    }
    const placed = [];
    for (const { section, label, lines } of this.sections.values()) {
      const b = section.bounds;
      const [left, top] = this.camera.toScreen(b.minX, b.minY);
      const [right, bottom] = this.camera.toScreen(b.maxX, b.maxY);
      const width = right - left + 8, height = bottom - top;
      const widths = lines.map((line) => line.width ?? 0);
      let count = 0;
      const most = seatsShown ? 1 : Math.min(3, Math.floor(height / 15));
      while (count < most && widths[count] <= width) count++;
      const cx = (left + right) / 2;
      const cy = seatsShown ? top - 2 : (top + bottom) / 2 - ((count - 1) * 15) / 2 + 15;
      const box = [cx - Math.max(...widths.slice(0, count), 0) / 2, cy - 22,
        cx + Math.max(...widths.slice(0, count), 0) / 2, cy - 22 + count * 15];
      if (count && placed.some((o) => box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3])) count = 0;
      if (count) placed.push(box);
      lines.forEach((line, k) => line.setAttribute("visibility", k < count ? "visible" : "hidden"));
      label.setAttribute("transform", `translate(${cx} ${cy})`);
    }
  }

  // Name, price range and seats left of each section, in the page's language (live). Only
  // lines whose words changed are set and measured again (a measure forces a layout).
  refresh(leftBySection) {
    const changed = [];
    for (const { section, path, lines } of this.sections.values()) {
      const left = leftBySection.get(section.id) ?? 0;
      const words = [this.words.name(section.id), this.words.prices(section.id), this.words.left(left)];
      lines.forEach((line, k) => {
        if (line.textContent === words[k]) return;
        line.textContent = words[k];
        changed.push(line);
      });
      path.classList.toggle("section-shape--sold-out", left === 0);
    }
    for (const line of changed) line.width = line.getComputedTextLength();
    if (changed.length) this.follow(this.svg.classList.contains("seats-shown"));
  }

  sectionAt(wx, wy, inside) {
    for (const { section } of this.sections.values()) {
      if (inside(section.outline, wx, wy)) return section;
    }
    return null;
  }
}

// The whole hall in a corner with the view's rectangle; a tap there moves the view.
export class MiniMap {
  constructor(canvas, camera, index, onPick) {
    Object.assign(this, { canvas, camera, index });
    this.ctx = canvas.getContext("2d");
    canvas.addEventListener("click", (event) => {
      const box = canvas.getBoundingClientRect();
      const [wx, wy] = this.toWorld(event.clientX - box.left, event.clientY - box.top);
      onPick(wx, wy);
    });
  }

  toWorld(mx, my) {
    return [(mx - this.offset[0]) / this.scale, (my - this.offset[1]) / this.scale];
  }

  draw(shown) {
    this.canvas.hidden = !shown;
    if (!shown || !this.index.bounds) return;
    const ratio = window.devicePixelRatio || 1;
    this.size ??= [this.canvas.clientWidth, this.canvas.clientHeight]; // fixed by the CSS
    const [w, h] = this.size;
    if (this.canvas.width !== Math.round(w * ratio)) {
      this.canvas.width = Math.round(w * ratio);
      this.canvas.height = Math.round(h * ratio);
    }
    const b = this.index.bounds;
    this.scale = Math.min((w - 8) / (b.maxX - b.minX + 2), (h - 8) / (b.maxY - b.minY + 2));
    this.offset = [w / 2 - ((b.minX + b.maxX) / 2) * this.scale, h / 2 - ((b.minY + b.maxY) / 2) * this.scale];
    const { ctx } = this;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.setTransform(ratio * this.scale, 0, 0, ratio * this.scale, ratio * this.offset[0], ratio * this.offset[1]);
    ctx.fillStyle = "#9fb3d6";
    for (const section of this.index.sections.values()) {
      ctx.beginPath();
      section.outline.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.fill();
    }
    const view = this.camera.visibleWorld();
    ctx.lineWidth = 2 / this.scale;
    ctx.strokeStyle = "#b3261e";
    ctx.strokeRect(view.x0, view.y0, view.x1 - view.x0, view.y1 - view.y0);
  }
}

// A hall drawn with no stage gets the page's generic one, in front of the seats, so that it
// moves and scales with the map like a drawn one.
export function withGenericStage(shapes, bounds) {
  const generic = document.querySelector("p.stage");
  if (!generic || !bounds) return shapes;
  generic.hidden = true;
  const b = bounds;
  const width = Math.max(4, (b.maxX - b.minX) * 0.6);
  const geometry = { type: "rect", x: (b.minX + b.maxX - width) / 2, y: b.minY - 3.2, width, height: 1.8 };
  return [...shapes, { kind: "stage", geometry, text: generic.textContent }];
}
