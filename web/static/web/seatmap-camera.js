// The map's view: world (seat) units to CSS pixels of the map element, screen = world * scale
// + (x, y); no rotation, so a direction on screen is the same direction in the hall. Gestures:
// a drag (mouse or one finger) pans, two fingers pinch around their middle, the wheel zooms
// at the pointer. The map element has `touch-action: none` and captures its pointers, so a
// drag on the map never scrolls the page (on Android the page scrolled the other way once
// the map's top was above the screen's edge).

export class Camera {
  constructor(element, onChange) {
    this.element = element;
    this.onChange = onChange; // (camera, moving) on every change; moving while a gesture runs
    this.scale = 1; this.x = 0; this.y = 0;
    this.fitted = null; // the view that shows the whole hall
    this.animation = 0;
    this.measure();
  }

  // The element's size, read once per resize (reading it per frame would force a layout).
  measure() {
    this.width = this.element.clientWidth;
    this.height = this.element.clientHeight;
  }
  toWorld(sx, sy) { return [(sx - this.x) / this.scale, (sy - this.y) / this.scale]; }
  toScreen(wx, wy) { return [wx * this.scale + this.x, wy * this.scale + this.y]; }
  visibleWorld() {
    const [x0, y0] = this.toWorld(0, 0);
    const [x1, y1] = this.toWorld(this.width, this.height);
    return { x0, y0, x1, y1 };
  }

  // The view showing a world rectangle whole, centred, `margin` CSS px inside the edges.
  viewOf({ minX, minY, maxX, maxY }, margin = 12) {
    const w = Math.max(maxX - minX, 1), h = Math.max(maxY - minY, 1);
    const scale = Math.min((this.width - 2 * margin) / w, (this.height - 2 * margin) / h);
    return this.viewAround((minX + maxX) / 2, (minY + maxY) / 2, scale);
  }

  viewAround(wx, wy, scale) {
    return { scale, x: this.width / 2 - wx * scale, y: this.height / 2 - wy * scale };
  }

  // The whole hall, with a seat's room around it, and seats no larger than a thumb's width.
  fit(bounds) {
    const b = bounds;
    const view = this.viewOf({ minX: b.minX - 1, minY: b.minY - 1, maxX: b.maxX + 1, maxY: b.maxY + 1 });
    this.fitted = view.scale > 44
      ? this.viewAround((b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2, 44) : view;
    this.set(this.fitted);
  }

  clampScale(scale) {
    const min = (this.fitted?.scale ?? scale) * 0.6;
    return Math.min(80, Math.max(min, scale));
  }

  set({ scale, x, y }, moving = false) {
    this.scale = scale; this.x = x; this.y = y;
    this.onChange(this, moving);
  }

  zoomAt(factor, sx, sy, moving = false) {
    const scale = this.clampScale(this.scale * factor);
    const [wx, wy] = this.toWorld(sx, sy);
    this.set({ scale, x: sx - wx * scale, y: sy - wy * scale }, moving);
  }

  // Glide to a view in about a quarter of a second (at once for those who ask for less motion).
  animateTo(target, done = () => {}) {
    cancelAnimationFrame(this.animation);
    const from = { scale: this.scale, x: this.x, y: this.y };
    if (matchMedia("(prefers-reduced-motion: reduce)").matches) {
      this.set(target);
      done();
      return;
    }
    const start = performance.now();
    const step = (now) => {
      const t = Math.min(1, (now - start) / 250);
      const ease = 1 - (1 - t) ** 3;
      // Scale moves geometrically, and the world point at the centre follows it smoothly.
      const scale = from.scale * (target.scale / from.scale) ** ease;
      const cx = this.width / 2, cy = this.height / 2;
      const fromCentre = [(cx - from.x) / from.scale, (cy - from.y) / from.scale];
      const toCentre = [(cx - target.x) / target.scale, (cy - target.y) / target.scale];
      const wx = fromCentre[0] + (toCentre[0] - fromCentre[0]) * ease;
      const wy = fromCentre[1] + (toCentre[1] - fromCentre[1]) * ease;
      this.set({ scale, x: cx - wx * scale, y: cy - wy * scale }, t < 1);
      if (t < 1) this.animation = requestAnimationFrame(step);
      else done();
    };
    this.animation = requestAnimationFrame(step);
  }
}

// Pointer gestures on the map element. handlers: tap(sx, sy, event) for a press that did not
// move, hover(sx, sy) for a mouse moving with no button, settle() once a gesture has ended.
export function attachGestures(element, camera, handlers) {
  const pointers = new Map();
  let drag = null, pinch = null, settleTimer = 0;
  // The element's place on screen, read when a gesture starts or after the page scrolled or
  // resized: reading it at every move would force a layout per event.
  let box = null;
  const forget = () => { box = null; };
  addEventListener("scroll", forget, { passive: true, capture: true });
  addEventListener("resize", forget, { passive: true });
  const local = (event) => {
    box ??= element.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  };
  const settleSoon = () => {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(handlers.settle, 120);
  };

  element.addEventListener("pointerdown", (event) => {
    if (event.button > 0 || event.target.closest("[data-map-control]")) return;
    element.setPointerCapture(event.pointerId);
    if (!pointers.size) forget();
    pointers.set(event.pointerId, local(event));
    if (pointers.size === 2) {
      // The hall's point under the fingers' middle stays under their middle as they move, and
      // the scale follows their distance: measured from the pinch's start, so nothing drifts.
      const [a, b] = [...pointers.values()];
      pinch = {
        distance: Math.hypot(a[0] - b[0], a[1] - b[1]),
        scale: camera.scale,
        world: camera.toWorld((a[0] + b[0]) / 2, (a[1] + b[1]) / 2),
      };
      drag = null;
    } else if (pointers.size === 1) {
      const [sx, sy] = local(event);
      drag = { sx, sy, x: camera.x, y: camera.y, moved: false, event };
    }
  });

  element.addEventListener("pointermove", (event) => {
    const point = local(event);
    if (!pointers.has(event.pointerId)) {
      if (event.pointerType === "mouse" && !event.buttons) handlers.hover(...point);
      return;
    }
    event.preventDefault();
    pointers.set(event.pointerId, point);
    if (pinch && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const distance = Math.hypot(a[0] - b[0], a[1] - b[1]);
      const scale = camera.clampScale((pinch.scale * distance) / pinch.distance);
      const [mx, my] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      camera.set({ scale, x: mx - pinch.world[0] * scale, y: my - pinch.world[1] * scale }, true);
    } else if (drag) {
      const dx = point[0] - drag.sx, dy = point[1] - drag.sy;
      if (!drag.moved && Math.hypot(dx, dy) < 6) return; // still a tap
      drag.moved = true;
      camera.set({ scale: camera.scale, x: drag.x + dx, y: drag.y + dy }, true);
    }
  });

  const end = (event) => {
    if (!pointers.has(event.pointerId)) return;
    pointers.delete(event.pointerId);
    const wasGesture = pinch || drag?.moved;
    if (event.type === "pointerup" && drag && !drag.moved && !pinch && !pointers.size) {
      handlers.tap(...local(event), event);
    }
    if (pinch && pointers.size === 1) {
      // One finger lifted from a pinch: the other pans on from where it is (never a tap).
      const [sx, sy] = [...pointers.values()][0];
      drag = { sx, sy, x: camera.x, y: camera.y, moved: true, event };
    }
    if (pointers.size < 2) pinch = null;
    if (!pointers.size) drag = null;
    if (wasGesture && !pointers.size) handlers.settle();
  };
  element.addEventListener("pointerleave", (event) => {
    if (event.pointerType === "mouse" && !pointers.size) handlers.hover(-1e6, -1e6);
  });
  element.addEventListener("pointerup", end);
  element.addEventListener("pointercancel", end);

  element.addEventListener("wheel", (event) => {
    event.preventDefault();
    camera.zoomAt(event.deltaY < 0 ? 1.18 : 1 / 1.18, ...local(event), true);
    settleSoon();
  }, { passive: false });
}
