"""How changed details read: the "Previous details" list, and what staff are told once a change is made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from paedot.children.models import DetailsChange
from paedot.children.rules import practice_label
from paedot.children.services.details import DetailsChanged
from paedot.core.identifiers import format_nhs_number

Section = DetailsChange.Section

FIELD_LABELS: dict[tuple[str, str], str] = {
    (Section.CHILD, "given_name"): "Given name",
    (Section.CHILD, "family_name"): "Family name",
    (Section.CHILD, "date_of_birth"): "Date of birth",
    (Section.CHILD, "nhs_number"): "NHS number",
    (Section.CHILD, "address"): "Address",
    (Section.CHILD, "postcode"): "Postcode",
    (Section.PARENT_CARER, "name"): "Parent or carer's name",
    (Section.PARENT_CARER, "relationship"): "Relationship to the child",
    (Section.PARENT_CARER, "phone"): "Phone",
    (Section.PARENT_CARER, "email"): "Email",
    (Section.PARENT_CARER, "language"): "Preferred language",
    (Section.PARENT_CARER, "interpreter_needed"): "Interpreter needed",
    (Section.GP_PRACTICE, "gp_practice"): "GP practice",
    (Section.GP_PRACTICE, "locality"): "Locality",
    (Section.SCHOOL, "school"): "School or nursery",
}

NOT_GIVEN = "Not given"


def field_label(section: str, field: str) -> str:
    return FIELD_LABELS.get((section, field)) or field.replace("_", " ").capitalize()


def shown_value(section: str, field: str, value: str) -> str:
    """A kept value as a person reads it: dates in words, NHS numbers 3-3-4, yes or no."""
    if not value:
        if field == "locality":
            return "None (everyone sees it)"
        if field == "language":
            return "English"
        return NOT_GIVEN
    if field == "date_of_birth":
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{date.day} {date:%B %Y}"
    if field == "nhs_number":
        return format_nhs_number(value)
    if field == "interpreter_needed":
        return "Yes" if value == "yes" else "No"
    return value


def history_rows(changes: Iterable[DetailsChange], *, reference: str = "") -> list[dict]:
    """One row per detail changed, newest first, as the "Previous details" page and the API give them."""
    rows = []
    for change in changes:
        person = change.changed_by
        rows.append(
            {
                "at": change.changed_at,
                "section": change.section,
                "section_label": Section(change.section).label if change.section in Section.values else change.section,
                "field": change.field,
                "what": field_label(change.section, change.field),
                "before": shown_value(change.section, change.field, change.before),
                "after": shown_value(change.section, change.field, change.after),
                "before_value": change.before,
                "after_value": change.after,
                "reason": change.reason,
                "who": (person.get_full_name() or person.get_username()) if person else "",
                "username": person.get_username() if person else "",
                "referral": change.referral.reference if change.referral_id else "",
                "other_referral": bool(change.referral_id) and change.referral.reference != reference,
            }
        )
    return rows


def practice_shown(referral) -> str:
    """The referral's GP practice as the GP form starts with it: "Shah Zaman Surgery (M85001)"."""
    return practice_label(referral.gp_practice_name, referral.gp_practice_code)


def _listed(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _locality_words(locality: str) -> str:
    return f"the {locality} locality's lists" if locality else "no locality's lists in particular (everyone sees it)"


def confirmation(result: DetailsChanged) -> str:
    """What staff are told once the change is kept (or that nothing was changed)."""
    if not result.changed:
        return "Nothing was changed: the details were already as given."
    what = _listed([field_label(result.section, field).lower() for field in result.fields if field != "locality"])
    said = []
    if result.section == Section.CHILD:
        said.append(f"The child's details are changed ({what}).")
        if {"address", "postcode"} & set(result.fields):
            said.append("Letters from now on go to the new address; letters already issued are not changed.")
            visits = result.home_visits_readdressed
            if visits:
                said.append(
                    f"{visits} home visit{'s' if visits != 1 else ''} still to come now "
                    f"go{'es' if visits == 1 else ''} to the new address; past visits keep the address they had."
                )
            else:
                said.append("There are no home visits to come to move to the new address.")
    elif result.section == Section.PARENT_CARER:
        said.append(
            f"The parent or carer's details are changed ({what}). Letters, emails and texts from now on use them."
        )
    elif result.section == Section.GP_PRACTICE:
        said.append(f"The GP practice is changed to {result.changes[0].after}.")
        if result.locality_changed:
            was = f" (it was in {_locality_words(result.locality_before)})"
            said.append(f"The referral now appears in {_locality_words(result.locality_after)}{was}.")
    elif result.section == Section.SCHOOL:
        after = result.changes[0].after
        said.append(f"The school or nursery is changed to {after}." if after else "The school or nursery is removed.")
        if not result.in_directory:
            said.append("It is not in the directory of Birmingham schools, so it is kept as written.")
    return " ".join(said)
