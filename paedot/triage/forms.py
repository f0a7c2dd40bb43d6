"""The triage form: how soon, which pathway, where first, and why when differing from the suggestion."""

from __future__ import annotations

from django import forms

from paedot.referrals.models import Pathway, Priority, Setting
from paedot.triage.rules import PrioritySuggestion, needs_reason_to_differ

PATHWAY_HINTS = {
    Pathway.ADVICE_AND_STRATEGIES: "Advice, demonstration and instruction for parents, carers and education staff.",
    Pathway.PACKAGE_OF_CARE: "Advice and strategies plus direct intervention by an OT or a supervised OT assistant.",
    Pathway.GROUP: "Intervention in a group.",
}


class TriageForm(forms.Form):
    priority = forms.ChoiceField(
        label="Priority",
        choices=Priority.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a priority"},
    )
    reason_for_difference = forms.CharField(
        label="Reason for choosing a different priority",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        help_text="Only if you chose a different priority from the suggestion",
    )
    pathway = forms.ChoiceField(
        label="Pathway",
        choices=Pathway.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a pathway"},
    )
    setting = forms.ChoiceField(
        label="Where should the first appointment be?",
        choices=Setting.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the first appointment should be"},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        help_text="For example, what the first assessment should cover.",
    )

    def __init__(self, *args, suggestion: PrioritySuggestion, **kwargs):
        kwargs.setdefault("initial", {"priority": suggestion.priority})
        super().__init__(*args, **kwargs)
        self.suggestion = suggestion
        self.fields["priority"].choice_hints = {suggestion.priority: "Suggested by the triage rules"}
        self.fields["pathway"].choice_hints = {str(k): v for k, v in PATHWAY_HINTS.items()}

    def clean_reason_for_difference(self) -> str:
        # Declared just after the priority, so the priority is already cleaned and errors read in page order.
        reason = (self.cleaned_data.get("reason_for_difference") or "").strip()
        priority = self.cleaned_data.get("priority")
        if priority and needs_reason_to_differ(self.suggestion.priority, priority) and not reason:
            raise forms.ValidationError(
                f"The suggested priority is {Priority(self.suggestion.priority).label.lower()}: "
                f"say why you chose {Priority(priority).label.lower()} instead"
            )
        return reason
