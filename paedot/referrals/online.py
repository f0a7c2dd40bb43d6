"""The online referral form's draft: what has been typed so far, kept in the session until it is sent.

Every page's raw input is kept as typed (valid or not), so going back, fixing an error or changing an answer from
the check page never loses anything. A one-time token, made when the draft starts, makes the final submit
idempotent: a double click or a refresh finds the referral the first click made.

Answers given in "Check if we can help" come in as a prefill: shown on the pages not yet filled in, as if typed
there, but never counted as an answer until the page is sent, so nobody sends a page they have not seen.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.http import QueryDict

from paedot.referrals import questions as q
from paedot.referrals.forms import SectionForm, form_class_for
from paedot.referrals.services import ChildDetails, ParentCarerDetails, ReferralSubmission, ReferrerDetails

SESSION_KEY = "referral_draft"
DONE_KEY = "referral_sent"


class Draft:
    """Answers to a question flow (the referral form, or "Check if we can help"), page by page."""

    def __init__(self, session, *, sections: tuple[q.Section, ...] | None = None, key: str = SESSION_KEY) -> None:
        self.session = session
        self.sections = sections if sections is not None else q.REFERRAL_FORM
        self.key = key
        data = session.get(key)
        if not isinstance(data, dict):
            data = {"token": secrets.token_urlsafe(24), "pages": {}}
        self.data = data

    @property
    def token(self) -> str:
        return self.data["token"]

    def raw(self, slug: str) -> dict[str, list[str]] | None:
        return self.data["pages"].get(slug)

    def save_page(self, slug: str, post: QueryDict) -> None:
        kept = {key: post.getlist(key) for key in post if key != "csrfmiddlewaretoken"}
        self.data["pages"][slug] = kept
        self._keep()

    def prefill(self, answers: dict[str, Any]) -> None:
        """Answers given elsewhere, to show on the pages not yet filled in (what was typed here still wins)."""
        self.data["prefill"] = {key: _as_initial(value) for key, value in answers.items()}
        self._keep()

    @property
    def prefilled(self) -> bool:
        return bool(self.data.get("prefill"))

    def _keep(self) -> None:
        self.session[self.key] = self.data
        self.session.modified = True

    def bound_form(self, section: q.Section) -> SectionForm | None:
        raw = self.raw(section.slug)
        if raw is None:
            return None
        query = QueryDict(mutable=True)
        for key, values in raw.items():
            query.setlist(key, values)
        return form_class_for(section)(data=query, prefix=None)

    def form_for_page(self, section: q.Section) -> SectionForm:
        """The page's form, showing what was typed before (unbound, perhaps prefilled, when nothing was)."""
        bound = self.bound_form(section)
        if bound is not None:
            return bound
        prefill = self.data.get("prefill") or {}
        initial = {question.key: prefill[question.key] for question in section.questions if question.key in prefill}
        return form_class_for(section)(initial=initial)

    def first_incomplete(self) -> q.Section | None:
        for section in self.sections:
            form = self.bound_form(section)
            if form is None or not form.is_valid():
                return section
        return None

    def answers(self) -> dict[str, Any]:
        """Every page's cleaned answers merged; only call when first_incomplete() is None."""
        merged: dict[str, Any] = {}
        for section in self.sections:
            form = self.bound_form(section)
            if form is None or not form.is_valid():
                raise ValueError(f"The page {section.slug} is not complete.")
            merged.update(form.cleaned_data)
        return merged

    def discard(self) -> None:
        self.session.pop(self.key, None)


def _as_initial(value: Any) -> Any:
    """A cleaned answer as the session can keep it (JSON) and the form shows it: a date as its three boxes."""
    if isinstance(value, dt.date):
        return [str(value.day), str(value.month), str(value.year)]
    if isinstance(value, tuple):
        return list(value)
    return value


def settings_affected(answers: dict[str, Any]) -> tuple[str, ...]:
    """Where the difficulties show, from which impact questions were answered."""
    places = (("impact_home", "home"), ("impact_school", "school"), ("impact_leisure", "leisure"))
    return tuple(setting for key, setting in places if answers.get(key))


def submission_from_answers(answers: dict[str, Any]) -> ReferralSubmission:
    return ReferralSubmission(
        child=ChildDetails(
            given_name=answers["child_given_name"],
            family_name=answers["child_family_name"],
            date_of_birth=answers["child_date_of_birth"],
            nhs_number=answers.get("child_nhs_number") or "",
            address=answers.get("child_address") or "",
            postcode=answers["child_postcode"],
        ),
        parent_carer=ParentCarerDetails(
            name=answers["parent_name"],
            relationship=answers["parent_relationship"],
            phone=answers.get("parent_phone") or "",
            email=answers.get("parent_email") or "",
            language=answers.get("parent_language") or "",
            interpreter_needed=bool(answers.get("parent_interpreter_needed")),
        ),
        referrer=ReferrerDetails(
            name=answers["referrer_name"],
            role=answers["referrer_role"],
            organisation=answers.get("referrer_organisation") or "",
            email=answers.get("referrer_email") or "",
            phone=answers.get("referrer_phone") or "",
        ),
        gp_practice_code=answers["gp_practice_code"],
        education=answers["education"],
        difficulties=tuple(answers.get("difficulties") or ()),
        description=answers["description"],
        consent_given=bool(answers.get("consent_given")),
        previous_ot_episode=bool(answers.get("previous_ot_episode")),
        school_urn=answers.get("school_urn") or "",
        school_name=answers.get("school_name") or "",
        settings_affected=settings_affected(answers),
        impact_home=answers.get("impact_home") or "",
        impact_school=answers.get("impact_school") or "",
        impact_leisure=answers.get("impact_leisure") or "",
        strategies_tried=answers.get("strategies_tried") or "",
        other_professionals=answers.get("other_professionals") or "",
    )


def display_answer(question: q.Question, answers: dict[str, Any]) -> str:
    """An answer as the check page shows it."""
    from paedot.core.presenters import format_date, format_nhs_number

    value = answers.get(question.key)
    if question.kind == q.DATE:
        return format_date(value)
    if question.kind in (q.YES_NO, q.CONSENT):
        return "" if value is None else ("Yes" if value else "No")
    if question.kind == q.RADIOS:
        return next((c.label for c in question.choices if c.value == value), "")
    if question.kind == q.CHECKBOXES:
        return ", ".join(c.label for c in question.choices if c.value in (value or []))
    if question.kind == q.NHS_NUMBER:
        return format_nhs_number(value) if value else ""
    if question.kind == q.GP_PRACTICE:
        name = answers.get("gp_practice_name")
        return f"{name.title()} ({answers.get('gp_practice_code')})" if name else answers.get("gp_practice_code", "")
    if question.kind == q.SCHOOL:
        return answers.get("school_name") or ""
    return value or ""
