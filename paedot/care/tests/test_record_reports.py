"""Clinical documents: the assessment report, the review report and the discharge summary, one letter per recipient,
each a PDF that reads back with the child's details and the scores; never sent without consent to share."""

from __future__ import annotations

import pytest
from django.utils import timezone

from paedot.care.services.consent import ConsentMissing
from paedot.care.services.reports import (
    issue_assessment_report,
    issue_discharge_summary,
    issue_review_report,
)
from paedot.care.tests.test_record_support import (
    SCHOOL,
    assessment_for,
    child_with_episode,
    consent,
    package_for,
    pdf_text,
    review_for,
)
from paedot.core.models import AuditEvent
from paedot.letters.models import Letter
from paedot.letters.services import letter_pdf
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.referrals.tests.factories import staff

pytestmark = pytest.mark.django_db


def test_the_assessment_report_prints_the_child_and_the_findings():
    _referral, episode = child_with_episode(child={"nhs_number": "9434765919", "given_name": "Ayaan"})
    consent(episode, "family")
    [letter] = issue_assessment_report(assessment=assessment_for(episode), recipients=["family"], issued_by=staff("ot"))
    text, pages = pdf_text(letter_pdf(letter))
    assert letter.kind == "assessment_report"
    assert "Ayaan Testchild" in text
    assert "943 476 5919" in text
    assert "Immature tripod grasp" in text
    assert "Doing up buttons" in text
    assert "developmental coordination disorder" in text
    assert pages >= 1


def test_the_review_report_has_the_goal_table_and_the_t_score_to_two_decimals():
    referral, episode = child_with_episode()
    assessment_for(episode)
    review = review_for(package_for(episode, weights=(3, 2, 1)), levels=(2, 0, -1))
    consent(episode, "family", "gp")
    letters = issue_review_report(review=review, recipients=["family", "gp"], issued_by=staff("ot"))
    text, pages = pdf_text(letter_pdf(letters[0]))
    assert "61.02" in text
    assert referral.child.full_name in text
    assert "Do up four buttons on his school shirt" in text
    # The attained level is printed with the words the clinician wrote for it.
    assert "+2: Teaches it" in text
    assert "-1: Needs help" in text
    # COPM per problem and the mean with its change: performance 3->7 and 4->8, mean 3.50 -> 7.50.
    assert "3.50, 7.50 (+4.00)" in text
    assert "Impairment" in text
    assert pages >= 1


def test_each_recipient_gets_their_own_letter_addressed_to_them():
    _referral, episode = child_with_episode()
    consent(episode, "family", "school", "gp")
    letters = issue_assessment_report(
        assessment=assessment_for(episode), recipients=["family", "school", "gp"], issued_by=staff("ot")
    )
    assert [[r["role"] for r in letter.recipients] for letter in letters] == [["family"], ["school"], ["gp"]]
    assert SCHOOL in letters[1].recipients[0]["name"]
    assert SCHOOL in letters[1].html
    assert "The GP" not in letters[1].html


def test_a_missing_consent_refuses_and_issues_nothing():
    referral, episode = child_with_episode()
    consent(episode, "family")
    consent(episode, "school", given=False)
    assessment = assessment_for(episode)
    before = Letter.objects.filter(referral=referral).count()
    with pytest.raises(ConsentMissing) as refused:
        issue_assessment_report(assessment=assessment, recipients=["family", "school", "gp"], issued_by=staff("ot"))
    assert refused.value.recipients == ["school", "gp"]
    assert Letter.objects.filter(referral=referral).count() == before
    assert not AuditEvent.objects.filter(action="report.issued").exists()


def test_the_latest_consent_counts_so_a_withdrawal_stops_the_report():
    _referral, episode = child_with_episode()
    consent(episode, "referrer")
    consent(episode, "referrer", given=False)
    with pytest.raises(ConsentMissing):
        issue_assessment_report(assessment=assessment_for(episode), recipients=["referrer"], issued_by=staff("ot"))


def test_an_ot_assistant_may_not_issue_a_report():
    _referral, episode = child_with_episode()
    consent(episode, "family")
    with pytest.raises(NotAllowed):
        issue_assessment_report(
            assessment=assessment_for(episode), recipients=["family"], issued_by=staff("ota", "ota-reports")
        )


def test_a_report_needs_a_recipient_it_can_be_addressed_to():
    _referral, episode = child_with_episode(school_name="")
    consent(episode, "school")
    assessment = assessment_for(episode)
    with pytest.raises(ValueError, match="Choose at least one recipient"):
        issue_assessment_report(assessment=assessment, recipients=[], issued_by=staff("ot"))
    with pytest.raises(ValueError, match="No school or nursery"):
        issue_assessment_report(assessment=assessment, recipients=["school"], issued_by=staff("ot"))


def test_the_discharge_summary_waits_for_the_discharge():
    _referral, episode = child_with_episode()
    consent(episode, "family")
    with pytest.raises(TransitionRefused):
        issue_discharge_summary(episode=episode, recipients=["family"], issued_by=staff("ot"))


def test_another_professional_is_addressed_by_the_name_given_with_consent():
    _referral, episode = child_with_episode()
    consent(episode, "other", name="Dr Kim Example, community paediatrician")
    episode.discharge_reason, episode.discharge_summary = "goals_met", "All goals met."
    episode.discharged_at = timezone.now()
    episode.save()
    [letter] = issue_discharge_summary(episode=episode, recipients=["other"], issued_by=staff("ot"))
    assert letter.recipients[0]["name"] == "Dr Kim Example, community paediatrician"
    text, _ = pdf_text(letter_pdf(letter))
    assert "Goals met" in text
    assert "All goals met." in text
