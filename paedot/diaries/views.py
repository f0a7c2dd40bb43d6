"""Staff pages for diaries: choose a clinician or a place; day and week views (Europe/London); a printable day list of
visits in travel order; and, for the people who run the rota, working patterns, leave and closure days."""

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
from django.views.decorators.http import require_http_methods, require_POST

from paedot.appointments.models import Appointment
from paedot.caseloads.forms import clinician_label, clinician_options
from paedot.diaries import presenters, rota
from paedot.diaries.forms import AbsenceForm, ClosureForm, WorkingPatternForm
from paedot.diaries.models import Absence, ClosureDay, Location, LocationKind, Room, SchoolHoliday, WorkingDay
from paedot.diaries.presenters import london_midnight, monday_of
from paedot.diaries.services import school_calendar_known_until
from paedot.directory.models import BankHoliday, Postcode
from paedot.directory.services import normalise_postcode
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.models import CLINICAL_ROLES, User
from paedot.staff.rules import Action, may, refusal

SERVICE_BASE = "Soho Health Centre"


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _clinician(username: str) -> User:
    return get_object_or_404(
        User.objects.filter(role__in=CLINICAL_ROLES).select_related("supervisor"), username=username
    )


def _week_start(request: HttpRequest) -> dt.date:
    """The Monday of the week asked for (?start=YYYY-MM-DD), or of this week."""
    try:
        asked = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        asked = timezone.localdate()
    return monday_of(asked)


def _appointments(request: HttpRequest, first_day: dt.date, last_day: dt.date):
    """Appointments starting in these London days that this user may see, with what a diary row shows, in one
    query however many there are."""
    visible = Referral.objects.visible_to(request.user)
    return (
        Appointment.objects.filter(Q(referral__isnull=True) | Q(referral__in=visible))
        .filter(start__gte=london_midnight(first_day), start__lt=london_midnight(last_day + dt.timedelta(days=1)))
        .select_related("referral__child", "location", "room", "programme")
        .order_by("start", "id")
    )


def _service_days(first_day: dt.date, last_day: dt.date) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    closures = dict(ClosureDay.objects.filter(date__range=(first_day, last_day)).values_list("date", "reason"))
    holidays = dict(BankHoliday.objects.filter(date__range=(first_day, last_day)).values_list("date", "title"))
    return closures, holidays


def _clinician_days(request: HttpRequest, clinician: User, first_day: dt.date, number_of_days: int):
    last_day = first_day + dt.timedelta(days=number_of_days - 1)
    closures, holidays = _service_days(first_day, last_day)
    user = request.user
    return presenters.clinician_days(
        first_day=first_day,
        number_of_days=number_of_days,
        pattern=list(WorkingDay.objects.filter(clinician=clinician).select_related("base")),
        absences=list(Absence.objects.filter(clinician=clinician, starts_on__lte=last_day, ends_on__gte=first_day)),
        closures=closures,
        bank_holidays=holidays,
        appointments=_appointments(request, first_day, last_day).filter(clinician=clinician),
        today=timezone.localdate(),
        now=timezone.now(),
        show_absence_reasons=user.pk == clinician.pk or may(user, Action.MANAGE_DIARIES),
    )


def _common(request: HttpRequest) -> dict:
    return {
        "presenters": presenters,
        "active_nav": "diaries",
        "can_manage": may(request.user, Action.MANAGE_DIARIES),
        "today": timezone.localdate(),
    }


@login_required
def choose_diary(request: HttpRequest) -> HttpResponse:
    """Every clinician and every place, each a link to its week."""
    _require(request.user, Action.VIEW_DIARIES)
    clinicians = [{"user": person, "label": clinician_label(person)} for person in clinician_options()]
    locations = list(Location.objects.filter(is_active=True).prefetch_related("rooms").order_by("kind", "name"))
    return render(
        request,
        "diaries/choose_diary.jinja",
        {
            **_common(request),
            "clinicians": clinicians,
            "locations": locations,
            "own": request.user if request.user.is_clinician else None,
            "page_title": "Diaries",
        },
    )


@login_required
def clinician_week(request: HttpRequest, username: str) -> HttpResponse:
    _require(request.user, Action.VIEW_DIARIES)
    clinician = _clinician(username)
    first_day = _week_start(request)
    days = _clinician_days(request, clinician, first_day, 7)
    week = reverse("diaries:clinician_week", args=[clinician.username])
    return render(
        request,
        "diaries/clinician_week.jinja",
        {
            **_common(request),
            "clinician": clinician,
            "days": days,
            "first_day": first_day,
            "previous_href": f"{week}?start={first_day - dt.timedelta(days=7)}",
            "next_href": f"{week}?start={first_day + dt.timedelta(days=7)}",
            "this_week_href": week,
            "page_title": f"Diary: {clinician.display_name}, {presenters.week_heading(first_day)}",
            "back_href": reverse("diaries:choose_diary"),
        },
    )


@login_required
def clinician_day(request: HttpRequest, username: str, day: dt.date) -> HttpResponse:
    _require(request.user, Action.VIEW_DIARIES)
    clinician = _clinician(username)
    (diary_day,) = _clinician_days(request, clinician, day, 1)
    return render(
        request,
        "diaries/clinician_day.jinja",
        {
            **_common(request),
            "clinician": clinician,
            "day": diary_day,
            "previous_href": reverse("diaries:clinician_day", args=[clinician.username, day - dt.timedelta(days=1)]),
            "next_href": reverse("diaries:clinician_day", args=[clinician.username, day + dt.timedelta(days=1)]),
            "week_href": reverse("diaries:clinician_week", args=[clinician.username]) + f"?start={monday_of(day)}",
            "print_href": reverse("diaries:print_day_list", args=[clinician.username, day]),
            "page_title": f"Diary: {clinician.display_name}, {presenters.day_heading(day)}",
            "back_href": reverse("diaries:clinician_week", args=[clinician.username]) + f"?start={monday_of(day)}",
        },
    )


def _base_for(clinician: User, day: dt.date) -> Location | None:
    working = (
        WorkingDay.objects.filter(clinician=clinician, weekday=day.weekday(), base__isnull=False)
        .select_related("base")
        .order_by("starts")
        .first()
    )
    if working is not None:
        return working.base
    return Location.objects.filter(kind=LocationKind.CLINIC, name=SERVICE_BASE).first()


@login_required
def print_day_list(request: HttpRequest, username: str, day: dt.date) -> HttpResponse:
    """The day's visits in a sensible travel order from the clinician's base, with addresses, to print."""
    _require(request.user, Action.VIEW_DIARIES)
    clinician = _clinician(username)
    base = _base_for(clinician, day)
    appointments = list(
        _appointments(request, day, day).filter(clinician=clinician).select_related("referral__parent_carer")
    )
    stops, calls = presenters.visits(appointments)
    # Hazard H25: for lone working, each home visit carries the child's alerts that matter on a visit; one query
    # for the whole day (the appointments were found through the referrals this person may see).
    visit_alerts = presenters.appointment_presenters.visit_alerts_by_child(
        a.referral.child_id
        for a in appointments
        if a.referral_id is not None and a.location.kind == LocationKind.HOME and not a.cancelled
    )
    wanted = {stop.postcode for stop in stops if stop.postcode}
    base_postcode = normalise_postcode(base.postcode) if base and base.postcode else None
    if base_postcode:
        wanted.add(base_postcode)
    positions = {
        p.postcode: (p.latitude, p.longitude)
        for p in Postcode.objects.filter(postcode__in=wanted).only("postcode", "latitude", "longitude")
    }
    ordered = presenters.in_travel_order(positions.get(base_postcode or ""), stops, positions)
    return render(
        request,
        "diaries/print_day_list.jinja",
        {
            **_common(request),
            "clinician": clinician,
            "day": day,
            "heading": presenters.day_heading(day),
            "base": presenters.base_description(base),
            "base_known": bool(base_postcode and base_postcode in positions),
            "stops": ordered,
            "calls": calls,
            "visit_alerts": visit_alerts,
            "appointment_presenters": presenters.appointment_presenters,
            "page_title": f"Day list: {clinician.display_name}, {presenters.day_heading(day)}",
            "back_href": reverse("diaries:clinician_day", args=[clinician.username, day]),
        },
    )


def _location_and_room(request: HttpRequest, location_id: int) -> tuple[Location, Room | None]:
    location = get_object_or_404(Location.objects.prefetch_related("rooms"), pk=location_id)
    room = None
    if request.GET.get("room", "").isdigit():
        room = next((r for r in location.rooms.all() if r.pk == int(request.GET["room"])), None)
        if room is None:
            raise Http404("No such room at this place.")
    return location, room


def _location_days(request: HttpRequest, location: Location, room: Room | None, first_day: dt.date, days: int):
    last_day = first_day + dt.timedelta(days=days - 1)
    closures, holidays = _service_days(first_day, last_day)
    appointments = _appointments(request, first_day, last_day).filter(location=location).select_related("clinician")
    if room is not None:
        appointments = appointments.filter(room=room)
    return presenters.location_days(
        first_day=first_day,
        number_of_days=days,
        based_here=list(WorkingDay.objects.filter(base=location).select_related("clinician").order_by("starts")),
        closures=closures,
        bank_holidays=holidays,
        appointments=appointments,
        today=timezone.localdate(),
        now=timezone.now(),
    )


def _room_query(room: Room | None) -> str:
    return f"&room={room.pk}" if room else ""


@login_required
def location_week(request: HttpRequest, location_id: int) -> HttpResponse:
    _require(request.user, Action.VIEW_DIARIES)
    location, room = _location_and_room(request, location_id)
    first_day = _week_start(request)
    week = reverse("diaries:location_week", args=[location.pk])
    name = f"{location.name}, {room.name}" if room else location.name
    return render(
        request,
        "diaries/location_week.jinja",
        {
            **_common(request),
            "location": location,
            "room": room,
            "name": name,
            "days": _location_days(request, location, room, first_day, 7),
            "first_day": first_day,
            "previous_href": f"{week}?start={first_day - dt.timedelta(days=7)}{_room_query(room)}",
            "next_href": f"{week}?start={first_day + dt.timedelta(days=7)}{_room_query(room)}",
            "this_week_href": f"{week}?start={monday_of(timezone.localdate())}{_room_query(room)}",
            "room_query": _room_query(room),
            "page_title": f"Diary: {name}, {presenters.week_heading(first_day)}",
            "back_href": reverse("diaries:choose_diary"),
        },
    )


@login_required
def location_day(request: HttpRequest, location_id: int, day: dt.date) -> HttpResponse:
    _require(request.user, Action.VIEW_DIARIES)
    location, room = _location_and_room(request, location_id)
    (diary_day,) = _location_days(request, location, room, day, 1)
    query = f"?room={room.pk}" if room else ""
    name = f"{location.name}, {room.name}" if room else location.name
    return render(
        request,
        "diaries/location_day.jinja",
        {
            **_common(request),
            "location": location,
            "room": room,
            "name": name,
            "day": diary_day,
            "previous_href": reverse("diaries:location_day", args=[location.pk, day - dt.timedelta(days=1)]) + query,
            "next_href": reverse("diaries:location_day", args=[location.pk, day + dt.timedelta(days=1)]) + query,
            "week_href": reverse("diaries:location_week", args=[location.pk])
            + f"?start={monday_of(day)}{_room_query(room)}",
            "page_title": f"Diary: {name}, {presenters.day_heading(day)}",
            "back_href": reverse("diaries:location_week", args=[location.pk])
            + f"?start={monday_of(day)}{_room_query(room)}",
        },
    )


# --- Running the rota --------------------------------------------------------------------------------------------


def _booked_between(clinician: User | None, first_day: dt.date, last_day: dt.date) -> int:
    """Live appointments in these days (one clinician's, or everyone's): what a change of rota leaves to sort out."""
    appointments = Appointment.objects.live().filter(
        start__gte=london_midnight(first_day), start__lt=london_midnight(last_day + dt.timedelta(days=1))
    )
    if clinician is not None:
        appointments = appointments.filter(clinician=clinician)
    return appointments.count()


def _service_call(form, call) -> bool:
    """Call the service; a refusal is a 403, bad input an error on the form."""
    try:
        call()
    except NotAllowed as not_allowed:
        raise PermissionDenied(str(not_allowed)) from not_allowed
    except ValueError as problem:
        form.add_error(None, str(problem))
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def edit_working_pattern(request: HttpRequest, username: str) -> HttpResponse:
    _require(request.user, Action.MANAGE_DIARIES)
    clinician = _clinician(username)
    pattern = list(WorkingDay.objects.filter(clinician=clinician).order_by("weekday", "starts"))
    form = WorkingPatternForm(request.POST if request.method == "POST" else None, pattern=pattern)
    if (
        request.method == "POST"
        and form.is_valid()
        and _service_call(
            form,
            lambda: rota.set_working_pattern(
                clinician=clinician, days=form.cleaned_data["days"], changed_by=request.user
            ),
        )
    ):
        messages.success(request, f"Working pattern saved for {clinician.display_name}.")
        return redirect("diaries:clinician_week", username=clinician.username)
    return render(
        request,
        "diaries/edit_working_pattern.jinja",
        {
            **_common(request),
            "clinician": clinician,
            "form": form,
            "page_title": ("Error: " if form.errors else "") + f"Working pattern: {clinician.display_name}",
            "back_href": reverse("diaries:clinician_week", args=[clinician.username]),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_absences(request: HttpRequest, username: str) -> HttpResponse:
    """A clinician's leave and other absences from today on, and a form to add one."""
    _require(request.user, Action.MANAGE_DIARIES)
    clinician = _clinician(username)
    form = AbsenceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _service_call(
            form,
            lambda: rota.add_absence(
                clinician=clinician,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
                added_by=request.user,
            ),
        ):
            messages.success(request, f"Absence added for {clinician.display_name}.")
            booked = _booked_between(clinician, data["starts_on"], data["ends_on"])
            if booked:
                messages.warning(
                    request,
                    f"{clinician.display_name} has {booked} appointment{'s' if booked != 1 else ''} booked in that "
                    "time: move or cancel them.",
                )
            return redirect("diaries:manage_absences", username=clinician.username)
    today = timezone.localdate()
    return render(
        request,
        "diaries/manage_absences.jinja",
        {
            **_common(request),
            "clinician": clinician,
            "form": form,
            "absences": list(Absence.objects.filter(clinician=clinician, ends_on__gte=today).order_by("starts_on")),
            "page_title": ("Error: " if form.errors else "") + f"Leave and absences: {clinician.display_name}",
            "back_href": reverse("diaries:clinician_week", args=[clinician.username]),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def remove_absence(request: HttpRequest, username: str, absence_id: int) -> HttpResponse:
    _require(request.user, Action.MANAGE_DIARIES)
    clinician = _clinician(username)
    absence = get_object_or_404(Absence, pk=absence_id, clinician=clinician)
    try:
        rota.remove_absence(absence=absence, removed_by=request.user)
    except NotAllowed as not_allowed:
        raise PermissionDenied(str(not_allowed)) from not_allowed
    messages.success(request, f"Absence removed: {clinician.display_name} is bookable on those days again.")
    return redirect("diaries:manage_absences", username=clinician.username)


@login_required
@require_http_methods(["GET", "POST"])
def manage_closures(request: HttpRequest) -> HttpResponse:
    """Days the whole service is closed, from today on, and a form to add one. Bank holidays come from GOV.UK; the
    school holidays held, and the last day they cover, from the term dates file (hazard H16)."""
    _require(request.user, Action.MANAGE_DIARIES)
    form = ClosureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _service_call(
            form, lambda: rota.add_closure_day(date=data["date"], reason=data["reason"], added_by=request.user)
        ):
            messages.success(request, f"The service is closed on {presenters.day_heading(data['date'])}.")
            booked = _booked_between(None, data["date"], data["date"])
            if booked:
                messages.warning(
                    request,
                    f"{booked} appointment{'s are' if booked != 1 else ' is'} booked that day: move or cancel "
                    f"{'them' if booked != 1 else 'it'}.",
                )
            return redirect("diaries:manage_closures")
    today = timezone.localdate()
    return render(
        request,
        "diaries/manage_closures.jinja",
        {
            **_common(request),
            "form": form,
            "closures": list(ClosureDay.objects.filter(date__gte=today).order_by("date")),
            "bank_holidays": list(
                BankHoliday.objects.filter(date__gte=today, date__lte=today + dt.timedelta(days=366)).order_by("date")
            ),
            "school_holidays": list(SchoolHoliday.objects.filter(ends_on__gte=today).order_by("starts_on")),
            "school_calendar_known_until": school_calendar_known_until(),
            "page_title": ("Error: " if form.errors else "") + "Service closure days",
            "back_href": reverse("diaries:choose_diary"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def remove_closure(request: HttpRequest, closure_id: int) -> HttpResponse:
    _require(request.user, Action.MANAGE_DIARIES)
    closure = get_object_or_404(ClosureDay, pk=closure_id)
    try:
        rota.remove_closure_day(closure=closure, removed_by=request.user)
    except NotAllowed as not_allowed:
        raise PermissionDenied(str(not_allowed)) from not_allowed
    messages.success(request, f"The service is open again on {presenters.day_heading(closure.date)}.")
    return redirect("diaries:manage_closures")
