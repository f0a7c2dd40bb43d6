"""Forms for the rota: a clinician's weekly working pattern, their leave, and service closure days. Validation
and cleaning only; the pages pass cleaned data to paedot.diaries.rota."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError

from paedot.diaries.models import VIRTUAL_KINDS, Location, LocationKind, WorkingDay
from paedot.diaries.rota import WEEKDAYS, PatternDay
from paedot.nhsuk_forms.fields import DateField, YesNoField

_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def parse_clock_time(value: str) -> dt.time | None:
    """A 24-hour clock time as people type it: "09:30", "9:30", "9.30", "0930". None when it is not one."""
    text = "".join((value or "").split())
    if re.fullmatch(r"\d{4}", text):
        text = f"{text[:2]}:{text[2:]}"
    match = _CLOCK.match(text)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


class ClockTimeField(forms.CharField):
    """A time of day typed as "09:30" (24-hour clock), cleaned to a datetime.time."""

    def __init__(self, *, label: str, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}))
        kwargs.setdefault("help_text", "Use the 24-hour clock, for example 09:30 or 14:00")
        kwargs.setdefault("error_messages", {"required": f"Enter {label[0].lower()}{label[1:]}"})
        super().__init__(label=label, **kwargs)

    def prepare_value(self, value):
        return value.strftime("%H:%M") if isinstance(value, dt.time) else value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        parsed = parse_clock_time(text)
        if parsed is None:
            raise ValidationError(f"{self.label} must be a time on the 24-hour clock, like 09:30 or 14:00")
        return parsed


def base_choices() -> list[tuple[str, str]]:
    """Places a clinician can start the day from: buildings, not homes, telephone or video."""
    places = Location.objects.filter(is_active=True).exclude(kind__in=(LocationKind.HOME, *VIRTUAL_KINDS))
    return [("", "No base set (Soho Health Centre)")] + [(str(p.pk), p.name) for p in places]


class WorkingPatternForm(forms.Form):
    """One row per weekday: works or not, from when to when, and from which base."""

    def __init__(self, *args, pattern: list[WorkingDay], **kwargs):
        super().__init__(*args, **kwargs)
        bases = base_choices()
        self.base_locations = {str(p.pk): p for p in Location.objects.filter(pk__in=[k for k, _ in bases if k])}
        by_weekday: dict[int, list[WorkingDay]] = {}
        for working in pattern:
            by_weekday.setdefault(working.weekday, []).append(working)
        self.rows = []
        for weekday, name in enumerate(WEEKDAYS):
            rows = by_weekday.get(weekday, [])
            self.fields[f"works_{weekday}"] = YesNoField(
                label=f"Works on {name}?",
                required=True,
                initial=bool(rows) if pattern else weekday < 5,
                error_messages={"required": f"Say whether they work on {name}"},
            )
            self.fields[f"starts_{weekday}"] = ClockTimeField(
                label=f"{name}: starts",
                required=False,
                initial=min(r.starts for r in rows) if rows else dt.time(9),
                help_text="",
            )
            self.fields[f"ends_{weekday}"] = ClockTimeField(
                label=f"{name}: ends",
                required=False,
                initial=max(r.ends for r in rows) if rows else dt.time(17),
                help_text="",
            )
            self.fields[f"base_{weekday}"] = forms.ChoiceField(
                label=f"{name}: base",
                required=False,
                choices=bases,
                initial=str(rows[0].base_id) if rows and rows[0].base_id else "",
            )
            self.rows.append({"weekday": weekday, "name": name})

    def clean(self):
        cleaned = super().clean()
        days = []
        for weekday, name in enumerate(WEEKDAYS):
            if not cleaned.get(f"works_{weekday}"):
                continue
            starts, ends = cleaned.get(f"starts_{weekday}"), cleaned.get(f"ends_{weekday}")
            if f"starts_{weekday}" not in self.errors and starts is None:
                self.add_error(f"starts_{weekday}", f"Enter the time they start on {name}")
            if f"ends_{weekday}" not in self.errors and ends is None:
                self.add_error(f"ends_{weekday}", f"Enter the time they finish on {name}")
            if starts and ends and ends <= starts:
                self.add_error(f"ends_{weekday}", f"On {name} the end of the day must be after its start")
            if starts and ends and ends > starts:
                base = self.base_locations.get(cleaned.get(f"base_{weekday}") or "")
                days.append(PatternDay(weekday=weekday, starts=starts, ends=ends, base=base))
        cleaned["days"] = days
        return cleaned


class AbsenceForm(forms.Form):
    starts_on = DateField(label="First day away", past_only=False)
    ends_on = DateField(label="Last day away", past_only=False, help_text="The same as the first day for one day")
    reason = forms.CharField(
        label="What is it?",
        help_text="For example annual leave, training or sickness",
        max_length=200,
        error_messages={"required": "Say what the absence is"},
    )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day away must be the same as or after the first day")
        return cleaned


class ClosureForm(forms.Form):
    date = DateField(label="Date the service is closed", past_only=False)
    reason = forms.CharField(
        label="Why is the service closed?",
        help_text="For example a team training day",
        max_length=200,
        error_messages={"required": "Say why the service is closed"},
    )
