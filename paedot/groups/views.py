"""Staff pages for group programmes: the list, setting one up, its sessions, enrolling from the waiting list,
withdrawing, and each session's register."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paedot.appointments.models import Appointment, Kind
from paedot.appointments.rules import IN_THE_PAST
from paedot.appointments.services import DoubleBooking, OutsideAvailability
from paedot.core.presenters import format_date
from paedot.groups import presenters, rules
from paedot.groups.forms import (
    EnrolByReferenceForm,
    ProgrammeForm,
    ScheduleForm,
    WithdrawForm,
    register_form,
    register_outcomes,
)
from paedot.groups.models import Enrolment, GroupAttendance, GroupProgramme
from paedot.groups.services import (
    create_programme,
    enrol,
    enrolled_at,
    record_register,
    schedule_sessions,
    withdraw,
)
from paedot.referrals import presenters as referral_presenters
from paedot.referrals.models import Pathway, Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.staff.rules import Action, may, refusal
from paedot.waiting_list.presenters import page_row

PAGE_SIZE = 50


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _live_enrolments():
    return Enrolment.objects.filter(programme=OuterRef("pk"), withdrawn_at__isnull=True)


def _count(queryset) -> Coalesce:
    """How many rows a correlated queryset has, as one subquery of the outer query (no N+1)."""
    counted = queryset.order_by().annotate(n=Func(Value(1), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _programmes():
    now = timezone.now()
    next_session = (
        Appointment.objects.filter(programme=OuterRef("pk"), cancelled=False, start__gte=now)
        .order_by("start")
        .values("start")[:1]
    )
    return GroupProgramme.objects.select_related("clinician", "location", "room").annotate(
        enrolled=_count(_live_enrolments()),
        next_session=Subquery(next_session),
        session_count=_count(Appointment.objects.filter(programme=OuterRef("pk"), cancelled=False)),
    )


def _programme(pk: int) -> GroupProgramme:
    return get_object_or_404(_programmes(), pk=pk)


def _visible_enrolments(request: HttpRequest, queryset):
    return queryset.filter(referral__in=Referral.objects.visible_to(request.user))


@login_required
@require_GET
def list_programmes(request: HttpRequest) -> HttpResponse:
    _require(request.user, Action.VIEW_DIARIES)
    programmes = list(_programmes().order_by("name", "pk"))
    for programme in programmes:
        programme.places_left = rules.places_left(capacity=programme.capacity, enrolled=programme.enrolled)
    return render(
        request,
        "groups/list_programmes.jinja",
        {
            "programmes": programmes,
            "may_manage": may(request.user, Action.MANAGE_GROUPS),
            "session_when": presenters.session_when,
            "page_title": "Groups",
            "active_nav": "groups",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    _require(request.user, Action.MANAGE_GROUPS)
    form = ProgrammeForm(request.POST or None, initial={"audience": GroupProgramme.Audience.CHILDREN})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = create_programme(
                name=data["name"],
                description=data["description"],
                audience=data["audience"],
                capacity=data["capacity"],
                clinician=data["clinician"],
                location=data["location"],
                room=data["room"],
                created_by=request.user,
            )
        except NotAllowed as problem:
            raise PermissionDenied(str(problem)) from problem
        except ValueError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, f"{programme.name} set up. Now book its sessions.")
            return redirect("groups:schedule_sessions", programme.pk)
    return render(
        request,
        "groups/create_programme.jinja",
        {
            "form": form,
            "page_title": ("Error: " if form.errors else "") + "Set up a group",
            "active_nav": "groups",
            "back_href": reverse("groups:list_programmes"),
        },
    )


def _sessions(programme: GroupProgramme):
    on_register = Enrolment.objects.filter(programme_id=OuterRef("programme_id")).filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=OuterRef("start"))
    )
    outcomes = GroupAttendance.objects.filter(appointment=OuterRef("pk"), outcome__gt="")
    return (
        programme.sessions.filter(kind=Kind.GROUP)
        .annotate(
            on_register=_count(on_register),
            recorded=_count(outcomes),
            attended=_count(outcomes.filter(outcome="attended")),
        )
        .order_by("start", "pk")
    )


@login_required
@require_GET
def show_programme(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, Action.VIEW_DIARIES)
    programme = _programme(pk)
    now = timezone.now()
    annotated = list(_sessions(programme))
    sessions = [presenters.session_row(session, now=now) for session in annotated]
    enrolments = list(
        _visible_enrolments(request, programme.enrolments.all())
        .select_related("referral__child", "enrolled_by")
        .order_by("withdrawn_at", "referral__child__family_name", "referral__child__given_name", "pk")
    )
    return render(
        request,
        "groups/show_programme.jinja",
        {
            "programme": programme,
            "places_left": rules.places_left(capacity=programme.capacity, enrolled=programme.enrolled),
            "sessions": sessions,
            "in_the_past": presenters.booked_in_the_past(annotated, now=now),
            "enrolled": [e for e in enrolments if e.withdrawn_at is None],
            "withdrawn": [e for e in enrolments if e.withdrawn_at is not None],
            "status_tag": referral_presenters.status_tag,
            "may_manage": may(request.user, Action.MANAGE_GROUPS),
            "may_enrol": may(request.user, Action.ENROL_IN_GROUP),
            "page_title": programme.name,
            "active_nav": "groups",
            "back_href": reverse("groups:list_programmes"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, Action.MANAGE_GROUPS)
    programme = _programme(pk)
    form = ScheduleForm(request.POST or None, initial={"interval_days": 7, "duration_minutes": 60, "sessions": 6})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheduled = schedule_sessions(
                programme=programme,
                first_start=form.first_start(),
                sessions=data["sessions"],
                interval_days=data["interval_days"],
                duration_minutes=data["duration_minutes"],
                override_reason=data["override_reason"],
                scheduled_by=request.user,
            )
        except NotAllowed as problem:
            raise PermissionDenied(str(problem)) from problem
        except OutsideAvailability as problem:
            form.add_error("override_reason", str(problem))
        except (DoubleBooking, TransitionRefused, ValueError) as problem:
            form.add_error(None, str(problem))
        else:
            count = len(scheduled.sessions)
            skipped = "; ".join(f"{format_date(day)}: {why}" for day, why in scheduled.skipped)
            messages.success(
                request,
                f"{count} session{'s' if count != 1 else ''} booked." + (f" Left out: {skipped}." if skipped else ""),
            )
            for warning in scheduled.warnings:
                if warning.code != IN_THE_PAST:  # the group's page calls these out until each register is done
                    messages.warning(request, warning.message)
            return redirect("groups:show_programme", programme.pk)
    return render(
        request,
        "groups/schedule_sessions.jinja",
        {
            "form": form,
            "programme": programme,
            "page_title": ("Error: " if form.errors else "") + f"Book sessions for {programme.name}",
            "active_nav": "groups",
            "back_href": reverse("groups:show_programme", args=[programme.pk]),
        },
    )


def _register_rows(request: HttpRequest, session: Appointment) -> list[dict]:
    enrolments = (
        _visible_enrolments(request, enrolled_at(session))
        .select_related("referral__child")
        .order_by("referral__child__family_name", "referral__child__given_name", "pk")
    )
    recorded = dict(GroupAttendance.objects.filter(appointment=session).values_list("referral_id", "outcome"))
    return [
        {
            "enrolment": enrolment,
            "referral": enrolment.referral,
            "outcome": recorded.get(enrolment.referral_id, ""),
            "outcome_tag": presenters.outcome_tag(recorded.get(enrolment.referral_id, "")),
        }
        for enrolment in enrolments
    ]


@login_required
@require_http_methods(["GET", "POST"])
def show_register(request: HttpRequest, pk: int, appointment_id: int) -> HttpResponse:
    """One row per child with a place at this session; saving records every row that has an answer."""
    _require(request.user, Action.VIEW_DIARIES)
    session = get_object_or_404(
        Appointment.objects.select_related("programme", "clinician", "location", "room"),
        pk=appointment_id,
        programme_id=pk,
        kind=Kind.GROUP,
    )
    rows = _register_rows(request, session)
    may_record = may(request.user, Action.RECORD_OUTCOME)
    started = session.start <= timezone.now()
    form = register_form(rows, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require(request.user, Action.RECORD_OUTCOME)
        if form.is_valid():
            try:
                recorded = record_register(
                    appointment=session, outcomes=register_outcomes(form), recorded_by=request.user
                )
            except NotAllowed as problem:
                raise PermissionDenied(str(problem)) from problem
            except (TransitionRefused, ValueError) as problem:
                form.add_error(None, str(problem))
            else:
                count = len(recorded)
                messages.success(request, f"Attendance recorded for {count} {'child' if count == 1 else 'children'}.")
                return redirect("groups:show_register", pk, session.pk)
    return render(
        request,
        "groups/show_register.jinja",
        {
            "session": session,
            "programme": session.programme,
            "when": presenters.session_when(session.start, session.end),
            "rows": rows,
            "form": form,
            "may_record": may_record and started and not session.cancelled and len(form.fields) > 0,
            "started": started,
            "status_tag": referral_presenters.status_tag,
            "page_title": ("Error: " if form.errors else "") + f"Register: {session.programme.name}",
            "active_nav": "groups",
            "back_href": reverse("groups:show_programme", args=[pk]),
        },
    )


# Enrolling and withdrawing ---------------------------------------------------------------------------------------

SHOW_CHOICES = {"group": "Triaged for a group", "all": "Everyone on the waiting list"}


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except (TypeError, ValueError):
        return 1


def _enrol_page(request: HttpRequest, programme: GroupProgramme, form: EnrolByReferenceForm) -> HttpResponse:
    show = request.GET.get("show", "group")
    show = show if show in SHOW_CHOICES else "group"
    queryset = (
        Referral.objects.visible_to(request.user)
        .on_waiting_list()
        .select_related("child", "clinician")
        .exclude(pk__in=Enrolment.objects.filter(programme=programme, withdrawn_at__isnull=True).values("referral"))
    )
    if show == "group":
        queryset = queryset.filter(pathway=Pathway.GROUP)
    count = queryset.count()
    pages = max(math.ceil(count / PAGE_SIZE), 1)
    number = min(_page_number(request), pages)
    start = (number - 1) * PAGE_SIZE
    today = timezone.localdate()
    rows = [page_row(referral, today) for referral in queryset[start : start + PAGE_SIZE]]
    places_left = rules.places_left(capacity=programme.capacity, enrolled=programme.enrolled)

    def page_href(n: int) -> str:
        return f"?show={show}&page={n}"

    return render(
        request,
        "groups/enrol_from_waiting_list.jinja",
        {
            "programme": programme,
            "places_left": places_left,
            "rows": rows,
            "form": form,
            "show": show,
            "show_choices": SHOW_CHOICES,
            "page": {"number": number, "pages": pages, "count": count},
            "page_href": page_href,
            "this_page": request.get_full_path(),
            "page_title": ("Error: " if form.errors else "") + f"Enrol in {programme.name}",
            "active_nav": "groups",
            "back_href": reverse("groups:show_programme", args=[programme.pk]),
        },
    )


@login_required
@require_GET
def enrol_from_waiting_list(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, Action.ENROL_IN_GROUP)
    return _enrol_page(request, _programme(pk), EnrolByReferenceForm())


@login_required
@require_POST
def enrol_child(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol by the Enrol button on a waiting-list row, or by a typed reference; a refusal is shown on the list
    with what was typed kept."""
    _require(request.user, Action.ENROL_IN_GROUP)
    programme = _programme(pk)
    form = EnrolByReferenceForm(request.POST)
    if form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        referral = Referral.objects.visible_to(request.user).filter(reference=reference).first()
        if referral is None:
            form.add_error("reference", f"No referral with reference {reference}")
        else:
            try:
                enrol(programme=programme, referral=referral, enrolled_by=request.user)
            except NotAllowed as problem:
                raise PermissionDenied(str(problem)) from problem
            except (TransitionRefused, ValueError) as problem:
                form.add_error("reference", str(problem))
            else:
                left = rules.places_left(capacity=programme.capacity, enrolled=programme.enrolled + 1)
                messages.success(
                    request,
                    f"{referral.reference} ({referral.child.full_name}) enrolled in {programme.name}. "
                    f"{left} place{'s' if left != 1 else ''} left.",
                )
                return redirect(reverse("groups:enrol_from_waiting_list", args=[pk]) + _query(request))
    return _enrol_page(request, programme, form)


def _query(request: HttpRequest) -> str:
    show = request.POST.get("show", "")
    return f"?show={show}" if show in SHOW_CHOICES else ""


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_child(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    _require(request.user, Action.ENROL_IN_GROUP)
    enrolment = get_object_or_404(
        _visible_enrolments(request, Enrolment.objects.select_related("programme", "referral__child")),
        pk=enrolment_pk,
        programme_id=pk,
        withdrawn_at__isnull=True,
    )
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            withdraw(enrolment=enrolment, reason=form.cleaned_data["reason"], withdrawn_by=request.user)
        except NotAllowed as problem:
            raise PermissionDenied(str(problem)) from problem
        except (TransitionRefused, ValueError) as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(
                request,
                f"{enrolment.referral.reference} withdrawn from {enrolment.programme.name}: a place is free. "
                + rules.WITHDRAWN_NOT_TOLD,
            )
            return redirect("groups:show_programme", pk)
    return render(
        request,
        "groups/withdraw.jinja",
        {
            "form": form,
            "enrolment": enrolment,
            "programme": enrolment.programme,
            "referral": enrolment.referral,
            "not_told": rules.WITHDRAWAL_NOT_TOLD,
            "page_title": ("Error: " if form.errors else "") + "Withdraw from the group",
            "active_nav": "groups",
            "back_href": reverse("groups:show_programme", args=[pk]),
        },
    )
