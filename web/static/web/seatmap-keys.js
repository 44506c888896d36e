// The map from the keyboard: one Tab stop; the arrow keys move to the nearest seat on screen
// in that direction (the same screen direction in a right-to-left page: the hall is not
// mirrored), Page Up / Page Down (or Ctrl + an arrow) to the previous / next section, Home /
// End to the ends of the row, Enter or Space chooses. Seats the page's filters dim are passed
// over; the map follows the focus (seatmap.js moves the camera).
import { rowOf } from "./seatmap-hit.js";

const DIRECTIONS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

// map: {index, store, eligible(i), current(), start(), moveTo(i), choose(i), escape()}
export function attachKeys(element, map) {
  const sections = [...map.index.sections.values()].sort((a, b) => a.id - b.id);

  const firstIn = (section) => section.seats.find(
    (i) => map.eligible(i) && map.store.status[i] === "available",
  ) ?? section.seats.find(map.eligible);

  const nextSection = (step) => {
    const from = map.current();
    const at = from < 0 ? -1 : sections.findIndex((s) => s.id === map.store.section[from]);
    for (let k = 1; k <= sections.length; k++) {
      const section = sections[(((at + step * k) % sections.length) + sections.length) % sections.length];
      const seat = firstIn(section);
      if (seat !== undefined) return seat;
    }
    return -1;
  };

  const rowEnd = (last) => {
    const from = map.current();
    if (from < 0) return -1;
    const seats = rowOf(map.index, from).seats.filter(map.eligible);
    return (last ? seats.at(-1) : seats[0]) ?? -1;
  };

  element.addEventListener("keydown", (event) => {
    if (event.target !== element || event.altKey || event.metaKey) return;
    let to = null;
    const ctrl = event.ctrlKey;
    if (event.key === "PageDown" || (ctrl && event.key === "ArrowDown")) to = nextSection(1);
    else if (event.key === "PageUp" || (ctrl && event.key === "ArrowUp")) to = nextSection(-1);
    else if (DIRECTIONS[event.key] && !ctrl) {
      const from = map.current();
      to = from < 0 ? map.start() : map.index.neighbour(from, DIRECTIONS[event.key], map.eligible);
    } else if (event.key === "Home" || event.key === "End") to = rowEnd(event.key === "End");
    else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (map.current() < 0) map.moveTo(map.start());
      else map.choose(map.current());
      return;
    } else if (event.key === "Escape") {
      map.escape();
      return;
    } else return;
    event.preventDefault(); // the page does not scroll while the arrows move on the map
    if (to >= 0) map.moveTo(to);
  });
}
