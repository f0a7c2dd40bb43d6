"""Two clerks taking the last place in a group at the same moment: one enrolment and one clear refusal.

Runs on SQLite (IMMEDIATE transactions) and PostgreSQL (a row lock on the programme)."""

from __future__ import annotations

import threading

import time_machine
from django.db import connection

from paedot.groups.models import Enrolment
from paedot.groups.services import AlreadyEnrolled, GroupFull, enrol
from paedot.groups.tests.factories import NOW, enrolled_children, handwriting_group
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in, staff


def _race(programme, referrals) -> list[str]:
    clerks = [staff("clinical_admin", "clerk-a"), staff("clinical_admin", "clerk-b")]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            enrol(programme=programme, referral=referrals[index], enrolled_by=clerks[index])
            results.append("enrolled")
        except GroupFull as refusal:
            results.append("full: " + str(refusal))
        except AlreadyEnrolled:
            results.append("already enrolled")
        except Exception as error:  # anything else (a lock timeout, a deadlock) fails the test with its name
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    with time_machine.travel(NOW, tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return sorted(results)


def test_two_clerks_enrolling_the_last_place_at_once_get_one_place_and_one_refusal(committed_db):
    with time_machine.travel(NOW, tick=False):
        programme = handwriting_group(capacity=2)
        enrolled_children(programme, 1)
        first, second = referral_in("waiting"), referral_in("waiting")
    results = _race(programme, [first, second])
    assert results == [
        "enrolled",
        "full: Handwriting group is full: all 2 places are taken. Withdraw a child or choose another group.",
    ]
    assert Enrolment.objects.filter(programme=programme, withdrawn_at__isnull=True).count() == 2
    statuses = sorted(Referral.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses == ["booked", "waiting"]  # the refused child is still waiting, untouched


def test_the_same_child_enrolled_twice_at_once_gets_one_place(committed_db):
    with time_machine.travel(NOW, tick=False):
        programme = handwriting_group(capacity=5)
        child = referral_in("waiting")
    assert _race(programme, [child, child]) == ["already enrolled", "enrolled"]
    assert Enrolment.objects.filter(programme=programme).count() == 1
