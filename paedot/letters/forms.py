"""The letters-to-post page's forms: which letters were posted (one, or those ticked), and why one was not."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from paedot.letters.posting import MOST_AT_ONCE


class LetterIdsField(forms.Field):
    """The ticked letters' ids, from one checkbox per row sharing a name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = []
        for item in values:
            text = str(item).strip()
            if not text.isdigit() or not 0 < int(text) < 2**63:
                raise ValidationError("Choose letters from the list.")
            ids.append(int(text))
        if len(ids) > MOST_AT_ONCE:
            raise ValidationError(f"Mark at most {MOST_AT_ONCE} letters as posted at once.")
        return list(dict.fromkeys(ids))


class LettersPostedForm(forms.Form):
    """A row's own "Mark as posted" button sends `letter`; the button under the list sends the ticked `letters`.
    A row's button wins, so a box ticked and forgotten is not marked by pressing another row's button."""

    letter = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    letters = LetterIdsField(required=False, label="Letters posted")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        chosen = [cleaned["letter"]] if cleaned.get("letter") else cleaned.get("letters") or []
        if not chosen:
            self.add_error("letters", "Tick the letters you have posted, or use a letter's own button")
        cleaned["chosen"] = chosen
        return cleaned


class NotPostedForm(forms.Form):
    reason = forms.CharField(
        label="Why was it not posted after all",
        help_text="For example: marked by mistake, or found in the post tray. Kept in the audit trail.",
        widget=forms.Textarea,
        max_length=1000,
        error_messages={"required": "Say why the letter was not posted after all"},
    )
