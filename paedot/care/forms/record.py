"""Forms for the record around the clinical work: equipment, consent to share, discharge and reports. Validation and
cleaning only; the views pass cleaned_data to the services, which check again."""

from __future__ import annotations

from django import forms

from paedot.care.models import DischargeReason, EquipmentKind, Recipient
from paedot.nhsuk_forms.fields import DateField, YesNoField

TOMS_CHOICES = [("", "Not rated")] + [(f"{n / 2:.1f}", f"{n / 2:g}") for n in range(11)]
TOMS_FIELDS = {
    "impairment": "Impairment",
    "activity": "Activity",
    "participation": "Participation",
    "wellbeing": "Wellbeing",
}


class EquipmentForm(forms.Form):
    kind = forms.ChoiceField(
        label="What was issued",
        choices=EquipmentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose equipment, a splint or an environmental adaptation"},
    )
    item = forms.CharField(
        label="Item",
        max_length=200,
        help_text="For example: writing slope, resting splint for the left hand, grab rail by the toilet",
        error_messages={"required": "Enter the item issued"},
    )
    issued_on = DateField(label="Date issued")
    review_on = DateField(
        label="Review by", past_only=False, required=False, help_text="Leave blank if no review is needed"
    )
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)

    def clean(self):
        data = super().clean()
        issued, review = data.get("issued_on"), data.get("review_on")
        if issued and review and review < issued:
            self.add_error("review_on", "The review date must be on or after the date it was issued")
        return data


class EquipmentReviewForm(forms.Form):
    note = forms.CharField(
        label="What the review found",
        widget=forms.Textarea,
        error_messages={"required": "Say what the review found"},
    )
    next_review_on = DateField(
        label="Next review by", past_only=False, required=False, help_text="Leave blank if no further review is needed"
    )


class EquipmentReturnForm(forms.Form):
    returned_on = DateField(label="Date returned")


class ConsentForm(forms.Form):
    recipient = forms.ChoiceField(
        label="Who the reports would go to",
        choices=Recipient.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the reports would go to"},
    )
    recipient_name = forms.CharField(
        label="Their name and role",
        required=False,
        max_length=200,
        help_text="Needed for another professional, for example: Jo Smith, community paediatrician",
    )
    given = YesNoField(label="Did they agree?", error_messages={"required": "Say whether consent was given"})
    given_by = forms.CharField(
        label="Who agreed or refused",
        max_length=200,
        help_text="The parent, carer or young person, for example: Sara Testchild, mother",
        error_messages={"required": "Enter who agreed or refused"},
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea)

    def clean(self):
        data = super().clean()
        if data.get("recipient") == Recipient.OTHER and not (data.get("recipient_name") or "").strip():
            self.add_error("recipient_name", "Enter the name of the professional")
        return data


class DischargeForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason for discharge",
        choices=DischargeReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the reason for discharge"},
    )
    summary = forms.CharField(
        label="Discharge summary",
        widget=forms.Textarea,
        help_text="What was done, how the goals went, and where the child is now. It goes to those ticked below.",
        error_messages={"required": "Write the discharge summary"},
    )
    send_to = forms.MultipleChoiceField(
        label="Send the discharge summary to",
        choices=Recipient.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    impairment = forms.ChoiceField(label="TOMs at the end: impairment", choices=TOMS_CHOICES, required=False)
    activity = forms.ChoiceField(label="Activity", choices=TOMS_CHOICES, required=False)
    participation = forms.ChoiceField(label="Participation", choices=TOMS_CHOICES, required=False)
    wellbeing = forms.ChoiceField(label="Wellbeing", choices=TOMS_CHOICES, required=False)

    def __init__(self, *args, consent: dict[str, bool] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        consent = consent or {}
        self.fields["send_to"].choice_hints = {
            code: "Consent given" if consent.get(code) else "No consent recorded: it cannot be sent"
            for code in Recipient.values
        }

    def clean(self):
        data = super().clean()
        given = [name for name in TOMS_FIELDS if data.get(name)]
        if given and len(given) != len(TOMS_FIELDS):
            for name in TOMS_FIELDS:
                if not data.get(name):
                    self.add_error(name, f"Rate {TOMS_FIELDS[name].lower()} too, or none of the four")
        return data

    def toms_end(self) -> dict | None:
        data = self.cleaned_data
        if not all(data.get(name) for name in TOMS_FIELDS):
            return None
        return {name: data[name] for name in TOMS_FIELDS}


class ReportForm(forms.Form):
    """Which document (an assessment's report, a review's report, the discharge summary) and who it goes to."""

    document = forms.ChoiceField(
        label="Which document",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the document to issue"},
    )
    recipients = forms.MultipleChoiceField(
        label="Send it to",
        choices=Recipient.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one recipient"},
    )

    def __init__(self, *args, documents: list[tuple[str, str]], consent: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = documents
        self.fields["recipients"].choice_hints = {
            code: "Consent given" if consent.get(code) else "No consent recorded: it cannot be sent"
            for code in Recipient.values
        }
