// The checkout page's countdown; at zero the page reloads and says why.
import { startCountdown } from "./countdown.js";

const element = document.getElementById("countdown");
startCountdown(element, element.dataset.expiresAt, element.dataset.serverNow, () =>
  location.reload(),
);
