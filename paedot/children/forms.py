"""The forms staff change a child's and family's details with. Validation is the services' (children.rules), so a
page and the API refuse the same things in the same words: these forms only ask the questions and pass the answers
on, and the view puts each refusal back against its question, with what was typed kept."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from paedot.core.identifiers import format_nhs_number
from paedot.directory.services import find_gp_practice, search_gp_practices, search_schools
from paedot.nhsuk_forms.fields import DateField, YesNoField

TYPED_PREFIX = "typed:"
_CODE_IN_BRACKETS = re.compile(r"\(([A-Za-z0-9]{3,8})\)\s*$")
_URN_IN_BRACKETS = re.compile(r"\(URN (\d{6,7})\)\s*$")

REASON_HINT = (
    'How you heard of the change, like "Mum phoned on 3 March". It is kept with the change. Do not repeat the new '
    "details here."
)


def _reason(*, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label="Reason for the change" if required else "Reason for the change (optional)",
        help_text=REASON_HINT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=required,
        max_length=4000,
        error_messages={"required": "Give the reason for the change, like how the family told you"},
    )


class PickFromMatches(forms.ChoiceField):
    """Radios of what a search found. A choice left over from an earlier search is not an error: it is ignored, and
    the form looks again at what was typed."""

    def validate(self, value: Any) -> None:
        return None


class ChildDetailsForm(forms.Form):
    given_name = forms.CharField(
        label="Given name",
        max_length=100,
        error_messages={"required": "Enter the child's given name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    family_name = forms.CharField(
        label="Family name",
        max_length=100,
        error_messages={"required": "Enter the child's family name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = DateField(label="Date of birth", help_text="For example, 27 3 2017")
    nhs_number = forms.CharField(
        label="NHS number",
        help_text="10 digits, like 943 476 5919. Leave blank if not known.",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "inputmode": "numeric"}),
    )
    address = forms.CharField(
        label="Address",
        help_text="Without the postcode. Letters are addressed to the child's parent or carer here.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "autocomplete": "off"}),
    )
    reason = _reason()

    FIELDS = ("given_name", "family_name", "date_of_birth", "nhs_number", "address", "postcode")

    @classmethod
    def initial_for(cls, child) -> dict[str, Any]:
        return {
            "given_name": child.given_name,
            "family_name": child.family_name,
            "date_of_birth": child.date_of_birth,
            "nhs_number": format_nhs_number(child.nhs_number),
            "address": child.address,
            "postcode": child.postcode,
        }

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ParentCarerForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the parent or carer's name"}
    )
    relationship = forms.CharField(
        label="Relationship to the child",
        help_text="For example, Mother, Father, Grandparent, Foster carer",
        max_length=100,
        error_messages={"required": "Enter their relationship to the child, like Mother or Foster carer"},
    )
    phone = forms.CharField(
        label="Phone",
        help_text="A mobile gets appointment texts. Leave blank if there is none.",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "class": "nhsuk-input--width-20"}),
    )
    email = forms.CharField(
        label="Email",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    language = forms.CharField(
        label="Preferred language",
        help_text="Leave blank for English",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20"}),
    )
    interpreter_needed = YesNoField(
        label="Do they need an interpreter?", error_messages={"required": "Say whether an interpreter is needed"}
    )
    reason = _reason(required=False)

    FIELDS = ("name", "relationship", "phone", "email", "language", "interpreter_needed")

    @classmethod
    def initial_for(cls, parent) -> dict[str, Any]:
        return {name: getattr(parent, name) for name in cls.FIELDS}

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class GPPracticeForm(forms.Form):
    """Find the practice by its ODS code, name or postcode; when the search finds several, choose one of them."""

    gp_practice = forms.CharField(
        label="GP practice",
        help_text="Its ODS code (like M85001), name or postcode",
        max_length=200,
        error_messages={"required": "Enter the GP practice's ODS code, name or postcode"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    gp_practice_choice = PickFromMatches(
        label="Choose the child's GP practice", required=False, widget=forms.RadioSelect, choices=()
    )
    reason = _reason()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.matches: list = []
        if self.is_bound:
            typed = str(self.data.get("gp_practice", "")).strip()
            if typed and _practice_for(typed) is None:
                self.matches = search_gp_practices(typed[:200], limit=8)
                self.fields["gp_practice_choice"].choices = [
                    (p.code, f"{p.name.title()} ({p.code})") for p in self.matches
                ]
                self.fields["gp_practice_choice"].choice_hints = {
                    p.code: f"{p.address.title()}, {p.postcode}" for p in self.matches
                }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        typed = cleaned.get("gp_practice") or ""
        chosen = cleaned.get("gp_practice_choice") or ""
        codes = {p.code for p in self.matches}
        practice = _practice_for(typed)
        if practice is None and chosen in codes:
            practice = find_gp_practice(chosen)
        if practice is not None:
            cleaned["gp_practice_code"] = practice.code
        elif typed and self.matches:
            self.add_error("gp_practice_choice", "Choose the practice from the list, or search again")
        elif typed:
            self.add_error("gp_practice", "No GP practice matches what you typed: check the ODS code, name or postcode")
        return cleaned


def _practice_for(typed: str):
    """The practice when what was typed is its ODS code, or ends with it in brackets (as the list shows them)."""
    bracketed = _CODE_IN_BRACKETS.search(typed)
    candidate = bracketed.group(1) if bracketed else typed
    if not candidate or len(candidate) > 10 or not candidate.replace(" ", "").isalnum():
        return None
    return find_gp_practice(candidate)


class SchoolForm(forms.Form):
    """The school or nursery from the directory, by name or URN; one it does not hold is kept as written."""

    school = forms.CharField(
        label="School or nursery",
        help_text="Its name or URN. Leave blank if the child is not at a school or nursery.",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    school_choice = PickFromMatches(
        label="Choose the school or nursery", required=False, widget=forms.RadioSelect, choices=()
    )
    reason = _reason()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.matches: list = []
        if self.is_bound:
            typed = str(self.data.get("school", "")).strip()
            if typed and _school_for(typed) is None:
                self.matches = search_schools(typed[:200], limit=8)
                choices = [(s.urn, f"{s.name} (URN {s.urn})") for s in self.matches]
                if self.matches:
                    choices.append((TYPED_PREFIX + typed, "None of these: keep the name as I typed it"))
                self.fields["school_choice"].choices = choices
                self.fields["school_choice"].choice_hints = {
                    s.urn: ", ".join(part for part in (s.town, s.postcode) if part) for s in self.matches
                }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        typed = cleaned.get("school") or ""
        chosen = cleaned.get("school_choice") or ""
        cleaned["school_urn"], cleaned["school_name"] = "", typed
        school = _school_for(typed) if typed else None
        if school is None and chosen and chosen in {s.urn for s in self.matches}:
            school = next(s for s in self.matches if s.urn == chosen)
        if school is not None:
            cleaned["school_urn"], cleaned["school_name"] = school.urn, school.name
        elif typed and self.matches and chosen != TYPED_PREFIX + typed:
            self.add_error("school_choice", "Choose the school from the list, or keep the name as you typed it")
        elif typed.isdigit():
            self.add_error("school", f"No school with URN {typed[:10]} is in the directory: check it, or give its name")
        return cleaned


def _school_for(typed: str):
    """The school when what was typed is its URN, its exact name, or ends with "(URN 123456)" as the list shows."""
    from paedot.directory.models import School

    bracketed = _URN_IN_BRACKETS.search(typed)
    if bracketed:
        return School.objects.filter(urn=bracketed.group(1)).first()
    if typed.isdigit() and len(typed) <= 10:
        return School.objects.filter(urn=typed).first()
    return School.objects.filter(name__iexact=typed).order_by("-is_open", "urn").first()
