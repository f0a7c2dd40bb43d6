"""The paper referral forms (fillable PDF and Word) hold every question of the online form."""

from __future__ import annotations

import dataclasses
from io import BytesIO

import pytest
from django.test import RequestFactory
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from paedot.public.models import ServiceDetails
from paedot.public.services import update_service_details
from paedot.referrals import paper_form_views, paper_forms, questions
from paedot.referrals.paper_forms import expected_field_names
from paedot.referrals.questions import Choice, Question, Section

# The service details as they are before anyone edits them (an unsaved record: no database needed).
DEFAULT_SERVICE = ServiceDetails()


def make_pdf(service: ServiceDetails = DEFAULT_SERVICE) -> PdfReader:
    return PdfReader(BytesIO(paper_forms.referral_form_pdf(service=service)))


def make_docx(service: ServiceDetails = DEFAULT_SERVICE):
    return Document(BytesIO(paper_forms.referral_form_docx(service=service)))


@pytest.fixture(scope="module")
def pdf() -> PdfReader:
    return make_pdf()


@pytest.fixture(scope="module")
def docx():
    return make_docx()


def pdf_text(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def public_sections() -> list[Section]:
    return [section for section in questions.REFERRAL_FORM if not section.staff_only]


def public_questions() -> list[Question]:
    """The questions on the paper forms: those of every section but staff-only ones."""
    return [question for section in public_sections() for question in section.questions]


def docx_text(document) -> str:
    """Every paragraph's and every table cell's text, one per line."""
    lines = [paragraph.text for paragraph in document.paragraphs]
    lines += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def docx_control_tags(document) -> set[str]:
    return {tag.get(qn("w:val")) for tag in document.element.body.iter(qn("w:tag"))}


# The naming contract -------------------------------------------------------------------------------------------------


def q(kind: str, **kwargs) -> Question:
    return Question("answer", "A question", kind, **kwargs)


@pytest.mark.parametrize(
    "kind",
    [
        questions.TEXT,
        questions.TEXTAREA,
        questions.NHS_NUMBER,
        questions.POSTCODE,
        questions.EMAIL,
        questions.PHONE,
        questions.GP_PRACTICE,
        questions.SCHOOL,
        questions.CONSENT,
    ],
)
def test_a_text_like_or_consent_question_has_one_field_named_after_its_key(kind):
    assert expected_field_names(q(kind)) == ["answer"]


def test_a_date_has_a_field_for_day_month_and_year():
    assert expected_field_names(q(questions.DATE)) == ["answer.day", "answer.month", "answer.year"]


@pytest.mark.parametrize("kind", [questions.RADIOS, questions.CHECKBOXES])
def test_each_choice_has_its_own_checkbox(kind):
    question = q(kind, choices=(Choice("a", "A"), Choice("b", "B")))

    assert expected_field_names(question) == ["answer.a", "answer.b"]


def test_a_yes_no_question_has_a_yes_box_and_a_no_box():
    assert expected_field_names(q(questions.YES_NO)) == ["answer.yes", "answer.no"]


def test_every_kind_of_question_has_a_naming_rule():
    for kind in questions.KINDS:
        choices = (Choice("a", "A"),) if kind in (questions.RADIOS, questions.CHECKBOXES) else ()
        assert expected_field_names(q(kind, choices=choices))


# The PDF -----------------------------------------------------------------------------------------------------------


def test_the_pdf_has_a_form_field_for_every_question(pdf):
    fields = pdf.get_fields()

    missing = [
        name
        for question in questions.all_questions()
        if question in public_questions()  # staff-only sections stay off paper (tested below)
        for name in expected_field_names(question)
        if name not in fields
    ]

    assert not missing


def test_the_pdf_fields_are_text_boxes_and_checkboxes_by_kind(pdf):
    fields = pdf.get_fields()
    for question in public_questions():
        expected_type = "/Tx" if question.kind in paper_forms.TEXT_KINDS | {questions.DATE} else "/Btn"
        for name in expected_field_names(question):
            assert fields[name]["/FT"] == expected_type, name


def test_the_pdf_has_no_fields_but_the_questions(pdf):
    expected = {name for question in public_questions() for name in expected_field_names(question)}

    assert set(pdf.get_fields()) == expected


def test_the_pdf_text_fields_take_no_more_than_the_online_form_does(pdf):
    widgets = {
        annotation["/T"]: annotation
        for page in pdf.pages
        for annotation in (reference.get_object() for reference in page.get("/Annots", []))
    }

    assert widgets["child_given_name"]["/MaxLen"] == 100
    assert widgets["child_date_of_birth.year"]["/MaxLen"] == 4


def test_the_pdf_is_a4_pages_with_the_service_details_and_page_numbers(pdf):
    text = "\n".join(page.extract_text() for page in pdf.pages)

    assert len(pdf.pages) >= 1
    width, height = (
        round(float(length) * 25.4 / 72) for length in (pdf.pages[0].mediabox.width, pdf.pages[0].mediabox.height)
    )
    assert (width, height) == (210, 297)
    assert "0121 465 8551" in text
    assert "Soho Health Centre" in text
    assert "ask the child's GP" in text
    assert f"Page 1 of {len(pdf.pages)}" in text


def test_the_pdf_shows_every_section_title_and_question_label(pdf):
    text = pdf_text(pdf)

    for section in public_sections():
        assert section.title in text
    for question in public_questions():
        # Long labels wrap over lines; the start of a label is enough to find it.
        assert " ".join(question.label.split()[:6]) in text, question.key


# The Word document -------------------------------------------------------------------------------------------------


def test_the_word_form_has_every_question_and_every_choice(docx):
    text = docx_text(docx)

    for question in public_questions():
        assert question.label in text, question.key
        for choice in question.choices:
            assert choice.label in text, (question.key, choice.value)


def test_the_word_form_has_every_section_with_its_intro_and_the_service_details(docx):
    text = docx_text(docx)

    for section in public_sections():
        assert section.title in text
        assert section.intro in text
    assert "0121 465 8551" in text
    assert "Soho Health Centre" in text


def test_the_word_form_has_a_content_control_for_every_answer(docx):
    expected = {name for question in public_questions() for name in expected_field_names(question)}

    assert docx_control_tags(docx) == expected


# The service's details -------------------------------------------------------------------------------------------

MOVED = {
    "name": "Children's Occupational Therapy Service",
    "organisation": "Example Community Health NHS Trust",
    "base_name": "Example Child Development Centre",
    "address": "10 Example Street\nBirmingham",
    "postcode": "B1 1AA",
    "phone": "0121 000 1234",
    "email": "childrens.ot@example.nhs.uk",
    "opening_hours": "Monday to Thursday, 8am to 4pm",
}


@pytest.fixture
def service_moved(db) -> ServiceDetails:
    """Staff have changed the service's details since the forms were first written."""
    return update_service_details(changes=MOVED, changed_by=None)


def test_the_downloaded_pdf_shows_the_service_details_staff_set(client, service_moved):
    text = pdf_text(PdfReader(BytesIO(client.get("/referral-form.pdf").content)))

    for expected in ("0121 000 1234", "Example Child Development Centre", "10 Example Street", "B1 1AA"):
        assert expected in text, expected
    assert "Monday to Thursday, 8am to 4pm" in text
    assert "childrens.ot@example.nhs.uk" in text
    assert "Children's Occupational Therapy Service: referral form" in text  # the footer, apostrophe and all
    assert "0121 465 8551" not in text
    assert "Soho" not in text


def test_the_downloaded_word_form_shows_the_service_details_staff_set(client, service_moved):
    text = docx_text(Document(BytesIO(client.get("/referral-form.docx").content)))

    for expected in ("0121 000 1234", "Example Child Development Centre", "10 Example Street", "B1 1AA"):
        assert expected in text, expected
    assert "Example Community Health NHS Trust" in text
    assert "Monday to Thursday, 8am to 4pm" in text
    assert "0121 465 8551" not in text
    assert "Soho" not in text


@pytest.mark.parametrize("name", ['The "OT" Service', "OT </style> Service", "OT \\ Service", "Ysgol Ŵ Service"])
def test_any_service_name_is_safe_in_the_pdf_footer(name):
    text = pdf_text(make_pdf(ServiceDetails(name=name)))

    assert f"{name}: referral form" in text


# Adding a question ---------------------------------------------------------------------------------------------------


@pytest.fixture
def form_with_extra_section(monkeypatch):
    extra = Section(
        slug="sleep",
        title="Sleep and rest",
        intro="A section added after the paper forms were written.",
        questions=(
            Question("sleep_pattern", "How does the child sleep?", questions.TEXTAREA, paper_lines=3),
            Question(
                "sleep_aids",
                "What helps the child settle?",
                questions.CHECKBOXES,
                choices=(Choice("weighted_blanket", "A weighted blanket"), Choice("routine", "A routine")),
            ),
        ),
    )
    monkeypatch.setattr(questions, "REFERRAL_FORM", (*questions.REFERRAL_FORM, extra))
    return extra


def test_a_question_added_to_the_definitions_appears_in_the_pdf(form_with_extra_section):
    fields = make_pdf().get_fields()

    assert "sleep_pattern" in fields
    assert {"sleep_aids.weighted_blanket", "sleep_aids.routine"} <= set(fields)


def test_a_question_added_to_the_definitions_appears_in_the_word_form(form_with_extra_section):
    document = make_docx()
    text = docx_text(document)

    assert "Sleep and rest" in text
    assert "How does the child sleep?" in text
    assert "A weighted blanket" in text
    assert {"sleep_pattern", "sleep_aids.routine"} <= docx_control_tags(document)


def test_a_staff_only_section_is_left_off_the_paper_forms(monkeypatch):
    staff_section = Section(
        slug="triage-notes",
        title="Triage notes",
        staff_only=True,
        questions=(Question("triage_note", "Notes from triage", questions.TEXTAREA),),
    )
    monkeypatch.setattr(questions, "REFERRAL_FORM", (*questions.REFERRAL_FORM, staff_section))

    assert "triage_note" not in make_pdf().get_fields()
    assert "Notes from triage" not in docx_text(make_docx())


# Hints on paper ------------------------------------------------------------------------------------------------------


def test_paper_hints_do_not_ask_the_reader_to_search_or_select():
    gp_practice = next(question for question in questions.all_questions() if question.kind == questions.GP_PRACTICE)
    difficulties = dataclasses.replace(
        q(questions.CHECKBOXES, choices=(Choice("a", "A"),)), hint="Select all that apply"
    )

    assert "Search" not in paper_forms.paper_hint(gp_practice)
    assert paper_forms.paper_hint(difficulties) == ""  # the question already says "Tick all that apply"
    assert paper_forms.present_question(difficulties).instruction == "Tick all that apply"
    assert paper_forms.paper_hint(q(questions.TEXT, hint="For example, Amira")) == "For example, Amira"


# The views ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "content_type", "filename", "magic"),
    [
        (paper_form_views.referral_form_pdf, "application/pdf", "paediatric-ot-referral-form.pdf", b"%PDF-"),
        (
            paper_form_views.referral_form_docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "paediatric-ot-referral-form.docx",
            b"PK",
        ),
    ],
)
@pytest.mark.django_db
def test_the_forms_download_as_attachments(view, content_type, filename, magic):
    response = view(RequestFactory().get("/"))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content.startswith(magic)


def test_the_forms_cannot_be_posted_to():
    assert paper_form_views.referral_form_pdf(RequestFactory().post("/")).status_code == 405
