"""Staff pages for the waiting list: the list in order, its CSV export, and invitations to book."""

from __future__ import annotations

import csv
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from paedot.core.presenters import format_date
from paedot.referrals import presenters as referral_presenters
from paedot.referrals.models import Referral, Status
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.staff.rules import Action, may, refusal
from paedot.waiting_list import presenters
from paedot.waiting_list.forms import BookingForm, DischargeForNoReplyForm, ExtendInvitationForm, WaitingListFilterForm
from paedot.waiting_list.models import Invitation
from paedot.waiting_list.services import (
    discharge_for_no_reply,
    expected_wait_for_new_referral,
    extend_invitation,
    invite_to_book,
    page_of,
    record_booking,
    waiting_list,
)

PAGE_SIZE = 50
CSV_CHUNK_SIZE = 2000


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _page_number(request: HttpRequest, source=None) -> int:
    try:
        return max(int((source or request.GET).get("page", 1)), 1)
    except (TypeError, ValueError):
        return 1


def _paginate(queryset, number: int) -> dict:
    """One page by slicing: one count of the filtered rows and one query for the page, however long the list."""
    count = queryset.count()
    pages = max(math.ceil(count / PAGE_SIZE), 1)
    number = min(number, pages)
    start = (number - 1) * PAGE_SIZE
    return {
        "items": page_of(queryset, start, PAGE_SIZE),
        "count": count,
        "number": number,
        "pages": pages,
        "first": start + 1,
        "last": min(start + PAGE_SIZE, count),
    }


def _back(request: HttpRequest, default: str) -> str:
    """Where a button's POST returns to: the page it was on (its `next`, or the page that sent it), if it is ours."""
    for candidate in (request.POST.get("next"), request.headers.get("referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return default


def _referral(request: HttpRequest, reference: str) -> Referral:
    return get_object_or_404(Referral.objects.visible_to(request.user), reference=reference.strip().upper())


# The waiting list ------------------------------------------------------------------------------------------------


def _filtered(request: HttpRequest, form: WaitingListFilterForm, today):
    form.is_valid()  # an invalid filter is reported on the page and left out
    return waiting_list(form.filters(), today=today, within=Referral.objects.visible_to(request.user))


@login_required
@require_GET
def show_waiting_list(request: HttpRequest) -> HttpResponse:
    """Every triaged referral whose clock is running, in waiting-list order, 50 a page."""
    _require(request.user, Action.VIEW_WAITING_LIST)
    today = timezone.localdate()
    form = WaitingListFilterForm(request.GET)
    queryset = _filtered(request, form, today)
    page = _paginate(queryset, _page_number(request))
    rows = [presenters.page_row(referral, today) for referral in page["items"]]
    query = form.query_string()

    def page_href(number: int) -> str:
        return "?" + "&".join(part for part in (query, f"page={number}") if part)

    return render(
        request,
        "waiting_list/show_waiting_list.jinja",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "page_href": page_href,
            "csv_href": reverse("waiting_list:export_csv") + (f"?{query}" if query else ""),
            "filtered": bool(query),
            "expected_wait": expected_wait_for_new_referral(today),
            "may_invite": may(request.user, Action.INVITE),
            "may_book": may(request.user, Action.RECORD_BOOKING),
            "status_tag": referral_presenters.status_tag,
            "page_title": ("Error: " if form.errors else "") + "Waiting list",
            "active_nav": "waiting_list",
        },
    )


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value):
    """Spreadsheets run a cell that starts like a formula; a leading apostrophe makes it text (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@login_required
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered waiting list, every row, streamed. References only: no names, NHS numbers or dates of birth."""
    _require(request.user, Action.VIEW_WAITING_LIST)
    today = timezone.localdate()
    form = WaitingListFilterForm(request.GET)
    queryset = (
        _filtered(request, form, today)
        .select_related(None)
        .select_related("clinician", "child")
        .only(
            "reference",
            "priority",
            "pathway",
            "first_setting",
            "locality",
            "received_date",
            "status",
            "child__date_of_birth",
            "clinician__first_name",
            "clinician__last_name",
            "clinician__username",
        )
    )
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
        yield writer.writerow(presenters.CSV_HEADER)
        for referral in queryset.iterator(chunk_size=CSV_CHUNK_SIZE):
            yield writer.writerow([_safe_cell(cell) for cell in presenters.csv_row(referral, today)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="waiting-list-{today.isoformat()}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _refused(request: HttpRequest, problem: Exception) -> None:
    messages.error(request, str(problem))


@login_required
@require_POST
def invite(request: HttpRequest, reference: str) -> HttpResponse:
    """Invite the family to book; the letter goes with a deadline from the invitation policy."""
    referral = _referral(request, reference)
    _require(request.user, Action.INVITE)
    back = _back(request, reverse("waiting_list:show_waiting_list"))
    try:
        invitation = invite_to_book(referral=referral, invited_by=request.user)
    except NotAllowed as problem:
        raise PermissionDenied(str(problem)) from problem
    except (TransitionRefused, ValueError) as problem:
        _refused(request, problem)
        return redirect(back)
    messages.success(
        request,
        f"Invitation to book sent for {referral.reference}: the family has until {format_date(invitation.deadline)} "
        "to reply. The letter is on the referral's page, ready to print.",
    )
    return redirect(back)


# Invitations to book ---------------------------------------------------------------------------------------------

LISTS = {
    Invitation.State.OPEN: {
        "template": "waiting_list/show_invitations.jinja",
        "title": "Invitations to book",
        "url": "waiting_list:show_invitations",
    },
    Invitation.State.NO_REPLY: {
        "template": "waiting_list/show_no_reply.jinja",
        "title": "No reply to the invitation",
        "url": "waiting_list:show_no_reply",
    },
}


def _invitations(request: HttpRequest, state: str, *, page_number: int, bound: dict | None = None, status=200):
    """Invitations in this state, oldest deadline first. `bound` holds a form the user sent with errors."""
    _require(request.user, Action.VIEW_WAITING_LIST)
    queryset = (
        Invitation.objects.filter(state=state, referral__in=Referral.objects.visible_to(request.user))
        .filter(referral__status=Status.INVITED)
        .select_related("referral__child", "invited_by", "decided_by")
        .order_by("deadline", "sent_on", "id")
    )
    page = _paginate(queryset, page_number)
    bound = bound or {}
    today = timezone.localdate()
    rows = []
    for invitation in page["items"]:
        forms = bound.get(invitation.pk, {})
        prefix = f"i{invitation.pk}"
        rows.append(
            {
                "invitation": invitation,
                "referral": invitation.referral,
                "days_overdue": max((today - invitation.deadline).days, 0),
                "extend_form": forms.get("extend") or ExtendInvitationForm(prefix=f"{prefix}-extend"),
                "discharge_form": forms.get("discharge") or DischargeForNoReplyForm(prefix=f"{prefix}-discharge"),
                "booking_form": forms.get("booking") or BookingForm(prefix=f"{prefix}-booking"),
            }
        )
    errors = [form for forms in bound.values() for form in forms.values() if form.errors]
    details = LISTS[state]
    return render(
        request,
        details["template"],
        {
            "rows": rows,
            "page": page,
            "page_href": lambda number: f"?page={number}",
            "forms_with_errors": errors,
            "may_decide": may(request.user, Action.DECIDE_NO_REPLY),
            "may_book": may(request.user, Action.RECORD_BOOKING),
            "page_title": ("Error: " if errors else "") + details["title"],
            "active_nav": "waiting_list",
            "back_href": reverse("waiting_list:show_waiting_list"),
            "this_page": reverse(details["url"]) + (f"?page={page['number']}" if page["number"] > 1 else ""),
        },
        status=status,
    )


@login_required
@require_GET
def show_invitations(request: HttpRequest) -> HttpResponse:
    """Open invitations: when they went, when the reminder is due or went, and the deadline."""
    return _invitations(request, Invitation.State.OPEN, page_number=_page_number(request))


@login_required
@require_GET
def show_no_reply(request: HttpRequest) -> HttpResponse:
    """Families who did not reply by the deadline, for a clinician to discharge or give longer."""
    return _invitations(request, Invitation.State.NO_REPLY, page_number=_page_number(request))


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    visible = Referral.objects.visible_to(request.user)
    return get_object_or_404(Invitation.objects.select_related("referral").filter(referral__in=visible), pk=pk)


def _decide(request: HttpRequest, invitation: Invitation | None, form, key: str, call, success) -> HttpResponse:
    """Validate, call the service, and say what happened (`success` makes the message from the service's result).

    A problem with what was typed shows the invitation's list again with the form as typed; a refusal (the
    referral moved on meanwhile) is a message on the page the person came from, never an error page.
    """
    state = invitation.state if invitation is not None and invitation.state in LISTS else Invitation.State.OPEN
    back = _back(request, reverse(LISTS[state]["url"] if invitation else "waiting_list:show_waiting_list"))
    page_number = _page_number(request, request.POST)

    def again() -> HttpResponse:
        if invitation is None:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect(back)
        return _invitations(request, state, page_number=page_number, bound={invitation.pk: {key: form}}, status=400)

    if not form.is_valid():
        return again()
    try:
        result = call(form.cleaned_data)
    except NotAllowed as problem:
        raise PermissionDenied(str(problem)) from problem
    except TransitionRefused as problem:
        _refused(request, problem)
        return redirect(back)
    except ValueError as problem:
        form.add_error(None, str(problem))
        return again()
    messages.success(request, success(result))
    return redirect(back)


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    _require(request.user, Action.DECIDE_NO_REPLY)
    form = ExtendInvitationForm(request.POST, prefix=f"i{invitation.pk}-extend")
    reference = invitation.referral.reference
    return _decide(
        request,
        invitation,
        form,
        "extend",
        lambda data: extend_invitation(
            invitation=invitation, days=data["days"], reason=data["reason"], decided_by=request.user
        ),
        lambda extended: (
            f"Deadline for {reference} extended: the family now has until {format_date(extended.deadline)} to reply."
        ),
    )


@login_required
@require_POST
def discharge(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    _require(request.user, Action.DECIDE_NO_REPLY)
    form = DischargeForNoReplyForm(request.POST, prefix=f"i{invitation.pk}-discharge")
    reference = invitation.referral.reference
    return _decide(
        request,
        invitation,
        form,
        "discharge",
        lambda data: discharge_for_no_reply(invitation=invitation, reason=data["reason"], decided_by=request.user),
        lambda _: (
            f"{reference} discharged. The letter to the family, the referrer and the GP is on the referral's "
            "page, ready to print."
        ),
    )


@login_required
@require_POST
def book(request: HttpRequest, reference: str) -> HttpResponse:
    """The family replied and booked: the referral moves from invited to booked."""
    referral = _referral(request, reference)
    _require(request.user, Action.RECORD_BOOKING)
    invitation = Invitation.objects.filter(referral=referral, state__in=list(LISTS)).order_by("-id").first()
    form = BookingForm(request.POST, prefix=f"i{invitation.pk}-booking" if invitation else None)
    return _decide(
        request,
        invitation,
        form,
        "booking",
        lambda data: record_booking(referral=referral, recorded_by=request.user, note=data["note"]),
        lambda _: f"Booking recorded for {referral.reference}: the family replied and an appointment is booked.",
    )
