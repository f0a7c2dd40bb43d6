"""The paper referral forms (a fillable PDF and a Word document), built from the same questions as the online form.

Both read `questions.REFERRAL_FORM` each time they are made, so a question added there appears on paper too, and
take the service's name, address and phone from the ServiceDetails staff edit, so a move never leaves old forms about.
Field names follow one contract (expected_field_names), so a filled-in PDF can be read back into a referral.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from markupsafe import Markup

from paedot.documents import word
from paedot.documents.pdf import render_pdf
from paedot.referrals import questions
from paedot.referrals.questions import Choice, Question, Section

if TYPE_CHECKING:
    from paedot.public.models import ServiceDetails

FORM_TITLE = "Referral to children's occupational therapy"
FILENAME = "paediatric-ot-referral-form"

TEXT_KINDS = frozenset(
    {
        questions.TEXT,
        questions.TEXTAREA,
        questions.NHS_NUMBER,
        questions.POSTCODE,
        questions.EMAIL,
        questions.PHONE,
        questions.GP_PRACTICE,
        questions.SCHOOL,
    }
)
CHOICE_KINDS = frozenset({questions.RADIOS, questions.CHECKBOXES, questions.YES_NO})
YES_NO_CHOICES = (Choice("yes", "Yes"), Choice("no", "No"))
DATE_PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

# The online form finds GP practices and schools in the directory as you type; on paper you write them out.
PAPER_HINTS = {
    questions.GP_PRACTICE: "The practice's name and address, or its code (for example M85001)",
    questions.SCHOOL: "The full name of the school or nursery, and the area it is in",
}
# The online form's words for choosing, as they read on paper.
PAPER_WORDING = {"Select all that apply": "Tick all that apply"}
INSTRUCTIONS = {
    questions.RADIOS: "Tick one",
    questions.CHECKBOXES: "Tick all that apply",
    questions.CONSENT: "Tick to confirm",
}


def expected_field_names(question: Question) -> list[str]:
    """The names of the PDF form fields (and Word control tags) that hold the answer to `question`."""
    if question.kind in TEXT_KINDS:
        return [question.key]
    if question.kind == questions.DATE:
        return [f"{question.key}.{part}" for part, _, _ in DATE_PARTS]
    if question.kind in CHOICE_KINDS:
        return [f"{question.key}.{choice.value}" for choice in _choices(question)]
    if question.kind == questions.CONSENT:
        return [question.key]
    raise ValueError(f"No paper field for question kind {question.kind!r}")


def paper_sections() -> list[Section]:
    """The sections on the paper forms: all but those only staff fill in."""
    return [section for section in questions.REFERRAL_FORM if not section.staff_only]


# What the templates show -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperField:
    name: str
    title: str  # what a screen reader or a tooltip says about the field
    label: str = ""  # a small label by the field (Day, Month, Year)
    size: int | None = None  # characters, for narrow fields
    max_length: int | None = None


@dataclass(frozen=True)
class PaperChoice:
    field: PaperField
    label: str
    hint: str


@dataclass(frozen=True)
class PaperChoiceGroup:
    heading: str
    choices: tuple[PaperChoice, ...]


@dataclass(frozen=True)
class PaperQuestion:
    key: str
    label: str
    hint: str
    instruction: str
    layout: str  # text, textarea, date, choices, yes_no, consent
    fields: tuple[PaperField, ...]
    lines: int
    narrow: bool
    groups: tuple[PaperChoiceGroup, ...] = ()


@dataclass(frozen=True)
class PaperSection:
    number: int
    title: str
    intro: str
    questions: tuple[PaperQuestion, ...]


def present_sections() -> list[PaperSection]:
    return [
        PaperSection(
            number=number,
            title=section.title,
            intro=section.intro,
            questions=tuple(present_question(question) for question in section.questions),
        )
        for number, section in enumerate(paper_sections(), start=1)
    ]


def present_question(question: Question) -> PaperQuestion:
    names = expected_field_names(question)
    layout = _layout(question)
    groups: tuple[PaperChoiceGroup, ...] = ()
    if layout == "date":
        fields = tuple(
            PaperField(name=name, title=f"{question.label}: {label.lower()}", label=label, size=size, max_length=size)
            for name, (_, label, size) in zip(names, DATE_PARTS, strict=True)
        )
    elif layout in ("choices", "yes_no"):
        choices = [
            (choice.group, PaperChoice(PaperField(name, _choice_title(question, choice)), choice.label, choice.hint))
            for name, choice in zip(names, _choices(question), strict=True)
        ]
        groups = tuple(
            PaperChoiceGroup(heading=heading, choices=tuple(choice for _, choice in members))
            for heading, members in itertools.groupby(choices, key=lambda pair: pair[0])
        )
        fields = tuple(choice.field for _, choice in choices)
    else:
        fields = (PaperField(name=names[0], title=question.label, max_length=question.max_length),)
    return PaperQuestion(
        key=question.key,
        label=question.label,
        hint=paper_hint(question),
        instruction=INSTRUCTIONS.get(question.kind, ""),
        layout=layout,
        fields=fields,
        lines=max(question.paper_lines, 1),
        narrow=question.width is not None and question.width <= 10,
        groups=groups,
    )


def paper_hint(question: Question) -> str:
    hint = PAPER_HINTS.get(question.kind, question.hint)
    hint = PAPER_WORDING.get(hint, hint)
    # "Tick all that apply" is already the question's instruction.
    return "" if hint == INSTRUCTIONS.get(question.kind) else hint


def _choice_title(question: Question, choice: Choice) -> str:
    separator = " " if question.label.endswith("?") else ": "
    return f"{question.label}{separator}{choice.label}"


def _layout(question: Question) -> str:
    if question.kind in TEXT_KINDS:
        return "textarea" if question.kind == questions.TEXTAREA or question.paper_lines > 1 else "text"
    if question.kind in (questions.RADIOS, questions.CHECKBOXES):
        return "choices"
    return question.kind  # date, yes_no, consent


def _choices(question: Question) -> tuple[Choice, ...]:
    return YES_NO_CHOICES if question.kind == questions.YES_NO else question.choices


def _context(service: ServiceDetails) -> dict:
    return {
        "title": FORM_TITLE,
        "service": service,
        "footer": css_string(f"{service.name}: referral form"),
        "sections": present_sections(),
    }


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string for the page footer.

    The service name is data staff edit: HTML-escaping would print "&#39;" for an apostrophe inside <style>, so
    anything but plain characters is written as a CSS escape instead.
    """
    plain = frozenset(" .,:;-'()&!?/")
    escaped = "".join(ch if ch.isalnum() or ch in plain else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{escaped}"')  # noqa: S704 - every character that could end the string or the element is escaped


# The PDF -----------------------------------------------------------------------------------------------------------


def referral_form_pdf(*, service: ServiceDetails) -> bytes:
    """The referral form as an A4 PDF with a form field for every question.

    Made afresh each time (about 0.3 s), so it always matches the questions and the service's details.
    """
    html = render_to_string("referrals/paper_form.jinja", _context(service))
    return render_pdf(html, pdf_forms=True)


# The Word document -------------------------------------------------------------------------------------------------

LABEL_WIDTH = Cm(6.5)
ANSWER_WIDTH = Cm(10.5)
LINE_HEIGHT = Cm(1)
CHOICE_INDENT = Cm(0.6)


def referral_form_docx(*, service: ServiceDetails) -> bytes:
    """The referral form as a Word document: a table per section, with a content control for every answer."""
    document = word.new_document(FORM_TITLE)
    word.add_page_numbers(document, f"{service.name}: referral form")

    document.add_paragraph(FORM_TITLE, style="Title")
    masthead = document.add_paragraph()
    masthead.add_run(service.name).bold = True
    for line in _contact_lines(service):
        masthead.add_run().add_break()
        masthead.add_run(line)

    document.add_heading("How to send this form", level=2)
    document.add_paragraph("Fill in this form in Word, or print it and write in black ink.")
    send = document.add_paragraph("Post it to us at the address above, or ask the child's GP to send it to us. ")
    send.add_run(f"If you have a question, call us on {service.phone} ({service.opening_hours}).")

    for section in present_sections():
        document.add_heading(f"{section.number}. {section.title}", level=1)
        if section.intro:
            document.add_paragraph(section.intro)
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for question in section.questions:
            _add_question_row(table, question)
        word.set_column_widths(table, LABEL_WIDTH, ANSWER_WIDTH)

    return word.to_bytes(document)


def _contact_lines(service: ServiceDetails) -> list[str]:
    lines = [service.organisation] if service.organisation else []
    lines += [*service.postal_lines, f"Telephone: {service.phone}"]
    return [*lines, f"Email: {service.email}"] if service.email else lines


def _add_question_row(table: Table, question: PaperQuestion) -> None:
    row = table.add_row()
    word.keep_row_on_one_page(row)
    label_cell, answer_cell = row.cells
    word.shade_cell(label_cell, "F0F4F5")

    label = label_cell.paragraphs[0]
    label.add_run(question.label).bold = True
    for extra in (question.hint, question.instruction):
        if extra:
            word.add_hint(label_cell.add_paragraph(), extra)

    paragraphs = _paragraphs(answer_cell)
    answer = next(paragraphs)
    if question.layout in ("text", "textarea"):
        row.height = LINE_HEIGHT * question.lines
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        word.add_text_control(
            answer, tag=question.fields[0].name, title=question.label, multiline=question.layout == "textarea"
        )
    elif question.layout == "date":
        for number, field in enumerate(question.fields):
            answer.add_run(("    " if number else "") + f"{field.label} ")
            word.add_text_control(answer, tag=field.name, title=field.title, width=3 * (field.size or 2))
    elif question.layout == "consent":
        word.add_checkbox_control(answer, tag=question.fields[0].name, title=question.label)
        _hang(answer)
        answer.add_run("\tYes")
    else:
        paragraphs = itertools.chain([answer], paragraphs)
        for group in question.groups:
            if group.heading:
                next(paragraphs).add_run(group.heading).bold = True
            for choice in group.choices:
                paragraph = next(paragraphs)
                paragraph.paragraph_format.space_after = Pt(2)
                _hang(paragraph)
                word.add_checkbox_control(paragraph, tag=choice.field.name, title=choice.field.title)
                paragraph.add_run(f"\t{choice.label}")
                if choice.hint:
                    paragraph.add_run().add_break()
                    word.add_hint(paragraph, choice.hint)


def _paragraphs(cell: _Cell) -> Iterator[Paragraph]:
    """The cell's first (empty) paragraph, then as many new ones as are asked for."""
    yield cell.paragraphs[0]
    while True:
        yield cell.add_paragraph()


def _hang(paragraph: Paragraph) -> None:
    """A hanging indent keeps a wrapped label, or a hint, clear of the checkbox."""
    paragraph.paragraph_format.left_indent = CHOICE_INDENT
    paragraph.paragraph_format.first_line_indent = -CHOICE_INDENT
    paragraph.paragraph_format.tab_stops.add_tab_stop(CHOICE_INDENT)
