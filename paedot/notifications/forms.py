"""The outbox page's filters and the reason asked for before sending again or closing a message."""

from __future__ import annotations

from django import forms

from paedot.notifications.models import Channel, MessageStatus


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *MessageStatus.choices])
    channel = forms.ChoiceField(label="Sent by", required=False, choices=[("", "Email or text"), *Channel.choices])


class ResendForm(forms.Form):
    reason = forms.CharField(
        label="Why send it again",
        help_text="For example: the family's email address was corrected. Kept in the audit trail.",
        widget=forms.Textarea,
        max_length=1000,
        error_messages={"required": "Give the reason for sending it again"},
    )


class DealtWithForm(forms.Form):
    reason = forms.CharField(
        label="How was the person told instead",
        help_text="For example: phoned mum on 07700 900123 and told her the new time. Kept in the audit trail.",
        widget=forms.Textarea,
        max_length=1000,
        error_messages={"required": "Say how the person was told instead"},
    )
