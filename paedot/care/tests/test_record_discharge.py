"""Discharge at the end of the episode: consent checked before anything changes, the referral closed, future
appointments cancelled, the discharge summary issued per recipient; the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paedot.appointments.models import Appointment
from paedot.care.models import Episode, TomsRating
from paedot.care.services.consent import ConsentMissing
from paedot.care.services.discharge import discharge_episode
from paedot.care.tests.test_record_support import (
    appointment,
    assessment_for,
    bearer,
    child_with_episode,
    consent,
    package_for,
    pdf_text,
    review_for,
)
from paedot.letters.models import Letter
from paedot.letters.services import letter_pdf
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db


def soon(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_discharge_closes_the_referral_cancels_future_appointments_and_sends_the_summary():
    referral, episode = child_with_episode()
    assessment_for(episode)
    review_for(package_for(episode))
    consent(episode, "family", "gp")
    past = appointment(referral, soon(-7), outcome="attended")
    future = appointment(referral, soon(7))
    discharge_episode(
        referral=referral,
        reason="goals_met",
        summary="Ayaan can now dress himself for school.\nThe family will keep practising.",
        send_to=["family", "gp"],
        toms_end={"impairment": 3, "activity": "4.5", "participation": 4, "wellbeing": 4},
        discharged_by=staff("ot"),
    )
    referral.refresh_from_db()
    episode.refresh_from_db()
    assert referral.status == "discharged"
    assert referral.closing_reason == "Goals met: Ayaan can now dress himself for school."
    assert episode.discharge_reason == "goals_met"
    assert episode.discharged_at is not None and episode.discharged_by == staff("ot")
    assert Appointment.objects.get(pk=future.pk).cancelled
    assert not Appointment.objects.get(pk=past.pk).cancelled
    assert TomsRating.objects.get(episode=episode, stage="end").activity == 4.5
    summaries = list(Letter.objects.filter(referral=referral, kind="discharge_summary"))
    assert [s.recipients[0]["role"] for s in summaries] == ["family", "gp"]
    # The generic discharge letter is replaced by the summary, which goes only where consent allows.
    assert not Letter.objects.filter(referral=referral, kind="discharge").exists()
    text, pages = pdf_text(letter_pdf(summaries[0]))
    assert referral.child.full_name in text
    assert "Goals met" in text
    assert "Do up four buttons" in text
    assert pages >= 1


def test_a_missing_consent_refuses_the_discharge_and_changes_nothing():
    referral, episode = child_with_episode()
    consent(episode, "family")
    future = appointment(referral, soon(7))
    with pytest.raises(ConsentMissing) as refused:
        discharge_episode(
            referral=referral,
            reason="goals_met",
            summary="Done.",
            send_to=["family", "referrer", "school"],
            discharged_by=staff("ot"),
        )
    assert refused.value.recipients == ["referrer", "school"]
    assert Referral.objects.get(pk=referral.pk).status == "seen"
    assert Episode.objects.get(pk=episode.pk).discharged_at is None
    assert not Appointment.objects.get(pk=future.pk).cancelled
    assert not Letter.objects.filter(referral=referral, kind__in=["discharge", "discharge_summary"]).exists()


def test_an_accepted_referral_without_an_episode_can_be_discharged_and_gets_one():
    referral = referral_in("accepted")
    discharge_episode(
        referral=referral, reason="moved_away", summary="Moved to Leeds.", send_to=[], discharged_by=staff("ot")
    )
    assert Referral.objects.get(pk=referral.pk).status == "discharged"
    assert Episode.objects.get(referral=referral).discharge_reason == "moved_away"


def test_the_reason_and_summary_are_required_and_checked():
    referral, _ = child_with_episode()
    with pytest.raises(ValueError, match="reason for discharge"):
        discharge_episode(referral=referral, reason="bored", summary="x", discharged_by=staff("ot"))
    with pytest.raises(ValueError, match="discharge summary"):
        discharge_episode(referral=referral, reason="goals_met", summary="  ", discharged_by=staff("ot"))
    assert Referral.objects.get(pk=referral.pk).status == "seen"


def test_only_ots_and_team_leads_discharge_and_only_once():
    referral, _ = child_with_episode()
    with pytest.raises(NotAllowed):
        discharge_episode(referral=referral, reason="goals_met", summary="x", discharged_by=staff("ota", "ota-d"))
    discharge_episode(referral=referral, reason="goals_met", summary="x", discharged_by=staff("team_lead"))
    with pytest.raises(TransitionRefused):
        discharge_episode(referral=referral, reason="goals_met", summary="x", discharged_by=staff("ot"))


def test_the_discharge_page_drafts_the_summary_and_shows_who_has_consent(client):
    referral, episode = child_with_episode()
    assessment_for(episode)
    review_for(package_for(episode))
    consent(episode, "family")
    client.force_login(staff("ot"))
    response = client.get(f"/staff/care/{referral.reference}/discharge")
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 of 3 goals were met or exceeded in block 1." in page
    assert "GAS T-score 61.02" in page
    assert "Consent given" in page and "No consent recorded" in page


def test_the_discharge_page_keeps_what_was_typed_when_consent_is_missing(client):
    referral, _episode = child_with_episode()
    client.force_login(staff("ot"))
    response = client.post(
        f"/staff/care/{referral.reference}/discharge",
        {"reason": "goals_met", "summary": "A summary worth keeping", "send_to": ["gp"]},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Record the family&#39;s consent to share with: gp" in page
    assert "A summary worth keeping" in page
    assert Referral.objects.get(pk=referral.pk).status == "seen"


def test_the_discharge_page_discharges_and_returns_to_the_episode(client):
    referral, episode = child_with_episode()
    consent(episode, "family")
    client.force_login(staff("ot"))
    response = client.post(
        f"/staff/care/{referral.reference}/discharge",
        {"reason": "family_declined", "summary": "Family chose to stop.", "send_to": ["family"]},
    )
    assert response.status_code == 302
    assert response.url == f"/staff/care/{referral.reference}/"
    assert Referral.objects.get(pk=referral.pk).status == "discharged"
    assert Letter.objects.filter(referral=referral, kind="discharge_summary").count() == 1


def test_an_ot_assistant_cannot_open_the_discharge_page(client):
    referral, _ = child_with_episode()
    client.force_login(staff("ota", "ota-page"))
    assert client.get(f"/staff/care/{referral.reference}/discharge").status_code == 403


def test_the_api_discharges_and_returns_the_episode(client):
    referral, episode = child_with_episode()
    consent(episode, "family")
    response = client.post(
        f"/api/referrals/{referral.reference}/episode/discharge",
        {"reason": "goals_met", "summary": "All done.", "send_to": ["family"]},
        content_type="application/json",
        **bearer("ot"),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["referral"] == referral.reference
    assert body["status"] == "discharged"
    assert body["discharge_reason"] == "goals_met"
    assert body["discharged_by"] == "ot-care-api"
    assert body["discharged_at"]


def test_the_api_names_the_recipients_without_consent(client):
    referral, _ = child_with_episode()
    response = client.post(
        f"/api/referrals/{referral.reference}/episode/discharge",
        {"reason": "goals_met", "summary": "All done.", "send_to": ["family", "gp"]},
        content_type="application/json",
        **bearer("ot"),
    )
    assert response.status_code == 409
    assert response.json()["recipients"] == ["family", "gp"]
    assert Referral.objects.get(pk=referral.pk).status == "seen"


def test_the_api_reports_a_toms_score_off_its_scale_by_field(client):
    referral, _ = child_with_episode()
    response = client.post(
        f"/api/referrals/{referral.reference}/episode/discharge",
        {
            "reason": "goals_met",
            "summary": "All done.",
            "toms_end": {"impairment": 7, "activity": 1, "participation": 1, "wellbeing": 1},
        },
        content_type="application/json",
        **bearer("ot"),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "toms_end.impairment"
