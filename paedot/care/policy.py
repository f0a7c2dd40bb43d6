"""The standardised assessments the service scores: data in policies/standardised_assessments.json, read once.

A template names an assessment's scores and their ranges only (never its items, which are the publisher's). A result
is stored with the template's name as it was, so a report printed later still says what was given even if the
template is renamed or changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from paedot.care.rules import RatingError

POLICY_FILE = Path(__file__).resolve().parent / "policies" / "standardised_assessments.json"

KINDS = ("standard_score", "scaled_score", "percentile", "raw_score", "classification")
# Standard, scaled and raw scores are whole numbers; manuals give percentiles to one decimal place (0.1, 99.9).
WHOLE_NUMBER_KINDS = ("standard_score", "scaled_score", "raw_score")
PERCENTILE_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str
    min: Decimal | None = None
    max: Decimal | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    fields: tuple[Field, ...]

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


def _field(data: dict[str, Any], where: str) -> Field:
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}.")
    if kind == "classification":
        choices = tuple(str(c) for c in data.get("choices") or ())
        if not choices:
            raise ValueError(f"{where}: a classification needs its choices.")
        return Field(key=str(data["key"]), label=str(data["label"]), kind=kind, choices=choices)
    low, high = Decimal(str(data["min"])), Decimal(str(data["max"]))
    if low > high:
        raise ValueError(f"{where}: min is above max.")
    return Field(key=str(data["key"]), label=str(data["label"]), kind=kind, min=low, max=high)


@cache
def standardised_templates(path: Path = POLICY_FILE) -> dict[str, Template]:
    """Every template by id, in the file's order. A malformed file fails loudly here, not at a clinician's desk."""
    data = json.loads(path.read_text())
    templates: dict[str, Template] = {}
    for index, entry in enumerate(data["templates"]):
        fields = tuple(_field(f, f"{path.name}: {entry['id']}.{i}") for i, f in enumerate(entry["fields"]))
        keys = [f.key for f in fields]
        if len(set(keys)) != len(keys) or not keys:
            raise ValueError(f"{path.name}: template {index} needs scores with different keys.")
        if entry["id"] in templates:
            raise ValueError(f"{path.name}: two templates are called {entry['id']}.")
        templates[entry["id"]] = Template(id=str(entry["id"]), name=str(entry["name"]), fields=fields)
    return templates


def _number(value: Decimal) -> int | float:
    """JSON-friendly: a whole number stays an int, so 12 is stored and shown as 12, not 12.0."""
    return int(value) if value == value.to_integral_value() else float(value)


def _shown(value: Decimal | None) -> str:
    return str(_number(value)) if value is not None else ""


def check_score(field: Field, value: object, where: str) -> int | float | str:
    """One score against its field: a choice for a classification, otherwise a number in range."""
    if field.kind == "classification":
        by_folded = {choice.casefold(): choice for choice in field.choices}
        if isinstance(value, str) and value.strip().casefold() in by_folded:
            return by_folded[value.strip().casefold()]
        raise RatingError(where, f"{field.label} must be one of: {', '.join(field.choices)}.")
    whole = field.kind in WHOLE_NUMBER_KINDS
    span = f"from {_shown(field.min)} to {_shown(field.max)}"
    message = f"{field.label} must be a whole number {span}." if whole else f"{field.label} must be {span}."
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise RatingError(where, message)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RatingError(where, message) from None
    if not number.is_finite() or not field.min <= number <= field.max:  # type: ignore[operator]
        raise RatingError(where, message)
    if whole and number != number.to_integral_value():
        raise RatingError(where, message)
    if field.kind == "percentile" and number != number.quantize(PERCENTILE_PLACES):
        raise RatingError(where, f"{field.label} must be {span}, to one decimal place at most.")
    return _number(number)


def check_standardised(entries: object, field: str = "standardised") -> list[dict]:
    """[{"template": id, "scores": {key: value}}] checked against the templates; returns them normalised, each with
    the template's name and its scores in the template's order. Any score may be left out (not every part of every
    test is given), but each result needs at least one."""
    if not isinstance(entries, list | tuple):
        raise RatingError(field, "Standardised results must be a list of {template, scores}.")
    templates = standardised_templates()
    cleaned = []
    for index, entry in enumerate(entries):
        where = f"{field}.{index}"
        if not isinstance(entry, dict):
            raise RatingError(where, "Each standardised result needs a template and its scores.")
        unknown = sorted(set(entry) - {"template", "name", "scores"})
        if unknown:
            raise RatingError(f"{where}.{unknown[0]}", "A standardised result has only a template and its scores.")
        template = templates.get(entry.get("template")) if isinstance(entry.get("template"), str) else None
        if template is None:
            known = ", ".join(templates)
            raise RatingError(f"{where}.template", f"Choose a standardised assessment from the list ({known}).")
        scores = entry.get("scores")
        if not isinstance(scores, dict) or not scores:
            raise RatingError(f"{where}.scores", f"Give at least one {template.name} score.")
        for key in scores:
            if template.field(str(key)) is None:
                raise RatingError(f"{where}.scores.{key}", f"{template.name} has no score called {key}.")
        cleaned.append(
            {
                "template": template.id,
                "name": template.name,
                "scores": {
                    f.key: check_score(f, scores[f.key], f"{where}.scores.{f.key}")
                    for f in template.fields
                    if f.key in scores
                },
            }
        )
    return cleaned


def template_out(template: Template) -> dict:
    """A template as the API and the assessment page describe it."""
    return {
        "id": template.id,
        "name": template.name,
        "fields": [
            {
                "key": f.key,
                "label": f.label,
                "kind": f.kind,
                "min": _number(f.min) if f.min is not None else None,
                "max": _number(f.max) if f.max is not None else None,
                "choices": list(f.choices),
            }
            for f in template.fields
        ],
    }
