"""Staff pages for appointments: book one for a referral, plan a block of treatment, and see one appointment to
record what happened, cancel or move it. Every change goes through paedot.appointments.services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from paedot.appointments import presenters
from paedot.appointments.forms import (
    BlockForm,
    BookingForm,
    CancelForm,
    FlagReviewForm,
    MoveForm,
    OutcomeForm,
    find_location,
)
from paedot.appointments.models import Appointment, AppointmentSeries, AttendanceFlag, Kind
from paedot.appointments.services import (
    BOOKABLE,
    DoubleBooking,
    OutsideAvailability,
    book_appointment,
    booking_warnings,
    cancel_appointment,
    cancel_warnings,
    families_told_of_cancellation,
    move_appointment,
    move_warnings,
    record_outcome,
    review_attendance_flag,
)
from paedot.care.models import Package
from paedot.care.services.packages import plan_block_for_package
from paedot.core.audit import record_view
from paedot.diaries.presenters import day_heading
from paedot.referrals import presenters as referral_presenters
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.staff.rules import Action, may, refusal


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _referral(request: HttpRequest, reference: str) -> Referral:
    return get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("child", "clinician"), reference=reference
    )


def _referral_href(referral: Referral) -> str:
    return reverse("referrals:show_referral", args=[referral.reference])


def _attempt(form, call):
    """Call a service; its refusals become errors on the form (and an HTTP status), never a 500.

    Returns (result, status, problems): problems are why the slot needs an override reason."""
    try:
        return call(), 200, ()
    except NotAllowed as not_allowed:
        raise PermissionDenied(str(not_allowed)) from not_allowed
    except OutsideAvailability as outside:
        return None, 422, outside.problems
    except DoubleBooking as clash:
        form.add_error(None, str(clash))
        return None, 409, ()
    except TransitionRefused as refused:
        form.add_error(None, str(refused))
        return None, 409, ()
    except ValueError as problem:
        form.add_error(None, str(problem))
        return None, 400, ()


@login_required
@require_http_methods(["GET", "POST"])
def book_appointment_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Book an appointment for a referral: kind, clinician, place, date and time (Birmingham time) and length.
    Outside the clinician's working pattern the page says why and asks for the reason to book it anyway."""
    _require(request.user, Action.BOOK_APPOINTMENT)
    referral = _referral(request, reference)
    posted = request.method == "POST"
    form = BookingForm(request.POST if posted else None, referral=referral)
    # The place is chosen on this form, so the alerts that matter on a home visit are shown before it is (H25).
    visit_alerts = presenters.visit_alerts(referral)
    problems: tuple = ()
    status = 200
    if posted and "find_school" in request.POST:
        form.show_without_errors()
    elif posted and form.is_valid():
        data = form.cleaned_data
        appointment, status, problems = _attempt(
            form,
            lambda: book_appointment(
                referral=referral,
                clinician=data["clinician"],
                kind=data["kind"],
                location=find_location(data["location"]),
                room=data["room"],
                start=form.start(),
                duration_minutes=data["duration_minutes"],
                override_reason=data["override_reason"],
                booked_by=request.user,
            ),
        )
        if appointment is not None:
            messages.success(
                request,
                f"{appointment.get_kind_display()} booked for {presenters.when(appointment)} with "
                f"{appointment.clinician.display_name} at {presenters.place(appointment)}.",
            )
            warnings = booking_warnings(appointment)
            if warnings:
                # Booked in the past: to the appointment's page, where the warning is shown and the outcome recorded.
                for warning in warnings:
                    messages.warning(request, warning["message"])
                return redirect("appointments:show_appointment", appointment_id=appointment.pk)
            if presenters.is_home(appointment.location) and visit_alerts:
                # Hazard H25: a home visit booked for a child with alerts is confirmed on its own page, which lists
                # them, so whoever booked it (and tells the clinician) sees them once more.
                return redirect("appointments:show_appointment", appointment_id=appointment.pk)
            return redirect("referrals:show_referral", reference=referral.reference)
    elif posted:
        status = 400
    return render(
        request,
        "appointments/book_appointment.jinja",
        {
            "referral": referral,
            "form": form,
            "problems": problems,
            "show_override": bool(problems) or bool(form["override_reason"].value()),
            "bookable": referral.status in BOOKABLE,
            "visit_alerts": visit_alerts,
            "referral_presenters": referral_presenters,
            "page_title": ("Error: " if form.errors or problems else "") + f"Book an appointment for {reference}",
            "back_href": _referral_href(referral),
            "active_nav": "inbox",
        },
        status=status,
    )


def _package_for_block(request: HttpRequest, referral: Referral) -> Package | None:
    """The package a block is planned for (?package=<id>, kept when the form posts back to the same address):
    one of this child's packages the user may see, or 404."""
    value = (request.GET.get("package") or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise Http404("No such package of care.")
    return get_object_or_404(Package.objects.visible_to(request.user).filter(episode__referral=referral), pk=int(value))


@login_required
@require_http_methods(["GET", "POST"])
def plan_block_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Set up a block of treatment: N sessions at an interval, skipping bank holidays, closure days and (at schools
    and nurseries) school holidays, then the review after the last. All or nothing.

    Planned for a package of care (?package=<id>), the block is linked to it and the package's review falls due on
    the review appointment's day."""
    _require(request.user, Action.PLAN_BLOCK)
    referral = _referral(request, reference)
    package = _package_for_block(request, referral)
    posted = request.method == "POST"
    form = BlockForm(request.POST if posted else None, referral=referral, package=package)
    visit_alerts = presenters.visit_alerts(referral)  # H25: shown before the place is chosen, as when booking
    problems: tuple = ()
    status = 200
    if posted and "find_school" in request.POST:
        form.show_without_errors()
    elif posted and form.is_valid():
        data = form.cleaned_data
        block, status, problems = _attempt(
            form,
            lambda: plan_block_for_package(
                package=package,
                referral=referral,
                clinician=data["clinician"],
                location=find_location(data["location"]),
                room=data["room"],
                first_start=form.start(),
                sessions=data["sessions"],
                interval_days=data["interval_days"],
                duration_minutes=data["duration_minutes"],
                override_reason=data["override_reason"],
                planned_by=request.user,
            ),
        )
        if block is not None:
            linked = f" It delivers {str(package).lower()}: its review is due then." if package is not None else ""
            messages.success(
                request,
                f"Block of {len(block.sessions)} sessions booked, with the review on {presenters.when(block.review)}."
                + linked,
            )
            return redirect("appointments:show_block", reference=referral.reference, series_id=block.series.pk)
    elif posted:
        status = 400
    return render(
        request,
        "appointments/plan_block.jinja",
        {
            "referral": referral,
            "form": form,
            "package": package,
            "problems": problems,
            "bookable": referral.status in BOOKABLE,
            "visit_alerts": visit_alerts,
            "referral_presenters": referral_presenters,
            "page_title": ("Error: " if form.errors or problems else "") + f"Plan a block of treatment for {reference}",
            "back_href": _referral_href(referral),
            "active_nav": "inbox",
        },
        status=status,
    )


@login_required
def show_block(request: HttpRequest, reference: str, series_id: int) -> HttpResponse:
    """A block of treatment: its sessions, the dates it skipped and why, the review, and what to check (dates after
    the school holidays held, and sessions in the past until each has its outcome; kept from when it was planned)."""
    _require(request.user, Action.VIEW_DIARIES)
    referral = _referral(request, reference)
    series = get_object_or_404(
        AppointmentSeries.objects.select_related("clinician", "location", "created_by"), pk=series_id, referral=referral
    )
    appointments = list(series.appointments.select_related("clinician", "location", "room").order_by("start", "id"))
    now = timezone.now()
    return render(
        request,
        "appointments/show_block.jinja",
        {
            "referral": referral,
            "series": series,
            "sessions": [a for a in appointments if a.kind != Kind.REVIEW],
            "reviews": [a for a in appointments if a.kind == Kind.REVIEW],
            "skipped": [
                {"date": day_heading(dt.date.fromisoformat(s["date"])), "why": s["why"]} for s in series.skipped_dates
            ],
            "warnings": presenters.block_warnings(series, appointments),
            "visit_alerts": presenters.visit_alerts(referral) if presenters.is_home(series.location) else [],
            "presenters": presenters,
            "now": now,
            "page_title": f"Block of treatment for {reference}",
            "back_href": _referral_href(referral),
            "active_nav": "inbox",
        },
    )


def _appointment(request: HttpRequest, appointment_id: int) -> Appointment:
    visible = Referral.objects.visible_to(request.user)
    return get_object_or_404(
        Appointment.objects.filter(Q(referral__isnull=True) | Q(referral__in=visible)).select_related(
            "referral__child",
            "clinician__supervisor",
            "location",
            "room",
            "programme",
            "series",
            "booked_by",
            "outcome_recorded_by",
        ),
        pk=appointment_id,
    )


def _show(request: HttpRequest, appointment: Appointment, *, forms: dict | None = None, status: int = 200, problems=()):
    forms = forms or {}
    user = request.user
    now = timezone.now()
    is_open = not appointment.cancelled and not appointment.outcome
    move_form = forms.get("move", MoveForm())
    return render(
        request,
        "appointments/show_appointment.jinja",
        {
            "appointment": appointment,
            "presenters": presenters,
            "tag": presenters.status_tag(appointment, now),
            "visit_alerts": presenters.visit_alerts(appointment.referral)
            if presenters.is_home(appointment.location)
            else [],
            "is_open": is_open,
            "has_happened": appointment.start <= now,
            "outcome_form": forms.get("outcome", OutcomeForm()),
            "cancel_form": forms.get("cancel", CancelForm()),
            "move_form": move_form,
            "problems": problems,
            "show_override": bool(problems) or bool(move_form["override_reason"].value()),
            "may_record": may(user, Action.RECORD_OUTCOME),
            "may_move": may(user, Action.BOOK_APPOINTMENT),
            "clinician_html": format_html(
                '<a href="{}">{}</a>, {}',
                reverse(
                    "diaries:clinician_day",
                    args=[appointment.clinician.username, presenters.local(appointment.start).date()],
                ),
                appointment.clinician.display_name,
                appointment.clinician.get_role_display().lower(),
            ),
            "page_title": ("Error: " if status >= 400 else "")
            + f"{appointment.get_kind_display()}: {presenters.who(appointment)}",
            "back_href": _referral_href(appointment.referral) if appointment.referral_id else "",
            "active_nav": "diaries",
        },
        status=status,
    )


@login_required
def show_appointment(request: HttpRequest, appointment_id: int) -> HttpResponse:
    _require(request.user, Action.VIEW_DIARIES)
    appointment = _appointment(request, appointment_id)
    record_view(request, appointment, child_id=appointment.referral.child_id if appointment.referral_id else None)
    return _show(request, appointment)


def _done(request: HttpRequest, appointment: Appointment, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("appointments:show_appointment", appointment_id=appointment.pk)


@login_required
@require_POST
def record_outcome_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    _require(request.user, Action.RECORD_OUTCOME)
    appointment = _appointment(request, appointment_id)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _show(request, appointment, forms={"outcome": form}, status=400)
    outcome = form.cleaned_data["outcome"]
    updated, status, _ = _attempt(
        form, lambda: record_outcome(appointment=appointment, outcome=outcome, recorded_by=request.user)
    )
    if updated is None:
        return _show(request, appointment, forms={"outcome": form}, status=status)
    if outcome == "attended":
        message = "Recorded: attended."
        referral = updated.referral
        referral.refresh_from_db(fields=["status", "days_waited"])
        if referral.status == "seen" and referral.days_waited is not None:
            message += f" The waiting-time clock has stopped: {referral.days_waited} days waited."
    else:
        message = "Recorded: was not brought."
        if AttendanceFlag.objects.filter(referral_id=updated.referral_id, state=AttendanceFlag.State.OPEN).exists():
            message += " Missed appointments are flagged on the referral for a clinician to review."
    return _done(request, appointment, message)


@login_required
@require_POST
def cancel_appointment_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    _require(request.user, Action.RECORD_OUTCOME)
    appointment = _appointment(request, appointment_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _show(request, appointment, forms={"cancel": form}, status=400)
    data = form.cleaned_data
    updated, status, _ = _attempt(
        form,
        lambda: cancel_appointment(
            appointment=appointment, by=data["by"], reason=data["reason"], cancelled_by=request.user
        ),
    )
    if updated is None:
        return _show(request, appointment, forms={"cancel": form}, status=status)
    who = "the family" if data["by"] == "family" else "the service"
    said = f"Cancelled by {who}. Any other appointments in its series are still booked."
    told = families_told_of_cancellation(updated)
    if told and updated.referral_id is None:
        said += f" A cancellation email or text message was sent to the families reminded of it: {', '.join(told)}."
    elif told:
        said += " The family has been sent a cancellation letter (and an email and text where we hold their details)."
    response = _done(request, appointment, said)
    # Sent nothing about it (never told of it, its time gone, or a group session): said here, as a move's warning is.
    for warning in cancel_warnings(updated):
        messages.warning(request, warning["message"])
    return response


@login_required
@require_POST
def move_appointment_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    _require(request.user, Action.BOOK_APPOINTMENT)
    appointment = _appointment(request, appointment_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _show(request, appointment, forms={"move": form}, status=400)
    moved, status, problems = _attempt(
        form,
        lambda: move_appointment(
            appointment=appointment,
            start=form.start(),
            override_reason=form.cleaned_data["override_reason"],
            moved_by=request.user,
        ),
    )
    if moved is None:
        appointment.refresh_from_db()
        return _show(request, appointment, forms={"move": form}, status=status, problems=problems)
    messages.success(request, f"Moved to {presenters.when(moved)}. The rest of its series stays as it was.")
    # Moved into the past: said on this page, as a booking in the past is, where its outcome is recorded.
    for warning in move_warnings(moved):
        messages.warning(request, warning["message"])
    return redirect("appointments:show_appointment", appointment_id=appointment.pk)


@login_required
@require_POST
def review_attendance_flag_view(request: HttpRequest, flag_id: int) -> HttpResponse:
    """A clinician's decision on missed appointments (never an automatic discharge), from the referral page."""
    _require(request.user, Action.REVIEW_ATTENDANCE)
    flag = get_object_or_404(
        AttendanceFlag.objects.select_related("referral").filter(
            referral__in=Referral.objects.visible_to(request.user)
        ),
        pk=flag_id,
    )
    form = FlagReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what you decided about the missed appointments, and why.")
    elif flag.state != AttendanceFlag.State.OPEN:
        messages.error(request, "This flag has already been reviewed.")
    else:
        try:
            review_attendance_flag(flag=flag, note=form.cleaned_data["note"], reviewed_by=request.user)
        except NotAllowed as not_allowed:
            raise PermissionDenied(str(not_allowed)) from not_allowed
        except ValueError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, "Missed appointments reviewed. Your decision is kept with the referral.")
    return redirect(reverse("referrals:show_referral", args=[flag.referral.reference]) + "#appointments")
