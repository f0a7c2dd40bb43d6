"""Two referrals for one child the service does not know yet, arriving at the same moment: one child record."""

from __future__ import annotations

import threading

from paedot.children.models import Child
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import make_referral

NHS_NUMBER = "9434765919"


def test_two_referrals_for_a_new_child_at_once_make_one_record_of_the_child(committed_db):
    """Each checks that no record holds the NHS number and then makes one: the NHS number is held while it does."""
    from django.db import connection

    barrier = threading.Barrier(2)
    made: list[str] = []
    failed: list[BaseException] = []

    def refer(given_name: str):
        try:
            barrier.wait(timeout=10)
            child = {"given_name": given_name, "family_name": "Together", "nhs_number": NHS_NUMBER}
            made.append(make_referral(child=child).reference)
        except BaseException as error:
            failed.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=refer, args=(name,)) for name in ("Noor", "Nour")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failed == [] and len(made) == 2
    assert Child.objects.filter(nhs_number=NHS_NUMBER).count() == 1
    assert Referral.objects.filter(reference__in=made).values("child_id").distinct().count() == 1
