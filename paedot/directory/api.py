"""Public look-ups in the directory for the referral form's finders. Reference data only: no personal data."""

from __future__ import annotations

from ninja import Query, Router, Schema
from pydantic import Field

from paedot.directory.services import search_gp_practices, search_schools

router = Router(tags=["Directory"])


class SearchQuery(Schema):
    q: str = Field(min_length=1, max_length=100)
    limit: int = Field(default=10, ge=1, le=25)


class GPPracticeOut(Schema):
    code: str
    name: str
    postcode: str
    active: bool
    in_birmingham: bool
    locality: str
    label: str


class SchoolOut(Schema):
    urn: str
    name: str
    postcode: str
    open: bool
    label: str


@router.get("/directory/gp-practices", auth=None, response=list[GPPracticeOut], summary="Find GP practices")
def find_gp_practices(request, query: Query[SearchQuery]):
    """By name, ODS code or postcode; open Birmingham practices first. `label` is what the form's finder shows."""
    return [
        {
            "code": p.code,
            "name": p.name,
            "postcode": p.postcode,
            "active": p.is_active,
            "in_birmingham": p.in_birmingham,
            "locality": p.locality,
            "label": f"{p.name.title()} ({p.code})",
        }
        for p in search_gp_practices(query.q, limit=query.limit)
    ]


@router.get("/directory/schools", auth=None, response=list[SchoolOut], summary="Find schools and nurseries")
def find_schools(request, query: Query[SearchQuery]):
    """By name, URN or postcode; open ones first."""
    return [
        {"urn": s.urn, "name": s.name, "postcode": s.postcode, "open": s.is_open, "label": s.name}
        for s in search_schools(query.q, limit=query.limit)
    ]
