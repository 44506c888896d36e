// The buyer's selection, held on the server at each choice (the hold's token stays in the
// server-side session). Requests go one at a time, in order, and across this browser's tabs
// too (a Web Lock): two quick first clicks must not each start a hold, an older reply must
// never undo a newer one, and no request may carry a session cookie that the one before has
// just replaced (a new hold gives the session a new id, and the old id is gone at once).
import { startCountdown } from "./countdown.js";

let queue = Promise.resolve();
export function oneAtATime(send) {
  const locked = navigator.locks ? () => navigator.locks.request("sandali-selection", send) : send;
  const result = queue.then(locked, locked);
  queue = result.catch(() => {});
  return result;
}

export function csrfToken() {
  return document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] ?? "";
}

// page: {config, text, store, toast, format, numbers, refusal(i), refreshMap(), changed(indices),
// labelOf(id)}
export function createSelection(page) {
  const { config, text, store } = page;
  const pending = new Set();
  let placesHeld = 0; // places of standing areas in the hold (seatmap-areas.js draws the areas)
  let stopCountdown = null;

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
    } else {
      page.toast(result.body.detail ?? text.error);
    }
  }

  function apply(selection) {
    page.changed(store.setMine(selection.seats));
    const areas = selection.areas ?? [];
    placesHeld = areas.reduce((sum, area) => sum + area.quantity, 0);
    const held = store.mine.size + placesHeld;
    showBasket(selection, held);
    document.dispatchEvent(new CustomEvent("sandali:selection", { detail: selection }));
    if (stopCountdown) stopCountdown();
    stopCountdown = null;
    if (selection.expires_at && held) {
      stopCountdown = startCountdown(
        document.getElementById("countdown"), selection.expires_at, selection.now, expired,
      );
    }
  }

  // The basket as it is today, in one function (seatmap-basket.js is to take it over).
  function showBasket(selection, held) {
    const basket = document.getElementById("basket");
    basket.hidden = held === 0;
    document.getElementById("basket-count").textContent = page.numbers.format(held);
    const list = document.getElementById("basket-seats");
    list.replaceChildren(...selection.seats.map((id) => {
      const item = document.createElement("li");
      item.textContent = page.labelOf(id);
      return item;
    }), ...(selection.areas ?? []).map((area) => {
      const item = document.createElement("li");
      item.textContent = `${area.name} × ${page.numbers.format(area.quantity)}`;
      return item;
    }));
  }

  function expired() {
    if (!store.mine.size && !placesHeld) return;
    apply({ seats: [] });
    page.toast(text.expired);
    load();
  }

  async function load() {
    apply(await oneAtATime(async () => {
      const response = await fetch(config.urls.selection, { credentials: "same-origin" });
      return response.json();
    }));
  }

  return { toggle, apply, expired, load, pending };
}
