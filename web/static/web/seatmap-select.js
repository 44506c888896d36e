// The buyer's selection, held on the server at each choice (the hold's token stays in the
// server-side session). Requests go one at a time under the page's one queue and Web Lock
// (seatmap-requests.js says why); the basket, its total and countdown are seatmap-basket.js's.
import { showBasket } from "./seatmap-basket.js";
import { backToQueueIfRequired, csrfToken, oneAtATime } from "./seatmap-requests.js";

// page: {config, text, store, toast, format, numbers, refusal(i), refreshMap(), changed(indices),
// labelOf(id)}
export function createSelection(page) {
  const { config, text, store } = page;
  const pending = new Set();
  let placesHeld = 0; // places of standing areas in the hold (seatmap-areas.js draws the areas)
  let heldUntil = null; // the hold's expires_at as the server last said it

  const request = (method, seatId) => oneAtATime(async () => {
    const response = await fetch(`${config.urls.selection}/seats/${seatId}`, {
      method, headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin",
    });
    return { ok: response.ok, body: await response.json() };
  });

  async function toggle(i) {
    const id = store.id[i];
    if (pending.has(id)) return;
    if (store.mine.has(id)) {
      pending.add(id);
      const result = await request("DELETE", id);
      pending.delete(id);
      if (result.ok) apply(result.body);
      else if (result.body.code === "hold_expired") expired();
      else page.toast(result.body.detail ?? text.error);
      return;
    }
    if (store.status[i] !== "available") {
      page.toast(page.refusal(i));
      return;
    }
    if (store.mine.size + pending.size + placesHeld >= config.maxSeats) {
      page.toast(page.format(text.too_many, { limit: page.numbers.format(config.maxSeats) }));
      return;
    }
    pending.add(id);
    const result = await request("POST", id);
    pending.delete(id);
    if (result.ok) {
      apply(result.body);
    } else if (result.body.code === "seats_unavailable") {
      // Taken, or being taken by a hold that may yet roll back: ask the map, don't guess; then
      // say whether any seat of its kind is left.
      await page.refreshMap().catch(() => {});
      page.toast(page.refusal(i));
    } else if (!backToQueueIfRequired(result.body)) {
      page.toast(result.body.detail ?? text.error);
    }
  }

  function apply(selection) {
    heldUntil = selection.expires_at ?? null;
    page.changed(store.setMine(selection.seats));
    const areas = selection.areas ?? [];
    placesHeld = areas.reduce((sum, area) => sum + area.quantity, 0);
    showBasket(selection, expired);
    document.dispatchEvent(new CustomEvent("sandali:selection", { detail: selection }));
  }

  function expired() {
    if (!store.mine.size && !placesHeld) return;
    apply({ seats: [] });
    page.toast(text.expired);
    load();
  }

  const read = () => oneAtATime(async () => {
    const response = await fetch(config.urls.selection, { credentials: "same-origin" });
    return response.json();
  });

  async function load() {
    apply(await read());
  }

  // Seats of the hold were seen to go (seatmap.js applyChanges): the server's selection is
  // the truth. It is "expired" only if the hold's time had run out by the server's clock; a
  // release in another tab of this browser is no expiry.
  async function reconcile() {
    const had = store.mine.size + placesHeld > 0;
    const until = heldUntil;
    const selection = await read();
    const ranOut = selection.expired || (until !== null && Date.parse(selection.now) >= Date.parse(until));
    apply(selection);
    if (had && ranOut) page.toast(text.expired);
  }

  return { toggle, apply, expired, load, reconcile, pending };
}
