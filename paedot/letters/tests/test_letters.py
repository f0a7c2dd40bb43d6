"""Letters are kept as sent, and print as PDFs for staff who may see the referral."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from paedot.letters.models import Letter
from paedot.public.services import update_service_details
from paedot.referrals.services import receive_referral, screen_referral
from paedot.referrals.tests.factories import make_referral, referral_in, staff, submission

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_received_referral_gets_an_acknowledgement_letter_with_the_expected_wait():
    referral = receive_referral(submission=submission(), source="online")
    letter = Letter.objects.get(referral=referral, kind="acknowledgement")
    assert [r["role"] for r in letter.recipients] == ["family", "referrer"]
    assert "How long you may wait" in letter.html
    # No child has come off the waiting list yet: the letter says it cannot estimate, rather than guess.
    assert "cannot estimate the wait yet" in letter.html


def test_a_letter_keeps_the_service_details_it_was_sent_with():
    referral = referral_in("received")
    screen_referral(referral=referral, decision="decline", reason="Not in school", screened_by=staff("ot"))
    letter = Letter.objects.get(referral=referral, kind="decline")
    update_service_details(changes={"phone": "0121 000 0000"}, changed_by=staff("system_admin"))
    letter.refresh_from_db()
    assert "0121 465 8551" in letter.html
    assert "0121 000 0000" not in letter.html


def test_staff_print_a_letter_as_a_pdf(client):
    referral = referral_in("received")
    screen_referral(
        referral=referral, decision="decline", reason="Registered with a Solihull GP", screened_by=staff("ot")
    )
    letter = Letter.objects.get(referral=referral, kind="decline")
    client.force_login(staff("auditor"))
    response = client.get(f"/staff/letters/{letter.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert referral.child.full_name not in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "We are not able to accept this referral" in text
    assert "Registered with a Solihull GP" in text
    assert referral.reference in text


def test_a_partner_system_cannot_print_letters(client):
    referral = referral_in("declined")
    letter = Letter.objects.get(referral=referral, kind="decline")
    client.force_login(staff("partner_system"))
    assert client.get(f"/staff/letters/{letter.pk}.pdf").status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client):
    letter = Letter.objects.get(referral=referral_in("declined"), kind="decline")
    response = client.get(f"/staff/letters/{letter.pk}.pdf")
    assert response.status_code == 302 and "/staff/sign-in" in response["Location"]


def test_make_referral_does_not_acknowledge():
    assert not Letter.objects.filter(referral=make_referral()).exists()
