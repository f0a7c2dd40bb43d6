"""Two copies of one referral Bundle sent at the same moment with one Idempotency-Key make one referral (ADR 002)."""

from __future__ import annotations

import json
import threading

from django.test import Client

from paedot.fhir.resources import CONTENT_TYPE
from paedot.fhir.tests.intake_example import example_bundle
from paedot.referrals.models import Referral
from paedot.staff.services import create_staff_user, issue_api_token


def test_two_copies_of_a_bundle_sent_at_once_with_one_key_make_one_referral(committed_db):
    from django.db import connection

    partner = create_staff_user(username="concurrent-fhir-gp", role="partner_system")
    token = issue_api_token(user=partner)
    barrier = threading.Barrier(2)
    answers: list = []

    def send():
        try:
            barrier.wait(timeout=10)
            response = Client().post(
                "/fhir/ServiceRequest",
                json.dumps(example_bundle()),
                content_type=CONTENT_TYPE,
                HTTP_AUTHORIZATION=f"Bearer {token}",
                HTTP_IDEMPOTENCY_KEY="same-fhir-key",
            )
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1]["id"] == answers[1][1]["id"]
    assert Referral.objects.count() == 1
