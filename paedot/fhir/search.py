"""The search parameters each resource answers, and reading them from a query string. No database, no request.

SEARCHES is the one list: the views accept exactly these (anything else is a 400) and the CapabilityStatement
publishes exactly these.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from paedot.core.identifiers import normalise_nhs_number
from paedot.fhir.resources import NHS_NUMBER_SYSTEM, SearchParameter

DEFAULT_COUNT = 50
MAX_COUNT = 100
MAX_PAGE = 10_000  # far beyond any one child's records; refuses an offset the database would choke on
MAX_ID_DIGITS = 18  # a bigint; longer is no id of ours (and would overflow the database's integer)

_PATIENT = SearchParameter("patient", "reference", "The child: Patient/{id} (or the bare id).")
SEARCHES: dict[str, tuple[SearchParameter, ...]] = {
    "Patient": (
        SearchParameter(
            "identifier", "token", f"The NHS number: {NHS_NUMBER_SYSTEM}|9434765919 (or the ten digits alone)."
        ),
    ),
    "ServiceRequest": (
        _PATIENT,
        SearchParameter("identifier", "token", "The referral reference (OT-XXXX-XXXX), with or without its system."),
    ),
    "EpisodeOfCare": (_PATIENT,),
    "Appointment": (
        _PATIENT,
        SearchParameter(
            "date",
            "date",
            "The day the appointment starts (UK time), YYYY-MM-DD with an optional prefix eq, lt, le, gt or ge; "
            "repeat for a range (date=ge2026-01-01&date=lt2026-04-01).",
        ),
    ),
    "CarePlan": (_PATIENT,),
    "Goal": (_PATIENT,),
    "Observation": (_PATIENT,),
    "Flag": (_PATIENT,),
}
# Every search needs one of these (a search of every child's goals is not what this interface is for).
REQUIRED: dict[str, tuple[str, ...]] = {
    "Patient": ("identifier",),
    "EpisodeOfCare": ("patient",),
    "Appointment": ("patient",),
    "CarePlan": ("patient",),
    "Goal": ("patient",),
    "Observation": ("patient",),
    "Flag": ("patient",),
}
RESULT_PARAMETERS = ("_count", "page", "_format")
REPEATABLE = {"date"}
DATE_PREFIXES = ("eq", "lt", "le", "gt", "ge")


class SearchError(Exception):
    """A search this server will not run: 400 with an OperationOutcome of this issue code."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Token:
    system: str | None  # None: any system; "" : no system
    value: str


@dataclass(frozen=True)
class DateBound:
    prefix: str
    day: dt.date


@dataclass(frozen=True)
class Search:
    resource_type: str
    count: int = DEFAULT_COUNT
    page: int = 1
    patient_given: bool = False
    patient_id: int | None = None  # None with patient_given: a patient that cannot exist, so nothing is found
    identifier: Token | None = None
    dates: tuple[DateBound, ...] = field(default_factory=tuple)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.count


def parse_id(value: str) -> int | None:
    """One of our numeric ids, or None for anything that cannot be one (so it is simply not found)."""
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > MAX_ID_DIGITS:
        return None
    return int(value)


def parse_patient(value: str) -> int | None:
    """Patient/12 or 12. None: a patient that cannot exist (the search then finds nothing)."""
    value = value.strip()
    if "," in value:
        raise SearchError("Search for one patient at a time: patient=Patient/{id}.")
    if "/" in value:
        resource_type, _, value = value.rpartition("/")
        if resource_type.rsplit("/", 1)[-1] != "Patient":
            raise SearchError("patient must be a reference to a Patient: patient=Patient/{id}.")
    return parse_id(value)


def parse_token(value: str) -> Token:
    if "," in value:
        raise SearchError("Give one identifier at a time.")
    if "|" in value:
        system, _, code = value.partition("|")
        return Token(system=system.strip(), value=code.strip())
    return Token(system=None, value=value.strip())


def parse_date(value: str) -> DateBound:
    prefix, day = "eq", value.strip()
    if day[:2].isalpha():
        prefix, day = day[:2], day[2:]
    if prefix not in DATE_PREFIXES:
        raise SearchError(f"date prefix {prefix!r} is not supported: use one of {', '.join(DATE_PREFIXES)}.")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        raise SearchError("date must be a day, YYYY-MM-DD (with an optional prefix such as ge).")
    try:
        return DateBound(prefix=prefix, day=dt.date.fromisoformat(day))
    except ValueError as error:
        raise SearchError(f"date {day!r} is not a day of the calendar.") from error


def _bounded_int(name: str, raw: str, low: int, high: int) -> int:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and low <= int(raw) <= high):
        raise SearchError(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def parse_search(resource_type: str, query: Mapping[str, Sequence[str]]) -> Search:
    """Read a search's query string ({name: [values]}). Unsupported parameters or modifiers, repeats of a parameter
    that takes one value, and bad values are a SearchError (400)."""
    supported = {p.name for p in SEARCHES[resource_type]}
    values: dict[str, list[str]] = {}
    for name, given in query.items():
        if name not in supported and name not in RESULT_PARAMETERS:
            if name.partition(":")[0] in supported:
                raise SearchError(f"The modifier in {name!r} is not supported.", code="not-supported")
            allowed = ", ".join(sorted(supported | {"_count"}))
            raise SearchError(
                f"{resource_type} cannot be searched by {name!r}. Supported: {allowed}.", code="not-supported"
            )
        if len(given) > 1 and name not in REPEATABLE:
            raise SearchError(f"Give {name} once.")
        values[name] = list(given)
    missing = [name for name in REQUIRED.get(resource_type, ()) if name not in values]
    if missing:
        raise SearchError(f"Searching {resource_type} needs {' or '.join(missing)}.", code="required")
    count = _bounded_int("_count", values["_count"][0], 1, MAX_COUNT) if "_count" in values else DEFAULT_COUNT
    page = _bounded_int("page", values["page"][0], 1, MAX_PAGE) if "page" in values else 1
    return Search(
        resource_type=resource_type,
        count=count,
        page=page,
        patient_given="patient" in values,
        patient_id=parse_patient(values["patient"][0]) if "patient" in values else None,
        identifier=parse_token(values["identifier"][0]) if "identifier" in values else None,
        dates=tuple(parse_date(value) for value in values.get("date", ())),
    )


def nhs_number_searched(token: Token) -> str | None:
    """The NHS number a Patient identifier search asks for, or None when it cannot match one (another system)."""
    if token.system not in (None, NHS_NUMBER_SYSTEM):
        return None
    digits = normalise_nhs_number(token.value)
    return digits if len(digits) == 10 and digits.isascii() and digits.isdigit() else None


def reference_searched(token: Token, system: str) -> str | None:
    """The referral reference a ServiceRequest identifier search asks for, or None (another system)."""
    if token.system not in (None, system):
        return None
    return token.value.strip().upper() or None


def page_query(query: Mapping[str, Sequence[str]], page: int) -> list[tuple[str, str]]:
    """The same search for another page: every parameter as given, with page set."""
    pairs = [(name, value) for name, values in query.items() if name != "page" for value in values]
    if page > 1:
        pairs.append(("page", str(page)))
    return pairs
