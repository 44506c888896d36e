// The "choose" panel beside the seat map: best available ("4 seats side by side, best price up
// to 12.50") held by the server through the page's session, and the filters that dim seats on
// the map (a price ceiling, wheelchair spaces and companion seats). It talks to the map only
// through document events (docs in the README, "The buyer's pages"):
//   dispatches "sandali:apply-selection" (the selection after a best-available hold),
//              "sandali:show-seats" {ids} (where the seats just held are),
//              "sandali:filter" {maxPrice, accessibleOnly} (what the map dims).
import { format, sendSelection, toast } from "./seatmap-requests.js";

const config = JSON.parse(document.getElementById("seat-map-config").textContent);
const words = config.panel;
const lang = document.documentElement.lang || "en";
const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en");

// ---- best available ------------------------------------------------------------------
const form = document.getElementById("best-available");
const result = document.getElementById("best-result");

// The form's request, or why it cannot be sent (said before any request, as the map does).
function asked() {
  const quantity = Number(form.elements.quantity.value);
  if (!Number.isInteger(quantity) || quantity < 1) return { refusal: words.quantity_invalid };
  if (quantity > config.maxSeats) {
    return { refusal: format(config.messages.too_many, { limit: numbers.format(config.maxSeats) }) };
  }
  return {
    quantity,
    max_price: form.elements.max_price.value || null,
    together: form.elements.together.checked,
    accessible: form.elements.accessible?.checked ?? false,
  };
}

// "Section 1, row B, seats 3, 4, 5, 6": the seats just held, row by row.
function heldNames(body) {
  const details = new Map((body.seat_details ?? []).map((seat) => [seat.id, seat]));
  const rows = new Map();
  for (const id of body.chosen) {
    const seat = details.get(id);
    if (!seat) continue;
    const key = `${seat.section}\u0000${seat.row}`;
    if (!rows.has(key)) rows.set(key, { section: seat.section, row: seat.row, numbers: [] });
    rows.get(key).numbers.push(seat.number);
  }
  return [...rows.values()].map((row) => format(words.row_seats, {
    section: row.section, row: row.row,
    numbers: row.numbers.sort((a, b) => a - b).map((n) => numbers.format(n)).join(config.access.separator),
  })).join(words.rows_separator);
}

async function findSeats(event) {
  event.preventDefault();
  const body = asked();
  if (body.refusal) {
    toast(body.refusal);
    form.elements.quantity.focus();
    return;
  }
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  result.textContent = "";
  try {
    const answer = await sendSelection(config.urls.best, "POST", body);
    if (!answer.ok) {
      toast(answer.body.detail ?? config.messages.error);
      return;
    }
    document.dispatchEvent(new CustomEvent("sandali:apply-selection", { detail: answer.body }));
    document.dispatchEvent(new CustomEvent("sandali:show-seats", { detail: { ids: answer.body.chosen } }));
    result.textContent = format(words.held_best, {
      count: numbers.format(answer.body.chosen.length), seats: heldNames(answer.body),
    });
  } catch {
    toast(config.messages.error);
  } finally {
    button.disabled = false;
  }
}
form?.addEventListener("submit", findSeats);

// ---- filters -------------------------------------------------------------------------
const priceFilter = document.getElementById("filter-price");
const accessFilter = document.getElementById("access-filter");

function filterChanged() {
  const maxPrice = priceFilter?.value || null;
  const accessibleOnly = accessFilter?.getAttribute("aria-pressed") === "true";
  const dimming = maxPrice !== null || accessibleOnly;
  document.getElementById("filter-note").hidden = !dimming;
  document.getElementById("key-dimmed").hidden = !dimming;
  document.dispatchEvent(new CustomEvent("sandali:filter", { detail: { maxPrice, accessibleOnly } }));
}
priceFilter?.addEventListener("change", filterChanged);
accessFilter?.addEventListener("click", () => {
  const on = accessFilter.getAttribute("aria-pressed") !== "true";
  accessFilter.setAttribute("aria-pressed", String(on));
  filterChanged();
});
// A price the browser restored with the page (a reload keeps a select's value) dims the map
// as soon as the map is drawn, not only once it is changed again. (The wheelchair toggle is
// a button: a reload does not keep it.)
document.addEventListener("sandali:map-ready", () => {
  if (priceFilter?.value) filterChanged();
});
