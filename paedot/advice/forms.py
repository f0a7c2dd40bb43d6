"""The library's filter, a team lead's edit of a sheet, and building an advice pack: validation and cleaning only.
The views pass cleaned_data to paedot.advice.services, which checks again."""

from __future__ import annotations

from django import forms
from django.forms.utils import ErrorDict

from paedot.advice.models import Audience, StrategySheet
from paedot.advice.services import MAX_NOTES
from paedot.advice.sheet_text import MAX_SUMMARY, MAX_TITLE
from paedot.care.models import Area
from paedot.nhsuk_forms.fields import DateField

# A sheet for parents and school staff is a sheet for each: the filter shows what each reader would get.
FOR_CHOICES = [("", "Everyone"), ("parents", "Parents and carers"), ("school", "School staff")]


class LibraryFilterForm(forms.Form):
    area = forms.ChoiceField(label="Area", choices=[("", "All areas"), *Area.choices], required=False)
    audience = forms.ChoiceField(label="Written for", choices=FOR_CHOICES, required=False)


class ServiceErrors:
    """A service's refusal shown against the field it is about (or the whole form), keeping what was typed."""

    def add_service_error(self, field: str | None, message: str) -> None:
        fields: dict = self.fields  # type: ignore[attr-defined]
        name = field if field in fields else None
        if self._errors is None:  # type: ignore[attr-defined]
            self._errors = ErrorDict()  # type: ignore[attr-defined]
        self._errors.setdefault(name or "__all__", self.error_class(renderer=self.renderer))  # type: ignore[attr-defined]
        self._errors[name or "__all__"].append(message)  # type: ignore[attr-defined]


BODY_HELP = (
    "Start each section with a line beginning ## and its heading. Put each step on its own line beginning with a "
    "hyphen (-). Lines before the steps are the section's opening paragraph; lines after them are its closing line."
)


class SheetForm(ServiceErrors, forms.Form):
    title = forms.CharField(label="Title", max_length=MAX_TITLE, error_messages={"required": "Enter the title"})
    summary = forms.CharField(
        label="Summary",
        max_length=MAX_SUMMARY,
        widget=forms.Textarea,
        help_text="One or two sentences saying who the sheet helps and how.",
        error_messages={"required": "Enter a summary"},
    )
    area = forms.ChoiceField(
        label="Area", choices=Area.choices, widget=forms.RadioSelect, error_messages={"required": "Choose an area"}
    )
    audience = forms.ChoiceField(
        label="Written for",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the sheet is written for"},
    )
    body = forms.CharField(
        label="Text of the sheet",
        widget=forms.Textarea,
        help_text=BODY_HELP,
        error_messages={"required": "Enter the text of the sheet"},
        strip=False,
    )
    change_note = forms.CharField(
        label="What changed, and why",
        max_length=300,
        help_text="Kept with the new version, for anyone who wonders why the sheet reads differently now.",
        error_messages={"required": "Say what changed and why"},
    )
    based_on_version = forms.IntegerField(required=False, min_value=1)


# The form's fields of sheets, one group of checkboxes per area.
SHEET_FIELDS = {area: f"sheets_{area}" for area in Area.values}
RECIPIENT_CHOICES = [("home", "Home: the family"), ("school", "School or nursery")]


class PackForm(ServiceErrors, forms.Form):
    recipients = forms.MultipleChoiceField(
        label="Who is the pack for?",
        choices=RECIPIENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each gets its own letter: the family has the sheets written for parents, the school those "
        "written for school staff. Sheets for both go to each.",
        error_messages={"required": "Choose who the pack is for: home, school or both"},
    )
    home_notes = forms.CharField(
        label="Your notes for home (optional)",
        required=False,
        max_length=MAX_NOTES,
        widget=forms.Textarea,
        help_text="Shown first in the family's pack, before the sheets. Write to the family, in plain English.",
    )
    school_notes = forms.CharField(
        label="Your notes for school (optional)",
        required=False,
        max_length=MAX_NOTES,
        widget=forms.Textarea,
        help_text="Shown first in the school's pack, before the sheets.",
    )
    given_on = DateField(label="Date given", required=False, help_text="Leave blank for today.")

    def __init__(self, *args, sheets: list[StrategySheet], consent_hints: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.sheets = sheets
        fields = {}
        for area, name in SHEET_FIELDS.items():
            in_area = [sheet for sheet in sheets if sheet.area == area]
            if not in_area:
                continue
            field = forms.MultipleChoiceField(
                label=Area(area).label,
                choices=[(sheet.slug, sheet.title) for sheet in in_area],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            field.choice_hints = {  # type: ignore[attr-defined]
                sheet.slug: f"For {Audience(sheet.audience).label.lower()}. {sheet.summary}" for sheet in in_area
            }
            fields[name] = field
        # Sheets first, then who the pack is for and the notes, in the order a therapist fills them in.
        self.fields = {**fields, **self.fields}
        self.fields["recipients"].choice_hints = consent_hints  # type: ignore[attr-defined]

    @property
    def sheet_fields(self) -> list[str]:
        return [name for name in SHEET_FIELDS.values() if name in self.fields]

    def chosen_sheets(self) -> list[str]:
        data = getattr(self, "cleaned_data", {})
        return [slug for name in self.sheet_fields for slug in data.get(name, [])]

    def clean(self):
        data = super().clean()
        if self.sheet_fields and not self.chosen_sheets():
            self.add_error(self.sheet_fields[0], "Choose at least one strategy sheet")
        return data

    def field_for(self, service_field: str) -> str | None:
        """The form field a service's error is about (sheets.2 -> the first group of sheets, for_home -> who)."""
        if service_field.startswith("sheets"):
            return self.sheet_fields[0] if self.sheet_fields else None
        if service_field in ("for_home", "for_school", "recipients"):
            return "recipients"
        return service_field if service_field in self.fields else None
