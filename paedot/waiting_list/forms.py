"""The waiting list's filters, and the decisions taken on invitations to book. Validation and cleaning only."""

from __future__ import annotations

from django import forms

from paedot.referrals.models import Pathway, Priority, Setting
from paedot.staff.models import Locality
from paedot.waiting_list import rules
from paedot.waiting_list.services import WaitingListFilters


def _choices(blank: str, choices) -> list[tuple[str, str]]:
    return [("", blank), *[(str(value), str(label)) for value, label in choices]]


def _filter(label: str, blank: str, choices, *, what: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=_choices(blank, choices),
        required=False,
        error_messages={"invalid_choice": f"Choose {what} from the list"},
    )


BAND_CHOICES = [(label, f"{label} weeks") for label in rules.BAND_LABELS]
AGE_BAND_CHOICES = [
    (label, f"{low} to {high} years" if high is not None else f"{low} years and over")
    for label, (low, high) in rules.AGE_BANDS.items()
]


class WaitingListFilterForm(forms.Form):
    """Filters from the page's query string; the chosen values are kept in the form."""

    locality = _filter("Locality", "Any locality", Locality.choices, what="a locality")
    priority = _filter("Priority", "Any priority", Priority.choices, what="a priority")
    pathway = _filter("Pathway", "Any pathway", Pathway.choices, what="a pathway")
    age_band = _filter("Age", "Any age", AGE_BAND_CHOICES, what="an age band")
    setting = _filter("First appointment at", "Anywhere", Setting.choices, what="a setting")
    band = _filter("Weeks waited", "Any wait", BAND_CHOICES, what="a band of weeks waited")

    def filters(self) -> WaitingListFilters:
        """The valid filters (an invalid one is reported and left out)."""
        data = getattr(self, "cleaned_data", {})
        return WaitingListFilters(**{name: data.get(name) or "" for name in self.fields})

    def query_string(self) -> str:
        """The chosen filters as a query string, for links that keep them (pages, CSV)."""
        from urllib.parse import urlencode

        values = self.filters()
        return urlencode({name: getattr(values, name) for name in self.fields if getattr(values, name)})


class ExtendInvitationForm(forms.Form):
    days = forms.IntegerField(
        label="Extend by (days)",
        help_text="From 1 to 90 days, counted from the deadline (or from today, if the deadline has passed).",
        min_value=1,
        max_value=90,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of days to extend by",
            "invalid": "The number of days must be a whole number, like 7",
            "min_value": "Extend by at least 1 day",
            "max_value": "Extend by 90 days or fewer",
        },
    )
    reason = forms.CharField(
        label="Reason for extending",
        help_text="Kept with the referral.",
        widget=forms.Textarea,
        max_length=4000,
        error_messages={"required": "Give the reason for extending the deadline"},
    )


class DischargeForNoReplyForm(forms.Form):
    reason = forms.CharField(
        label="Reason for discharge",
        help_text="It goes in the letter to the family, the referrer and the GP.",
        widget=forms.Textarea,
        max_length=4000,
        error_messages={"required": "Give the reason for discharge"},
    )


class BookingForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        help_text="For example, the date of the appointment the family booked.",
        widget=forms.Textarea,
        max_length=4000,
        required=False,
    )
