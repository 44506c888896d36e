// The map kept live: the WebSocket's changes ({seats: [[id, status, version]], areas: ...}),
// reconnecting with jittered backoff, and the map read again (with its ETag) when the server
// refuses a seat the page thought free.
import { readSeatMap } from "./seatmap-wire.js";

// page: {config, text, apply(changes)}
export function connect(page, delay = 500) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${page.config.urls.socket}`);
  const live = document.getElementById("live");
  // The backoff starts again only once the server has sent the snapshot: a socket it accepts
  // and closes at once (Redis down: 1013, too many sockets: 4429) keeps backing off.
  socket.onmessage = (event) => {
    if (delay !== 500) {
      if (live.textContent) live.textContent = page.text.online;
      delay = 500;
    }
    const message = JSON.parse(event.data);
    page.apply(message.seats ?? []);
    // Standing areas' counts ({areas: [[id, free, version]]}) are seatmap-areas.js's.
    document.dispatchEvent(new CustomEvent("sandali:live", { detail: message }));
    document.body.dataset.live = "true"; // the snapshot is in: every later change will come
  };
  socket.onclose = () => {
    live.textContent = page.text.offline;
    // Jitter, so that pages cut off together do not all come back at the same instant.
    const wait = delay * (0.75 + Math.random() / 2);
    setTimeout(() => connect(page, Math.min(delay * 2, 10000)), wait);
  };
}

let mapEtag = "";
export async function readMap(url, { fresh = false } = {}) {
  const headers = mapEtag && fresh ? { "If-None-Match": mapEtag } : {};
  const response = await fetch(url, { headers });
  if (response.status !== 200) return null;
  mapEtag = response.headers.get("ETag") ?? "";
  const body = await response.json();
  document.dispatchEvent(new CustomEvent("sandali:map", { detail: body })); // areas read it
  await new Promise((resolve) => setTimeout(resolve, 0)); // the parse was one long step already
  return readSeatMap(body);
}

// The map read again: its seats' states, as changes.
export async function refreshMap(page) {
  const map = await readMap(page.config.urls.seats, { fresh: true });
  if (!map) return;
  const changes = [];
  for (let i = 0; i < map.n; i++) changes.push([map.id[i], map.status[i], map.version[i]]);
  page.apply(changes);
}
