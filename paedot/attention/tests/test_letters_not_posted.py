"""Letters not yet posted on the Needs attention list: more than the policy's working days (weekends, bank holidays
and closure days not counted) after they were issued, for the admin staff and team leads who post them, and only the
letters of children they may see."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from paedot.appointments.tests.factories import london
from paedot.attention import rules
from paedot.attention.services import LETTERS, Scope, needs_attention, section_counts
from paedot.attention.tests.factories import NOW, person, referral_at
from paedot.diaries.models import ClosureDay
from paedot.letters.models import Letter
from paedot.letters.tests.factories import letter
from paedot.referrals.models import Referral
from paedot.restricted_records.services import restrict_record
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.date(2027, 3, 10)


@pytest.fixture(autouse=True)
def _on_a_wednesday_in_march():
    with time_machine.travel(NOW, tick=False):
        yield


def issued(on: dt.date, hour: int = 10, **fields) -> Letter:
    return letter(issued_at=london(on.year, on.month, on.day, hour), **fields)


def listed(user, **kwargs) -> list[int]:
    (section,) = [s for s in needs_attention(user, **kwargs).sections if s.code == LETTERS.code]
    return [int(item.link.rsplit("-", 1)[1]) for item in section.items]


# The rule ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued_on", "working_days"),
    [
        (dt.date(2027, 3, 10), 0),  # today
        (dt.date(2027, 3, 9), 1),  # Tuesday
        (dt.date(2027, 3, 8), 2),  # Monday: 2, the limit, so not over
        (dt.date(2027, 3, 5), 3),  # Friday: Monday, Tuesday and today
        (dt.date(2027, 3, 6), 3),  # Saturday: as from Friday, the weekend is not counted
    ],
)
def test_working_days_count_from_the_day_after_issue_to_today_without_weekends(issued_on, working_days):
    assert rules.working_days_since(issued_on, WEDNESDAY, frozenset()) == working_days


def test_easter_bank_holidays_are_not_working_days():
    easter = frozenset({dt.date(2027, 3, 26), dt.date(2027, 3, 29)})  # Good Friday, Easter Monday
    wednesday_after = dt.date(2027, 3, 31)
    assert rules.working_days_since(dt.date(2027, 3, 25), wednesday_after, easter) == 2
    assert rules.working_days_since(dt.date(2027, 3, 24), wednesday_after, easter) == 3
    assert rules.latest_issue_date_over(wednesday_after, 2, easter) == dt.date(2027, 3, 24)


closed_days = st.frozensets(st.dates(min_value=dt.date(2026, 12, 1), max_value=dt.date(2027, 3, 10)), max_size=20)


@given(
    issued_on=st.dates(min_value=dt.date(2026, 12, 1), max_value=WEDNESDAY),
    limit=st.integers(min_value=0, max_value=20),
    closed=closed_days,
)
def test_the_database_cut_off_picks_exactly_the_letters_over_the_limit(issued_on, limit, closed):
    """The services ask the database for letters issued on or before the cut-off; the finding counts working days.
    They must agree on every date, or a letter would be counted and not explained (or the reverse)."""
    over = rules.working_days_since(issued_on, WEDNESDAY, closed) > limit
    assert (issued_on <= rules.latest_issue_date_over(WEDNESDAY, limit, closed)) == over


def test_the_finding_says_what_when_how_long_and_the_limit():
    finding = rules.letter_finding(
        what="Appointment letter", issued_on=dt.date(2027, 3, 5), today=WEDNESDAY, limit=2, closed=frozenset()
    )
    assert finding.code == rules.LETTER_NOT_POSTED
    assert (finding.since, finding.days, finding.limit, finding.working_days, finding.over) == (
        dt.date(2027, 3, 5),
        3,
        2,
        True,
        True,
    )
    assert finding.why == (
        "Appointment letter: issued 5 March 2027 and not recorded as posted after 3 working days, limit 2. Print and "
        "post it, then mark it as posted."
    )


# The section ------------------------------------------------------------------------------------------------------


def test_a_letter_is_listed_from_the_third_working_day_after_it_was_issued(admin_user):
    monday = issued(dt.date(2027, 3, 8), hour=8)
    friday = issued(dt.date(2027, 3, 5), hour=17)
    posted = issued(dt.date(2027, 3, 1), posted_by=admin_user)

    assert listed(admin_user) == [friday.pk]
    assert monday.pk not in listed(admin_user) and posted.pk not in listed(admin_user)


def test_a_closure_day_is_not_a_working_day(admin_user):
    friday = issued(dt.date(2027, 3, 5))
    assert listed(admin_user) == [friday.pk]

    ClosureDay.objects.create(date=dt.date(2027, 3, 9), reason="Team training day")

    assert listed(admin_user) == []


def test_the_bank_holidays_held_are_not_working_days(admin_user):
    """Good Friday and Easter Monday 2027 are in the reference data (paedot/directory)."""
    with time_machine.travel("2027-03-31 12:00 +01:00", tick=False):
        thursday = issued(dt.date(2027, 3, 25))
        wednesday = issued(dt.date(2027, 3, 24))
        assert listed(admin_user) == [wednesday.pk]
        assert thursday.pk not in listed(admin_user)


def test_each_item_names_the_referral_the_letter_and_its_working_days(team_lead_user):
    referral = referral_at("waiting", received=dt.date(2027, 2, 1), priority="urgent")
    old = issued(dt.date(2027, 2, 15), referral=referral, subject="Your appointment")

    (section,) = [s for s in needs_attention(team_lead_user).sections if s.code == LETTERS.code]

    assert section.count == 1
    (item,) = section.items
    assert item.reference == referral.reference and item.child_name == referral.child.full_name
    assert item.what == "Appointment"
    assert item.link == f"/staff/letters/#letter-{old.pk}"
    assert item.finding.since == dt.date(2027, 2, 15)
    assert item.finding.days == 17  # 23 February to 10 March less the weekends
    assert "not recorded as posted after 17 working days, limit 2" in item.finding.why


def test_the_oldest_letters_are_shown_first_and_the_rest_counted(admin_user):
    made = [issued(dt.date(2027, 1, 4) + dt.timedelta(days=i)) for i in range(5)]

    (section,) = [s for s in needs_attention(admin_user, shown=3).sections if s.code == LETTERS.code]

    assert section.count == 5 and section.more == 2
    assert [int(i.link.rsplit("-", 1)[1]) for i in section.items] == [m.pk for m in made[:3]]


@pytest.mark.parametrize("role", ["ot", "ota"])
def test_clinicians_do_not_get_the_section(role):
    clinician = person(role, f"{role}-letters")
    issued(dt.date(2027, 3, 1), issued_by=clinician)
    for scope in (Scope.MINE, Scope.ALL):
        assert LETTERS.code not in {s.code for s in needs_attention(clinician, scope=scope).sections}
    assert LETTERS.code not in section_counts(clinician)


def test_a_restricted_childs_letter_and_another_localitys_are_not_listed_nor_counted(team_lead_user):
    north_admin = person("clinical_admin", "admin-north", localities=["North"])
    hidden, south, shown = (issued(dt.date(2027, 3, 1)) for _ in range(3))
    Referral.objects.filter(pk__in=[hidden.referral_id, shown.referral_id]).update(locality="North")
    Referral.objects.filter(pk=south.referral_id).update(locality="South")
    child = hidden.referral.child
    restrict_record(child=child, reason="Safeguarding.", named_staff=[team_lead_user], by=team_lead_user)

    assert listed(north_admin) == [shown.pk]
    assert section_counts(north_admin)[LETTERS.code] == 1
    assert sorted(listed(team_lead_user)) == sorted([hidden.pk, south.pk, shown.pk])


def test_the_team_leads_digest_counts_the_letters_not_posted(team_lead_user):
    issued(dt.date(2027, 3, 1))
    assert section_counts(team_lead_user)[LETTERS.code] == 1


def test_the_page_shows_the_section_with_working_days(client, admin_user):
    old = issued(dt.date(2027, 3, 1))
    client.force_login(admin_user)

    page = client.get("/staff/attention/").content.decode()

    assert '<strong id="count-letters_not_posted">1</strong>' in page
    assert 'id="table-letters_not_posted"' in page
    assert "7 working days" in page
    assert f'href="/staff/letters/#letter-{old.pk}"' in page and "Post the letter" in page
    assert "Letters issued more than 2 working days ago" in page


@pytest.mark.parametrize("how_many", [1, 4])
def test_the_page_takes_the_same_queries_however_many_letters(
    client, team_lead_user, django_assert_num_queries, how_many
):
    for i in range(how_many):
        issued(dt.date(2027, 1, 4) + dt.timedelta(days=i))  # before the window read for the cut-off
    client.force_login(team_lead_user)

    # Session, user, each section's count and rows; for the letters: the closure days for the cut-off, the count, the
    # rows, and the closure days back to the oldest shown (older than the window read for the cut-off); the alerts
    # past their review date (a count: none here).
    with django_assert_num_queries(21):
        response = client.get("/staff/attention/")

    assert f'<strong id="count-letters_not_posted">{how_many}</strong>' in response.content.decode()


def test_the_api_gives_the_section_to_admin_staff_in_working_days(client, admin_user):
    old = issued(dt.date(2027, 3, 5))
    token = issue_api_token(user=admin_user, name="t")

    body = client.get("/api/attention", HTTP_AUTHORIZATION=f"Bearer {token}").json()

    sections = {s["code"]: s for s in body["sections"]}
    (item,) = sections["letters_not_posted"]["items"]
    assert item["code"] == "letter_not_posted"
    assert (item["reference"], item["days"], item["limit"]) == (old.referral.reference, 3, 2)
    assert item["link"] == f"/staff/letters/#letter-{old.pk}"
    assert old.referral.child.family_name not in json_text(body)


def json_text(body) -> str:
    import json

    return json.dumps(body)
