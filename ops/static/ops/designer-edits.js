// The designer's edits as pure functions of the document: each returns a new document and
// never changes the one it was given (sections and seats are copied on write), so the undo
// history can keep every earlier document whole at the cost of a few references.
// A selection is a Map: section index -> Set of seat indexes.

export function selectedSeats(doc, selection, fn) {
  for (const [s, indexes] of selection) {
    const seats = doc.sections[s]?.seats;
    if (!seats) continue;
    for (const i of indexes) if (seats[i]) fn(seats[i], s, i);
  }
}

export function countSelected(selection) {
  let count = 0;
  for (const indexes of selection.values()) count += indexes.size;
  return count;
}

export function wholeSections(doc, selection) {
  return [...selection].filter(([s, indexes]) => indexes.size && indexes.size === doc.sections[s]?.seats.length)
    .map(([s]) => s);
}

function withSections(doc, sections) {
  return { ...doc, sections };
}

// Each selected seat replaced by change(seat); sections without a selected seat are kept.
export function mapSelected(doc, selection, change) {
  const sections = doc.sections.slice();
  for (const [s, indexes] of selection) {
    if (!indexes.size || !sections[s]) continue;
    const seats = sections[s].seats.slice();
    for (const i of indexes) if (seats[i]) seats[i] = change(seats[i]);
    sections[s] = { ...sections[s], seats };
  }
  return withSections(doc, sections);
}

export function centreOf(doc, selection) {
  let x = 0;
  let y = 0;
  let n = 0;
  selectedSeats(doc, selection, (seat) => { x += seat.x; y += seat.y; n += 1; });
  return n ? { x: x / n, y: y / n } : { x: 0, y: 0 };
}

export function bounds(seats) {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const seat of seats) {
    box.minX = Math.min(box.minX, seat.x);
    box.minY = Math.min(box.minY, seat.y);
    box.maxX = Math.max(box.maxX, seat.x);
    box.maxY = Math.max(box.maxY, seat.y);
  }
  return box;
}

// The whole hall: every seat, standing area and shape.
export function hallBounds(doc) {
  const points = doc.sections.flatMap((section) => section.seats);
  for (const section of doc.sections) for (const [x, y] of corners(section.outline)) points.push({ x, y });
  for (const { geometry: g } of doc.shapes) {
    if (g.type === "rect") points.push({ x: g.x, y: g.y }, { x: g.x + g.width, y: g.y + g.height });
    else points.push({ x: g.x - g.size * 2, y: g.y - g.size }, { x: g.x + g.size * 2, y: g.y + g.size });
  }
  return bounds(points);
}

export function move(doc, selection, dx, dy) {
  const moved = mapSelected(doc, selection, (seat) => ({ ...seat, x: seat.x + dx, y: seat.y + dy }));
  for (const s of wholeSections(doc, selection)) {
    const section = moved.sections[s];
    moved.sections[s] = { ...section, offset_x: section.offset_x + dx, offset_y: section.offset_y + dy };
  }
  return moved;
}

// Turned clockwise on the screen (y grows downwards) by `degrees` about the selection's
// centre, as catalog/layout_geometry.py rotate() turns seats.
export function rotate(doc, selection, degrees) {
  const about = centreOf(doc, selection);
  const turn = (point) => {
    const cos = Math.cos((degrees * Math.PI) / 180);
    const sin = Math.sin((degrees * Math.PI) / 180);
    const dx = point.x - about.x;
    const dy = point.y - about.y;
    return { x: about.x + dx * cos - dy * sin, y: about.y + dx * sin + dy * cos };
  };
  const turned = mapSelected(doc, selection, (seat) => ({ ...seat, ...turn(seat) }));
  for (const s of wholeSections(doc, selection)) {
    const section = turned.sections[s];
    const offset = turn({ x: section.offset_x, y: section.offset_y });
    turned.sections[s] = { ...section, offset_x: offset.x, offset_y: offset.y, rotation: section.rotation + degrees };
  }
  return turned;
}

export function remove(doc, selection) {
  const sections = doc.sections.map((section, s) => {
    const gone = selection.get(s);
    return gone?.size ? { ...section, seats: section.seats.filter((_, i) => !gone.has(i)) } : section;
  });
  return withSections(doc, sections);
}

// The label after `label` that `used` does not hold: 7 -> 8, A -> B, Z -> AA.
export function nextLabel(label, used) {
  let next = label || "A";
  do {
    if (/^\d+$/.test(next)) {
      next = String(Number(next) + 1);
    } else {
      const letters = next.toUpperCase().split("");
      let k = letters.length - 1;
      while (k >= 0 && letters[k] === "Z") letters[k--] = "A";
      if (k < 0) letters.unshift("A");
      else letters[k] = String.fromCharCode(letters[k].charCodeAt(0) + 1);
      next = letters.join("");
    }
  } while (used.has(next));
  return next;
}

// Whole sections are copied as new sections beside them; other selected seats are copied
// within their section below its last row, each row under the next free label. Returns the
// new document and the copy's selection.
export function duplicate(doc, selection, copyName) {
  const sections = doc.sections.slice();
  const copied = new Map();
  const whole = new Set(wholeSections(doc, selection));
  for (const s of whole) {
    const section = doc.sections[s];
    const box = bounds(section.seats);
    const dx = box.maxX - box.minX + 3;
    sections.push({
      ...section,
      name: copyName(section.name, new Set(sections.map((x) => x.name))),
      offset_x: section.offset_x + dx,
      seats: section.seats.map((seat) => ({ ...seat, x: seat.x + dx })),
    });
    copied.set(sections.length - 1, new Set(section.seats.map((_, i) => i)));
  }
  for (const [s, indexes] of selection) {
    if (whole.has(s) || !indexes.size) continue;
    const section = sections[s];
    const chosen = [...indexes].map((i) => section.seats[i]);
    // Under the section's lowest seat, where a copied row does not meet another.
    const dy = bounds(section.seats).maxY - bounds(chosen).minY + 1.5;
    const used = new Set(section.seats.map((seat) => seat.row));
    const renamed = new Map();
    for (const seat of chosen) {
      if (!renamed.has(seat.row)) {
        const label = nextLabel(seat.row, used);
        used.add(label);
        renamed.set(seat.row, label);
      }
    }
    const copies = chosen.map((seat) => ({ ...seat, row: renamed.get(seat.row), y: seat.y + dy }));
    sections[s] = { ...section, seats: [...section.seats, ...copies] };
    copied.set(s, new Set(copies.map((_, k) => section.seats.length + k)));
  }
  return { doc: withSections(doc, sections), selection: copied };
}

export function addSection(doc, name) {
  const section = { name, prices: {}, offset_x: 0, offset_y: 0, rotation: 0, seats: [] };
  return withSections(doc, [...doc.sections, section]);
}

export function removeSection(doc, s) {
  return withSections(doc, doc.sections.filter((_, k) => k !== s));
}

export function updateSection(doc, s, fields) {
  const sections = doc.sections.slice();
  sections[s] = { ...sections[s], ...fields };
  return withSections(doc, sections);
}

export function setPrice(doc, s, ticketType, value) {
  const prices = { ...doc.sections[s].prices };
  if (value === "") delete prices[ticketType];
  else prices[ticketType] = value;
  return updateSection(doc, s, { prices });
}

export function addSeats(doc, s, seats) {
  const first = doc.sections[s].seats.length;
  const next = updateSection(doc, s, { seats: [...doc.sections[s].seats, ...seats] });
  return { doc: next, selection: new Map([[s, new Set(seats.map((_, k) => first + k))]]) };
}

// A flag is set on every selected seat, or taken from all of them when all have it.
export function toggleFlag(doc, selection, flag) {
  let all = true;
  selectedSeats(doc, selection, (seat) => { all &&= seat.flags.includes(flag); });
  return mapSelected(doc, selection, (seat) => ({
    ...seat,
    flags: all ? seat.flags.filter((f) => f !== flag) : [...new Set([...seat.flags, flag])].sort(),
  }));
}

export function setShapes(doc, shapes) {
  return { ...doc, shapes };
}

export function moveShape(doc, index, dx, dy) {
  const shapes = doc.shapes.slice();
  const g = shapes[index].geometry;
  shapes[index] = { ...shapes[index], geometry: { ...g, x: g.x + dx, y: g.y + dy } };
  return setShapes(doc, shapes);
}

// ---- standing areas: sections of kind "standing", with a capacity and an outline ----------
// (the other edits copy sections with all their fields, so an area's are never lost.)

export function isArea(section) {
  return section?.kind === "standing";
}

// The outline's corners, [[x, y], ...]: a rectangle's four or a polygon's points.
export function corners(outline) {
  if (outline?.type === "rect") {
    const { x, y, width: w, height: h } = outline;
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
  }
  return outline?.type === "polygon" ? outline.points : [];
}

// The middle of the outline's corners: where the area's name is written.
export function outlineCentre(outline) {
  const points = corners(outline);
  const mean = (k) => points.reduce((sum, p) => sum + p[k], 0) / points.length;
  return points.length ? { x: mean(0), y: mean(1) } : null;
}

// A rectangle `width` by `height` centred on `centre`, of `capacity` places of one ticket
// type at `price`; the server refuses an area with seats, no places or not one price.
export function addArea(doc, { name, capacity, ticketType, price, centre, width = 10, height = 6 }) {
  const area = {
    name,
    kind: "standing",
    capacity,
    prices: ticketType ? { [ticketType]: price } : {},
    offset_x: 0,
    offset_y: 0,
    rotation: 0,
    seats: [],
    outline: { type: "rect", x: centre.x - width / 2, y: centre.y - height / 2, width, height },
  };
  return withSections(doc, [...doc.sections, area]);
}

// Moving an area moves its outline, where its places are drawn and sit.
export function moveArea(doc, s, dx, dy) {
  const section = doc.sections[s];
  const o = section.outline;
  const outline = o.type === "rect" ? { ...o, x: o.x + dx, y: o.y + dy }
    : { ...o, points: o.points.map(([x, y]) => [x + dx, y + dy]) };
  return updateSection(doc, s, {
    outline, offset_x: section.offset_x + dx, offset_y: section.offset_y + dy,
  });
}
