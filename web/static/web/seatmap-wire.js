// The seat map as it comes over the wire, read into columns (typed arrays) for the map.
// The page fetches GET /api/v1/performances/{id}/seats?format=columns: every column packed so
// that the map's regularity becomes repetition (catalog/seat_map_columns.py writes it and says
// how), gzipped by the server. The API's default rows ({columns, seats}) are read as well.
//
// readSeatMap(body) -> {n, id, section, row, number, x, y, ticketType, status, version, flags,
//                       areas}: id, section, number, ticketType, version are Int32Array, x and y
// Float32Array, flags Uint8Array, row and status arrays of strings; areas as in the body.

const STATUS_OF_LETTER = { a: "available", r: "reserved", s: "sold", b: "blocked" };

// [value, count, value, count, ...] -> the values, each repeated count times.
function unrun(runs, n, Type = Int32Array) {
  const out = new Type(n);
  let at = 0;
  for (let i = 0; i < runs.length; i += 2) {
    out.fill(runs[i], at, at + runs[i + 1]);
    at += runs[i + 1];
  }
  if (at !== n) throw new Error(`seat map: a column of ${at} values for ${n} seats`);
  return out;
}

// Differences from the value before (the first from 0) -> the values, in place.
function sum(values) {
  for (let i = 1; i < values.length; i += 1) values[i] += values[i - 1];
  return values;
}

// Second differences in 1/scale units -> the coordinates. Summed in float64: the integers
// stay exact however long the map; only the last division rounds, as Float32Array stores it.
function coordinates(secondDifferences, n, scale) {
  if (secondDifferences.length !== n) throw new Error("seat map: x or y of the wrong length");
  const out = new Float32Array(n);
  let step = 0;
  let value = 0;
  for (let i = 0; i < n; i += 1) {
    step += secondDifferences[i];
    value += step;
    out[i] = value / scale;
  }
  return out;
}

function readColumns(body) {
  const n = body.n;
  const rowIndex = unrun(body.row, n);
  const row = new Array(n);
  for (let i = 0; i < n; i += 1) row[i] = body.rows[rowIndex[i]];
  if (body.status.length !== n) throw new Error("seat map: status of the wrong length");
  const status = new Array(n);
  for (let i = 0; i < n; i += 1) status[i] = STATUS_OF_LETTER[body.status[i]];
  const flags = new Uint8Array(n);
  for (let i = 0, at = 0; i < body.flags.length; i += 2) {
    at += body.flags[i];
    flags[at] = body.flags[i + 1];
  }
  return {
    n,
    id: sum(unrun(body.id, n)),
    section: unrun(body.section_id, n),
    row,
    number: sum(unrun(body.number, n)),
    x: coordinates(body.x, n, body.scale),
    y: coordinates(body.y, n, body.scale),
    ticketType: unrun(body.ticket_type_id, n),
    status,
    version: unrun(body.version, n),
    flags,
    areas: body.areas ?? [],
  };
}

// The API's default representation: {columns: [names], seats: [[...], ...], areas}.
function readRows(body) {
  const at = Object.fromEntries(body.columns.map((name, i) => [name, i]));
  const rows = body.seats;
  const n = rows.length;
  const map = {
    n, id: new Int32Array(n), section: new Int32Array(n), row: new Array(n),
    number: new Int32Array(n), x: new Float32Array(n), y: new Float32Array(n),
    ticketType: new Int32Array(n), status: new Array(n), version: new Int32Array(n),
    flags: new Uint8Array(n), areas: body.areas ?? [],
  };
  rows.forEach((seat, i) => {
    map.id[i] = seat[at.id];
    map.section[i] = seat[at.section_id];
    map.row[i] = seat[at.row];
    map.number[i] = seat[at.number];
    map.x[i] = seat[at.x];
    map.y[i] = seat[at.y];
    map.ticketType[i] = seat[at.ticket_type_id];
    map.status[i] = seat[at.status];
    map.version[i] = seat[at.version];
    map.flags[i] = seat[at.flags] ?? 0;
  });
  return map;
}

export function readSeatMap(body) {
  if (body.format === "columns-1") return readColumns(body);
  if (Array.isArray(body.columns) && Array.isArray(body.seats)) return readRows(body);
  throw new Error(`seat map: unknown format ${body.format}`);
}
