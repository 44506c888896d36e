// A countdown to a hold's expiry, by the server's clock: the offset between the server's
// "now" and this device's clock is measured once, so a wrong device clock does not matter.
const lang = document.documentElement.lang || "en";
const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en", { minimumIntegerDigits: 2 });

export function serverOffset(serverNow) {
  return Date.parse(serverNow) - Date.now();
}

export function formatLeft(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${numbers.format(Math.floor(seconds / 60))}:${numbers.format(seconds % 60)}`;
}

export function startCountdown(element, expiresAt, serverNow, onZero) {
  const offset = serverOffset(serverNow);
  const end = Date.parse(expiresAt);
  let timer = null;
  const tick = () => {
    const left = end - (Date.now() + offset);
    element.textContent = formatLeft(left);
    if (left <= 0) {
      clearInterval(timer);
      onZero();
    }
  };
  timer = setInterval(tick, 250);
  tick();
  return () => clearInterval(timer);
}
