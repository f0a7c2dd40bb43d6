"""Finding a child for a subject access export, and the reason for it. Validation and cleaning only."""

from __future__ import annotations

from django import forms

from paedot.core.identifiers import normalise_nhs_number
from paedot.governance.services import FORMATS, MAX_REASON


class FindChildForm(forms.Form):
    child = forms.CharField(
        label="NHS number or referral reference",
        help_text="For example, 943 476 5919 or a referral reference from a letter",
        max_length=40,
        error_messages={"required": "Enter the child's NHS number or a referral reference"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def lookup(self) -> dict[str, str]:
        """The search as find_child takes it: ten digits are an NHS number, anything else a reference."""
        term = self.cleaned_data["child"].strip()
        digits = normalise_nhs_number(term)
        if len(digits) == 10 and digits.isdigit():
            return {"nhs_number": digits}
        return {"reference": term}


class ExportForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why are you making this export?",
        help_text="Say which request it answers, for example: Subject access request from parent received 20 11 2026",
        max_length=MAX_REASON,
        error_messages={"required": "Enter the reason for this export"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    format = forms.ChoiceField(
        choices=[(f, f.upper()) for f in FORMATS],
        error_messages={"required": "Choose JSON or PDF", "invalid_choice": "Choose JSON or PDF"},
    )
