"""Booking, moving, cancelling and recording appointments, and planning a block: validation and cleaning only.
Dates and times are typed as they read on a wall clock in Birmingham, and cleaned to Europe/London."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

from paedot.appointments.models import Kind, Outcome
from paedot.caseloads.forms import ClinicianField, clinician_label, clinician_options
from paedot.diaries.forms import ClockTimeField
from paedot.diaries.models import Location, Room
from paedot.diaries.rules import LONDON
from paedot.diaries.services import location_for_school
from paedot.directory.models import School
from paedot.directory.services import search_schools
from paedot.nhsuk_forms.fields import DateField
from paedot.referrals.models import Referral, Status
from paedot.staff.models import User

SCHOOL_PREFIX = "school:"
_SCHOOL_VALUE = re.compile(r"^school:(\d{5,8})$")
# Group sessions are set up with their programme, not booked for one child.
BOOKABLE_KINDS = [(value, label) for value, label in Kind.choices if value != Kind.GROUP]


def wall_clock(day: dt.date, time: dt.time) -> dt.datetime:
    """The moment a Birmingham wall clock shows this time on this day (GMT or BST as the date says)."""
    return dt.datetime.combine(day, time, tzinfo=LONDON)


def find_location(value: str) -> Location:
    """A place chosen in the form: an existing one by id, or a school or nursery from the directory by URN (made a
    place to book at the first time it is chosen)."""
    match = _SCHOOL_VALUE.match(value or "")
    if match:
        return location_for_school(match[1])
    return Location.objects.get(pk=int(value), is_active=True)


class PlaceField(forms.ChoiceField):
    """An existing place, or a school from the directory ("school:<URN>") found by the search on the page."""

    def valid_value(self, value) -> bool:
        if super().valid_value(value):
            return True
        match = _SCHOOL_VALUE.match(str(value))
        return bool(match) and School.objects.filter(urn=match[1]).exists()


def _place_choices(referral: Referral | None, found: list[School]) -> tuple[list[tuple[str, str]], str]:
    """The child's school first (a suggestion), then schools just found, then every place. Returns the choices
    and the suggested value."""
    places = list(Location.objects.filter(is_active=True).order_by("kind", "name"))
    by_urn = {place.school_urn: place for place in places if place.school_urn}
    top: list[tuple[str, str]] = []
    suggested = ""
    if referral is not None and referral.school_urn:
        place = by_urn.get(referral.school_urn)
        if place is not None:
            suggested = str(place.pk)
            top.append((suggested, f"The child's school: {place.name}"))
        else:
            school = School.objects.filter(urn=referral.school_urn).first()
            if school is not None:
                suggested = f"{SCHOOL_PREFIX}{school.urn}"
                top.append((suggested, f"The child's school: {school.name}"))
    for school in found:
        place = by_urn.get(school.urn)
        value = str(place.pk) if place else f"{SCHOOL_PREFIX}{school.urn}"
        if value not in dict(top):
            closed = "" if school.is_open else ", closed"
            top.append((value, f"Found: {school.name} ({school.postcode or school.urn}{closed})"))
    chosen = dict(top)
    rest = [(str(p.pk), f"{p.get_kind_display()}: {p.name}") for p in places if str(p.pk) not in chosen]
    return [("", "Choose a place"), *top, *rest], suggested


# Where triage said the child is first seen, as the place offered first.
_SETTING_KINDS = {"clinic": "clinic", "cdc": "cdc", "home": "home"}


def _first_place(referral: Referral | None, choices: list[tuple[str, str]], suggested: str) -> str:
    setting = referral.first_setting if referral is not None else ""
    if setting in ("school", "nursery"):
        return suggested
    kind = _SETTING_KINDS.get(setting)
    if kind is None:
        return ""
    place = Location.objects.filter(kind=kind, is_active=True).order_by("name").first()
    return str(place.pk) if place and str(place.pk) in dict(choices) else ""


def _room_choices() -> list[tuple[str, str]]:
    rooms = Room.objects.filter(is_active=True, location__is_active=True).select_related("location")
    return [("", "No particular room")] + [(str(r.pk), f"{r.location.name}: {r.name}") for r in rooms]


class PlaceFormMixin:
    """Clinician, place (with a search for schools and nurseries) and room, for booking and for blocks."""

    fields: dict
    data: dict

    def setup_people_and_places(self, referral: Referral | None) -> None:
        clinician = self.fields["clinician"]
        clinician.queryset = User.objects.clinicians().select_related("supervisor")
        clinician.choices = [("", "Choose a clinician"), *((p.pk, clinician_label(p)) for p in clinician_options())]
        query = (self.data.get("school_query") or "").strip() if self.data else ""
        self.found_schools = search_schools(query) if len(query) >= 2 else []
        self.school_query = query
        choices, suggested = _place_choices(referral, self.found_schools)
        self.fields["location"].choices = choices
        self.fields["location"].initial = _first_place(referral, choices, suggested)
        if suggested and not self.data:
            self.fields["location"].help_text = "The child's school is on the list first."
        if self.found_schools and self.data:
            self.fields["location"].help_text = f"{len(self.found_schools)} found: they are at the top of the list."
        elif query and self.data:
            self.fields["location"].help_text = f"No school or nursery found for “{query}”."
        rooms = _room_choices()
        self.fields["room"].choices = rooms
        self.has_rooms = len(rooms) > 1

    def clean_location(self):
        """Kept as chosen ("12" or "school:<URN>"); the page turns it into a place just before booking."""
        value = self.cleaned_data.get("location") or ""
        if _SCHOOL_VALUE.match(value) or (
            value.isdigit() and Location.objects.filter(pk=value, is_active=True).exists()
        ):
            return value
        raise ValidationError("Choose a place from the list")

    def clean_room(self):
        value = self.cleaned_data.get("room") or ""
        if not value:
            return None
        room = Room.objects.filter(pk=int(value), is_active=True).select_related("location").first()
        if room is None:
            raise ValidationError("Choose a room from the list")
        return room

    def show_without_errors(self) -> None:
        """After "Find" a school: show the form again as typed, without complaining about what is not filled in."""
        self._errors = ErrorDict()  # type: ignore[attr-defined]
        self.cleaned_data = {}  # type: ignore[attr-defined]

    def start(self) -> dt.datetime:
        return wall_clock(self.cleaned_data["date"], self.cleaned_data["time"])  # type: ignore[attr-defined]


def _clinician_field() -> ClinicianField:
    return ClinicianField(
        label="Clinician",
        queryset=User.objects.none(),
        empty_label="Choose a clinician",
        help_text="An OT assistant is shown with the OT who supervises them.",
        error_messages={"required": "Choose a clinician", "invalid_choice": "Choose a clinician from the list"},
    )


def _place_field() -> PlaceField:
    return PlaceField(
        label="Place", error_messages={"required": "Choose a place", "invalid_choice": "Choose a place from the list"}
    )


def _school_query_field() -> forms.CharField:
    return forms.CharField(
        label="Find a school or nursery",
        help_text="Part of its name, its URN or its postcode; then choose it in the list of places",
        required=False,
        max_length=100,
    )


def _room_field() -> forms.ChoiceField:
    return forms.ChoiceField(label="Room (optional)", required=False)


def _override_field(label: str = "Reason for booking outside the working pattern") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=2000, widget=forms.Textarea)


class BookingForm(PlaceFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Kind of appointment", choices=BOOKABLE_KINDS, error_messages={"required": "Choose a kind of appointment"}
    )
    clinician = _clinician_field()
    school_query = _school_query_field()
    location = _place_field()
    room = _room_field()
    date = DateField(label="Date", past_only=False, help_text="For example, 11 1 2027")
    time = ClockTimeField(label="Start time")
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        initial=60,
        min_value=5,
        max_value=480,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the length in minutes",
            "invalid": "Length must be a number of minutes, like 60",
            "min_value": "An appointment lasts at least 5 minutes",
            "max_value": "An appointment lasts at most 8 hours (480 minutes)",
        },
    )
    override_reason = _override_field()

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_people_and_places(referral)
        if referral.clinician_id:
            self.fields["clinician"].initial = referral.clinician_id
        first_visit = referral.status in (Status.WAITING, Status.INVITED)
        self.fields["kind"].initial = Kind.ASSESSMENT if first_visit else Kind.TREATMENT


class BlockForm(PlaceFormMixin, forms.Form):
    clinician = _clinician_field()
    school_query = _school_query_field()
    location = _place_field()
    room = _room_field()
    date = DateField(label="Date of the first session", past_only=False, help_text="For example, 11 1 2027")
    time = ClockTimeField(label="Start time", help_text="Every session starts at this time (24-hour clock, like 09:30)")
    sessions = forms.IntegerField(
        label="Number of sessions",
        initial=6,
        min_value=1,
        max_value=52,
        help_text="The review is booked after the last session.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-2", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of sessions",
            "invalid": "Number of sessions must be a number, like 6",
            "min_value": "A block has at least 1 session",
            "max_value": "A block has at most 52 sessions",
        },
    )
    interval_days = forms.IntegerField(
        label="Days between sessions",
        initial=7,
        min_value=1,
        max_value=90,
        help_text="7 for weekly, 14 for every other week.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-2", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the days between sessions",
            "invalid": "Days between sessions must be a number, like 7",
            "min_value": "Sessions are at least 1 day apart",
            "max_value": "Sessions are at most 90 days apart",
        },
    )
    duration_minutes = forms.IntegerField(
        label="Length of each session in minutes",
        initial=45,
        min_value=5,
        max_value=480,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the length in minutes",
            "invalid": "Length must be a number of minutes, like 45",
            "min_value": "A session lasts at least 5 minutes",
            "max_value": "A session lasts at most 8 hours (480 minutes)",
        },
    )
    override_reason = _override_field("Reason for booking outside the working pattern (optional)")

    def __init__(self, *args, referral: Referral, package=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_people_and_places(referral)
        if package is not None:
            # A block for a package of care is as long as the package set, unless the OT changes it here.
            self.fields["sessions"].initial = package.sessions
        self.fields["override_reason"].help_text = (
            "Only if some sessions fall outside the clinician's hours or on their leave: the reason is kept with "
            "each of them."
        )
        if referral.clinician_id:
            self.fields["clinician"].initial = referral.clinician_id


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=[(Outcome.ATTENDED, "Attended"), (Outcome.WAS_NOT_BROUGHT, "Was not brought")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened"},
    )


class CancelForm(forms.Form):
    by = forms.ChoiceField(
        label="Who cancelled?",
        choices=[("family", "The family"), ("service", "The service")],
        widget=forms.RadioSelect(attrs={"data-inline": "true"}),
        error_messages={"required": "Choose who cancelled"},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Give the reason for cancelling"},
    )


class MoveForm(forms.Form):
    date = DateField(label="New date", past_only=False, help_text="For example, 18 1 2027")
    time = ClockTimeField(label="New start time")
    override_reason = _override_field()

    def start(self) -> dt.datetime:
        return wall_clock(self.cleaned_data["date"], self.cleaned_data["time"])


class FlagReviewForm(forms.Form):
    note = forms.CharField(
        label="What you decided, and why",
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"required": "Say what you decided, and why"},
    )
