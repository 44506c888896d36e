// The seat map as it comes from the server, read into columns: one typed array (or plain
// array, for strings) per field, index i being the i-th seat. Columns cost a fraction of the
// memory of 20,000 objects and are what the renderer and the hit index walk.
//
// readSeatMap(body) -> {n, id, section, row, number, x, y, ticketType, status, version, flags,
// areas}. This version reads the API's row format ({columns: [...], seats: [[...], ...]}).

export function readSeatMap(body) {
  const at = Object.fromEntries(body.columns.map((name, i) => [name, i]));
  const rows = body.seats;
  const n = rows.length;
  const map = {
    n,
    id: new Int32Array(n),
    section: new Int32Array(n),
    row: new Array(n),
    number: new Int32Array(n),
    x: new Float32Array(n),
    y: new Float32Array(n),
    ticketType: new Int32Array(n),
    status: new Array(n),
    version: new Int32Array(n),
    flags: new Uint8Array(n),
    areas: body.areas ?? [],
  };
  const flagsAt = at.flags;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    map.id[i] = r[at.id];
    map.section[i] = r[at.section_id];
    map.row[i] = r[at.row];
    map.number[i] = r[at.number];
    map.x[i] = r[at.x];
    map.y[i] = r[at.y];
    map.ticketType[i] = r[at.ticket_type_id];
    map.status[i] = r[at.status];
    map.version[i] = r[at.version];
    map.flags[i] = flagsAt === undefined ? 0 : r[flagsAt];
  }
  return map;
}
