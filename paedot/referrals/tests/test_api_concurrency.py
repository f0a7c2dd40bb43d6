"""An Idempotency-Key protects against two submissions arriving at the same moment, not only retries."""

from __future__ import annotations

import threading

from django.test import Client

from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_payload
from paedot.referrals.tests.test_api import post
from paedot.staff.services import create_staff_user, issue_api_token


def test_two_concurrent_submissions_with_one_key_make_one_referral(committed_db):
    """Both requests arrive at once; each gets the same 201 answer and one referral exists."""
    from django.db import connection

    partner = create_staff_user(username="concurrent-gp", role="partner_system")
    token = issue_api_token(user=partner)
    barrier = threading.Barrier(2)
    answers: list = []

    def submit():
        try:
            barrier.wait(timeout=10)
            response = post(Client(), referral_payload(), token, HTTP_IDEMPOTENCY_KEY="same-key")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert Referral.objects.count() == 1
