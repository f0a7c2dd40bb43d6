"""What the field macro needs to know about a Django bound field, so templates hold no form markup."""

from __future__ import annotations

from typing import Any

from django import forms


def widget_kind(bound_field: forms.BoundField) -> str:
    from paedot.nhsuk_forms.fields import DateInputWidget

    widget = bound_field.field.widget
    if isinstance(widget, DateInputWidget):
        return "date"
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
    """Choices as NHS component items, with what the user chose kept checked.

    A field may carry `choice_hints` ({value: hint}) and `choice_groups` ({value: heading}); a heading is shown
    before the first choice of its group.
    """
    field = bound_field.field
    value = bound_field.value()
    if isinstance(value, bool):
        value = "yes" if value else "no"
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    hints = getattr(field, "choice_hints", {})
    groups = getattr(field, "choice_groups", {})
    items: list[dict[str, Any]] = []
    last_group = None
    for key, label in field.choices:
        if str(key) == "" and widget_kind(bound_field) != "select":
            continue
        group = groups.get(str(key))
        if group and group != last_group:
            items.append({"divider": group})
            last_group = group
        item = {"value": str(key), "text": str(label), "checked": str(key) in chosen, "selected": str(key) in chosen}
        if hints.get(str(key)):
            item["hint"] = {"text": hints[str(key)]}
        items.append(item)
    return items


def date_items(bound_field: forms.BoundField) -> list[dict[str, Any]]:
    """The three boxes of a date, keeping exactly what was typed (even when it is not a date)."""
    value = bound_field.value()
    if not isinstance(value, list | tuple):
        value = bound_field.field.widget.decompress(value)
    parts = list(value) + [None] * (3 - len(value))
    error_class = " nhsuk-input--error" if bound_field.errors else ""
    return [
        {
            "id": f"{bound_field.auto_id}_{part}",
            "name": f"{bound_field.html_name}_{part}",
            "label": part.capitalize(),
            "value": parts[index] or "",
            "classes": f"nhsuk-input--width-{4 if part == 'year' else 2}{error_class}",
        }
        for index, part in enumerate(("day", "month", "year"))
    ]


def first_input_id(bound_field: forms.BoundField) -> str:
    """Where an error summary link should take the user: the first box or option of the question."""
    kind = widget_kind(bound_field)
    if kind == "date":
        return f"{bound_field.auto_id}_day"
    if kind in ("radios", "checkboxes"):
        return bound_field.auto_id  # the NHS macros give the first option the prefix itself as its id
    return bound_field.id_for_label


def error_summary_items(form: forms.Form) -> list[dict[str, str]]:
    items = []
    for name, errors in form.errors.items():
        href = f"#{first_input_id(form[name])}" if name in form.fields else "#"
        items.extend({"text": str(message), "href": href} for message in errors)
    return items
