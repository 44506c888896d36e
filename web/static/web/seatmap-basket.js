// The basket beside the seat map: what the session's hold has (each seat named, standing
// places by area), its total as the server counted it, the countdown to its expiry by the
// server's clock, "Check out" and "Release all". seatmap.js calls showBasket with every
// selection it applies; the map names its seats through the seatLabel it hands over with
// "sandali:map-ready", and until then the server's names in the selection are used.
import { startCountdown } from "./countdown.js";
import { format, money as moneyIn, sendSelection, toast } from "./seatmap-requests.js";

const config = JSON.parse(document.getElementById("seat-map-config").textContent);
const words = config.panel;
const lang = document.documentElement.lang || "en";
const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en");
const money = (value) => moneyIn(value, config.currency);

let seatLabel = null;
document.addEventListener("sandali:map-ready", (event) => {
  seatLabel = event.detail?.seatLabel ?? null;
  if (shown) showBasket(shown.selection, shown.onExpired); // named by the map from now on
});

function serverName(detail) {
  const seat = format(words.seat_name, {
    section: detail.section, row: detail.row, number: numbers.format(detail.number),
  });
  const price = detail.price === null ? "" : money(detail.price);
  return format(words.seat_line, { seat, ticket_type: detail.ticket_type, price });
}

function seatItem(id, details) {
  const item = document.createElement("li");
  item.dataset.basketSeat = id;
  const detail = details.get(id);
  item.textContent = (seatLabel && seatLabel(id)) || (detail ? serverName(detail) : String(id));
  return item;
}

function areaItem(area) {
  const item = document.createElement("li");
  item.dataset.basketArea = area.area;
  item.textContent = format(words.area_line, {
    name: area.name, quantity: numbers.format(area.quantity),
  });
  return item;
}

let shown = null;
let stopCountdown = null;

// The basket as the selection says; `onExpired` is called when the countdown reaches zero.
export function showBasket(selection, onExpired) {
  shown = { selection, onExpired };
  const seats = selection.seats ?? [];
  const areas = selection.areas ?? [];
  const held = seats.length + areas.reduce((sum, area) => sum + area.quantity, 0);
  document.getElementById("basket").hidden = held === 0;
  // The skip link past the map leads to the basket while it is shown, else to the choices.
  document.getElementById("skip-map")?.setAttribute("href", held ? "#basket" : "#choose-title");
  document.getElementById("basket-count").textContent = numbers.format(held);
  const details = new Map((selection.seat_details ?? []).map((detail) => [detail.id, detail]));
  document.getElementById("basket-seats").replaceChildren(
    ...seats.map((id) => seatItem(id, details)), ...areas.map(areaItem),
  );
  document.getElementById("basket-total").textContent = held ? money(selection.total ?? 0) : "";
  if (stopCountdown) stopCountdown();
  stopCountdown = null;
  if (selection.expires_at && held) {
    stopCountdown = startCountdown(
      document.getElementById("countdown"), selection.expires_at, selection.now, onExpired,
    );
  }
}

// Everything back in one request. The basket empties before it is sent: the socket may tell
// the map that the seats are free before the answer arrives, and seats the map still thought
// the buyer's would read as a hold lost (expired). The answer (the empty selection) is then
// applied as any other; if there is none, the server's selection is read again.
function apply(selection) {
  document.dispatchEvent(new CustomEvent("sandali:apply-selection", { detail: selection }));
}

const releaseAll = document.getElementById("release-all");
releaseAll?.addEventListener("click", async () => {
  releaseAll.disabled = true;
  const before = shown?.selection;
  apply({ ...before, seats: [], seat_details: [], areas: [], total: "0" });
  try {
    const result = await sendSelection(config.urls.selection, "DELETE");
    if (result.ok) {
      apply(result.body);
      toast(words.released_all);
      document.getElementById("best-quantity")?.focus(); // the basket is gone: choose again
      return;
    }
    toast(result.body.detail ?? config.messages.error);
  } catch {
    toast(config.messages.error);
  } finally {
    releaseAll.disabled = false;
  }
  const again = await sendSelection(config.urls.selection, "GET").catch(() => null);
  apply(again?.ok ? again.body : before);
});
