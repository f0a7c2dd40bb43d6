"""Which chosen sheets go in which letter of an advice pack, and who may read the library. Pure: no database.

A therapist chooses the sheets once for a pack going home, to school or both. A sheet goes to the readers it was
written for: the home letter has the parents' and shared sheets, the school letter the school's and shared ones.
A sheet that fits none of the pack's recipients is left out, and the outcome says which and why, rather than
refusing the whole pack over it. A recipient whose letter would have no sheet at all is a refusal: an empty pack
helps nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

PARENTS, SCHOOL, BOTH = "parents", "school", "both"


class AdviceError(ValueError):
    """Advice that cannot be given or a sheet that cannot be saved as asked (HTTP 400). `field` names the input at
    fault as the API reports it (sheets.2, for_home, body)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ChosenSheet:
    slug: str
    title: str
    audience: str


@dataclass(frozen=True)
class LeftOut:
    """A chosen sheet kept out of one letter, with a stable code and a sentence a clinician could read out."""

    slug: str
    recipient: str  # "home" or "school"
    code: str  # "written_for_school" | "written_for_parents"
    message: str


@dataclass(frozen=True)
class Refusal:
    field: str
    code: str
    message: str


@dataclass(frozen=True)
class Sorting:
    home: tuple[str, ...]  # slugs in the home letter, in the order chosen
    school: tuple[str, ...]
    left_out: tuple[LeftOut, ...]
    refusal: Refusal | None = None


def left_out_message(title: str, recipient: str) -> str:
    if recipient == "home":
        return f"{title} is written for school staff, so it is not in the pack for home."
    return f"{title} is written for parents, so it is not in the pack for school."


def fits(audience: str, recipient: str) -> bool:
    """Whether a sheet written for this audience goes in the letter for home or school."""
    return audience == BOTH or audience == (PARENTS if recipient == "home" else SCHOOL)


def sort_sheets(sheets: list[ChosenSheet], *, for_home: bool, for_school: bool) -> Sorting:
    """Share the chosen sheets between the home and school letters."""
    if not (for_home or for_school):
        return Sorting(
            (), (), (), Refusal("for_home", "no_recipient", "Choose who the pack is for: home, school or both.")
        )
    if not sheets:
        return Sorting((), (), (), Refusal("sheets", "no_sheets", "Choose at least one strategy sheet."))
    home = tuple(s.slug for s in sheets if for_home and fits(s.audience, "home"))
    school = tuple(s.slug for s in sheets if for_school and fits(s.audience, "school"))
    left_out = []
    for sheet in sheets:
        if for_home and sheet.slug not in home:
            message = left_out_message(sheet.title, "home")
            left_out.append(LeftOut(sheet.slug, "home", "written_for_school", message))
        if for_school and sheet.slug not in school:
            message = left_out_message(sheet.title, "school")
            left_out.append(LeftOut(sheet.slug, "school", "written_for_parents", message))
    refusal = None
    if for_home and not home:
        refusal = Refusal(
            "sheets",
            "nothing_for_home",
            "None of the chosen sheets is written for parents. Add one for the pack for home, or send it to school "
            "only.",
        )
    elif for_school and not school:
        refusal = Refusal(
            "sheets",
            "nothing_for_school",
            "None of the chosen sheets is written for school staff. Add one for the pack for school, or send it "
            "home only.",
        )
    return Sorting(home, school, tuple(left_out), refusal)


# The library is the service's own advice, written for families and schools: every member of staff may read it.
# Partner systems (GP and school systems with API tokens) send referrals and have no part in choosing advice.
LIBRARY_ROLES = frozenset({"clinical_admin", "ot", "ota", "team_lead", "auditor", "system_admin"})


def may_read_library(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return getattr(user, "role", None) in LIBRARY_ROLES
