"""A strategy sheet's text: read from the TOML files kept in the repository, checked, and turned to and from the
plain text a team lead edits in a page.

A sheet's body is a list of sections, each {"heading", "text", "steps", "note"}: a heading, an optional opening
paragraph, bullet steps, and an optional closing line. Stored as data, never as HTML, so every page and letter
renders it through an autoescaping template and nothing typed can become markup.

No database and no Django here: the data migration and the loader both read files through this module.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paedot.advice.rules import AdviceError

SHEETS_DIR = Path(__file__).resolve().parent / "sheets"

AREAS = ("self_care", "school", "play_leisure")
AUDIENCES = ("parents", "school", "both")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

MAX_TITLE, MAX_SUMMARY, MAX_LINE = 120, 300, 400


class SheetTextError(AdviceError):
    """A sheet's text that cannot be used. `field` names what is wrong (as a form or the API reports it)."""


@dataclass(frozen=True)
class SheetText:
    """One sheet as written in its file."""

    slug: str
    title: str
    area: str
    audience: str
    summary: str
    version: int
    sections: tuple[dict[str, Any], ...]


def _clean(value: str) -> str:
    return " ".join(str(value).split())


def clean_sections(raw: Any) -> list[dict[str, Any]]:
    """Sections with their whitespace tidied, or SheetTextError saying which part is wrong."""
    if not isinstance(raw, list) or not raw:
        raise SheetTextError("body", "A sheet needs at least one section with a heading.")
    sections = []
    for number, section in enumerate(raw, start=1):
        if not isinstance(section, dict):
            raise SheetTextError("body", f"Section {number} is not a section.")
        heading = _clean(section.get("heading", ""))
        text = "\n\n".join(_clean(p) for p in str(section.get("text", "")).split("\n\n") if p.strip())
        note = _clean(section.get("note", ""))
        steps = section.get("steps", [])
        if not isinstance(steps, list) or not all(isinstance(step, str) for step in steps):
            raise SheetTextError("body", f"The steps of section {number} must be lines of text.")
        steps = [_clean(step) for step in steps if step.strip()]
        if not heading:
            raise SheetTextError("body", f"Section {number} needs a heading.")
        if not (text or steps):
            raise SheetTextError("body", f"The section '{heading}' needs some text or at least one step.")
        if any(len(line) > MAX_LINE for line in (heading, note, *steps)):
            raise SheetTextError("body", f"Keep each line of '{heading}' under {MAX_LINE} characters.")
        sections.append({"heading": heading, "text": text, "steps": steps, "note": note})
    return sections


def check_sheet(data: dict[str, Any], *, where: str = "sheet") -> SheetText:
    """A sheet from a file's data, checked; SheetTextError names the first thing wrong."""
    slug = str(data.get("slug", ""))
    if not SLUG.match(slug):
        raise SheetTextError("slug", f"{where}: the slug must be lower-case words joined by hyphens.")
    title, summary = _clean(data.get("title", "")), _clean(data.get("summary", ""))
    if not title or len(title) > MAX_TITLE:
        raise SheetTextError("title", f"{where}: give a title of up to {MAX_TITLE} characters.")
    if not summary or len(summary) > MAX_SUMMARY:
        raise SheetTextError("summary", f"{where}: give a summary of up to {MAX_SUMMARY} characters.")
    if data.get("area") not in AREAS:
        raise SheetTextError("area", f"{where}: the area must be one of {', '.join(AREAS)}.")
    if data.get("audience") not in AUDIENCES:
        raise SheetTextError("audience", f"{where}: the audience must be one of {', '.join(AUDIENCES)}.")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SheetTextError("version", f"{where}: the version must be a whole number, 1 or more.")
    return SheetText(
        slug=slug,
        title=title,
        area=data["area"],
        audience=data["audience"],
        summary=summary,
        version=version,
        sections=tuple(clean_sections(data.get("sections"))),
    )


def read_sheet_files(directory: Path | None = None) -> list[SheetText]:
    """Every sheet in the folder, in file-name order. Each file's name is its slug, so a sheet is easy to find."""
    directory = directory or SHEETS_DIR
    sheets = []
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as file:
            sheet = check_sheet(tomllib.load(file), where=path.name)
        if sheet.slug != path.stem:
            raise SheetTextError("slug", f"{path.name}: the slug must match the file name ({path.stem}).")
        sheets.append(sheet)
    return sheets


# The text a team lead edits ----------------------------------------------------------------------------------
#
#   ## A heading starts a section
#   Lines before the first step are the opening paragraph (a blank line starts another).
#   - each step starts with a hyphen
#   Lines after the steps are the closing line.


def format_body(sections: list[dict[str, Any]]) -> str:
    """The sections as editable text (the inverse of parse_body)."""
    blocks = []
    for section in sections:
        lines = [f"## {section['heading']}"]
        if section.get("text"):
            lines.append(section["text"])
        lines += [f"- {step}" for step in section.get("steps", [])]
        if section.get("note"):
            lines.append(section["note"])
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def parse_body(text: str) -> list[dict[str, Any]]:
    """Sections from edited text; SheetTextError (field "body") says which line is wrong."""
    sections: list[dict[str, Any]] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if not paragraph:
            return
        section = sections[-1]
        words = " ".join(paragraph)
        if section["steps"]:
            section["note"] = f"{section['note']} {words}".strip()
        else:
            section["text"] = f"{section['text']}\n\n{words}" if section["text"] else words
        paragraph.clear()

    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#"):
            end_paragraph()
            heading = line.lstrip("#").strip()
            if not heading:
                raise SheetTextError("body", f"Line {number}: write the heading after the ##.")
            sections.append({"heading": heading, "text": "", "steps": [], "note": ""})
            continue
        if not line:
            end_paragraph()
            continue
        if not sections:
            raise SheetTextError("body", f"Line {number}: start with a heading line beginning ##.")
        if line[0] in "-*":
            end_paragraph()
            if sections[-1]["note"]:
                raise SheetTextError(
                    "body", f"Line {number}: a step comes after the closing line of its section. Move it up."
                )
            step = line[1:].strip()
            if step:
                sections[-1]["steps"].append(step)
            continue
        paragraph.append(line)
    end_paragraph()
    return clean_sections(sections)
