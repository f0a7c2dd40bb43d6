"""Raising API refusals in the one shape every endpoint uses."""

from __future__ import annotations

from ninja.errors import ValidationError


def bad_request(field: str, message: str) -> ValidationError:
    """A 400 naming the field (dotted path, e.g. child.date_of_birth), as schema validation does."""
    return ValidationError([{"loc": ["body", *field.split(".")], "msg": message, "type": "value_error"}])
