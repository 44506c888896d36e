"""Reading a tickets PDF as a person, a search box and a door scanner do: its pages' text,
the QR code each page draws, the fonts it embeds and the glyphs drawn for each letter.

How Persian comes out of the PDF, and why it is read as it is here. WeasyPrint places a
line's glyphs in visual order (left to right, as seen: the letters of a Persian word reversed,
a number's digits as written, since the Unicode bidi algorithm lays numbers out left to right
even among right-to-left words), and its ToUnicode map gives each glyph the letters it was
shaped from (a letter's initial, medial or final form maps back to the letter, never to a
presentation form; the lam-alef ligature to "لا"). A reader has to put the logical order back.
pypdf does it by reversing each run of right-to-left characters, and counts Persian digits
(U+06F0-U+06F9) as neutral, taking the direction of the run they stand in
(pypdf._utils.NEUTRAL_CHARACTER_RANGES): a number among Persian words is reversed with them, so
"۱۴۰۵" comes out "۵۰۴۱", while a number after Latin text on its line ("EUR ۲۰") is left as it
is. poppler's pdftotext applies the bidi algorithm and reads such numbers right.
`pypdf_numbers_righted` reverses each number back: for lines whose numbers stand among Persian
words, such as the Jalali date.
"""

import io
import re

import zxingcpp
from PIL import Image
from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream

# A number as pypdf reverses it: Persian digits with the separators inside it (12:30, 1٬250).
_PERSIAN_NUMBER = re.compile(r"[۰-۹]+(?:[:٬.][۰-۹]+)*")
_TO_UNICODE_ENTRY = re.compile(r"<([0-9a-fA-F]{4})> <([0-9a-fA-F]+)>")


def pdf_pages(pdf: bytes) -> list[PageObject]:
    return list(PdfReader(io.BytesIO(pdf)).pages)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pdf_pages(pdf)]


def pypdf_numbers_righted(text: str) -> str:
    """pypdf's text of a Persian line with each number back in its written order (see the
    module's docstring: only for numbers that stand among Persian words)."""
    return _PERSIAN_NUMBER.sub(lambda number: number[0][::-1], text)


def drawn_image(page: PageObject) -> Image.Image:
    """The one image this page draws. WeasyPrint gives every page the same resources, which
    list the images of all pages, so `page.images` alone does not say which is this page's."""
    operations = ContentStream(page.get_contents(), page.pdf).operations
    (name,) = [operands[0] for operands, operator in operations if operator == b"Do"]
    return page.images[name].image


def scanned_codes(page: PageObject) -> list[str]:
    """What a scanner reads from the page's image."""
    return [barcode.text for barcode in zxingcpp.read_barcodes(drawn_image(page))]


def embedded_fonts(pdf: bytes) -> set[str]:
    """The fonts the PDF embeds, without the subset's prefix ("ABCDEF+Vazirmatn-Bold")."""
    return {str(font["/BaseFont"]).split("+")[-1] for font in _fonts(pdf)}


def glyphs_drawn(pdf: bytes, *, font: str) -> dict[str, set[int]]:
    """For each text the font draws (a letter, or a ligature's letters), the ids of the glyphs
    drawn for it, read from the font's ToUnicode map. WeasyPrint keeps the font's own glyph ids
    in its subsets (HarfBuzz's RETAIN_GIDS), so they can be compared with the font file's."""
    (found,) = [f for f in _fonts(pdf) if str(f["/BaseFont"]).split("+")[-1] == font]
    cmap = found["/ToUnicode"].get_object().get_data().decode("ascii")
    drawn: dict[str, set[int]] = {}
    for glyph, utf16 in _TO_UNICODE_ENTRY.findall(cmap):
        drawn.setdefault(bytes.fromhex(utf16).decode("utf-16-be"), set()).add(int(glyph, 16))
    return drawn


def _fonts(pdf: bytes) -> list:
    fonts = {}
    for page in pdf_pages(pdf):
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            fonts[str(font["/BaseFont"])] = font
    return list(fonts.values())


def text_runs_with_x(page: PageObject) -> list[tuple[str, float]]:
    """The page's runs of text with the x of their left edge, in points from the page's left
    edge (the text matrix's origin through the current transformation matrix)."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text.strip(), tm[4] * cm[0] + tm[5] * cm[2] + cm[4]))

    page.extract_text(visitor_text=visit)
    return runs
