// What the map says about seats and sections, in the page's language: a seat's full label
// (for screen readers and the basket), its details (tooltip and sheet), why it cannot be had,
// and each section's name, price range and seats left for the overview.
import { accessLabel } from "./seatmap-access.js";
import { format, money } from "./seatmap-requests.js";

export class SeatWords {
  constructor(config, store, numbers) {
    Object.assign(this, { config, text: config.messages, store, numbers });
    this.sectionNames = new Map(config.prices.map((p) => [p.section, p.sectionName]));
    this.prices = new Map(config.prices.map((p) => [`${p.section}-${p.ticketType}`, p]));
  }

  money(value) {
    return money(value, this.config.currency);
  }

  priceOf(i) {
    return this.prices.get(`${this.store.section[i]}-${this.store.ticketType[i]}`);
  }

  labelAt(i) {
    const { store, text, numbers } = this;
    const price = this.priceOf(i);
    return format(text.seat_label, {
      section: this.sectionNames.get(store.section[i]) ?? "", row: store.row[i],
      number: numbers.format(store.number[i]), ticket_type: price?.ticketTypeName ?? "",
      price: price ? this.money(price.price) : "", status: text.status[store.statusAt(i)],
    }) + accessLabel(store.flags[i], this.config.access);
  }

  // Why a seat that is not free cannot be had: none of its kind (section x ticket type) is
  // left, or just this one is taken.
  refusal(i) {
    const { store, text } = this;
    const left = store.countAvailable().get(`${store.section[i]}-${store.ticketType[i]}`) ?? 0;
    if (left > 0) return text.taken;
    const price = this.priceOf(i);
    return format(text.sold_out, {
      ticket_type: price?.ticketTypeName, section: this.sectionNames.get(store.section[i]),
    });
  }

  describe(i) {
    const { store, text, numbers, config } = this;
    const price = this.priceOf(i);
    const status = store.statusAt(i);
    const words = text.details;
    const separator = config.access.separator;
    const marks = accessLabel(store.flags[i], config.access).split(separator).filter(Boolean);
    const found = {
      title: format(words.title, {
        section: this.sectionNames.get(store.section[i]) ?? "", row: store.row[i],
        number: numbers.format(store.number[i]),
      }),
      rows: [[words.ticket_type, price?.ticketTypeName], [words.price, price ? this.money(price.price) : ""],
        [words.marks, marks.join(separator)], [words.status, text.status[status]]],
    };
    if (status === "mine") found.action = words.give_back;
    else if (status === "available") found.action = words.choose;
    else found.reason = this.refusal(i);
    return found;
  }

  // The overview's words for a section: name, price range, seats left.
  sections() {
    const priced = new Map();
    for (const p of this.config.prices) {
      const list = priced.get(p.section) ?? [];
      list.push(Number(p.price));
      priced.set(p.section, list);
    }
    const details = this.text.details;
    return {
      name: (id) => this.sectionNames.get(id) ?? "",
      prices: (id) => {
        const list = priced.get(id) ?? [];
        if (!list.length) return "";
        const low = Math.min(...list), high = Math.max(...list);
        return low === high ? this.money(low)
          : format(details.price_range, { low: this.money(low), high: this.money(high) });
      },
      left: (count) => format(details.seats_left, { count: this.numbers.format(count) }),
    };
  }
}
