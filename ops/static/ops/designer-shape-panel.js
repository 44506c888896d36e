// The selected shape's fields: its text and its size (a rectangle's width and height, a
// label's letter size). `current()` gives {doc, shape}; `change(shapes)` commits new shapes.
const FIELDS = ["shape-text", "shape-width", "shape-height", "shape-size"];

export function attachShapePanel(current, change) {
  const $ = (id) => document.getElementById(id);
  const edit = () => {
    const { doc, shape } = current();
    if (shape === null) return;
    const old = doc.shapes[shape];
    const g = { ...old.geometry };
    const positive = (id, key) => {
      const value = Number($(id).value);
      if (key in g && value > 0) g[key] = value;
    };
    positive("shape-width", "width");
    positive("shape-height", "height");
    positive("shape-size", "size");
    const shapes = doc.shapes.slice();
    shapes[shape] = { ...old, text: $("shape-text").value.trim(), geometry: g };
    change(shapes);
  };
  for (const id of FIELDS) $(id).addEventListener("change", edit);

  return function refresh() {
    const { doc, shape } = current();
    const selected = shape === null ? null : doc.shapes[shape];
    $("shape-fields").hidden = !selected;
    if (!selected) return;
    const g = selected.geometry;
    $("shape-text").value = selected.text;
    for (const key of ["width", "height", "size"]) {
      $(`shape-${key}`).closest("label").hidden = !(key in g);
      $(`shape-${key}`).value = g[key] ?? "";
    }
  };
}
