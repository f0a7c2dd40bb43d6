"""Finding the children we already know who may be the child on an incoming referral."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from paedot.children.models import Child
from paedot.children.rules import NONE, STRENGTHS, ChildFacts, ChildMatch, match_child, transposed_date_of_birth
from paedot.core.identifiers import is_valid_nhs_number, normalise_nhs_number


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
    the other way round): no match can be "likely" without one of those, so nobody else needs reading.
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
    if is_valid_nhs_number(number):
        candidates |= Q(nhs_number=number)

    children = Child.objects.filter(candidates)
    excluded = list(exclude_child_ids)
    if excluded:
        children = children.exclude(pk__in=excluded)

    matches = []
    for child in children:
        match = match_child(incoming, _facts(child))
        if match.strength != NONE:
            matches.append((child, match))
    matches.sort(key=lambda pair: (STRENGTHS.index(pair[1].strength), -pair[1].score, pair[0].pk))
    return matches


def _facts(child: Child) -> ChildFacts:
    return ChildFacts(
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        postcode=child.postcode,
        nhs_number=child.nhs_number,
    )
