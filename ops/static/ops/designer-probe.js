// What the browser tests (and a curious organizer at the console) ask the designer: where a
// seat or a standing area is drawn, in the page's CSS pixels, and the document as it is now.
import { outlineCentre } from "./designer-edits.js";

export function probe(canvas, view, currentDoc) {
  const onPage = (x, y) => {
    const box = canvas.getBoundingClientRect();
    const at = view.toScreen(x, y);
    return { x: box.left + at.x, y: box.top + at.y };
  };
  const section = (name) => currentDoc().sections.find((s) => s.name === name);
  return {
    seatOnScreen(sectionName, row, number) {
      const seat = section(sectionName)?.seats.find((x) => x.row === row && x.number === number);
      return seat ? onPage(seat.x, seat.y) : null;
    },
    // The middle of a standing area's outline.
    areaOnScreen(sectionName) {
      const centre = outlineCentre(section(sectionName)?.outline);
      return centre ? onPage(centre.x, centre.y) : null;
    },
    document: currentDoc,
  };
}
