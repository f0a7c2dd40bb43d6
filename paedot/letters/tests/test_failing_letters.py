"""A failing letter or PDF loses nothing (hazard H15): a letter that cannot be written rolls back the change it
belongs to, so there is never a decision without its letter nor a letter for a change that did not happen; and a PDF
renderer that fails at print time leaves the letter kept and tells staff so, rather than a bare server error."""

from __future__ import annotations

import logging

import pytest
from django.template.loader import render_to_string as real_render_to_string

from paedot.core.models import AuditEvent
from paedot.letters.models import Letter
from paedot.referrals.models import Referral, ScreeningDecision
from paedot.referrals.services import discharge_referral, receive_referral, screen_referral
from paedot.referrals.tests.factories import referral_in, staff, submission
from paedot.waiting_list.models import Invitation

pytestmark = pytest.mark.django_db


class BrokenTemplate(Exception):
    """Stands for anything that stops a letter being written: a template error, a missing variable, a full disk."""


@pytest.fixture
def broken_letter(monkeypatch):
    """Break one letter template: rendering it raises; every other template renders as usual."""

    def breaking(template: str):
        def render(name, *args, **kwargs):
            if name == template:
                raise BrokenTemplate(name)
            return real_render_to_string(name, *args, **kwargs)

        monkeypatch.setattr("paedot.letters.services.render_to_string", render)

    return breaking


def test_a_failing_acknowledgement_letter_stores_no_referral_and_no_letter(broken_letter):
    broken_letter("referrals/letters/acknowledgement.jinja")
    with pytest.raises(BrokenTemplate):
        receive_referral(submission=submission(), source="online")
    assert not Referral.objects.exists()
    assert not Letter.objects.exists()
    assert not AuditEvent.objects.filter(action__in=("referral.received", "letter.issued")).exists()


def test_a_failing_decline_letter_leaves_the_referral_undecided(broken_letter):
    referral = referral_in("received")
    broken_letter("referrals/letters/decline.jinja")
    with pytest.raises(BrokenTemplate):
        screen_referral(referral=referral, decision="decline", reason="Not in Birmingham", screened_by=staff("ot"))
    referral.refresh_from_db()
    assert referral.status == "received"
    assert not ScreeningDecision.objects.filter(referral=referral).exists()
    assert not Letter.objects.filter(referral=referral).exists()
    assert not AuditEvent.objects.filter(action="referral.screened.decline").exists()


def test_a_failing_discharge_letter_leaves_the_child_on_the_books(broken_letter):
    referral = referral_in("invited")
    letters_before = list(Letter.objects.filter(referral=referral).values_list("pk", flat=True))
    broken_letter("referrals/letters/discharge.jinja")
    with pytest.raises(BrokenTemplate):
        discharge_referral(referral=referral, reason="Family moved away", discharged_by=staff("ot"))
    referral.refresh_from_db()
    assert referral.status == "invited"
    # The discharge's other steps rolled back with it: the family's invitation is still open.
    assert Invitation.objects.get(referral=referral).state == Invitation.State.OPEN
    assert list(Letter.objects.filter(referral=referral).values_list("pk", flat=True)) == letters_before
    assert not Letter.objects.filter(referral=referral, kind="discharge").exists()
    assert not AuditEvent.objects.filter(action="referral.discharged").exists()


class FailingRenderer:
    """WeasyPrint failing while it makes the PDF (a font missing, out of memory)."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def write_pdf(self, **kwargs) -> bytes:
        raise MemoryError("out of memory while laying out the letter")


def test_when_the_pdf_renderer_fails_staff_are_told_the_letter_is_kept_and_to_try_again(client, monkeypatch, caplog):
    referral = referral_in("declined")
    letter = Letter.objects.get(referral=referral, kind="decline")
    kept = letter.html
    client.force_login(staff("clinical_admin"))
    monkeypatch.setattr("paedot.documents.pdf.HTML", FailingRenderer)

    with caplog.at_level(logging.ERROR, logger="paedot.letters"):
        response = client.get(f"/staff/letters/{letter.pk}.pdf")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "The letter could not be printed" in page
    assert "The letter is kept exactly as it was sent" in page
    assert "contact support" in page and f'<strong id="letter-number">{letter.pk}</strong>' in page
    assert 'class="nhsuk-header' in page  # the service's own page, not a bare server error
    letter.refresh_from_db()
    assert letter.html == kept
    # The log names the letter by its id and the error by its class: nothing about the child.
    assert f"Letter {letter.pk} could not be made into a PDF: MemoryError" in caplog.text
    assert referral.reference not in caplog.text
    assert referral.child.family_name not in caplog.text

    monkeypatch.undo()  # the renderer is back: trying again prints the same letter
    again = client.get(f"/staff/letters/{letter.pk}.pdf")
    assert again.status_code == 200
    assert again["Content-Type"] == "application/pdf"
