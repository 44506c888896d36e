// The stage, labels and decorations of a performance (copied from its venue layout), drawn
// in the seat map's own coordinates behind the seats, so they move and scale with the map.
// Presentation attributes, not style attributes: the page's CSP allows no inline style.
const SVG_NS = "http://www.w3.org/2000/svg";
const FILL = { stage: "#e9e6df", decoration: "#f1efea", label: "none" };

function shapeElement(shape) {
  const g = shape.geometry ?? {};
  const group = document.createElementNS(SVG_NS, "g");
  group.setAttribute("class", `shape shape--${shape.kind}`);
  if (g.type === "rect") {
    const rect = document.createElementNS(SVG_NS, "rect");
    for (const key of ["x", "y", "width", "height"]) rect.setAttribute(key, g[key]);
    rect.setAttribute("rx", Math.min(g.width, g.height) * 0.1);
    rect.setAttribute("fill", FILL[shape.kind] ?? FILL.decoration);
    rect.setAttribute("stroke", "#b9b5ab");
    rect.setAttribute("stroke-width", 0.08);
    group.append(rect);
    if (shape.text) group.append(text(shape.text, g.x + g.width / 2, g.y + g.height / 2, Math.min(1.2, g.height * 0.5)));
  } else if (g.type === "text") {
    group.append(text(shape.text, g.x, g.y, g.size));
  }
  return group;
}

function text(content, x, y, size) {
  const el = document.createElementNS(SVG_NS, "text");
  el.setAttribute("x", x);
  el.setAttribute("y", y);
  el.setAttribute("font-size", size);
  el.setAttribute("text-anchor", "middle");
  el.setAttribute("dominant-baseline", "central");
  el.setAttribute("fill", "#4a4a55");
  el.textContent = content;
  return el;
}

// Drawn first, so that every seat lies on top; the map's fit then takes them in.
export function drawShapes(svg, shapes) {
  const layer = document.createElementNS(SVG_NS, "g");
  layer.setAttribute("class", "shapes");
  layer.setAttribute("aria-hidden", "true");
  for (const shape of shapes) layer.append(shapeElement(shape));
  svg.prepend(layer);
}
