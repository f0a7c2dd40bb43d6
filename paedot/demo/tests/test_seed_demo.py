from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from paedot.core.identifiers import is_valid_nhs_number
from paedot.demo.journeys import DEFAULT_COUNT, STAGES, plan_counts
from paedot.referrals.models import Priority, Referral, Status
from paedot.staff.models import Locality, Role, User
from paedot.staff.services import authenticate_token
from paedot.waiting_list import rules
from paedot.waiting_list.models import Invitation
from paedot.waiting_list.services import expected_wait_for_new_referral

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_service(django_db_setup, django_db_blocker):
    """The whole default demo, made once for this module (it takes a while) and removed afterwards."""
    with django_db_blocker.unblock():
        from django.db import transaction

        out = StringIO()
        with transaction.atomic():
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)


def test_every_role_has_a_demo_account_and_the_sign_ins_are_printed(demo_service):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert "demo-password-2026" in demo_service
    for username in ("admin", "ot", "ota", "lead", "auditor", "sysadmin", "ot-east-1", "ota-west"):
        assert f"  {username:<10} " in demo_service
    assert User.objects.get(username="admin").check_password("demo-password-2026")
    assert User.objects.get(username="ot-west-2").check_password("demo-password-2026")
    assert authenticate_token("pot_demo-partner-system-token-not-a-secret").role == Role.PARTNER_SYSTEM


def test_clinicians_cover_every_locality_and_assistants_have_a_supervising_ot(demo_service):
    for locality in Locality.values:
        ots = [u for u in User.objects.filter(role=Role.OT) if locality in u.localities]
        assert len(ots) >= 2, locality
    assistants = list(User.objects.filter(role=Role.OTA))
    assert len(assistants) >= 4
    assert all(a.supervisor is not None and a.supervisor.role == Role.OT for a in assistants)


def test_the_waiting_list_has_several_hundred_children_across_localities_priorities_and_bands(demo_service):
    today = timezone.localdate()
    waiting = list(Referral.objects.on_waiting_list())
    assert 400 <= len(waiting) <= 600
    assert {r.locality for r in waiting} == set(Locality.values)
    assert {r.priority for r in waiting} == set(Priority.values)
    bands = Counter(rules.band_for(rules.days_waiting(r.received_date, today)) for r in waiting)
    assert set(bands) == set(rules.BAND_LABELS)
    assert 3 <= bands["52+"] <= 50  # a few over a year, not many
    assert sum(1 for r in waiting if r.clinician_id) > len(waiting) / 2


def test_every_step_of_the_journey_has_referrals_and_the_no_reply_list_is_not_empty(demo_service):
    assert Referral.objects.count() == DEFAULT_COUNT
    journey = {Status.RECEIVED, Status.INFORMATION_REQUESTED, Status.ACCEPTED, Status.DECLINED, Status.WAITING}
    journey |= {Status.INVITED, Status.BOOKED, Status.DISCHARGED}
    assert journey <= set(Referral.objects.values_list("status", flat=True))
    assert Invitation.objects.no_reply().exists()
    assert Invitation.objects.filter(reminded_on__isnull=False).exists()
    assert Referral.objects.filter(previous_referral__isnull=False).exists()
    assert Referral.objects.filter(possible_duplicates__state="open").exists()
    assert expected_wait_for_new_referral().weeks is not None  # children left the queue in the last 12 weeks
    outcomes = set(Referral.objects.values_list("eligibility__outcome", flat=True))
    assert outcomes == {"accept", "review", "decline"}
    assert len({tuple(d) for d in Referral.objects.values_list("difficulties", flat=True)}) >= 10
    numbers = [n for n in Referral.objects.values_list("child__nhs_number", flat=True) if n]
    assert numbers and all(n.startswith("999") and is_valid_nhs_number(n) for n in numbers)


def test_the_plan_divides_any_number_of_referrals_among_the_stages():
    assert plan_counts(DEFAULT_COUNT) == STAGES
    for total in (0, 1, 5, 61, 1000):
        assert sum(plan_counts(total).values()) == total


def test_seed_demo_twice_adds_nothing_the_second_time(demo_service):
    users = User.objects.count()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Referral.objects.count() == DEFAULT_COUNT
    assert User.objects.count() == users
    assert "no demo referrals added" in out.getvalue()
