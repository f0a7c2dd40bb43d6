"""The eligibility rules, table by table: every reason code and its boundaries, under both policies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.eligibility import codes
from paedot.eligibility.codes import Difficulty, Education, ReferrerRole
from paedot.eligibility.rules import (
    GPPracticeFacts,
    Policy,
    ReferralFacts,
    age_in_years,
    decide_eligibility,
    policy_from_dict,
)

POLICIES = Path(__file__).resolve().parent.parent / "policies"
SERVICE_PAGE = policy_from_dict(json.loads((POLICIES / "service-page.json").read_text()))
NEWER = policy_from_dict(json.loads((POLICIES / "available" / "criteria-0-18-2027.json").read_text()))

REFERRAL_DATE = dt.date(2026, 11, 26)
BIRMINGHAM_GP = GPPracticeFacts(code="M85001", found=True, active=True, in_birmingham=True, name="SHAH ZAMAN SURGERY")
SOLIHULL_GP = GPPracticeFacts(
    code="M89001",
    found=True,
    active=True,
    in_birmingham=False,
    name="PARKFIELD MEDICAL CENTRE",
    local_authority="Solihull",
)
CLOSED_GP = GPPracticeFacts(code="M85134", found=True, active=False, in_birmingham=True, name="CLOSED SURGERY")
UNKNOWN_GP = GPPracticeFacts(code="ZZ9999", found=False, active=False, in_birmingham=False)
CLOSED_SOLIHULL_GP = GPPracticeFacts(code="M89999", found=True, active=False, in_birmingham=False)


def years_before(date: dt.date, years: int, days: int = 0) -> dt.date:
    """The date of birth of a child who turns `years` on `date`, moved `days` later (so still younger)."""
    return date.replace(year=date.year - years) + dt.timedelta(days=days)


def facts(**overrides) -> ReferralFacts:
    base = ReferralFacts(
        date_of_birth=years_before(REFERRAL_DATE, 8),
        referral_date=REFERRAL_DATE,
        education=Education.MAINSTREAM_SCHOOL,
        gp_practice=BIRMINGHAM_GP,
        difficulties=(Difficulty.PENCIL_SKILLS,),
        referrer_role=ReferrerRole.GP,
        previous_ot_episode=False,
        consent_given=True,
        settings_affected=("home", "school"),
        new_or_changed_problem=True,
    )
    return dataclasses.replace(base, **overrides)


def decide(policy: Policy = SERVICE_PAGE, **overrides):
    return decide_eligibility(facts(**overrides), policy)


# --- The service page's policy ---------------------------------------------------------------------------------

CASES = [
    # (what, overrides, outcome, reason codes)
    ("an 8-year-old at mainstream school with a Birmingham GP, referred by a GP", {}, "accept", ()),
    ("a baby of 3 months", {"date_of_birth": REFERRAL_DATE - dt.timedelta(days=90), "education": "none"}, "accept", ()),
    ("a child born on the referral date", {"date_of_birth": REFERRAL_DATE, "education": "none"}, "accept", ()),
    ("the day before the 20th birthday", {"date_of_birth": years_before(REFERRAL_DATE, 20, days=1)}, "accept", ()),
    ("on the 20th birthday", {"date_of_birth": years_before(REFERRAL_DATE, 20)}, "decline", ("age_out_of_range",)),
    ("at 25", {"date_of_birth": years_before(REFERRAL_DATE, 25)}, "decline", ("age_out_of_range",)),
    ("on the 19th birthday", {"date_of_birth": years_before(REFERRAL_DATE, 19)}, "accept", ()),
    (
        "aged 4, early years",
        {"date_of_birth": years_before(REFERRAL_DATE, 5, days=1), "education": "early_years"},
        "accept",
        (),
    ),
    (
        "aged 4, not in education",
        {"date_of_birth": years_before(REFERRAL_DATE, 5, days=1), "education": "none"},
        "accept",
        (),
    ),
    (
        "on the 5th birthday, still early years",
        {"date_of_birth": years_before(REFERRAL_DATE, 5), "education": "early_years"},
        "decline",
        ("not_in_school_based_education",),
    ),
    (
        "on the 5th birthday, not in education",
        {"date_of_birth": years_before(REFERRAL_DATE, 5), "education": "none"},
        "decline",
        ("not_in_school_based_education",),
    ),
    (
        "aged 17 at college",
        {"date_of_birth": years_before(REFERRAL_DATE, 17), "education": "college"},
        "decline",
        ("not_in_school_based_education",),
    ),
    ("aged 10 and home educated", {"education": "home_educated"}, "decline", ("not_in_school_based_education",)),
    ("at a special school", {"education": "special_school"}, "review", ("special_school_case_by_case",)),
    ("a GP practice we cannot find", {"gp_practice": UNKNOWN_GP}, "decline", ("gp_practice_unknown",)),
    ("a closed GP practice", {"gp_practice": CLOSED_GP}, "decline", ("gp_practice_closed",)),
    (
        "a closed practice outside Birmingham: closed wins",
        {"gp_practice": CLOSED_SOLIHULL_GP},
        "decline",
        ("gp_practice_closed",),
    ),
    ("a Solihull GP practice", {"gp_practice": SOLIHULL_GP}, "decline", ("gp_outside_birmingham",)),
    ("no difficulty", {"difficulties": ()}, "decline", ("no_functional_difficulty",)),
    ("only unknown difficulties", {"difficulties": ("juggling",)}, "decline", ("no_functional_difficulty",)),
    ("a teacher's first referral", {"referrer_role": "teacher"}, "decline", ("referrer_not_accepted",)),
    ("a parent's first referral", {"referrer_role": "parent_carer"}, "decline", ("referrer_not_accepted",)),
    ("a teacher's re-referral", {"referrer_role": "teacher", "previous_ot_episode": True}, "accept", ()),
    ("a parent's re-referral", {"referrer_role": "parent_carer", "previous_ot_episode": True}, "accept", ()),
    ("someone else", {"referrer_role": "other"}, "decline", ("referrer_not_accepted",)),
    (
        "someone else, even after earlier OT",
        {"referrer_role": "other", "previous_ot_episode": True},
        "decline",
        ("referrer_not_accepted",),
    ),
    ("no consent", {"consent_given": False}, "decline", ("no_consent",)),
    (
        "a difficulty in one setting only (the service page does not ask)",
        {"settings_affected": ("school",)},
        "accept",
        (),
    ),
    (
        "several reasons at once",
        {
            "date_of_birth": years_before(REFERRAL_DATE, 21),
            "education": "college",
            "gp_practice": SOLIHULL_GP,
            "difficulties": (),
            "referrer_role": "teacher",
            "consent_given": False,
        },
        "decline",
        (
            "age_out_of_range",
            "not_in_school_based_education",
            "gp_outside_birmingham",
            "no_functional_difficulty",
            "referrer_not_accepted",
            "no_consent",
        ),
    ),
    (
        "a decline and a review reason together: both reported",
        {"education": "special_school", "consent_given": False},
        "decline",
        ("special_school_case_by_case", "no_consent"),
    ),
]

INITIAL_REFERRERS = [
    "gp",
    "paediatrician",
    "other_doctor",
    "educational_support_service",
    "social_care",
    "health_visitor",
    "physiotherapist",
    "speech_and_language_therapist",
    "school_nurse",
    "other_health_professional",
]


@pytest.mark.parametrize(("what", "overrides", "outcome", "reason_codes"), CASES, ids=[c[0] for c in CASES])
def test_service_page_policy(what, overrides, outcome, reason_codes):
    decision = decide(**overrides)
    assert decision.outcome == outcome
    assert decision.codes == reason_codes
    assert decision.policy_id == "service-page-2019"


@pytest.mark.parametrize("role", INITIAL_REFERRERS)
def test_every_initial_referrer_is_accepted(role):
    assert decide(referrer_role=role).outcome == "accept"


def test_a_birth_date_after_the_referral_date_is_refused():
    with pytest.raises(ValueError, match="after"):
        decide(date_of_birth=REFERRAL_DATE + dt.timedelta(days=1))


def test_reasons_say_why_in_words_a_parent_could_read():
    decision = decide(date_of_birth=years_before(REFERRAL_DATE, 20), gp_practice=SOLIHULL_GP)
    age, gp = decision.reasons
    assert "20 years old" in age.message and "0 to 19" in age.message
    assert "Parkfield Medical Centre (M89001)" in gp.message and "Solihull" in gp.message
    assert all(reason.signposting for reason in decision.reasons)


def test_a_review_reason_carries_no_signposting():
    (reason,) = decide(education="special_school").reasons
    assert reason.severity == "review" and reason.signposting == ""


# --- Age in years, and 29 February ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (dt.date(2008, 2, 29), dt.date(2009, 2, 28), 0),
        (dt.date(2008, 2, 29), dt.date(2009, 3, 1), 1),
        (dt.date(2008, 2, 29), dt.date(2012, 2, 29), 4),
        (dt.date(2006, 11, 26), dt.date(2026, 11, 25), 19),
        (dt.date(2006, 11, 26), dt.date(2026, 11, 26), 20),
    ],
)
def test_age_in_years(born, on, age):
    assert age_in_years(born, on) == age


def test_a_leap_day_child_turns_20_on_1_march():
    born = dt.date(2004, 2, 29)
    assert decide(date_of_birth=born, referral_date=dt.date(2024, 2, 28)).outcome == "accept"
    assert decide(date_of_birth=born, referral_date=dt.date(2024, 2, 29)).codes == ("age_out_of_range",)
    assert decide(date_of_birth=born, referral_date=dt.date(2023, 2, 28)).outcome == "accept"


# --- The newer 0-18 policy -------------------------------------------------------------------------------------

NEWER_CASES = [
    ("an 8-year-old, difficulties at home and school", {}, "accept", ()),
    ("the day before the 19th birthday", {"date_of_birth": years_before(REFERRAL_DATE, 19, days=1)}, "accept", ()),
    (
        "on the 19th birthday at mainstream school",
        {"date_of_birth": years_before(REFERRAL_DATE, 19)},
        "decline",
        ("age_out_of_range",),
    ),
    (
        "on the 19th birthday at a special school",
        {"date_of_birth": years_before(REFERRAL_DATE, 19), "education": "special_school"},
        "accept",
        (),
    ),
    (
        "on the 20th birthday at a special school",
        {"date_of_birth": years_before(REFERRAL_DATE, 20), "education": "special_school"},
        "decline",
        ("age_out_of_range",),
    ),
    ("at a special school: no case-by-case review", {"education": "special_school"}, "accept", ()),
    (
        "a difficulty in one setting only",
        {"settings_affected": ("school",)},
        "decline",
        ("difficulty_in_one_setting_only",),
    ),
    ("settings not asked", {"settings_affected": None}, "review", ("settings_not_known",)),
    (
        "a re-referral with no new or changed problem",
        {"referrer_role": "parent_carer", "previous_ot_episode": True, "new_or_changed_problem": False},
        "decline",
        ("no_new_or_changed_problem",),
    ),
    (
        "a re-referral, not said whether the problem is new",
        {"referrer_role": "teacher", "previous_ot_episode": True, "new_or_changed_problem": None},
        "review",
        ("new_problem_not_known",),
    ),
    (
        "a re-referral with a changed problem",
        {"referrer_role": "teacher", "previous_ot_episode": True, "new_or_changed_problem": True},
        "accept",
        (),
    ),
    ("a teacher's first referral", {"referrer_role": "teacher"}, "decline", ("referrer_not_accepted",)),
]


@pytest.mark.parametrize(("what", "overrides", "outcome", "reason_codes"), NEWER_CASES, ids=[c[0] for c in NEWER_CASES])
def test_newer_policy(what, overrides, outcome, reason_codes):
    decision = decide(NEWER, **overrides)
    assert decision.outcome == outcome
    assert decision.codes == reason_codes
    assert decision.policy_id == "criteria-0-18-2027"


def test_the_same_child_is_decided_differently_under_each_policy():
    eighteen = {"date_of_birth": years_before(REFERRAL_DATE, 18, days=-30)}
    assert decide(SERVICE_PAGE, **eighteen).outcome == "accept"
    assert decide(SERVICE_PAGE, **{**eighteen, "date_of_birth": years_before(REFERRAL_DATE, 19)}).outcome == "accept"
    assert decide(NEWER, **{**eighteen, "date_of_birth": years_before(REFERRAL_DATE, 19)}).outcome == "decline"


# --- Policy documents ------------------------------------------------------------------------------------------


def _document() -> dict:
    return json.loads((POLICIES / "service-page.json").read_text())


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda d: d.pop("id"), "id"),
        (lambda d: d.pop("effective_from"), "effective_from"),
        (lambda d: d.update(effective_from="1 January 2019"), "effective_from"),
        (lambda d: d["age"].pop("max_years"), "age.max_years"),
        (lambda d: d["age"].update(max_years="nineteen"), "age.max_years"),
        (lambda d: d["education"].update(accepted=["university"]), "education.accepted"),
        (lambda d: d["referrers"].update(initial=["wizard"]), "referrers.initial"),
        (lambda d: d.update(consent_required="yes"), "consent_required"),
        (lambda d: d["signposting"].update(not_a_reason="text"), "signposting"),
        (lambda d: d["age"].update(min_years=10, max_years=5), "age"),
    ],
)
def test_a_bad_policy_document_is_refused_naming_the_key(change, key):
    document = _document()
    change(document)
    with pytest.raises(ValueError, match=re.escape(f"'{key}'")):
        policy_from_dict(document)


def test_every_decline_code_has_signposting_in_both_policies():
    decline_codes = {
        codes.AGE_OUT_OF_RANGE,
        codes.NOT_IN_SCHOOL_BASED_EDUCATION,
        codes.GP_PRACTICE_UNKNOWN,
        codes.GP_PRACTICE_CLOSED,
        codes.GP_OUTSIDE_BIRMINGHAM,
        codes.NO_FUNCTIONAL_DIFFICULTY,
        codes.REFERRER_NOT_ACCEPTED,
        codes.NO_CONSENT,
    }
    assert decline_codes <= set(SERVICE_PAGE.signposting)
    assert decline_codes | {codes.DIFFICULTY_IN_ONE_SETTING_ONLY, codes.NO_NEW_OR_CHANGED_PROBLEM} <= set(
        NEWER.signposting
    )


# --- Properties ------------------------------------------------------------------------------------------------

gp_practices = st.sampled_from([BIRMINGHAM_GP, SOLIHULL_GP, CLOSED_GP, UNKNOWN_GP, CLOSED_SOLIHULL_GP])
referral_facts = st.builds(
    ReferralFacts,
    date_of_birth=st.dates(min_value=dt.date(2000, 1, 1), max_value=REFERRAL_DATE),
    referral_date=st.just(REFERRAL_DATE),
    education=st.sampled_from(Education.values),
    gp_practice=gp_practices,
    difficulties=st.lists(st.sampled_from(Difficulty.values), max_size=4).map(tuple),
    referrer_role=st.sampled_from(ReferrerRole.values),
    previous_ot_episode=st.booleans(),
    consent_given=st.booleans(),
    settings_affected=st.none() | st.lists(st.sampled_from(["home", "school", "leisure"]), max_size=3).map(tuple),
    new_or_changed_problem=st.none() | st.booleans(),
)
policies = st.sampled_from([SERVICE_PAGE, NEWER])


@given(referral_facts, policies)
def test_the_outcome_follows_from_the_reasons(referral, policy):
    decision = decide_eligibility(referral, policy)
    severities = {reason.severity for reason in decision.reasons}
    if "decline" in severities:
        assert decision.outcome == "decline"
    elif "review" in severities:
        assert decision.outcome == "review"
    else:
        assert decision.outcome == "accept" and decision.reasons == ()


@given(referral_facts, policies)
def test_every_reason_says_why_and_declines_say_where_to_go(referral, policy):
    decision = decide_eligibility(referral, policy)
    assert len(decision.codes) == len(set(decision.codes))
    for reason in decision.reasons:
        assert reason.code in codes.REASON_CODES
        assert reason.message.strip()
        assert bool(reason.signposting) == (reason.severity == "decline")


@given(referral_facts, policies)
def test_at_most_one_gp_reason(referral, policy):
    decision = decide_eligibility(referral, policy)
    gp_codes = {codes.GP_PRACTICE_UNKNOWN, codes.GP_PRACTICE_CLOSED, codes.GP_OUTSIDE_BIRMINGHAM}
    assert len(gp_codes & set(decision.codes)) <= 1


@given(referral_facts, st.sampled_from(Difficulty.values), policies)
def test_adding_a_difficulty_never_makes_the_outcome_worse(referral, extra, policy):
    rank = {"accept": 0, "review": 1, "decline": 2}
    before = decide_eligibility(referral, policy)
    after = decide_eligibility(dataclasses.replace(referral, difficulties=(*referral.difficulties, extra)), policy)
    assert rank[after.outcome] <= rank[before.outcome]
    assert codes.NO_FUNCTIONAL_DIFFICULTY not in after.codes


@given(
    st.lists(st.sampled_from(Difficulty.values), min_size=1, max_size=10).map(tuple),
    st.integers(min_value=5 * 366, max_value=18 * 365),
)
def test_an_eligible_mainstream_pupil_is_accepted_whatever_their_difficulties(difficulties, age_days):
    decision = decide(date_of_birth=REFERRAL_DATE - dt.timedelta(days=age_days), difficulties=difficulties)
    assert decision.outcome == "accept"
