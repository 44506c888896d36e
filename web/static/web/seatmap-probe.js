// A small read-only probe on the map element for the browser tests
// (tests/web/seatmap_probe.py): seats are drawn on a canvas, not elements, so this says where a
// seat is on screen and what the map shows for it. It changes nothing.

export function makeProbe({ element, store, index, camera, renderer, look, labelAt }) {
  return {
    pointOf(id) {
      const i = store.indexOf(id);
      if (i < 0 || !renderer.seatsShown) return null;
      const [sx, sy] = camera.toScreen(store.x[i], store.y[i]);
      if (sx < 0 || sy < 0 || sx > camera.width || sy > camera.height) return null;
      const box = element.getBoundingClientRect();
      return { x: box.left + sx, y: box.top + sy };
    },
    // Where a seat is on screen (client px) even out of the map's view, and its section.
    screenOf(id) {
      const i = store.indexOf(id);
      const [sx, sy] = camera.toScreen(store.x[i], store.y[i]);
      const box = element.getBoundingClientRect();
      return { x: box.left + sx, y: box.top + sy };
    },
    sectionOf: (id) => store.section[store.indexOf(id)],
    statusOf: (id) => store.statusAt(store.indexOf(id)),
    labelOf: (id) => labelAt(store.indexOf(id)),
    dimmed: (id) => look.dimmed(store.indexOf(id)),
    mine: () => [...store.mine],
    get seatsDrawn() { return renderer.seatsDrawn; },
    get seatsInLastDraw() { return renderer.seatsInLastDraw; },
    get marksDrawn() { return { ...renderer.marksDrawn }; },
    get seatsShown() { return renderer.seatsShown; },
    get count() { return store.n; },
    get scale() { return camera.scale; },
    get highlighted() { return [...look.highlight].map((i) => store.id[i]); },
    get current() { return look.focus >= 0 ? store.id[look.focus] : null; },
    sectionPoint(id) {
      const b = index.sections.get(id)?.bounds;
      if (!b) return null;
      const [sx, sy] = camera.toScreen((b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2);
      const box = element.getBoundingClientRect();
      return { x: box.left + sx, y: box.top + sy };
    },
  };
}
