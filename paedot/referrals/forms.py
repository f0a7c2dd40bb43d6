"""The online referral form: one Django form per section, built from the question definitions (questions.py)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from paedot.core.identifiers import is_valid_nhs_number, normalise_nhs_number
from paedot.directory.services import find_gp_practice, normalise_postcode, search_gp_practices, search_schools
from paedot.nhsuk_forms.fields import DateField, YesNoField
from paedot.referrals import questions as q

_PHONE = re.compile(r"^\+?[\d\s()-]{7,20}$")
_CODE_IN_BRACKETS = re.compile(r"\(([A-Za-z0-9]{3,8})\)\s*$")
TYPED_PREFIX = "typed:"


def _required_message(question: q.Question) -> str:
    label = question.label.split(" (")[0]
    if question.kind in (q.RADIOS, q.YES_NO, q.CONSENT):
        return f"Select an answer: {label[0].lower()}{label[1:]}"
    if question.kind == q.CHECKBOXES:
        return "Select at least one difficulty" if question.key == "difficulties" else f"Select {label.lower()}"
    return f"Enter {label[0].lower()}{label[1:]}"


def clean_nhs_number(value: str) -> str:
    if not value.strip():
        return ""
    digits = normalise_nhs_number(value)
    if not digits.isdigit() or len(digits) != 10:
        raise ValidationError("NHS number must be 10 digits")
    if not is_valid_nhs_number(digits):
        raise ValidationError("Enter a valid NHS number: check you have typed it correctly")
    return digits


def clean_postcode(value: str) -> str:
    normalised = normalise_postcode(value)
    if normalised is None:
        raise ValidationError("Enter a full UK postcode, like B21 9RY")
    return normalised


def clean_phone(value: str) -> str:
    if value and not _PHONE.match(value.strip()):
        raise ValidationError("Enter a phone number, like 0121 465 8551 or 07700 900 982")
    return value.strip()


def _field_for(question: q.Question) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.label,
        "help_text": question.hint,
        "required": question.required,
        "error_messages": {"required": _required_message(question)},
    }
    width = {"class": f"nhsuk-input--width-{question.width}"} if question.width else {}
    if question.autocomplete:
        width["autocomplete"] = question.autocomplete
    kind = question.kind
    if kind == q.DATE:
        return DateField(label=question.label, help_text=question.hint, required=question.required)
    if kind == q.TEXTAREA:
        return forms.CharField(widget=forms.Textarea, max_length=question.max_length, **common)
    if kind == q.EMAIL:
        common["error_messages"]["invalid"] = "Enter an email address in the correct format, like name@example.com"
        return forms.EmailField(
            max_length=question.max_length,
            widget=forms.EmailInput(attrs={**width, "autocomplete": question.autocomplete or "email"}),
            **common,
        )
    if kind == q.PHONE:
        return forms.CharField(
            max_length=question.max_length,
            widget=forms.TextInput(attrs={**width, "autocomplete": question.autocomplete or "tel", "type": "tel"}),
            validators=[clean_phone],
            **common,
        )
    if kind == q.RADIOS:
        field = forms.ChoiceField(
            choices=[(c.value, c.label) for c in question.choices], widget=forms.RadioSelect, **common
        )
        field.choice_hints = {c.value: c.hint for c in question.choices if c.hint}
        return field
    if kind == q.CHECKBOXES:
        field = forms.MultipleChoiceField(
            choices=[(c.value, c.label) for c in question.choices], widget=forms.CheckboxSelectMultiple, **common
        )
        field.choice_hints = {c.value: c.hint for c in question.choices if c.hint}
        field.choice_groups = {c.value: c.group for c in question.choices if c.group}
        return field
    if kind in (q.YES_NO, q.CONSENT):
        return YesNoField(**common)
    if kind == q.NHS_NUMBER:
        return forms.CharField(max_length=20, widget=forms.TextInput(attrs={**width, "inputmode": "numeric"}), **common)
    if kind == q.POSTCODE:
        return forms.CharField(
            max_length=question.max_length,
            widget=forms.TextInput(attrs={**width, "autocomplete": "postal-code"}),
            **common,
        )
    if kind in (q.GP_PRACTICE, q.SCHOOL):
        finder = "gp-practices" if kind == q.GP_PRACTICE else "schools"
        return forms.CharField(
            max_length=200,
            widget=forms.TextInput(attrs={"data-finder": finder, "autocomplete": "off", "class": "app-finder"}),
            **common,
        )
    return forms.CharField(max_length=question.max_length, widget=forms.TextInput(attrs=width), **common)


class SectionForm(forms.Form):
    """A page of the online referral form."""

    section: q.Section

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for question in self.section.questions:
            if question.key not in cleaned or cleaned[question.key] in (None, ""):
                continue
            value = cleaned[question.key]
            try:
                if question.kind == q.NHS_NUMBER:
                    cleaned[question.key] = clean_nhs_number(value)
                elif question.kind == q.POSTCODE:
                    cleaned[question.key] = clean_postcode(value)
                elif question.kind == q.TEXT or question.kind == q.TEXTAREA:
                    cleaned[question.key] = value.strip()
            except ValidationError as error:
                self.add_error(question.key, error)
        return cleaned


class GPPracticeForm(SectionForm):
    """Find the GP practice by name, code or postcode; without JavaScript, a second step picks from the matches.

    `gp_practice_choice` holds a practice code from the matches, or "typed:<text>" when the practice cannot be found:
    the referral still goes in (every referral is kept) and the eligibility check says the practice is unknown.
    """

    gp_practice_choice = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.matches: list = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        choice = (cleaned.get("gp_practice_choice") or "").strip()
        typed = (cleaned.get("gp_practice") or "").strip()
        if choice.startswith(TYPED_PREFIX):
            cleaned["gp_practice_code"] = choice.removeprefix(TYPED_PREFIX).strip().upper()[:10]
            cleaned["gp_practice_name"] = ""
            return cleaned
        candidate = choice or typed
        bracketed = _CODE_IN_BRACKETS.search(candidate)
        practice = find_gp_practice(bracketed.group(1) if bracketed else candidate)
        if practice is not None:
            cleaned["gp_practice_code"] = practice.code
            cleaned["gp_practice_name"] = practice.name
            cleaned["gp_practice"] = f"{practice.name.title()} ({practice.code})"
            return cleaned
        if typed:
            self.matches = search_gp_practices(typed, limit=8)
            if self.matches:
                self.add_error("gp_practice", "Choose the practice from the list below, or search again")
            else:
                self.add_error(
                    "gp_practice",
                    "We could not find a GP practice matching what you typed. Check the name, code or postcode",
                )
        return cleaned


class SchoolForm(SectionForm):
    """The school or nursery: chosen from the directory when it matches, otherwise kept as typed."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        typed = (cleaned.get("school") or "").strip()
        cleaned["school_urn"] = ""
        cleaned["school_name"] = typed
        if typed:
            bracketed = re.search(r"\(URN (\d{6,7})\)\s*$", typed)
            matches = search_schools(bracketed.group(1) if bracketed else typed, limit=2)
            exact = [s for s in matches if bracketed and s.urn == bracketed.group(1)] or [
                s for s in matches if s.name.lower() == typed.lower()
            ]
            if exact:
                cleaned["school_urn"] = exact[0].urn
                cleaned["school_name"] = exact[0].name
        return cleaned


def form_class_for(section: q.Section) -> type[SectionForm]:
    """A form class with one field per question of the section."""
    keys = {question.key for question in section.questions}
    base: type[SectionForm] = SectionForm
    if "gp_practice" in keys:
        base = GPPracticeForm
    elif "school" in keys:
        base = SchoolForm
    attrs: dict[str, Any] = {question.key: _field_for(question) for question in section.questions}
    attrs["section"] = section
    return type(f"{section.slug.title().replace('-', '')}Form", (base,), attrs)


# Staff decisions on a referral's page --------------------------------------------------------------------------


class ScreeningForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your screening decision",
        choices=[
            ("accept", "Accept: it meets the criteria (or you accept it despite the automatic outcome)"),
            ("decline", "Decline: a letter goes to the referrer and the family with the reasons and where to go"),
            ("request_information", "Ask for more information: a letter says what is missing"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose accept, decline or ask for more information"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text=(
            "Kept with the referral. For a request for information, say exactly what is missing: it goes in the letter."
        ),
        widget=forms.Textarea,
        max_length=4000,
        error_messages={"required": "Give the reason for your decision"},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea,
        max_length=4000,
        error_messages={"required": "Give the reason"},
    )


class InformationReceivedForm(forms.Form):
    note = forms.CharField(
        label="What information arrived",
        widget=forms.Textarea,
        max_length=4000,
        error_messages={"required": "Say what information arrived"},
    )


class FlagDuplicateForm(forms.Form):
    """A person flags two referrals as possibly the same child (referrals.services.duplicates)."""

    other_reference = forms.CharField(
        label="Reference of the other referral",
        help_text="For example, OT-ABCD-EF12. It is on the referral's page and its letters.",
        max_length=20,
        error_messages={"required": "Enter the reference of the other referral"},
    )
    reason = forms.CharField(
        label="Why these may be the same child",
        help_text="What you know: the same NHS number, the same parent and address, a change of name.",
        widget=forms.Textarea,
        max_length=4000,
        error_messages={"required": "Say why these may be the same child"},
    )
