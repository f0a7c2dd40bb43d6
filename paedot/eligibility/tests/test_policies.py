"""Policies are data with an effective date: a new one loads without code changes and decides from its date."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paedot.core.models import AuditEvent
from paedot.eligibility.models import EligibilityPolicy
from paedot.eligibility.rules import policy_from_dict
from paedot.eligibility.services import (
    POLICY_DIR,
    NoPolicyInForce,
    check_eligibility,
    default_policy_paths,
    gp_practice_facts,
    load_default_policies,
    load_policy_document,
    policy_in_force,
    read_policy_file,
)

pytestmark = pytest.mark.django_db

SERVICE_PAGE_FILE = POLICY_DIR / "service-page.json"
NEWER_FILE = POLICY_DIR / "available" / "newer-0-18.json"


def mainstream_pupil(*, born: dt.date, on: dt.date) -> dict:
    return {
        "date_of_birth": born,
        "referral_date": on,
        "education": "mainstream_school",
        "gp_practice_code": "M85001",
        "difficulties": ("pencil_skills",),
        "referrer_role": "gp",
        "consent_given": True,
        "settings_affected": ("home", "school"),
    }


def test_both_policy_files_parse():
    assert policy_from_dict(read_policy_file(SERVICE_PAGE_FILE)).id == "service-page-2019"
    assert policy_from_dict(read_policy_file(NEWER_FILE)).id == "criteria-0-18-2027"


def test_only_the_service_page_policy_is_a_default():
    assert [path.name for path in default_policy_paths()] == ["service-page.json"]


def test_the_service_page_policy_is_loaded_by_default():
    assert policy_in_force(dt.date(2026, 11, 26)).id == "service-page-2019"
    assert policy_in_force(dt.date(2019, 1, 1)).id == "service-page-2019"
    assert not EligibilityPolicy.objects.filter(policy_id="criteria-0-18-2027").exists()


def test_loading_the_defaults_again_changes_nothing():
    before = list(EligibilityPolicy.objects.values_list("policy_id", "loaded_at", "document"))
    events = AuditEvent.objects.count()
    load_default_policies()
    load_default_policies()
    assert list(EligibilityPolicy.objects.values_list("policy_id", "loaded_at", "document")) == before
    assert AuditEvent.objects.count() == events


def test_loading_a_document_again_is_idempotent_and_a_change_replaces_it():
    document = read_policy_file(NEWER_FILE)
    first = load_policy_document(document)
    assert load_policy_document(document).loaded_at == first.loaded_at
    assert EligibilityPolicy.objects.filter(policy_id="criteria-0-18-2027").count() == 1

    document["signposting"]["no_consent"] = "Talk to the family first."
    load_policy_document(document)
    assert policy_in_force(dt.date(2027, 4, 1)).signposting["no_consent"] == "Talk to the family first."
    assert EligibilityPolicy.objects.filter(policy_id="criteria-0-18-2027").count() == 1
    assert AuditEvent.objects.filter(action="eligibility.policy_loaded").count() >= 2


def test_no_policy_before_the_first_takes_effect():
    with pytest.raises(NoPolicyInForce, match="2018-12-31"):
        policy_in_force(dt.date(2018, 12, 31))


def test_policy_in_force_picks_the_latest_effective_date_on_or_before_the_day():
    load_policy_document(read_policy_file(NEWER_FILE))
    later = read_policy_file(NEWER_FILE) | {"id": "criteria-2030", "effective_from": "2030-09-01"}
    load_policy_document(later)
    assert policy_in_force(dt.date(2027, 3, 31)).id == "service-page-2019"
    assert policy_in_force(dt.date(2027, 4, 1)).id == "criteria-0-18-2027"
    assert policy_in_force(dt.date(2030, 8, 31)).id == "criteria-0-18-2027"
    assert policy_in_force(dt.date(2030, 9, 1)).id == "criteria-2030"
    assert policy_in_force(dt.date(2099, 1, 1)).id == "criteria-2030"


def test_two_policies_cannot_take_effect_on_the_same_day():
    clash = read_policy_file(NEWER_FILE) | {"id": "another-2019", "effective_from": "2019-01-01"}
    with pytest.raises(ValueError, match=r"'effective_from'.*service-page-2019"):
        load_policy_document(clash)


def test_a_bad_policy_document_is_refused_naming_the_key_and_nothing_is_stored():
    document = read_policy_file(NEWER_FILE)
    document["referrers"]["initial"] = ["gp", "wizard"]
    with pytest.raises(ValueError, match=r"'referrers\.initial'.*wizard"):
        load_policy_document(document)
    assert not EligibilityPolicy.objects.filter(policy_id="criteria-0-18-2027").exists()


def test_a_referral_is_decided_by_the_policy_in_force_on_the_day_it_is_received():
    """A 19-year-old at mainstream school: 0-19 accepts; from 1 April 2027 the 0-18 criteria decline."""
    load_policy_document(read_policy_file(NEWER_FILE))
    born = dt.date(2008, 1, 15)  # 19 on both days

    before = check_eligibility(**mainstream_pupil(born=born, on=dt.date(2027, 3, 31)))
    after = check_eligibility(**mainstream_pupil(born=born, on=dt.date(2027, 4, 1)))

    assert (before.policy_id, before.outcome, before.codes) == ("service-page-2019", "accept", ())
    assert (after.policy_id, after.outcome, after.codes) == ("criteria-0-18-2027", "decline", ("age_out_of_range",))


def test_an_18_year_old_is_accepted_under_both_policies():
    load_policy_document(read_policy_file(NEWER_FILE))
    born = dt.date(2009, 1, 15)  # 18 on both days
    assert check_eligibility(**mainstream_pupil(born=born, on=dt.date(2027, 3, 31))).outcome == "accept"
    assert check_eligibility(**mainstream_pupil(born=born, on=dt.date(2027, 4, 1))).outcome == "accept"


def test_the_newer_policy_asks_where_difficulties_show_from_its_date():
    load_policy_document(read_policy_file(NEWER_FILE))
    child = mainstream_pupil(born=dt.date(2019, 6, 1), on=dt.date(2027, 3, 31)) | {"settings_affected": None}
    assert check_eligibility(**child).outcome == "accept"
    child["referral_date"] = dt.date(2027, 4, 1)
    decision = check_eligibility(**child)
    assert (decision.outcome, decision.codes) == ("review", ("settings_not_known",))


def test_the_management_command_loads_a_policy_file_without_code_changes():
    out = StringIO()
    call_command("load_eligibility_policy", str(NEWER_FILE), stdout=out)
    assert "criteria-0-18-2027" in out.getvalue() and "1 April 2027" in out.getvalue()
    assert policy_in_force(dt.date(2027, 4, 1)).id == "criteria-0-18-2027"


def test_the_management_command_refuses_a_bad_file_naming_the_key(tmp_path):
    bad = read_policy_file(NEWER_FILE)
    bad["age"]["max_years"] = "eighteen"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(CommandError, match=r"age\.max_years"):
        call_command("load_eligibility_policy", str(path), stdout=StringIO())
    assert not EligibilityPolicy.objects.filter(policy_id="criteria-0-18-2027").exists()


@pytest.mark.parametrize("content", ["not json", "[1, 2]"])
def test_the_management_command_refuses_a_file_that_is_not_a_policy(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match="Could not load"):
        call_command("load_eligibility_policy", str(path), stdout=StringIO())


def test_the_management_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Could not load"):
        call_command("load_eligibility_policy", str(tmp_path / "nowhere.json"), stdout=StringIO())


@pytest.mark.parametrize(
    ("code", "found", "active", "in_birmingham"),
    [
        ("M85001", True, True, True),
        (" m85001 ", True, True, True),
        ("M85134", True, False, True),
        ("M89001", True, True, False),
        ("ZZ9999", False, False, False),
        ("", False, False, False),
    ],
)
def test_gp_practice_facts_come_from_the_directory(code, found, active, in_birmingham):
    facts = gp_practice_facts(code)
    assert (facts.found, facts.active, facts.in_birmingham) == (found, active, in_birmingham)
    if found:
        assert facts.code == code.strip().upper() and facts.name
