from io import StringIO

import pytest
from django.core.management import call_command

from paedot.core.identifiers import is_valid_nhs_number
from paedot.referrals.models import Referral
from paedot.staff.models import Role, User
from paedot.staff.services import authenticate_token

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_staff_of_every_role_and_a_spread_of_referrals():
    out = StringIO()
    call_command("seed_demo", "--referrals", "60", stdout=out)

    staff_roles = set(User.objects.values_list("role", flat=True))
    assert staff_roles == set(Role.values)
    assert "demo-password-2026" in out.getvalue()
    assert Referral.objects.count() == 60
    outcomes = set(Referral.objects.values_list("eligibility__outcome", flat=True))
    assert outcomes == {"accept", "review", "decline"}
    assert len(set(Referral.objects.values_list("referrer_role", flat=True))) >= 5
    assert len({tuple(d) for d in Referral.objects.values_list("difficulties", flat=True)}) >= 10
    numbers = [n for n in Referral.objects.values_list("child__nhs_number", flat=True) if n]
    assert numbers and all(n.startswith("999") and is_valid_nhs_number(n) for n in numbers)
    assert authenticate_token("pot_demo-partner-system-token-not-a-secret").role == Role.PARTNER_SYSTEM


def test_seed_demo_twice_adds_nothing_the_second_time():
    call_command("seed_demo", "--referrals", "5", stdout=StringIO())
    call_command("seed_demo", "--referrals", "5", stdout=StringIO())
    assert Referral.objects.count() == 5
    assert User.objects.filter(username="admin").count() == 1
