"""Word document helpers."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.oxml.ns import qn

from paedot.documents import word


def reopen(document):
    return Document(BytesIO(word.to_bytes(document)))


def test_a_new_document_is_a4_and_titled():
    document = reopen(word.new_document("A letter"))

    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert document.core_properties.title == "A letter"


def test_content_controls_are_tagged_so_answers_can_be_found_again():
    document = word.new_document("A form")
    paragraph = document.add_paragraph("Name ")
    word.add_text_control(paragraph, tag="name", title="Name")
    word.add_checkbox_control(document.add_paragraph(), tag="agree", title="Agree")

    body = reopen(document).element.body
    tags = [tag.get(qn("w:val")) for tag in body.iter(qn("w:tag"))]

    assert tags == ["name", "agree"]
    assert len(list(body.iter(qn("w14:checkbox")))) == 1


def test_the_footer_numbers_the_pages():
    document = word.new_document("A form")
    word.add_page_numbers(document, "Referral form")

    footer = reopen(document).sections[0].footer._element
    instructions = [field.get(qn("w:instr")).strip() for field in footer.iter(qn("w:fldSimple"))]

    assert instructions == ["PAGE", "NUMPAGES"]
