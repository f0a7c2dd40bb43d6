"""Referrals ready for advice, consent to share, and reading a pack's PDFs back. All synthetic."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from paedot.care.services.consent import record_consent
from paedot.care.services.episodes import open_episode
from paedot.letters.models import Letter
from paedot.letters.services import letter_pdf
from paedot.referrals.tests.factories import referral_in

SCHOOL = "Testfield Primary School"


def child_referral(status: str = "waiting", **overrides):
    """A referral for Zara, at a school, accepted and triaged (so an episode of care can open)."""
    overrides.setdefault("child", {"given_name": "Zara", "family_name": "Testchild"})
    overrides.setdefault("school_name", SCHOOL)
    return referral_in(status, **overrides)


def consent(referral, *recipients: str, by, given: bool = True):
    episode = open_episode(referral=referral, opened_by=by)
    for recipient in recipients:
        record_consent(episode=episode, recipient=recipient, given=given, given_by="Mum", recorded_by=by)
    return episode


def pdf_of(letter: Letter) -> PdfReader:
    return PdfReader(BytesIO(letter_pdf(letter)))


def pdf_text(letter: Letter) -> str:
    """All the PDF's text with its line breaks and spacing evened out, for asserting on phrases."""
    return " ".join(" ".join(page.extract_text() for page in pdf_of(letter).pages).split())
