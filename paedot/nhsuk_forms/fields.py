"""Form fields for the NHS design-system patterns Django lacks: a date in three boxes, yes or no."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes (the NHS date input pattern)."""

    template_name = ""  # rendered by nhsuk_forms/field.jinja, never by Django

    def __init__(self, attrs=None):
        super().__init__({"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput}, attrs)

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


class DateField(forms.MultiValueField):
    """A real date from three boxes, with the NHS pattern's messages ("must be a real date")."""

    widget = DateInputWidget

    def __init__(self, *, label: str = "", past_only: bool = True, **kwargs):
        self.past_only = past_only
        kwargs.setdefault("require_all_fields", False)
        fields = (forms.CharField(required=False), forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields=fields, label=label, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "required": f"Enter {label[0].lower() + label[1:] if label else 'a date'}",
            "incomplete": f"{label} must include a day, month and year",
            "invalid": f"{label} must be a real date",
            "future": f"{label} must be today or in the past",
        }

    def compress(self, data_list):
        if not data_list or not any(part and str(part).strip() for part in data_list):
            return None
        parts = [str(part or "").strip() for part in data_list]
        if not all(parts):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            value = dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error
        from django.utils import timezone

        if self.past_only and value > timezone.localdate():
            raise ValidationError(self.error_messages["future"], code="future")
        return value

    def clean(self, value):
        # MultiValueField's own "required" check runs before compress; ours names the question.
        if self.required and (not value or not any(str(part or "").strip() for part in value)):
            raise ValidationError(self.error_messages["required"], code="required")
        return super().clean(value)


YES_NO_CHOICES = (("yes", "Yes"), ("no", "No"))


class YesNoField(forms.TypedChoiceField):
    """Yes or no as radios; cleans to True or False."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.RadioSelect(attrs={"data-inline": "true"}))
        super().__init__(choices=YES_NO_CHOICES, coerce=lambda value: value == "yes", empty_value=None, **kwargs)

    def prepare_value(self, value):
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value
