"""Writing a note, changing a draft, adding an addendum: validation and cleaning only."""

from __future__ import annotations

from django import forms

from paedot.casenotes.models import CONTACTS_WITHOUT_APPOINTMENT
from paedot.casenotes.services import MAX_BODY
from paedot.diaries.forms import ClockTimeField
from paedot.nhsuk_forms.fields import DateField


def _body_field(label: str, required_message: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MAX_BODY,
        widget=forms.Textarea,
        # Whitespace alone is no note: stripped, it is "required".
        strip=True,
        error_messages={
            "required": required_message,
            "max_length": f"{label} must be {MAX_BODY:,} characters or fewer",
        },
    )


class NoteForm(forms.Form):
    """The note of a contact. An appointment's note takes its date, time and kind from the appointment."""

    contact_kind = forms.ChoiceField(
        label="What was the contact?",
        choices=CONTACTS_WITHOUT_APPOINTMENT,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the contact was"},
    )
    contact_on = DateField(label="Date of the contact", help_text="For example, 11 1 2027")
    contact_at = ClockTimeField(
        label="Time of the contact (optional)",
        required=False,
        help_text="Use the 24-hour clock, for example 09:30 or 14:00",
    )
    body = _body_field("Note", "Write the note")

    def __init__(self, *args, appointment=None, **kwargs):
        super().__init__(*args, **kwargs)
        if appointment is not None:
            for name in ("contact_kind", "contact_on", "contact_at"):
                del self.fields[name]


class DraftForm(forms.Form):
    body = _body_field("Note", "Write the note")


class AddendumForm(forms.Form):
    body = _body_field("Addendum", "Write the addendum")
