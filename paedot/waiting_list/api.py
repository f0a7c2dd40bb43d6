"""The waiting list, invitations to book and bookings in the API."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from paedot.config.api import BearerToken
from paedot.referrals.api import ACTION_RESPONSES, find_referral, perform, referral_out
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.rules import Action, may, refusal
from paedot.waiting_list.presenters import waiting_row
from paedot.waiting_list.services import WaitingListFilters, invite_to_book, page_of, record_booking, waiting_list

router = Router(tags=["Waiting list"])

PAGE_SIZE = 50
# Far past any real list (five million children), and small enough that the database's OFFSET never overflows: a
# page number of 30 digits was a 500.
MAX_PAGE = 100_000


class WaitingListQuery(Schema):
    locality: Literal["Central", "East", "North", "South", "West", ""] = ""
    priority: Literal["urgent", "soon", "routine", ""] = ""
    pathway: Literal["advice_and_strategies", "package_of_care", "group", ""] = ""
    setting: Literal["clinic", "school", "nursery", "home", "cdc", ""] = ""
    age_band: Literal["0-4", "5-10", "11-15", "16-19", ""] = ""
    band: Literal["0-1", "1-2", "2-4", "4-12", "12-18", "18-52", "52+", ""] = ""
    page: int = 1


class WaitingRowOut(Schema):
    reference: str
    priority: str
    pathway: str
    received_date: str
    days_waiting: int
    weeks_waiting: int
    band: str
    locality: str
    status: str


class WaitingListOut(Schema):
    count: int
    results: list[WaitingRowOut]


@router.get(
    "/waiting-list",
    auth=BearerToken(),
    response={200: WaitingListOut, 400: dict, 401: dict, 403: dict},
    summary="The waiting list, in order",
)
def get_waiting_list(request: HttpRequest, filters: Query[WaitingListQuery]):
    """Every triaged referral whose clock is running (waiting, invited, booked), by priority (urgent, soon,
    routine) then the date received; 50 a page."""
    if not may(request.auth, Action.VIEW_WAITING_LIST):
        raise NotAllowed(refusal(Action.VIEW_WAITING_LIST))
    from paedot.config.api_errors import bad_request

    if filters.page < 1:
        raise bad_request("page", "The page number must be 1 or more")
    if filters.page > MAX_PAGE:
        raise bad_request("page", f"The page number must be {MAX_PAGE:,} or less")
    today = timezone.localdate()
    queryset = waiting_list(
        WaitingListFilters(
            locality=filters.locality,
            priority=filters.priority,
            pathway=filters.pathway,
            setting=filters.setting,
            age_band=filters.age_band,
            band=filters.band,
        ),
        today=today,
        within=Referral.objects.visible_to(request.auth),
    )
    start = (filters.page - 1) * PAGE_SIZE
    rows = page_of(
        queryset.select_related(None).only("reference", "priority", "pathway", "received_date", "locality", "status"),
        start,
        PAGE_SIZE,
    )
    return {"count": queryset.count(), "results": [waiting_row(r, today) for r in rows]}


@router.post("/referrals/{reference}/invite", auth=BearerToken(), response=ACTION_RESPONSES, summary="Invite to book")
def invite(request: HttpRequest, reference: str):
    """Send the family an invitation to call or reply to book, by a deadline (the invitation policy's, 14 days by
    default); a reminder goes at half time."""
    referral = find_referral(request, reference, action=Action.INVITE)
    perform(lambda: invite_to_book(referral=referral, invited_by=request.auth))
    return referral_out(referral)


class BookingIn(Schema):
    note: str = ""


@router.post("/referrals/{reference}/book", auth=BearerToken(), response=ACTION_RESPONSES, summary="Record a booking")
def book(request: HttpRequest, reference: str, payload: BookingIn):
    """The family replied to the invitation and an appointment is booked."""
    referral = find_referral(request, reference, action=Action.RECORD_BOOKING)
    perform(lambda: record_booking(referral=referral, recorded_by=request.auth, note=payload.note), field="note")
    return referral_out(referral)
