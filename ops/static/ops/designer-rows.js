// The "Add a row" form: its fields as a row spec, laid out by the server (numbering and
// curves have one implementation, catalog/layout_geometry.py place_row).
import { bounds } from "./designer-edits.js";
import { post } from "./designer-server.js";

const $ = (id) => document.getElementById(id);

// A number field's value, or `fallback` when it is left empty.
export function numberOf(id, fallback) {
  const value = $(id).value.trim();
  return value === "" ? fallback : Number(value);
}

// The form's row for `section`, its middle at the form's (x, y) or, left empty, under the
// section's last row. Returns {ok: true, seats} or {ok: false, body} (the server's refusal).
export async function layOutRow(url, section) {
  const box = bounds(section.seats);
  const x = numberOf("row-x", Number.isFinite(box.minX) ? (box.minX + box.maxX) / 2 : 0);
  const y = numberOf("row-y", Number.isFinite(box.maxY) ? box.maxY + 1.5 : 0);
  const type = $("row-ticket-type").value;
  const spec = {
    section: section.name,
    label: $("row-label").value.trim(),
    seats: numberOf("row-seats", 10),
    spacing: numberOf("row-spacing", 1),
    numbering: $("row-numbering").value,
    first_number: numberOf("row-first", 1),
    ticket_type: type === "" ? null : Number(type),
    gaps: $("row-gaps").value.split(",").map((g) => g.trim()).filter(Boolean).map((g) => {
      const [after, width] = g.split(":").map(Number);
      return { after, width: width ?? 1 };
    }),
  };
  if ($("row-curved").checked) {
    const radius = numberOf("row-radius", 15);
    const angle = numberOf("row-angle", 90);
    const a = (angle * Math.PI) / 180;
    spec.arc = { centre_x: x - radius * Math.cos(a), centre_y: y - radius * Math.sin(a), radius, angle };
  }
  const result = await post(url, spec);
  if (!result.ok) return { ok: false, body: result.body };
  let seats = result.body.seats;
  if (!spec.arc && seats.length) { // a straight row: its middle where the form says
    const shift = x - (seats[0].x + seats.at(-1).x) / 2;
    seats = seats.map((seat) => ({ ...seat, x: seat.x + shift, y }));
  }
  return { ok: true, seats };
}
