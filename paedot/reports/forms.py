"""The dashboard's filters and the returns' month. Validation and cleaning only."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from paedot.nhsuk_forms.fields import DateField
from paedot.referrals.models import Pathway, Priority
from paedot.reports import rules
from paedot.reports.queries import Filters
from paedot.staff.models import Locality


def _filter(label: str, blank: str, choices, *, what: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", blank), *[(str(value), str(text)) for value, text in choices]],
        required=False,
        error_messages={"invalid_choice": f"Choose {what} from the list"},
    )


class DashboardFilterForm(forms.Form):
    """The period and the groups of children to count. Empty dates mean the last twelve months to today."""

    date_from = DateField(label="From", required=False, help_text="For example, 1 4 2025")
    date_to = DateField(label="To", required=False, help_text="For example, 31 3 2026")
    locality = _filter("Locality", "Every locality", Locality.choices, what="a locality")
    priority = _filter("Priority", "Every priority", Priority.choices, what="a priority")
    pathway = _filter("Pathway", "Every pathway", Pathway.choices, what="a pathway")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", "To must be the same as or after From")
        elif (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and (cleaned["date_to"] - cleaned["date_from"]).days > 3653
        ):
            self.add_error("date_from", "The period can be at most 10 years")
        return cleaned

    def filters(self, today: dt.date | None = None) -> Filters:
        data = self.cleaned_data
        return Filters.for_period(
            data.get("date_from"),
            data.get("date_to"),
            today=today,
            locality=data.get("locality") or "",
            priority=data.get("priority") or "",
            pathway=data.get("pathway") or "",
        )


MONTHS_OFFERED = 24


class ReturnsForm(forms.Form):
    month = forms.ChoiceField(
        label="Month",
        help_text="Waiting list counts are at the month's end; this month's are as of today.",
        error_messages={"required": "Choose the month", "invalid_choice": "Choose a month from the list"},
    )

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        months = [rules.add_months(today, -back) for back in range(MONTHS_OFFERED)]
        self.fields["month"].choices = [(month.strftime("%Y-%m"), rules.month_label(month)) for month in months]
        # The last month that has ended: the one a return is usually made for.
        self.fields["month"].initial = months[1].strftime("%Y-%m")

    def chosen_month(self) -> dt.date:
        return rules.parse_month(self.cleaned_data["month"])
