"""Receiving a referral: one transaction, every referral kept, the decision stored with its reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.children.models import Child, ParentCarer
from paedot.core.models import AuditEvent
from paedot.referrals.models import EligibilityReason, Referral
from paedot.referrals.services import REFERENCE_ALPHABET, new_reference
from paedot.referrals.tests.factories import SOLIHULL_PRACTICE, make_referral

pytestmark = pytest.mark.django_db


def test_a_referral_is_stored_with_child_parent_decision_and_audit_event():
    referral = make_referral(received_date=dt.date(2026, 11, 2))

    assert referral.child.given_name == "Mia"
    assert referral.parent_carer.child == referral.child
    assert referral.eligibility.outcome == "accept"
    assert referral.received_date == dt.date(2026, 11, 2)
    event = AuditEvent.objects.get(action="referral.received")
    assert event.object_id == str(referral.pk)
    assert event.detail["outcome"] == "accept"


def test_a_declined_referral_keeps_every_reason_in_order():
    referral = make_referral(gp_practice_code=SOLIHULL_PRACTICE, consent_given=False, difficulties=())

    reasons = list(referral.eligibility.reasons.values_list("code", flat=True))
    assert referral.eligibility.outcome == "decline"
    assert {"gp_outside_birmingham", "no_consent", "no_functional_difficulty"} <= set(reasons)


def test_nothing_is_stored_when_part_of_the_referral_fails(monkeypatch):
    def broken_bulk_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(EligibilityReason.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(RuntimeError):
        make_referral(gp_practice_code=SOLIHULL_PRACTICE)

    assert not Referral.objects.exists()
    assert not Child.objects.exists()
    assert not ParentCarer.objects.exists()


def test_references_are_easy_to_read_out():
    reference = new_reference()
    assert len(reference) == 12
    assert reference.startswith("OT-") and reference[7] == "-"
    assert set(reference[3:7] + reference[8:]) <= set(REFERENCE_ALPHABET)
    assert not set("01ILO") & set(reference[3:])


def test_a_reference_clash_draws_again(monkeypatch):
    from paedot.referrals.services import intake as services

    first = make_referral()
    draws = iter([first.reference, "OT-AAAA-BBBB"])
    monkeypatch.setattr(services, "new_reference", lambda: next(draws))
    second = make_referral()
    assert second.reference == "OT-AAAA-BBBB"
