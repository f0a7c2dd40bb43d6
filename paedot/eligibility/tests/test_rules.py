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
NEWER = policy_from_dict(json.loads((POLICIES / "available" / "newer-0-18.json").read_text()))

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
NO_CODE_GP = GPPracticeFacts(code="", found=False, active=False, in_birmingham=False)
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
    ("no GP practice code at all", {"gp_practice": NO_CODE_GP}, "decline", ("gp_practice_unknown",)),
    (
        "an unknown practice code outside Birmingham: unknown wins",
        {"gp_practice": dataclasses.replace(UNKNOWN_GP, local_authority="Solihull")},
        "decline",
        ("gp_practice_unknown",),
    ),
    (
        "a re-referral with no new problem (the service page does not ask)",
        {"previous_ot_episode": True, "new_or_changed_problem": False},
        "accept",
        (),
    ),
    ("settings not asked (the service page does not ask)", {"settings_affected": None}, "accept", ()),
    (
        "a special school pupil on the 20th birthday: no extra year under this policy",
        {"date_of_birth": years_before(REFERRAL_DATE, 20), "education": "special_school"},
        "decline",
        ("age_out_of_range", "special_school_case_by_case"),
    ),
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
    assert "20 years old on 26 November 2026" in age.message and "aged 0 to 19" in age.message
    assert "Parkfield Medical Centre (M89001)" in gp.message and "It is in Solihull" in gp.message
    assert all(reason.signposting for reason in decision.reasons)
    assert "adult" in age.signposting and "Solihull" in gp.signposting


def test_a_review_reason_carries_no_signposting():
    (reason,) = decide(education="special_school").reasons
    assert reason.severity == "review" and reason.signposting == ""
    assert "special school" in reason.message and "case by case" in reason.message


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"gp_practice": CLOSED_GP}, ["Closed Surgery (M85134)", "not open"]),
        ({"gp_practice": UNKNOWN_GP}, ["ZZ9999", "Birmingham GP"]),
        ({"gp_practice": NO_CODE_GP}, ["no code"]),
        (
            {"gp_practice": dataclasses.replace(BIRMINGHAM_GP, name="DR SHAH'S SURGERY-NORTH", in_birmingham=False)},
            ["Dr Shah's Surgery-North (M85001)"],
        ),
        (
            {"date_of_birth": years_before(REFERRAL_DATE, 17), "education": "college"},
            ["17 years old", "college or further education", "From age 5", "mainstream school or special school"],
        ),
        ({"referrer_role": "teacher"}, ["A teacher or SENCO can refer", "first referral", "doctors"]),
        ({"referrer_role": "other"}, ["doctors, Educational Support Services, social care and health professionals"]),
        ({"referrer_role": "other"}, ["teachers and parents or carers", "someone else"]),
        ({"difficulties": ()}, ["self care", "school activities", "play and leisure"]),
        ({"consent_given": False}, ["parent or carer", "agrees"]),
    ],
)
def test_messages_name_what_was_wrong(overrides, words):
    (reason,) = decide(**overrides).reasons
    for word in words:
        assert word in reason.message


def test_a_baby_out_of_range_is_described_in_words():
    policy = _policy_with(lambda d: d["age"].update(min_years=1))
    (reason,) = decide(policy, date_of_birth=REFERRAL_DATE - dt.timedelta(days=30), education="none").reasons
    assert "under 1 year old" in reason.message and "aged 1 to 19" in reason.message


def test_the_newer_policy_says_special_schools_have_an_extra_year():
    (reason,) = decide(NEWER, date_of_birth=years_before(REFERRAL_DATE, 19)).reasons
    assert "aged 0 to 18, or up to 19 for young people in full-time education at a special school" in reason.message
    assert "19 and over" in reason.signposting


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"settings_affected": ("school",)}, ["more than one setting", "only at school or nursery"]),
        ({"settings_affected": ()}, ["in no setting"]),
        ({"settings_affected": None}, ["does not say where", "a therapist will check"]),
        ({"previous_ot_episode": True, "new_or_changed_problem": False}, ["says there is neither"]),
        ({"previous_ot_episode": True, "new_or_changed_problem": None}, ["does not say"]),
    ],
)
def test_the_newer_policy_messages(overrides, words):
    (reason,) = decide(NEWER, **overrides).reasons
    for word in words:
        assert word in reason.message


# --- The rules follow the policy's data, not constants in code ------------------------------------------------


def _policy_with(change) -> Policy:
    document = _document()
    change(document)
    return policy_from_dict(document)


def test_the_age_limit_and_its_message_come_from_the_policy():
    policy = _policy_with(lambda d: d["age"].update(max_years=17))
    assert decide(policy, date_of_birth=years_before(REFERRAL_DATE, 18, days=1)).outcome == "accept"
    (reason,) = decide(policy, date_of_birth=years_before(REFERRAL_DATE, 18)).reasons
    assert "aged 0 to 17" in reason.message


def test_the_education_age_comes_from_the_policy():
    policy = _policy_with(lambda d: d["education"].update(required_from_age=4))
    (reason,) = decide(policy, date_of_birth=years_before(REFERRAL_DATE, 4), education="early_years").reasons
    assert reason.code == "not_in_school_based_education" and "From age 4" in reason.message


def test_the_local_authority_comes_from_the_policy():
    solihull = _policy_with(lambda d: d["gp_practice"].update(local_authority="Solihull"))
    assert decide(solihull, gp_practice=SOLIHULL_GP).outcome == "accept"
    assert decide(solihull, gp_practice=BIRMINGHAM_GP).codes == ("gp_outside_birmingham",)


def test_a_policy_without_case_by_case_review_accepts_special_school_pupils():
    policy = _policy_with(lambda d: d["education"].update(case_by_case=[]))
    assert decide(policy, education="special_school").outcome == "accept"


def test_a_policy_that_takes_first_referrals_from_teachers():
    policy = _policy_with(
        lambda d: d["referrers"].update(initial=[*d["referrers"]["initial"], "teacher"], re_referral_only=[])
    )
    assert decide(policy, referrer_role="teacher").outcome == "accept"
    (reason,) = decide(policy, referrer_role="parent_carer", previous_ot_episode=True).reasons
    assert reason.code == "referrer_not_accepted" and "after earlier therapy" not in reason.message


def test_a_policy_that_needs_two_difficulties():
    policy = _policy_with(lambda d: d["difficulties"].update(min_count=2))
    (reason,) = decide(policy).reasons
    assert reason.code == "no_functional_difficulty" and "at least 2" in reason.message
    assert decide(policy, difficulties=("pencil_skills", "dressing")).outcome == "accept"


def test_a_policy_that_asks_for_all_three_settings():
    policy = _policy_with(
        lambda d: (
            d["difficulties"].update(min_settings=3),
            d["signposting"].update(difficulty_in_one_setting_only="Ask the school SENCO."),
        )
    )
    (reason,) = decide(policy, settings_affected=("home", "school")).reasons
    assert "at least 3 settings" in reason.message and reason.signposting == "Ask the school SENCO."


# --- Age in years, and 29 February ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (dt.date(2008, 2, 29), dt.date(2009, 2, 28), 0),
        (dt.date(2008, 2, 29), dt.date(2009, 3, 1), 1),
        (dt.date(2008, 2, 29), dt.date(2012, 2, 28), 3),
        (dt.date(2008, 2, 29), dt.date(2012, 2, 29), 4),
        (dt.date(2008, 2, 29), dt.date(2008, 2, 29), 0),
        (dt.date(2007, 3, 1), dt.date(2008, 2, 29), 0),
        (dt.date(2007, 3, 1), dt.date(2008, 3, 1), 1),
        (dt.date(2006, 11, 26), dt.date(2026, 11, 25), 19),
        (dt.date(2006, 11, 26), dt.date(2026, 11, 26), 20),
    ],
)
def test_age_in_years(born, on, age):
    assert age_in_years(born, on) == age


def test_a_leap_day_child_turns_5_on_1_march_for_the_education_rule():
    born = dt.date(2020, 2, 29)
    assert decide(date_of_birth=born, referral_date=dt.date(2025, 2, 28), education="early_years").outcome == "accept"
    assert decide(date_of_birth=born, referral_date=dt.date(2025, 3, 1), education="early_years").codes == (
        "not_in_school_based_education",
    )


def test_a_leap_day_child_turns_19_on_1_march_under_the_newer_policy():
    born = dt.date(2012, 2, 29)
    assert decide(NEWER, date_of_birth=born, referral_date=dt.date(2031, 2, 28)).outcome == "accept"
    assert decide(NEWER, date_of_birth=born, referral_date=dt.date(2031, 3, 1)).codes == ("age_out_of_range",)
    special = {"date_of_birth": born, "referral_date": dt.date(2031, 3, 1), "education": "special_school"}
    assert decide(NEWER, **special).outcome == "accept"


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
    (
        "a parent's re-referral with a new problem",
        {"referrer_role": "parent_carer", "previous_ot_episode": True, "new_or_changed_problem": True},
        "accept",
        (),
    ),
    (
        "a GP's re-referral with no new or changed problem",
        {"previous_ot_episode": True, "new_or_changed_problem": False},
        "decline",
        ("no_new_or_changed_problem",),
    ),
    (
        "a first referral: whether the problem is new is not asked",
        {"previous_ot_episode": False, "new_or_changed_problem": None},
        "accept",
        (),
    ),
    ("difficulties in all three settings", {"settings_affected": ("home", "school", "leisure")}, "accept", ()),
    (
        "the same setting twice is still one setting",
        {"settings_affected": ("school", "school")},
        "decline",
        ("difficulty_in_one_setting_only",),
    ),
    ("no setting at all", {"settings_affected": ()}, "decline", ("difficulty_in_one_setting_only",)),
    (
        "no difficulty: the settings question does not arise",
        {"difficulties": (), "settings_affected": None},
        "decline",
        ("no_functional_difficulty",),
    ),
    (
        "on the 5th birthday, still early years",
        {"date_of_birth": years_before(REFERRAL_DATE, 5), "education": "early_years"},
        "decline",
        ("not_in_school_based_education",),
    ),
    (
        "aged 4, early years",
        {"date_of_birth": years_before(REFERRAL_DATE, 5, days=1), "education": "early_years"},
        "accept",
        (),
    ),
    (
        "decline and review reasons together, in a stable order",
        {
            "date_of_birth": years_before(REFERRAL_DATE, 19),
            "gp_practice": CLOSED_GP,
            "settings_affected": None,
            "referrer_role": "teacher",
            "previous_ot_episode": True,
            "new_or_changed_problem": None,
            "consent_given": False,
        },
        "decline",
        ("age_out_of_range", "gp_practice_closed", "settings_not_known", "new_problem_not_known", "no_consent"),
    ),
    (
        "two review reasons: review",
        {"settings_affected": None, "previous_ot_episode": True, "new_or_changed_problem": None},
        "review",
        ("settings_not_known", "new_problem_not_known"),
    ),
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
        (lambda d: d.update(id="Service Page 2019"), "id"),
        (lambda d: d.update(id=""), "id"),
        (lambda d: d.pop("name"), "name"),
        (lambda d: d.pop("effective_from"), "effective_from"),
        (lambda d: d.update(effective_from="1 January 2019"), "effective_from"),
        (lambda d: d.update(effective_from="2019-1-1"), "effective_from"),
        (lambda d: d.update(effective_from="2019-02-30"), "effective_from"),
        (lambda d: d.update(effective_from=20190101), "effective_from"),
        (lambda d: d.update(consent_requried=True), "consent_requried"),
        (lambda d: d.update(re_referal_needs_new_problem=True), "re_referal_needs_new_problem"),
        (lambda d: d.pop("age"), "age"),
        (lambda d: d.update(age=[0, 19]), "age"),
        (lambda d: d["age"].pop("max_years"), "age.max_years"),
        (lambda d: d["age"].update(max_years="nineteen"), "age.max_years"),
        (lambda d: d["age"].update(max_years=19.5), "age.max_years"),
        (lambda d: d["age"].update(max_years=True), "age.max_years"),
        (lambda d: d["age"].update(min_years=-1), "age.min_years"),
        (lambda d: d["age"].update(min_years=10, max_years=5), "age.max_years"),
        (lambda d: d["age"].update(max_years_special_school=18), "age.max_years_special_school"),
        (lambda d: d["age"].update(max_year_special_school=20), "age.max_year_special_school"),
        (lambda d: d["education"].update(accepted=["university"]), "education.accepted"),
        (lambda d: d["education"].update(accepted="mainstream_school"), "education.accepted"),
        (lambda d: d["education"].update(case_by_case=["college"]), "education.case_by_case"),
        (lambda d: d["education"].pop("required_from_age"), "education.required_from_age"),
        (lambda d: d["gp_practice"].update(local_authority=""), "gp_practice.local_authority"),
        (lambda d: d["difficulties"].update(min_count=0), "difficulties.min_count"),
        (lambda d: d["difficulties"].update(min_settings=4), "difficulties.min_settings"),
        (lambda d: d["referrers"].update(initial=["wizard"]), "referrers.initial"),
        (lambda d: d["referrers"].update(re_referral_only=["gp"]), "referrers.re_referral_only"),
        (lambda d: d.update(consent_required="yes"), "consent_required"),
        (lambda d: d.update(re_referral_needs_new_problem="yes"), "re_referral_needs_new_problem"),
        (lambda d: d.update(signposting=["text"]), "signposting"),
        (lambda d: d["signposting"].update(not_a_reason="text"), "signposting.not_a_reason"),
        (
            lambda d: d["signposting"].update(special_school_case_by_case="text"),
            "signposting.special_school_case_by_case",
        ),
        (lambda d: d["signposting"].update(no_consent="  "), "signposting.no_consent"),
        (lambda d: d["signposting"].pop("no_consent"), "signposting.no_consent"),
        (lambda d: d.update(re_referral_needs_new_problem=True), "signposting.no_new_or_changed_problem"),
        (lambda d: d["difficulties"].update(min_settings=2), "signposting.difficulty_in_one_setting_only"),
    ],
)
def test_a_bad_policy_document_is_refused_naming_the_key(change, key):
    document = _document()
    change(document)
    with pytest.raises(ValueError, match=re.escape(f"'{key}'")):
        policy_from_dict(document)


def test_a_policy_document_must_be_an_object():
    with pytest.raises(ValueError, match="JSON object"):
        policy_from_dict([])  # type: ignore[arg-type]


def test_optional_keys_have_defaults():
    document = _document()
    del document["age"]["max_years_special_school"], document["education"]["case_by_case"]
    del document["difficulties"]["min_settings"], document["referrers"]["re_referral_only"]
    del document["re_referral_needs_new_problem"], document["source"]
    policy = policy_from_dict(document)
    assert policy.max_age_years_special_school is None and policy.education_case_by_case == frozenset()
    assert policy.min_settings is None and policy.re_referral_only_referrers == frozenset()
    assert policy.re_referral_needs_new_problem is False and policy.source == ""


def test_a_policy_without_consent_needs_no_consent_signposting():
    document = _document()
    document["consent_required"] = False
    del document["signposting"]["no_consent"]
    assert decide(policy_from_dict(document), consent_given=False).outcome == "accept"


def test_both_policy_files_read_as_the_service_intends():
    assert (SERVICE_PAGE.id, SERVICE_PAGE.effective_from) == ("service-page-2019", dt.date(2019, 1, 1))
    assert (SERVICE_PAGE.min_age_years, SERVICE_PAGE.max_age_years, SERVICE_PAGE.max_age_years_special_school) == (
        0,
        19,
        None,
    )
    assert SERVICE_PAGE.education_case_by_case == {"special_school"}
    assert SERVICE_PAGE.min_settings is None and not SERVICE_PAGE.re_referral_needs_new_problem
    assert (NEWER.id, NEWER.effective_from) == ("criteria-0-18-2027", dt.date(2027, 4, 1))
    assert (NEWER.max_age_years, NEWER.max_age_years_special_school) == (18, 19)
    assert NEWER.education_case_by_case == frozenset()
    assert NEWER.min_settings == 2 and NEWER.re_referral_needs_new_problem
    for policy in (SERVICE_PAGE, NEWER):
        assert policy.gp_local_authority == "Birmingham"
        assert policy.education_required_from_age == 5
        assert policy.education_accepted == {"mainstream_school", "special_school"}
        assert policy.initial_referrers == set(INITIAL_REFERRERS)
        assert policy.re_referral_only_referrers == {"teacher", "parent_carer"}
        assert "other" not in policy.initial_referrers | policy.re_referral_only_referrers


def test_every_reason_code_is_tested_in_a_table():
    tested = {code for case in CASES + NEWER_CASES for code in case[3]}
    assert tested == set(codes.REASON_CODES)


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


@given(referral_facts, policies)
def test_reasons_come_in_a_stable_order_with_the_severity_of_their_code(referral, policy):
    decision = decide_eligibility(referral, policy)
    positions = [codes.REASON_CODES.index(code) for code in decision.codes]
    assert positions == sorted(positions)
    for reason in decision.reasons:
        assert reason.severity == codes.REASON_SEVERITY[reason.code]


@given(referral_facts, policies, st.randoms(use_true_random=False))
def test_the_order_of_difficulties_and_settings_does_not_matter(referral, policy, random):
    shuffled_difficulties = list(referral.difficulties)
    random.shuffle(shuffled_difficulties)
    settings = None
    if referral.settings_affected is not None:
        settings = list(referral.settings_affected)
        random.shuffle(settings)
        settings = tuple(settings)
    shuffled = dataclasses.replace(referral, difficulties=tuple(shuffled_difficulties), settings_affected=settings)
    assert decide_eligibility(shuffled, policy) == decide_eligibility(referral, policy)


def _birthday(born: dt.date, years: int) -> dt.date:
    """The reference rule: the anniversary, and 1 March for a 29 February birthday in a common year."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return dt.date(born.year + years, 3, 1)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)), st.integers(0, 40 * 366))
def test_age_in_years_counts_the_birthdays_reached(born, days):
    on = born + dt.timedelta(days=days)
    age = age_in_years(born, on)
    assert _birthday(born, age) <= on < _birthday(born, age + 1)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=REFERRAL_DATE))
def test_under_the_service_page_policy_only_age_20_and_over_is_out_of_range(born):
    decision = decide(date_of_birth=born, education="special_school")
    assert (codes.AGE_OUT_OF_RANGE in decision.codes) == (age_in_years(born, REFERRAL_DATE) >= 20)


@given(
    st.lists(st.sampled_from(Difficulty.values), min_size=1, max_size=10).map(tuple),
    st.sampled_from([dt.date(2026, 11, 26), dt.date(2024, 2, 29), dt.date(2030, 1, 1)]),
)
def test_an_eligible_6_year_old_at_mainstream_school_is_accepted_under_both_policies(difficulties, on):
    child = {"date_of_birth": on - dt.timedelta(days=6 * 365 + 100), "referral_date": on, "difficulties": difficulties}
    assert decide(SERVICE_PAGE, **child).outcome == "accept"
    assert decide(NEWER, **child).outcome == "accept"
