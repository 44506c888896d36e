// A seat's details before anything is held: a tooltip while the mouse rests on a seat or the
// keyboard's focus is on it, and on a touch screen a sheet from the bottom with the same
// details and one button (choose it, give it back, or why it cannot be had). Looking holds
// nothing; the sheet's button holds at once, as a click on the seat does.

function detailList(details) {
  const list = document.createElement("dl");
  for (const [term, value] of details.rows) {
    if (!value) continue;
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }
  return list;
}

export class SeatDetails {
  // describe(i) -> {title, rows: [[term, value]], action: {label, enabled} | reason}
  constructor(tip, sheet, describe, choose) {
    Object.assign(this, { tip, sheet, describe, choose });
    this.tipped = -1;
    this.sheeted = -1;
    this.button = sheet.querySelector("[data-choose]");
    this.button.addEventListener("click", () => {
      if (this.sheeted >= 0) this.choose(this.sheeted);
    });
    sheet.querySelector("[data-close]").addEventListener("click", () => this.closeSheet());
    sheet.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.closeSheet();
    });
  }

  // The tooltip beside the seat at (sx, sy) in the map's CSS pixels, kept inside the map.
  showTip(i, sx, sy, radius) {
    if (i < 0) return this.hideTip();
    const details = this.describe(i);
    this.tipped = i;
    const title = document.createElement("strong");
    title.textContent = details.title;
    this.tip.replaceChildren(title, detailList(details));
    this.tip.hidden = false;
    const map = this.tip.parentElement;
    const width = this.tip.offsetWidth, height = this.tip.offsetHeight;
    const left = Math.min(Math.max(4, sx - width / 2), map.clientWidth - width - 4);
    const below = sy - radius - height - 8 < 0;
    const top = below ? sy + radius + 8 : sy - radius - height - 8;
    this.tip.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }

  hideTip() {
    this.tipped = -1;
    this.tip.hidden = true;
  }

  openSheet(i) {
    this.sheeted = i;
    this.hideTip();
    this.fillSheet();
    this.sheet.hidden = false;
    this.button.focus({ preventScroll: true });
  }

  fillSheet() {
    const details = this.describe(this.sheeted);
    this.sheet.querySelector("[data-title]").textContent = details.title;
    this.sheet.querySelector("dl").replaceWith(detailList(details));
    const reason = this.sheet.querySelector("[data-reason]");
    reason.textContent = details.reason ?? "";
    reason.hidden = !details.reason;
    this.button.hidden = !details.action;
    if (details.action) this.button.textContent = details.action;
  }

  closeSheet() {
    if (this.sheet.hidden) return;
    this.sheet.hidden = true;
    this.sheeted = -1;
    document.getElementById("seat-map").focus({ preventScroll: true });
  }

  // A seat shown in the tip or the sheet has changed (taken, held, given back).
  changed(indices) {
    if (this.sheeted >= 0 && indices.includes(this.sheeted)) this.fillSheet();
    if (this.tipped >= 0 && indices.includes(this.tipped)) this.hideTip();
  }
}
