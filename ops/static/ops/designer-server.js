// What the designer sends to the server and how it reads the answers: JSON posts with the
// CSRF token, the document as it is saved, and the seats a refusal names.

function csrfToken() {
  return document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] ?? "";
}

export async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    credentials: "same-origin",
    body: JSON.stringify(body),
  });
  let answer;
  try {
    answer = await response.json();
  } catch {
    answer = {}; // not JSON (a proxy's page): the caller says something went wrong
  }
  return { ok: response.ok, body: answer };
}

// The document without its read-only ticket types, and without flags and blocked where they
// are the default: a hall's document is large.
export function savedDocument(doc) {
  const { ticket_types: _, ...whole } = doc;
  return {
    ...whole,
    sections: doc.sections.map((section) => ({
      ...section,
      seats: section.seats.map(({ flags, blocked, ...seat }) => ({
        ...seat, ...(flags.length ? { flags } : {}), ...(blocked ? { blocked } : {}),
      })),
    })),
  };
}

// The seats ("section:seat" keys) a refusal names: by section, row and number, with the seat
// an overlapping one meets, or by the document's indexes for a malformed part.
export function refusedSeats(doc, body) {
  const where = new Map();
  doc.sections.forEach((section, s) => section.seats.forEach((seat, i) => {
    where.set(`${section.name}\u0000${seat.row}\u0000${seat.number}`, `${s}:${i}`);
  }));
  const keys = new Set();
  const mark = (section, row, number) => {
    const key = where.get(`${section}\u0000${row}\u0000${number}`);
    if (key) keys.add(key);
  };
  for (const problem of body.problems ?? []) {
    mark(problem.section, problem.row, problem.number);
    if (problem.other) mark(...problem.other);
  }
  if (body.section_index != null && body.seat_index != null) keys.add(`${body.section_index}:${body.seat_index}`);
  return keys;
}
