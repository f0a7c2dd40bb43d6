"""Raising, reviewing and ending an alert: validation and cleaning only; the services decide."""

from __future__ import annotations

from django import forms

from paedot.alerts.models import MAX_DETAILS, MAX_REASON, MAX_TEXT, Category
from paedot.nhsuk_forms.fields import DateField


def _text(label: str, limit: int, required: str, *, textarea: bool, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=bool(required),
        strip=True,
        help_text=help_text,
        widget=forms.Textarea if textarea else forms.TextInput,
        error_messages={
            "required": required,
            "max_length": f"{label.removesuffix(' (optional)')} must be {limit:,} characters or fewer",
        },
    )


def _review_on(label: str) -> DateField:
    return DateField(
        label=label,
        past_only=False,
        required=False,
        help_text="Leave it empty for the usual review date. For example, 15 9 2027",
    )


class RaiseAlertForm(forms.Form):
    category = forms.ChoiceField(
        label="What kind of alert is it?",
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of alert this is"},
    )
    text = _text(
        "What staff need to know",
        MAX_TEXT,
        "Enter what staff need to know",
        textarea=False,
        help_text=(
            "Shown on every page of the child's record. Keep it short: for example, 'Dog at the home: ask for it to "
            "be shut away before visiting' or 'Mum is deaf: BSL interpreter for every appointment'."
        ),
    )
    details = _text(
        "Details (optional)",
        MAX_DETAILS,
        "",
        textarea=True,
        help_text="Who holds parental responsibility, the social worker, what to do: on this page only.",
    )
    review_on = _review_on("Review date (optional)")


class ReviewAlertForm(forms.Form):
    review_on = _review_on("Next review date (optional)")


class EndAlertForm(forms.Form):
    reason = _text("Why has this alert ended?", MAX_REASON, "Give the reason the alert has ended", textarea=True)
