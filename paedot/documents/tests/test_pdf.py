"""Rendering HTML to PDF."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from paedot.documents.pdf import LocalURLFetcher, render_pdf


def test_render_pdf_returns_a_pdf():
    data = render_pdf("<p>Hello</p>")

    assert data.startswith(b"%PDF-")
    assert "Hello" in PdfReader(BytesIO(data)).pages[0].extract_text()


def test_pdf_forms_turns_inputs_into_form_fields_named_after_them():
    html = '<input name="x"><textarea name="notes"></textarea><input type="checkbox" name="tick.yes">'

    fields = PdfReader(BytesIO(render_pdf(html, pdf_forms=True))).get_fields()

    assert fields["x"]["/FT"] == "/Tx"
    assert fields["notes"]["/FT"] == "/Tx"
    assert fields["tick.yes"]["/FT"] == "/Btn"


def test_without_pdf_forms_there_are_no_fields():
    assert not PdfReader(BytesIO(render_pdf('<input name="x">'))).get_fields()


@pytest.mark.parametrize("url", ["http://example.com/style.css", "https://example.com/logo.png", "ftp://example.com/f"])
def test_the_url_fetcher_refuses_the_network(url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        LocalURLFetcher().fetch(url)


def test_the_url_fetcher_reads_local_files_and_data_urls(tmp_path):
    stylesheet = tmp_path / "style.css"
    stylesheet.write_text("p { color: red }")

    assert LocalURLFetcher().fetch(stylesheet.as_uri()).read() == b"p { color: red }"
    assert LocalURLFetcher().fetch("data:text/plain,hello").read() == b"hello"


def test_a_document_that_links_to_the_network_renders_without_fetching(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tried to open a network connection")

    monkeypatch.setattr("socket.create_connection", no_network)
    html = '<link rel="stylesheet" href="https://example.com/style.css"><img src="http://example.com/a.png"><p>Hi</p>'

    assert render_pdf(html).startswith(b"%PDF-")


def test_relative_urls_resolve_against_base_url(tmp_path):
    (tmp_path / "style.css").write_text("@page { size: A5 }")
    html = '<link rel="stylesheet" href="style.css"><p>Small page</p>'

    page = PdfReader(BytesIO(render_pdf(html, base_url=f"{tmp_path}/"))).pages[0]

    assert round(float(page.mediabox.width) * 25.4 / 72) == 148  # A5 is 148 mm wide
