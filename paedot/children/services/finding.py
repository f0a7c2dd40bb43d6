"""Finding the children we already know who may be the child on an incoming referral."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from django.db.models import Q

from paedot.children.models import Child
from paedot.children.rules import (
    NONE,
    STRENGTHS,
    ChildFacts,
    ChildMatch,
    compare_name_part,
    match_child,
    normalise_name,
    transposed_date_of_birth,
)
from paedot.core.identifiers import is_valid_nhs_number, normalise_nhs_number

# Only what match_child compares is read: a register of a million referrals holds some 200 children born on any
# one date (or its transposition), and turning each into a whole model is much of the cost.
# (and which record a merged one now leads to: its spelling still identifies the child)
COMPARED_FIELDS = ("id", "given_name", "family_name", "date_of_birth", "postcode", "nhs_number", "merged_into_id")

# The same names come back request after request; normalising one is much of the cost of comparing it.
_normalised = lru_cache(maxsize=20_000)(normalise_name)

# The comparisons of a name part that never pass the name gate (children.rules): anything else might.
_FAILING_NAME_KINDS = frozenset({"different", "not_known"})


def find_known_children(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    postcode: str,
    nhs_number: str = "",
    exclude_child_ids: Iterable[int] = (),
) -> list[tuple[Child, ChildMatch]]:
    """Known children who are certainly or likely this child, strongest first; one query however many we hold.

    Candidates are those with the same NHS number, or born on the same date (or on the date with day and month
    the other way round): no match can be "likely" without one of those, so nobody else needs reading. Of those,
    only the ones who could pass the family-name gate are weighed in full (see `_could_match`).
    """
    incoming = ChildFacts(
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        nhs_number=nhs_number,
    )
    dates = {date_of_birth}
    transposed = transposed_date_of_birth(date_of_birth)
    if transposed is not None:
        dates.add(transposed)
    candidates = Q(date_of_birth__in=sorted(dates))
    number = normalise_nhs_number(nhs_number)
    incoming_number_valid = is_valid_nhs_number(number)
    if incoming_number_valid:
        candidates |= Q(nhs_number=number)

    children = Child.objects.filter(candidates)
    excluded = list(exclude_child_ids)
    if excluded:
        children = children.exclude(pk__in=excluded)

    family_gate = _FamilyNameGate(family_name)
    matches = []
    for row in children.values_list(*COMPARED_FIELDS):
        _, known_given, known_family, known_born, known_postcode, known_number, _merged_into = row
        if not _could_match(
            incoming_number=number if incoming_number_valid else "",
            known_number=known_number,
            dates=dates,
            known_born=known_born,
            known_names=(known_given, known_family),
            family_gate=family_gate,
        ):
            continue
        known = ChildFacts(
            given_name=known_given,
            family_name=known_family,
            date_of_birth=known_born,
            postcode=known_postcode,
            nhs_number=known_number,
        )
        match = match_child(incoming, known)
        if match.strength != NONE:
            matches.append((Child.from_db(children.db, COMPARED_FIELDS, row), match))
    matches.sort(key=lambda pair: (STRENGTHS.index(pair[1].strength), -pair[1].score, pair[0].pk))
    return matches


class _FamilyNameGate:
    """Whether a known name is alike enough to the incoming family name to pass the name gate, remembered for
    each name: in a register the same names come up again and again among one date's children."""

    def __init__(self, family_name: str) -> None:
        self.family_name = _normalised(family_name)
        self.seen: dict[str, bool] = {}

    def passes(self, name: str) -> bool:
        passed = self.seen.get(name)
        if passed is None:
            passed = compare_name_part(self.family_name, _normalised(name)).kind not in _FAILING_NAME_KINDS
            self.seen[name] = passed
        return passed


def _could_match(
    *,
    incoming_number: str,
    known_number: str,
    dates: set[dt.date],
    known_born: dt.date,
    known_names: tuple[str, str],
    family_gate: _FamilyNameGate,
) -> bool:
    """False only for a child match_child would certainly find no match with; cheap, so it runs for every candidate.

    Two valid NHS numbers decide alone (the same: certain; different: none). Otherwise "likely" needs the same or
    the transposed date of birth, and both name parts passing their gate, the names compared as written or the
    other way round: so the incoming family name must pass it against the known family name or, swapped, against
    the known given name.
    """
    if incoming_number and is_valid_nhs_number(known_number):
        return normalise_nhs_number(known_number) == incoming_number
    if known_born not in dates:
        return False
    known_given, known_family = known_names
    return family_gate.passes(known_family) or family_gate.passes(known_given)
