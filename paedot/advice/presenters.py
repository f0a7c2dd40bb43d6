"""Strategy sheets and advice packs as pages and letters show them: sections ready to render, tags, labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paedot.advice.models import Audience
from paedot.advice.rules import left_out_message
from paedot.care.models import Area

AUDIENCE_TAGS = {
    Audience.PARENTS: {"text": "Parents", "classes": "nhsuk-tag--blue"},
    Audience.SCHOOL: {"text": "School", "classes": "nhsuk-tag--purple"},
    Audience.BOTH: {"text": "Parents and school", "classes": "nhsuk-tag--green"},
}

ROLE_NAMES = {"ot": "Occupational therapist", "team_lead": "Occupational therapist"}


@dataclass(frozen=True)
class SectionView:
    heading: str
    paragraphs: tuple[str, ...]
    steps: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class SheetView:
    """A version of a sheet, ready for a page or a letter (the templates escape every string)."""

    slug: str
    title: str
    summary: str
    area: str
    area_label: str
    audience: str
    audience_label: str
    version: int
    sections: tuple[SectionView, ...]


def paragraphs(text: str) -> tuple[str, ...]:
    """Typed text as paragraphs: a blank line (or a new line) starts a new one."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def sections(body: list[dict[str, Any]]) -> tuple[SectionView, ...]:
    return tuple(
        SectionView(
            heading=section.get("heading", ""),
            paragraphs=paragraphs(section.get("text", "")),
            steps=tuple(section.get("steps", ())),
            note=section.get("note", ""),
        )
        for section in body
    )


def sheet_view(sheet, *, slug: str | None = None) -> SheetView:
    """A StrategySheet (its current text) or a StrategySheetVersion (the text of that version)."""
    return SheetView(
        slug=slug or getattr(sheet, "slug", "") or sheet.sheet.slug,
        title=sheet.title,
        summary=sheet.summary,
        area=sheet.area,
        area_label=Area(sheet.area).label,
        audience=sheet.audience,
        audience_label=Audience(sheet.audience).label,
        version=sheet.version,
        sections=sections(sheet.body),
    )


def audience_tag(audience: str) -> dict[str, str]:
    return AUDIENCE_TAGS.get(audience, {"text": audience, "classes": "nhsuk-tag--grey"})


def role_name(user) -> str:
    return ROLE_NAMES.get(getattr(user, "role", ""), "Occupational therapy team")


def area_label(area: str) -> str:
    return Area(area).label


def left_out(pack_sheets, pack) -> list[str]:
    """Why a chosen sheet is missing from one of the pack's letters, one sentence each."""
    messages = []
    for item in pack_sheets:
        title = item.sheet_version.title
        if pack.for_home and not item.in_home:
            messages.append(left_out_message(title, "home"))
        if pack.for_school and not item.in_school:
            messages.append(left_out_message(title, "school"))
    return messages
