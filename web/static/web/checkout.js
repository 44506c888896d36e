// The checkout page's countdown; at zero the page reloads and says why.
import { startCountdown } from "./countdown.js";

const element = document.getElementById("countdown");
startCountdown(element, element.dataset.expiresAt, element.dataset.serverNow, () =>
  location.reload(),
);

// Paying gives the session a new id and deletes the old one at once, so the form goes once (a
// second click would send the old cookie and find nothing), and under the seat map's lock
// (seatmap.js), kept until the answer replaces this page: meanwhile no tab of this browser
// sends a selection request with the old cookie.
const form = document.querySelector("form.checkout");
let sent = false;
form.addEventListener("submit", (event) => {
  if (sent) {
    event.preventDefault();
    return;
  }
  sent = true;
  if (!navigator.locks) return;
  event.preventDefault();
  navigator.locks.request("sandali-selection", () => {
    form.submit();
    return new Promise(() => {}); // released with this page
  });
});
// A page brought back from the back-forward cache may send the form again.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) sent = false;
});
// Until this module has run, Pay is the browser's own: tests wait for this mark.
form.dataset.ready = "true";
