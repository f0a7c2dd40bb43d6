"""What the field macro needs to know about a Django bound field, so templates hold no form markup."""

from __future__ import annotations

from typing import Any

from django import forms


def widget_kind(bound_field: forms.BoundField) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    return "input"


def field_items(bound_field: forms.BoundField) -> list[dict[str, Any]]:
    """Choices as NHS component items, with what the user chose kept checked."""
    value = bound_field.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    return [
        {"value": str(key), "text": str(label), "checked": str(key) in chosen, "selected": str(key) in chosen}
        for key, label in bound_field.field.choices
        if str(key) != "" or widget_kind(bound_field) == "select"
    ]


def error_summary_items(form: forms.Form) -> list[dict[str, str]]:
    items = []
    for name, errors in form.errors.items():
        href = f"#{form[name].id_for_label}" if name in form.fields else "#"
        items.extend({"text": str(message), "href": href} for message in errors)
    return items
