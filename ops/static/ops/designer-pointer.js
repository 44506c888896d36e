// Pointer gestures on the designer's canvas: pan (the pan tool, the middle button, or any
// drag in preview), zoom with the wheel, click to pick, lasso, drag to move. What a gesture
// does to the document is the page's: the handlers given here. The gesture under way (the
// drag's offset, the lasso's points) is returned, for the page to draw.
export function attachPointer(canvas, view, hooks) {
  const { tool, isPreview, hitAt, onPick, onLasso, onMove, redraw } = hooks;
  const gesture = { drag: null, lasso: null };
  let pan = null;

  const pointOf = (event) => {
    const box = canvas.getBoundingClientRect();
    return { px: event.clientX - box.left, py: event.clientY - box.top };
  };

  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    const { px, py } = pointOf(event);
    const at = view.toWorld(px, py);
    const mode = event.button === 1 || isPreview() ? "pan" : tool();
    if (mode === "pan") {
      pan = { x: event.clientX, y: event.clientY, ox: view.ox, oy: view.oy };
    } else if (mode === "move") {
      gesture.drag = { start: at, dx: 0, dy: 0 };
    } else {
      const hit = hitAt(at);
      if (mode === "lasso" && !hit.seat && hit.shape === null && hit.area === null) gesture.lasso = [at];
      else onPick(hit, mode, event.shiftKey);
    }
  });

  canvas.addEventListener("pointermove", (event) => {
    const { px, py } = pointOf(event);
    if (pan) {
      view.ox = pan.ox + event.clientX - pan.x;
      view.oy = pan.oy + event.clientY - pan.y;
    } else if (gesture.drag) {
      const at = view.toWorld(px, py);
      gesture.drag.dx = at.x - gesture.drag.start.x;
      gesture.drag.dy = at.y - gesture.drag.start.y;
    } else if (gesture.lasso) {
      gesture.lasso.push(view.toWorld(px, py));
    } else {
      return;
    }
    redraw();
  });

  canvas.addEventListener("pointerup", (event) => {
    const { drag, lasso } = gesture;
    gesture.drag = null;
    gesture.lasso = null;
    pan = null;
    if (drag && (drag.dx || drag.dy)) onMove(drag.dx, drag.dy);
    else if (lasso) onLasso(lasso, event.shiftKey);
    redraw();
  });

  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    const { px, py } = pointOf(event);
    view.zoomAt(event.deltaY < 0 ? 1.15 : 1 / 1.15, px, py);
    redraw();
  }, { passive: false });

  return gesture;
}
