"""Turning records into what a subject access export and the retention report show: staff by name and role, a
masked recipient, a letter's words without its markup, and the values a PDF prints."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from django.utils import timezone

from paedot.core.presenters import format_date, format_datetime

# The sections of an export, in the order the JSON and the PDF give them: (key, heading, layout). A "table" section
# is a list of flat rows shown as one table; a "records" section shows each item as its own table of fields (they
# hold nested lists: a referral's screenings, an episode's packages). Keys are stable: they are the export's shape.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("parents_carers", "Parents and carers", "table"),
    ("merged_records", "Records of this child merged into this one", "table"),
    ("previous_details", "Details changed after the referral (what they were and became)", "table"),
    ("referrals", "Referrals", "records"),
    ("invitations", "Invitations to book", "records"),
    ("appointments", "Appointments", "records"),
    ("attendance_flags", "Missed appointment flags", "records"),
    ("group_enrolments", "Group places", "table"),
    ("group_attendance", "Group sessions", "table"),
    ("episodes", "Episodes of care", "records"),
    ("clinical_notes", "Clinical notes", "records"),
    ("advice_packs", "Advice packs", "records"),
    ("letters", "Letters", "records"),
    ("attachments", "Attachments (details only)", "table"),
    ("messages", "Emails and text messages", "table"),
    ("alerts", "Alerts on the record (safeguarding, contact, risks on visits, communication)", "table"),
    ("record_restrictions", "Restrictions on the record", "records"),
    ("audit_trail", "Who has opened or changed the record", "table"),
)
SECTION_TITLES = {key: title for key, title, _layout in SECTIONS}

# Words for field names a plain "Received date" would get wrong.
LABELS = {
    "nhs_number": "NHS number",
    "gp_practice_code": "GP practice code",
    "gp_practice_name": "GP practice",
    "school_urn": "School URN",
    "copm_problems": "COPM problems",
    "copm_reratings": "COPM ratings at review",
    "copm_performance_change": "COPM performance change",
    "copm_satisfaction_change": "COPM satisfaction change",
    "toms_ratings": "Therapy Outcome Measures (TOMs)",
    "gas_t_score": "GAS T-score",
    "previous_ot_episode": "Previous OT episode",
    "sms": "Text message",
    "id": "Number",
    "supervising_ot": "Supervising OT",
}


def label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def staff(user) -> dict[str, str] | None:
    """A member of staff as an export names them: full name (or username) and role."""
    if user is None:
        return None
    return {"name": user.get_full_name() or user.get_username(), "role": user.get_role_display()}


def iso_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def iso_datetime(value: dt.datetime | None) -> str | None:
    """In Birmingham time, with its offset, so the time reads as the family knew it."""
    return timezone.localtime(value).isoformat() if value is not None else None


def number(value: Decimal | int | float | None) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def mask_recipient(recipient: str) -> str:
    """Enough to recognise an address or number, not to use it: s***@example.com, *******0123."""
    recipient = (recipient or "").strip()
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = [ch for ch in recipient if ch.isdigit()]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + "".join(digits[-4:])


class _TextOfHtml(HTMLParser):
    """A letter's words: a blank line between paragraphs, a line per list item, styles and the title left out."""

    PARAGRAPHS = frozenset(
        {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "section", "header", "footer"}
    )
    LINES = frozenset({"br", "li", "tr"})
    SKIPPED = frozenset({"style", "script", "title", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in self.LINES:
            self.parts.append("\n- " if tag == "li" else "\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.PARAGRAPHS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            # As a browser does: the source's line breaks and indentation are spaces; tags make the lines.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Plain text of a stored letter: what the family read, without the markup."""
    parser = _TextOfHtml()
    parser.feed(html or "")
    parser.close()
    lines = [re.sub(r" +", " ", line).strip() for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _is_person(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"name", "role"}


def _flat(value: Any) -> bool:
    """Printed in one cell: a plain value or a person."""
    return _is_person(value) or not isinstance(value, dict | list)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def display(value: Any) -> str:
    """A value from the export as the PDF prints it: NHS-style dates, Yes/No, a person by name and role."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if _is_person(value):
        return f"{value['name']} ({value['role']})"
    if isinstance(value, list) and all(_flat(item) for item in value):
        return ", ".join(display(item) for item in value)
    if isinstance(value, str) and _ISO_DATE.match(value):
        return format_date(dt.date.fromisoformat(value))
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return format_datetime(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def is_empty(value: Any) -> bool:
    """Nothing recorded: the PDF leaves the field out (the JSON keeps it, as null or empty)."""
    return value is None or value == "" or value == [] or value == {}


def is_nested(value: Any) -> bool:
    """A value the PDF shows as a table of its own: a list of records, or a record with records inside."""
    if isinstance(value, list):
        return not all(_flat(item) for item in value)
    if isinstance(value, dict):
        return not _is_person(value)
    return False
