// The seats of one performance as columns (seatmap-wire.js), found by id, with the changes
// pushed by the server applied: per seat the highest version seen wins, and apply() reports
// only the seats whose status really changed, so that the renderer repaints those alone (the
// socket's snapshot on every connect repeats each seat as it is).

export class SeatStore {
  constructor(map) {
    Object.assign(this, map);
    this.byId = new Map();
    for (let i = 0; i < this.n; i++) this.byId.set(this.id[i], i);
    this.mine = new Set(); // ids held by this buyer
  }

  indexOf(id) {
    return this.byId.get(id) ?? -1;
  }

  statusAt(i) {
    return this.mine.has(this.id[i]) ? "mine" : this.status[i];
  }

  // [[id, status, version], ...] -> indices whose status changed. An older version is late
  // news and never undoes a newer state; the same version is taken only when its status
  // differs, as for a hold that has expired but is not yet swept (the map reads it as
  // available at the version it had while reserved).
  apply(changes) {
    const changed = [];
    for (const [id, status, version] of changes) {
      const i = this.byId.get(id);
      if (i === undefined || version < this.version[i]) continue;
      this.version[i] = version;
      if (this.status[i] === status) continue;
      this.status[i] = status;
      changed.push(i);
    }
    return changed;
  }

  // The buyer's hold as the server answered it: ids now held. A seat newly held that the map
  // still shows free is marked reserved one version on, as the hold made it.
  setMine(ids) {
    const touched = new Set(this.mine);
    this.mine = new Set(ids);
    for (const id of this.mine) {
      touched.add(id);
      const i = this.byId.get(id);
      if (i !== undefined && this.status[i] === "available") {
        this.status[i] = "reserved";
        this.version[i] += 1;
      }
    }
    return [...touched].map((id) => this.byId.get(id)).filter((i) => i !== undefined);
  }

  // Seats left per "section-ticketType", as the legend's "Left" column counts them.
  countAvailable() {
    const left = new Map();
    for (let i = 0; i < this.n; i++) {
      if (this.status[i] !== "available") continue;
      const key = `${this.section[i]}-${this.ticketType[i]}`;
      left.set(key, (left.get(key) ?? 0) + 1);
    }
    return left;
  }
}
