// What every part of the buyer's page shares to talk to the server about the selection: one
// queue of requests, toasts, and the message templates' placeholders.

// Selection requests go to the server one at a time, in order, and across this browser's
// tabs too (a Web Lock): two quick first choices must not each start a hold, an older reply
// must never undo a newer one, and no request may carry a session cookie that the one before
// has just replaced (a new hold gives the session a new id, and the old id is gone at once).
// Seats (seatmap.js), standing places (seatmap-areas.js), best available and "release all"
// (seatmap-panel.js, seatmap-basket.js) all go through this one queue and lock.
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

// A JSON request about the selection, under the queue: {ok, body}.
export function sendSelection(url, method, body) {
  return oneAtATime(async () => {
    const headers = { "X-CSRFToken": csrfToken() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = { ok: response.ok, body: await response.json() };
    backToQueueIfRequired(answer.body);
    return answer;
  });
}

// A performance behind a waiting room refuses a hold once the buyer's pass is gone (expired or
// used up): the buyer is sent back through the queue rather than shown a refusal.
export function backToQueueIfRequired(body) {
  if (body?.code !== "waiting_room_required") return false;
  window.location.assign(body.queue_page);
  return true;
}

// An amount as the server writes it (core/localformat.py money): two decimals, none for a
// whole amount ("12.50 EUR", "45 EUR"), in the page's digits. The map, the panel and the
// basket all write prices with this one.
const locale = (document.documentElement.lang || "en") === "fa" ? "fa-IR" : "en";
const wholeDigits = new Intl.NumberFormat(locale);
const centDigits = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export function money(value, currency) {
  const amount = Number(value);
  const digits = Number.isInteger(amount) ? wholeDigits : centDigits;
  return `${digits.format(amount)} ${currency}`;
}

export function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
}

export function toast(message) {
  const item = document.createElement("p");
  item.className = "toast";
  item.textContent = message;
  document.getElementById("toasts").append(item);
  setTimeout(() => item.remove(), 5000);
}
