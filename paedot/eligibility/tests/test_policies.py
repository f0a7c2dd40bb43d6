"""Policies are data with an effective date: a new one loads without code changes and decides from its date."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paedot.eligibility.models import EligibilityPolicy
from paedot.eligibility.services import (
    POLICY_DIR,
    NoPolicyInForce,
    check_eligibility,
    load_default_policies,
    policy_in_force,
)
from paedot.referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db

NEWER_FILE = POLICY_DIR / "available" / "criteria-0-18-2027.json"


def eighteen_year_old(on: dt.date) -> dict:
    return {
        "date_of_birth": on.replace(year=on.year - 18) - dt.timedelta(days=100),
        "referral_date": on,
        "education": "mainstream_school",
        "gp_practice_code": "M85001",
        "difficulties": ("pencil_skills",),
        "referrer_role": "gp",
        "consent_given": True,
        "settings_affected": ("home", "school"),
    }


def test_the_service_page_policy_is_loaded_by_default():
    assert policy_in_force(dt.date(2026, 11, 26)).id == "service-page-2019"
    assert not EligibilityPolicy.objects.filter(policy_id="criteria-0-18-2027").exists()


def test_loading_the_defaults_twice_changes_nothing():
    before = list(EligibilityPolicy.objects.values_list("policy_id", "loaded_at"))
    load_default_policies()
    assert list(EligibilityPolicy.objects.values_list("policy_id", "loaded_at")) == before


def test_no_policy_before_the_first_takes_effect():
    with pytest.raises(NoPolicyInForce):
        policy_in_force(dt.date(2018, 12, 31))


def test_a_newer_policy_loads_from_a_file_and_decides_referrals_from_its_effective_date():
    out = StringIO()
    call_command("load_eligibility_policy", str(NEWER_FILE), stdout=out)
    assert "criteria-0-18-2027" in out.getvalue()

    before = check_eligibility(**eighteen_year_old(dt.date(2027, 3, 31)))
    after = check_eligibility(**eighteen_year_old(dt.date(2027, 4, 1)))

    assert (before.policy_id, before.outcome) == ("service-page-2019", "accept")
    assert (after.policy_id, after.outcome) == ("criteria-0-18-2027", "accept")


def test_a_referral_received_under_each_policy_is_decided_by_that_policy():
    call_command("load_eligibility_policy", str(NEWER_FILE), stdout=StringIO())
    child = {"date_of_birth": dt.date(2008, 1, 15)}  # 19 in both spring 2027 dates

    old = make_referral(received_date=dt.date(2027, 3, 31), child=child)
    new = make_referral(received_date=dt.date(2027, 4, 1), child=child)

    assert (old.eligibility.policy_id, old.eligibility.outcome) == ("service-page-2019", "accept")
    assert (new.eligibility.policy_id, new.eligibility.outcome) == ("criteria-0-18-2027", "decline")
    codes = set(new.eligibility.reasons.values_list("code", flat=True))
    assert "age_out_of_range" in codes


def test_a_bad_policy_file_is_refused_and_nothing_changes(tmp_path):
    bad = json.loads(NEWER_FILE.read_text())
    bad["age"]["max_years"] = "eighteen"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(CommandError, match=r"age\.max_years"):
        call_command("load_eligibility_policy", str(path), stdout=StringIO())
    assert not EligibilityPolicy.objects.filter(policy_id="criteria-0-18-2027").exists()
