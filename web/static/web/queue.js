// The waiting room's page: asks the server where this browser stands, with backoff, and
// goes to the seat map once admitted (the server has put the pass in the session then).
// Every text comes translated from the server; numbers are written in the page's language.
const config = JSON.parse(document.getElementById("queue-config").textContent);
const words = config.messages;
const lang = document.documentElement.lang || "en";
const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en");

const positionLine = document.getElementById("queue-position");
const waitLine = document.getElementById("queue-wait");
const progress = document.getElementById("queue-progress");
const note = document.getElementById("queue-note");

const FIRST_DELAY_MS = 2000;
const MAX_DELAY_MS = 15000;
const MAX_ERROR_DELAY_MS = 30000;
let firstPosition = null;
let delay = FIRST_DELAY_MS;
let errorDelay = FIRST_DELAY_MS;

function fill(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => numbers.format(values[name]));
}

function show(status) {
  if (status.sold_out && !status.admitted) {
    positionLine.textContent = words.sold_out;
    waitLine.textContent = "";
    progress.hidden = true;
    return;
  }
  if (status.admitted) {
    positionLine.textContent = words.admitted;
    waitLine.textContent = "";
    progress.value = 1;
    return;
  }
  if (!status.opened) {
    positionLine.textContent = fill(words.drawing, { waiting: status.waiting });
    waitLine.textContent = "";
    return;
  }
  if (firstPosition === null) firstPosition = status.position;
  positionLine.textContent = fill(words.position, { position: status.position });
  const ahead = status.position - 1;
  const minutes = Math.ceil(status.wait_seconds / 60);
  const wait = minutes <= 1 ? words.minute : fill(words.minutes, { minutes });
  if (status.paused) {
    // Nobody is let in while no seat is free: a wait from the rate would not be honest.
    waitLine.textContent = words.paused;
  } else {
    waitLine.textContent = ahead > 0 ? `${fill(words.ahead, { ahead })} · ${wait}` : `${words.next} ${wait}`;
  }
  progress.value = firstPosition > 1 ? (firstPosition - status.position) / (firstPosition - 1) : 0;
}

// Ask more often as the turn nears, never more than every 2 s, at most every 15 s, and never
// sooner than the server asks (poll_seconds: with thousands queued, those far back ask less).
function nextDelay(status) {
  const server = (status.poll_seconds || 0) * 1000;
  if (!status.opened || status.wait_seconds === null) return Math.max(server, Math.min(delay * 1.5, MAX_DELAY_MS));
  const soon = Math.max(FIRST_DELAY_MS, (status.wait_seconds * 1000) / 3);
  return Math.max(server, Math.min(delay * 1.5, soon, MAX_DELAY_MS));
}

async function ask() {
  let status;
  try {
    const response = await fetch(config.status, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    status = await response.json();
  } catch {
    note.textContent = words.offline;
    errorDelay = Math.min(errorDelay * 2, MAX_ERROR_DELAY_MS);
    setTimeout(ask, errorDelay * (0.75 + Math.random() / 2));
    return;
  }
  note.textContent = "";
  errorDelay = FIRST_DELAY_MS;
  show(status);
  // Sold out: the page says so, and asks again as seldom as the server says (a minute), since
  // seats may come back.
  if (status.admitted) {
    window.location.assign(status.next || config.map);
    return;
  }
  delay = nextDelay(status);
  setTimeout(ask, delay * (1 + Math.random() / 2)); // jitter, only later: thousands of pages spread out
}

show(config.first);
setTimeout(ask, Math.min(FIRST_DELAY_MS, config.first.wait_seconds ? config.first.wait_seconds * 1000 : FIRST_DELAY_MS));
