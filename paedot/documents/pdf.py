"""Render HTML to PDF with WeasyPrint, never reaching the network."""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher

# Stylesheets, images and fonts may come from our own files or be inlined; nothing is fetched from elsewhere, so a
# document never leaks who is reading it and never waits on another server.
LOCAL_PROTOCOLS = frozenset({"file", "data"})


class LocalURLFetcher(URLFetcher):
    """A URL fetcher that refuses anything but local files and data: URLs.

    WeasyPrint catches the refusal, logs a warning and renders without the resource.
    """

    def __init__(self) -> None:
        super().__init__(timeout=5, allowed_protocols=LOCAL_PROTOCOLS, allow_redirects=False)


def render_pdf(html: str, *, base_url: str | None = None, pdf_forms: bool = False) -> bytes:
    """The PDF for an HTML document.

    base_url resolves relative URLs (a directory of static files, say); pdf_forms turns the document's <input>,
    <textarea> and <select> elements into fillable PDF form fields, named after their name attribute.
    """
    document = HTML(string=html, base_url=base_url, url_fetcher=LocalURLFetcher())
    return document.write_pdf(pdf_forms=pdf_forms)
