"""The episode page, consent to share, issuing a report and the documents list: what each shows, to whom, and what
each role may do."""

from __future__ import annotations

import pytest
from django.utils import timezone

from paedot.care.models import ConsentToShare, Episode
from paedot.care.services.equipment import issue_equipment
from paedot.care.tests.test_record_support import (
    assessment_for,
    child_with_episode,
    consent,
    package_for,
    review_for,
)
from paedot.core.models import AuditEvent
from paedot.letters.models import Letter
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db


def signed_in(client, role: str, username: str | None = None):
    user = staff(role, username or f"{role}-care-page")
    client.force_login(user)
    return user


def test_the_episode_page_shows_the_child_the_package_and_the_record(client):
    referral, episode = child_with_episode(child={"nhs_number": "9434765919", "given_name": "Ayaan"})
    assessment_for(episode)
    review_for(package_for(episode))
    issue_equipment(
        referral=referral, kind="equipment", item="Writing slope", issued_on=timezone.localdate(), issued_by=staff("ot")
    )
    consent(episode, "family")
    consent(episode, "gp", given=False)
    user = signed_in(client, "ot")
    response = client.get(f"/staff/care/{referral.reference}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ayaan Testchild" in page
    assert "943 476 5919" in page
    assert "years" in page  # the age
    assert "Do up four buttons" in page
    assert "T-score 61.02" in page
    assert "Writing slope" in page
    assert "developmental coordination disorder" in page
    assert "Refused" in page and "Given" in page
    for action in ("Record consent to share", "Issue a report", "Discharge", "Issue equipment or a splint"):
        assert action in page
    assert f"/staff/notes/{referral.reference}/new" in page
    assert AuditEvent.objects.filter(action="record.viewed", actor=user, child_id=referral.child_id).exists()


def test_an_admin_sees_the_record_but_only_the_actions_of_their_role(client):
    referral, _ = child_with_episode()
    signed_in(client, "clinical_admin")
    page = client.get(f"/staff/care/{referral.reference}/").content.decode()
    assert "Record consent to share" in page
    assert "Issue a report" not in page
    assert "Issue equipment or a splint" not in page
    assert f"/staff/care/{referral.reference}/discharge" not in page


def test_an_accepted_referral_without_an_episode_shows_an_empty_page(client):
    referral = referral_in("waiting")
    signed_in(client, "ot")
    response = client.get(f"/staff/care/{referral.reference}/")
    assert response.status_code == 200
    assert "Not opened yet" in response.content.decode()
    assert not Episode.objects.filter(referral=referral).exists()


@pytest.mark.parametrize("status", ["received", "declined"])
def test_a_referral_not_accepted_has_no_episode_of_care(client, status):
    referral = referral_in(status)
    signed_in(client, "ot")
    response = client.get(f"/staff/care/{referral.reference}/")
    assert response.status_code == 409
    assert "No episode of care" in response.content.decode()


def test_the_auditor_may_not_see_the_clinical_record(client):
    referral, _ = child_with_episode()
    signed_in(client, "auditor")
    assert client.get(f"/staff/care/{referral.reference}/").status_code == 403


def test_the_referral_page_links_to_the_episode_of_care(client):
    referral = referral_in("seen")
    signed_in(client, "ot")
    page = client.get(f"/staff/referrals/{referral.reference}").content.decode()
    assert f'href="/staff/care/{referral.reference}/"' in page


def test_an_admin_may_record_consent_and_it_opens_the_episode(client):
    referral = referral_in("waiting")
    signed_in(client, "clinical_admin")
    response = client.post(
        f"/staff/care/{referral.reference}/consent",
        {"recipient": "school", "given": "yes", "given_by": "Sara Testchild, mother", "recipient_name": "", "note": ""},
    )
    assert response.status_code == 302
    consent_row = ConsentToShare.objects.get(episode__referral=referral)
    assert consent_row.recipient == "school" and consent_row.given
    assert consent_row.recorded_by.username == "clinical_admin-care-page"


def test_the_consent_page_keeps_what_was_typed_on_error(client):
    referral, _ = child_with_episode()
    signed_in(client, "ota")
    response = client.post(
        f"/staff/care/{referral.reference}/consent",
        {"recipient": "other", "given": "yes", "given_by": "Mum said yes on the phone", "recipient_name": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the name of the professional" in page
    assert "Mum said yes on the phone" in page
    assert not ConsentToShare.objects.exists()


def test_an_auditor_may_not_record_consent(client):
    referral, _ = child_with_episode()
    signed_in(client, "auditor")
    assert client.get(f"/staff/care/{referral.reference}/consent").status_code == 403


def test_issuing_a_review_report_from_the_page_lists_it_with_its_pdf(client):
    referral, episode = child_with_episode()
    review = review_for(package_for(episode))
    consent(episode, "family", "school")
    signed_in(client, "ot")
    form = client.get(f"/staff/care/{referral.reference}/reports/new").content.decode()
    assert f'value="review:{review.pk}"' in form
    response = client.post(
        f"/staff/care/{referral.reference}/reports/new",
        {"document": f"review:{review.pk}", "recipients": ["family", "school"]},
    )
    assert response.status_code == 302
    letters = list(Letter.objects.filter(referral=referral, kind="review_report"))
    assert len(letters) == 2
    listing = client.get(f"/staff/care/{referral.reference}/documents").content.decode()
    for letter in letters:
        assert f'href="/staff/letters/{letter.pk}.pdf"' in listing
    pdf = client.get(f"/staff/letters/{letters[0].pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_the_report_page_refuses_without_consent_and_keeps_the_choice(client):
    referral, episode = child_with_episode()
    assessment = assessment_for(episode)
    signed_in(client, "ot")
    response = client.post(
        f"/staff/care/{referral.reference}/reports/new",
        {"document": f"assessment:{assessment.pk}", "recipients": ["gp"]},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "consent to share with: gp" in page
    assert f'value="assessment:{assessment.pk}" checked' in page
    assert not Letter.objects.filter(referral=referral, kind="assessment_report").exists()


def test_an_ot_assistant_may_not_open_the_report_page(client):
    referral, _ = child_with_episode()
    signed_in(client, "ota")
    assert client.get(f"/staff/care/{referral.reference}/reports/new").status_code == 403
