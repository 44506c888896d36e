"""What bench/map_phone.py runs in the page and drives through the Chrome DevTools Protocol:
the probes installed before the page's own scripts (long tasks, long animation frames, the
seat map drawn, the WebSocket's first message), a requestAnimationFrame counter, and touch
gestures (Input.dispatchTouchEvent) paced at 60 events a second."""

import math
import time

# Installed with Page.addScriptToEvaluateOnNewDocument: it runs before the page's scripts, and
# the page's Content-Security-Policy does not apply to it.
PAGE_PROBES = r"""
(() => {
  const bench = (window.__bench = { longTasks: [], frames: [], snapshotDone: false });
  const keep = (list) => (entries) => {
    for (const e of entries.getEntries()) {
      list.push({ start: Math.round(e.startTime), duration: Math.round(e.duration),
                  blocking: e.blockingDuration === undefined ? null
                    : Math.round(e.blockingDuration) });
    }
  };
  new PerformanceObserver(keep(bench.longTasks)).observe({ type: "longtask", buffered: true });
  try {
    new PerformanceObserver(keep(bench.frames))
      .observe({ type: "long-animation-frame", buffered: true });
  } catch (error) { bench.frames = null; }  // a Chromium before 123 has no such entries

  // The map's own mark "seatmap:drawn" says its drawing code is done; the frame that shows it
  // is drawn after, with style, layout and paint (most of an SVG map's work): two animation
  // frames later, that frame is on the screen.
  const mark = performance.mark.bind(performance);
  performance.mark = (name, ...rest) => {
    if (name === "seatmap:drawn")
      requestAnimationFrame(() => requestAnimationFrame(() => mark("bench:drawn-shown")));
    return mark(name, ...rest);
  };

  // body[data-ready]: the fallback for a map that sets no "seatmap:drawn" mark.
  new MutationObserver(() => {
    const seen = performance.getEntriesByName("bench:ready").length;
    if (document.body?.dataset.ready === "true" && !seen) performance.mark("bench:ready");
  }).observe(document, { subtree: true, attributes: true,
                          attributeFilter: ["data-ready"] });

  // The first message on the page's socket is the live snapshot of every seat. This listener
  // is added in the constructor, before the page's own: it marks the message's arrival, and
  // two animation frames later (the page's handler ran, and the frame it changed was drawn)
  // its end.
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (performance.getEntriesByName("bench:snapshot").length) return;
        performance.mark("bench:snapshot");
        bench.snapshotText = event.data; // parsed again later, away from this window
        requestAnimationFrame(() => requestAnimationFrame(() => {
          performance.mark("bench:snapshot-drawn");
          bench.snapshotDone = true;
        }));
      });
    }
  };

  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const round = (value) => (value === null ? null : Math.round(value));
  const overlapping = (list, from, to) =>
    (list ?? []).filter((t) => t.start <= to && t.start + t.duration >= from);

  bench.loading = () => {
    const seats = performance.getEntriesByType("resource")
      .filter((r) => /\/api\/v1\/performances\/\d+\/seats/.test(r.name))[0];
    const drawnMark = at("bench:drawn-shown");
    const drawn = drawnMark ?? at("bench:ready");
    const snapshot = at("bench:snapshot");
    const snapshotDrawn = at("bench:snapshot-drawn");
    const interactive = Math.max(at("bench:ready") ?? 0, snapshotDrawn ?? 0);
    const until = bench.longTasks.filter((t) => t.start <= interactive);
    return {
      seat_data: seats && {
        url: seats.name.replace(location.origin, ""),
        transfer_bytes: seats.transferSize,
        encoded_bytes: seats.encodedBodySize,
        decoded_bytes: seats.decodedBodySize,
        request_start_ms: round(seats.requestStart),
        response_end_ms: round(seats.responseEnd),
      },
      drawn_ms: round(drawn),
      drawn_code_done_ms: round(at("seatmap:drawn")),
      drawn_by: drawnMark !== null ? "the frame after mark seatmap:drawn" : "body[data-ready]",
      drawn_after_seat_data_ms: seats && drawn !== null ? round(drawn - seats.responseEnd) : null,
      ready_ms: round(at("bench:ready")),
      interactive_ms: round(interactive),
      long_tasks_until_interactive: {
        tasks: until,
        count: until.length,
        total_ms: until.reduce((sum, t) => sum + t.duration, 0),
        longest_ms: Math.max(0, ...until.map((t) => t.duration)),
      },
      snapshot_ms: round(snapshot),
      snapshot_drawn_ms: round(snapshotDrawn),
      long_tasks_at_snapshot: overlapping(bench.longTasks, snapshot, snapshotDrawn),
      long_animation_frames_at_snapshot: bench.frames && overlapping(bench.frames, snapshot,
                                                                      snapshotDrawn),
      long_animation_frames_until_interactive: bench.frames &&
        bench.frames.filter((t) => t.start <= interactive),
    };
  };

  // Frames drawn while a gesture runs: requestAnimationFrame's timestamps, and the gaps.
  // Each count has its own list: a frame callback of the count before, still pending when
  // the next one starts, must stop rather than count into it (two loops would double the fps).
  let counting = null;
  bench.countFrames = () => {
    const stamps = [];
    counting = stamps;
    const tick = (now) => {
      if (counting !== stamps) return;
      stamps.push(now);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  bench.stopFrames = () => {
    const stamps = counting ?? [];
    counting = null;
    const gaps = stamps.slice(1).map((t, i) => t - stamps[i]);
    const seconds = stamps.length > 1 ? (stamps.at(-1) - stamps[0]) / 1000 : 0;
    return {
      frames: stamps.length,
      seconds: Math.round(seconds * 100) / 100,
      fps: seconds ? Math.round(((stamps.length - 1) / seconds) * 10) / 10 : 0,
      longest_gap_ms: Math.round(Math.max(0, ...gaps)),
      gaps_over_20ms: gaps.filter((g) => g > 20).length,
    };
  };
})();
"""

# The seat data's own cost in the page, under the same throttle, for the page's seat data and
# for the API's default rows: JSON.parse of the body, and seatmap-wire.js readSeatMap where the
# page has that module; and JSON.parse of the socket's snapshot (median of 5 runs each).
DECODE_COST = """async (urls) => {
  const median = (run) => {
    const times = [];
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      run();
      times.push(performance.now() - started);
    }
    return Math.round(times.sort((a, b) => a - b)[2] * 10) / 10;
  };
  const script = document.querySelector('script[type=module][src*="seatmap"]');
  let readSeatMap = null;
  try {
    ({ readSeatMap } = await import(new URL("seatmap-wire.js", script.src)));
  } catch (error) { /* a page before seatmap-wire.js */ }
  const costs = {};
  if (window.__bench.snapshotText) {
    const text = window.__bench.snapshotText;
    costs.socket_snapshot = { json_parse_ms: median(() => JSON.parse(text)) };
  }
  for (const [name, url] of Object.entries(urls)) {
    const text = await (await fetch(url)).text();
    const body = JSON.parse(text);
    costs[name] = { json_parse_ms: median(() => JSON.parse(text)),
                    read_seat_map_ms: readSeatMap && median(() => readSeatMap(body)) };
  }
  return costs;
}"""

EVENTS_PER_SECOND = 60


def _touch(cdp, kind: str, points: list[tuple[float, float]]) -> None:
    touches = [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touches})


def _gesture(cdp, seconds: float, points_at) -> None:
    """Touch down at points_at(0), move along points_at(t) for t in [0, 1] at 60 events a
    second, lift: one gesture lasting `seconds`."""
    _touch(cdp, "touchStart", points_at(0.0))
    started = time.perf_counter()
    step = 1 / EVENTS_PER_SECOND
    while (elapsed := time.perf_counter() - started) < seconds:
        _touch(cdp, "touchMove", points_at(elapsed / seconds))
        time.sleep(max(0.0, step - (time.perf_counter() - started - elapsed)))
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def swipe(cdp, box: dict, seconds: float) -> None:
    """One finger over the map, left and right twice (a pan), 120 px either way."""
    cx, cy = box["x"] + box["width"] / 2, box["y"] + min(box["height"], 600) / 2
    _gesture(cdp, seconds, lambda t: [(cx + 120 * math.sin(4 * math.pi * t), cy + 30 * t)])


def pinch(cdp, box: dict, seconds: float) -> None:
    """Two fingers over the map, apart from 40 px to 240 px and back, twice (zoom in, out)."""
    cx, cy = box["x"] + box["width"] / 2, box["y"] + min(box["height"], 600) / 2

    def fingers(t: float) -> list[tuple[float, float]]:
        half = 20 + 100 * (1 - math.cos(4 * math.pi * t)) / 2
        return [(cx - half * 0.7, cy - half * 0.7), (cx + half * 0.7, cy + half * 0.7)]

    _gesture(cdp, seconds, fingers)


def frame_rate(page, gesture) -> dict:
    page.evaluate("window.__bench.countFrames()")
    gesture()
    return page.evaluate("window.__bench.stopFrames()")


def idle_page(context, *, cdp_rate: float, seconds: float) -> dict:
    """The reference: the same swipe over an empty page with the same CPU throttle, how many
    frames Chromium draws here when the page does nothing."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": cdp_rate})
    page.set_content('<div id="seat-map" style="height:600px"></div>')
    page.evaluate(PAGE_PROBES)
    box = page.locator("#seat-map").bounding_box()
    result = frame_rate(page, lambda: swipe(cdp, box, seconds))
    page.close()
    return result
