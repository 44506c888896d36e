// The scanner at the door. With the network, each scan is sent to the check-in API and the
// server decides; without it (or while the server does not answer) the phone decides from its
// check-in list (checkin-decide.js), remembers the ticket as let in, and queues the scan, which
// is uploaded as soon as the network is back. The list is refreshed every minute (a 304 while
// nothing changed). The device token is kept in localStorage: see the README, "Running the door".
import { startCamera } from "./checkin-camera.js";
import { decide, readPass, sha256Hex } from "./checkin-decide.js";
import { openStore } from "./checkin-store.js";

const config = JSON.parse(document.getElementById("checkin-config").textContent);
const text = config.messages;
const lang = document.documentElement.lang || "en";
const locale = lang === "fa" ? "fa-IR" : "en-GB";
const numbers = new Intl.NumberFormat(locale);
const clock = new Intl.DateTimeFormat(locale, {
  hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: config.timeZone,
});
const showTime = new Intl.DateTimeFormat(locale, {
  dateStyle: "medium", timeStyle: "short", timeZone: config.timeZone,
});
const KEYS = { token: "sandali.checkin.token", device: "sandali.checkin.device",
  performance: "sandali.checkin.performance" };
const REFRESH_MS = 60_000;
const UPLOAD_MS = 10_000;
const REPEAT_MS = 3_000; // a code still in view, or back within this, is not scanned again
const REQUEST_MS = 4_000;
const RESULT_MS = 8_000;
const BATCH = 500;
const $ = (id) => document.getElementById(id);

const state = {
  token: null, device: null, performance: null, store: null,
  list: new Map(), meta: null, mine: new Map(), queue: [],
  busy: Promise.resolve(), lastCode: null, lastSeen: 0, stopCamera: null, resultTimer: null,
  uploading: false, timers: [],
};

const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
const time = (iso) => clock.format(new Date(iso));

class Offline extends Error {}
class TokenRefused extends Error {}

// ---- the API ------------------------------------------------------------------------------
async function api(url, { method = "GET", body, headers = {} } = {}) {
  if (!navigator.onLine) throw new Offline();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_MS);
  let response;
  try {
    response = await fetch(url, {
      method, signal: controller.signal, cache: "no-store",
      headers: {
        Authorization: `Bearer ${state.token}`, "Accept-Language": lang,
        ...(body ? { "Content-Type": "application/json" } : {}), ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new Offline(); // no network, or no answer in time: decide on the phone
  } finally {
    clearTimeout(timer);
  }
  if (response.status >= 500) throw new Offline(); // the server is in trouble: the same
  if (response.status === 401) {
    refuseToken();
    throw new TokenRefused();
  }
  return response;
}

// ---- the check-in list and this phone's scans ----------------------------------------------
function useList(saved) {
  state.meta = saved ?? null;
  state.list = new Map();
  if (!saved) return;
  const at = Object.fromEntries(saved.columns.map((name, i) => [name, i]));
  for (const row of saved.tickets) {
    state.list.set(row[at.hash], Object.fromEntries(saved.columns.map((name) => [name, row[at[name]]])));
  }
}

async function refreshList() {
  if (!state.performance) return;
  try {
    const url = `${config.urls.list}?performance=${state.performance}`;
    const etag = state.meta?.etag;
    const response = await api(url, { headers: etag ? { "If-None-Match": etag } : {} });
    if (response.status === 304) {
      state.meta.fetched_at = new Date().toISOString();
      await state.store.saveList(state.meta);
    } else if (response.ok) {
      const list = await response.json();
      Object.assign(list, { performance: state.performance, etag: response.headers.get("ETag"),
        fetched_at: new Date().toISOString() });
      await state.store.saveList(list);
      useList(list);
    }
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
  }
  showStatus();
}

async function remember(scan) {
  await state.store.saveScan(scan);
  state.mine.set(scan.hash, { at: scan.scanned_at, device: state.device.name });
  if (!scan.uploaded) state.queue.push(scan);
}

async function uploadQueue() {
  if (state.uploading || !state.queue.length) return;
  state.uploading = true;
  let uploaded = 0;
  try {
    while (state.queue.length) {
      const sending = state.queue.slice(0, BATCH);
      const response = await api(config.urls.batch, {
        method: "POST",
        body: {
          scans: sending.map((s) => ({ code: s.code, scanned_at: s.scanned_at, local_id: s.local_id })),
          sent_at: new Date().toISOString(),
        },
      });
      if (!response.ok) break;
      const results = new Map((await response.json()).results.map((r) => [r.local_id, r]));
      for (const scan of sending) {
        Object.assign(scan, { uploaded: true, result: results.get(scan.local_id)?.result });
        await state.store.saveScan(scan);
      }
      state.queue = state.queue.filter((scan) => !scan.uploaded);
      uploaded += sending.length;
    }
  } catch (error) {
    if (!(error instanceof Offline) && !(error instanceof TokenRefused)) throw error;
  } finally {
    state.uploading = false;
  }
  if (uploaded) {
    $("queue-status").dataset.uploaded = String(uploaded);
    showStatus(format(text.uploaded, { count: numbers.format(uploaded) }));
    await refreshList();
  }
  showStatus();
}

// ---- a scan -------------------------------------------------------------------------------
function onCameraCode(code) {
  const now = Date.now();
  const repeat = code === state.lastCode && now - state.lastSeen < REPEAT_MS;
  state.lastCode = code;
  state.lastSeen = now;
  if (!repeat) check(code);
}

function check(code) {
  if (!state.performance) return state.busy;
  state.busy = state.busy.then(() => checkNow(code)).catch((error) => {
    console.error(error);
    show("error", {});
  });
  return state.busy;
}

async function checkNow(code) {
  const localId = crypto.randomUUID();
  try {
    const response = await api(config.urls.checkins, {
      method: "POST", body: { code, performance: state.performance, local_id: localId },
    });
    const body = await response.json();
    if (response.ok) {
      const hash = await sha256Hex(readPass(code).code);
      await remember({ local_id: localId, performance: state.performance, hash,
        scanned_at: body.checked_in_at, uploaded: true });
      show("admitted", { seat: body.seat, ticketType: body.ticket_type });
    } else {
      const checkedIn = body.device ? { at: body.checked_in_at, device: body.device } : null;
      // Which seat was let in already: from the check-in list, as offline (the answer has none).
      const row = checkedIn ? state.list?.get(await sha256Hex(readPass(code).code)) : undefined;
      show(body.code, { checkedIn, detail: body.detail, seat: row, ticketType: row?.ticket_type });
    }
    return;
  } catch (error) {
    if (error instanceof TokenRefused) return;
    if (!(error instanceof Offline)) throw error;
  }
  if (!state.meta) {
    show("error", { detail: text.no_list }); // nothing to decide with: never say "not valid"
    return;
  }
  const decision = await decide(code, {
    performance: state.performance, list: state.list, mine: state.mine,
    publicKey: state.meta?.public_key,
  });
  if (decision.result === "admitted") {
    await remember({ local_id: localId, performance: state.performance, hash: decision.hash,
      code, scanned_at: new Date().toISOString(), uploaded: false });
  }
  show(decision.result, {
    offline: true, seat: decision.row, ticketType: decision.row?.ticket_type,
    checkedIn: decision.checkedIn, notInList: decision.notInList,
  });
  showStatus();
}

// ---- what the door sees -------------------------------------------------------------------
function show(result, { seat, ticketType, checkedIn, detail, offline = false, notInList = false }) {
  const box = $("result");
  box.dataset.result = result;
  box.dataset.offline = String(offline);
  $("result-title").textContent = text.titles[result] ?? text.titles.error;
  $("result-seat").textContent = seat
    // A place of a standing area has no row ("") and names only its area.
    ? [format(seat.row === "" ? text.standing : text.seat, { ...seat, number: numbers.format(seat.number) }), ticketType]
      .filter(Boolean).join(" · ")
    : "";
  const lines = [];
  if (result === "already_checked_in" && checkedIn) {
    lines.push(format(text.used_at, { time: time(checkedIn.at), device: checkedIn.device ?? "" }));
  } else if (result !== "admitted") {
    lines.push(offline ? text.details[result] ?? text.details.error : detail ?? text.details.error);
  }
  if (notInList) lines.push(text.not_in_list);
  if (offline) lines.push(text.offline);
  $("result-detail").textContent = lines.join(" ");
  navigator.vibrate?.(result === "admitted" ? 80 : [200, 80, 200]);
  clearTimeout(state.resultTimer);
  state.resultTimer = setTimeout(ready, RESULT_MS);
}

function ready() {
  $("result").dataset.result = "idle";
  $("result-title").textContent = text.ready;
  $("result-seat").textContent = "";
  $("result-detail").textContent = "";
}

function showStatus(note) {
  const online = navigator.onLine;
  const connection = $("connection");
  connection.dataset.online = String(online);
  connection.textContent = online ? text.online : text.offline_state;
  $("list-status").textContent = state.meta
    ? format(text.list_status, { count: numbers.format(state.list.size), time: time(state.meta.fetched_at) })
    : text.no_list;
  const queue = $("queue-status");
  queue.dataset.queued = String(state.queue.length);
  queue.textContent = note ?? (state.queue.length
    ? format(text.queued, { count: numbers.format(state.queue.length) }) : "");
}

// ---- the device, its performances, the camera ---------------------------------------------
function showSetup(error) {
  $("scanner").hidden = true;
  $("setup").hidden = false;
  $("setup-error").hidden = !error;
  $("setup-error").textContent = error ?? "";
  document.body.dataset.ready = "true";
}

function refuseToken() {
  localStorage.removeItem(KEYS.token);
  localStorage.removeItem(KEYS.device);
  state.timers.forEach(clearInterval);
  state.timers = [];
  state.stopCamera?.();
  state.stopCamera = null;
  showSetup(text.token_refused);
}

// The device and its performances from the server, or as last seen when offline.
async function loadDevice() {
  try {
    const response = await api(config.urls.device);
    if (response.ok) {
      state.device = await response.json();
      localStorage.setItem(KEYS.device, JSON.stringify(state.device));
      return "ok";
    }
  } catch (error) {
    if (error instanceof TokenRefused) return "refused";
    if (!(error instanceof Offline)) throw error;
  }
  state.device = JSON.parse(localStorage.getItem(KEYS.device) || "null");
  return state.device ? "ok" : "offline";
}

async function choosePerformance(id) {
  state.performance = id;
  localStorage.setItem(KEYS.performance, String(id));
  useList(await state.store.list(id));
  const scans = await state.store.scans(id);
  state.mine = new Map(scans.map((s) => [s.hash, { at: s.scanned_at, device: state.device.name }]));
  showStatus();
  await refreshList();
}

async function toggleCamera() {
  const button = $("camera-toggle");
  if (state.stopCamera) {
    state.stopCamera();
    state.stopCamera = null;
  } else {
    try {
      state.stopCamera = await startCamera($("camera"), onCameraCode, { jsqrUrl: config.urls.jsqr });
    } catch {
      $("result-detail").textContent = text.no_camera;
    }
  }
  button.textContent = state.stopCamera ? button.dataset.on : button.dataset.off;
  $("camera").hidden = !state.stopCamera;
}

async function openScanner() {
  document.body.dataset.ready = "false";
  $("setup").hidden = true;
  state.store ??= await openStore();
  const device = await loadDevice();
  if (device !== "ok") {
    if (device === "offline") showSetup(text.no_list);
    return;
  }
  $("scanner").hidden = false;
  $("device-name").textContent = state.device.name;
  const select = $("performance");
  // The time first: on a narrow phone the select cuts its text off at the end, and the time
  // tells tonight's shows of one event apart.
  select.replaceChildren(...state.device.performances.map(
    (p) => new Option(`${showTime.format(new Date(p.starts_at))} · ${p.event}`, p.id),
  ));
  if (!state.device.performances.length) {
    $("result-title").textContent = text.no_performance;
    return;
  }
  const saved = Number(localStorage.getItem(KEYS.performance));
  const chosen = state.device.performances.some((p) => p.id === saved)
    ? saved : state.device.performances[0].id;
  select.value = String(chosen);
  ready();
  state.queue = await state.store.pending();
  await choosePerformance(chosen);
  state.timers.push(setInterval(refreshList, REFRESH_MS), setInterval(uploadQueue, UPLOAD_MS));
  uploadQueue();
  document.body.dataset.ready = "true";
  toggleCamera();
}

function start() {
  const link = new URLSearchParams(location.hash.slice(1)).get("token");
  if (link) {
    // From the admin's QR code: kept on the phone, and taken out of the address at once.
    localStorage.setItem(KEYS.token, link);
    history.replaceState(null, "", location.pathname + location.search);
  }
  state.token = localStorage.getItem(KEYS.token);
  navigator.serviceWorker?.register(config.urls.serviceWorker, { scope: config.urls.page })
    .catch(() => {}); // no offline reload, but the scanner works
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.token = $("token-input").value.trim();
    if (!state.token) return;
    localStorage.setItem(KEYS.token, state.token);
    $("token-input").value = "";
    openScanner();
  });
  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("code-input").value.trim();
    $("code-input").value = "";
    if (code) check(code);
  });
  $("performance").addEventListener("change", (event) => choosePerformance(Number(event.target.value)));
  $("camera-toggle").addEventListener("click", toggleCamera);
  $("forget").addEventListener("click", async () => {
    if (!confirm(text.forget_confirm)) return;
    await state.store?.clear();
    Object.values(KEYS).forEach((key) => localStorage.removeItem(key));
    location.reload();
  });
  // A device link opened in a tab that already shows the scanner changes only the fragment:
  // take the new token and start again with it (the queue of the old one is kept).
  addEventListener("hashchange", () => {
    if (new URLSearchParams(location.hash.slice(1)).get("token")) location.reload();
  });
  addEventListener("online", () => { showStatus(); uploadQueue(); refreshList(); });
  addEventListener("offline", () => showStatus());
  if (state.token) openScanner();
  else showSetup();
}

start();
