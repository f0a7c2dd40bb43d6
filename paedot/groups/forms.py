"""Forms for group programmes: validation and cleaning only; the views pass cleaned data to the services."""

from __future__ import annotations

import datetime as dt

from django import forms

from paedot.diaries.models import Location, LocationKind, Room
from paedot.diaries.rules import LONDON
from paedot.groups import rules
from paedot.groups.models import GroupProgramme
from paedot.nhsuk_forms.fields import DateField
from paedot.staff.models import User


def _number(label: str, *, low: int, high: int, help_text: str = "", what: str = "") -> forms.IntegerField:
    what = what or label.lower()
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=low,
        max_value=high,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"The {what} must be a whole number",
            "min_value": f"The {what} must be {low} or more",
            "max_value": f"The {what} must be {high} or fewer",
        },
    )


class ProgrammeForm(forms.Form):
    name = forms.CharField(
        label="Name of the group",
        help_text="For example, Handwriting group or Sensory strategies workshop for parents.",
        max_length=200,
        error_messages={"required": "Enter the name of the group"},
    )
    description = forms.CharField(
        label="What the group covers (optional)", widget=forms.Textarea, max_length=4000, required=False
    )
    audience = forms.ChoiceField(
        label="Who is the group for?",
        choices=GroupProgramme.Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the group is for", "invalid_choice": "Choose who the group is for"},
    )
    capacity = _number("Places", low=1, high=rules.MAX_CAPACITY, what="number of places")
    clinician = forms.ChoiceField(
        label="Clinician running the group",
        error_messages={"required": "Choose the clinician", "invalid_choice": "Choose a clinician from the list"},
    )
    location = forms.ChoiceField(
        label="Where the group meets",
        error_messages={"required": "Choose where the group meets", "invalid_choice": "Choose a place from the list"},
    )
    room = forms.ChoiceField(
        label="Room (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose a room from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinicians = {str(u.pk): u for u in User.objects.clinicians().order_by("first_name", "last_name", "pk")}
        self.locations = {
            str(loc.pk): loc
            for loc in Location.objects.filter(is_active=True).exclude(kind=LocationKind.HOME).order_by("kind", "name")
        }
        self.rooms = {
            str(room.pk): room
            for room in Room.objects.filter(is_active=True, location__is_active=True).select_related("location")
        }
        self.fields["clinician"].choices = [("", "Choose a clinician")] + [
            (pk, f"{u.display_name} ({u.get_role_display()})") for pk, u in self.clinicians.items()
        ]
        self.fields["location"].choices = [("", "Choose a place")] + [
            (pk, loc.name) for pk, loc in self.locations.items()
        ]
        self.fields["room"].choices = [("", "No particular room")] + [
            (pk, f"{room.location.name}: {room.name}") for pk, room in self.rooms.items()
        ]

    def clean(self):
        data = super().clean()
        data["clinician"] = self.clinicians.get(data.get("clinician") or "")
        data["location"] = self.locations.get(data.get("location") or "")
        data["room"] = self.rooms.get(data.get("room") or "")
        room, location = data["room"], data["location"]
        if room is not None and location is not None and room.location_id != location.pk:
            self.add_error("room", f"{room.name} is not at {location.name}: choose a room there, or no room")
        return data


class ScheduleForm(forms.Form):
    first_date = DateField(label="Date of the first session", past_only=False)
    start_time = forms.CharField(
        label="Start time",
        help_text="24-hour clock, for example 09:30 or 14:00. Every session starts at this time.",
        max_length=5,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4"}),
        error_messages={"required": "Enter the start time"},
    )
    sessions = _number("Number of sessions", low=1, high=rules.MAX_SESSIONS, what="number of sessions")
    interval_days = _number(
        "Days between sessions", low=1, high=90, help_text="7 for weekly.", what="number of days between sessions"
    )
    duration_minutes = _number("Length of each session (minutes)", low=5, high=480, what="length of each session")
    override_reason = forms.CharField(
        label="Reason for booking outside working hours (optional)",
        help_text="Only needed when a session falls outside the clinician's working pattern, or on their leave.",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )

    def clean_start_time(self) -> dt.time:
        value = self.cleaned_data["start_time"].strip()
        try:
            return dt.time.fromisoformat(value.zfill(5) if ":" in value else value)
        except ValueError:
            raise forms.ValidationError("Enter the start time like 09:30") from None

    def first_start(self) -> dt.datetime:
        return dt.datetime.combine(self.cleaned_data["first_date"], self.cleaned_data["start_time"], tzinfo=LONDON)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason for withdrawing",
        help_text="Kept with the referral.",
        widget=forms.Textarea,
        max_length=4000,
        error_messages={"required": "Give the reason for withdrawing the child from the group"},
    )


class EnrolByReferenceForm(forms.Form):
    reference = forms.CharField(
        label="Referral reference",
        help_text="For a child already seen, or one not on this list.",
        max_length=20,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
        error_messages={"required": "Enter the referral reference"},
    )


def register_form(rows, data=None) -> forms.Form:
    """One question per child still to record: what happened at the session (radios), left blank if not known."""
    fields = {
        f"child-{row['referral'].pk}": forms.ChoiceField(
            label=f"{row['referral'].child.full_name} ({row['referral'].reference})",
            choices=list(rules.GROUP_OUTCOMES.items()),
            widget=forms.RadioSelect(attrs={"data-inline": "true"}),
            required=False,
            error_messages={"invalid_choice": "Choose what happened from the list"},
        )
        for row in rows
        if not row["outcome"]
    }
    form_class = type("RegisterForm", (forms.Form,), fields)
    return form_class(data)


def register_outcomes(form: forms.Form) -> dict[int, str]:
    return {int(name.removeprefix("child-")): value for name, value in form.cleaned_data.items() if value}
