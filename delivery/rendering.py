"""HTML to PDF with WeasyPrint, fetching nothing but the files it is given and data: URIs.

WeasyPrint loads Pango (a system library: Debian's libpango-1.0-0 and libpangoft2-1.0-0, in
scripts/system-packages) when it is imported. Only this module imports it, and
delivery/documents.py imports this module only when a PDF is asked for, so a machine without
Pango serves everything but the PDFs.
"""

from collections.abc import Iterable

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class ListedFilesOnly(URLFetcher):
    """Fetches the listed URLs and data: URIs, and refuses every other: whatever an event's
    text holds, rendering it never makes the server read a file or fetch from the network."""

    def __init__(self, urls: Iterable[str], **options) -> None:
        super().__init__(**options)
        self.urls = frozenset(urls)

    def fetch(self, url, headers=None):
        if url.startswith("data:") or url in self.urls:
            return super().fetch(url, headers)
        raise ValueError(f"not a file this document may load: {url}")


def pdf_of_html(html: str, *, files: Iterable[str]) -> bytes:
    """The PDF of `html`, which may load `files` (file: URLs) and data: URIs."""
    # fail_on_errors: a font that cannot be loaded stops the rendering, rather than Pango
    # quietly drawing with whatever font the machine has.
    fetcher = ListedFilesOnly(files, fail_on_errors=True)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
