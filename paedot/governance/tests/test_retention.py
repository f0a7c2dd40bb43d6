"""The retention report: children whose every referral is closed and whose keep-until date has gone by, the day
before and the day after it, the 26th-birthday, 8-years-after-treatment and leap-day cases, the page, its CSV and the
API."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from paedot.care.services.episodes import open_episode
from paedot.children.models import Child
from paedot.core.models import AuditEvent
from paedot.governance.services import records_past_retention, retention_candidates
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in, staff
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db


def at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def closed_child(born: dt.date, closed_on: dt.date, *, status: str = "discharged", **child) -> Referral:
    """A child born on `born` whose referral closed on `closed_on` (set directly: the dates are years ago)."""
    referral = referral_in(status, child={"date_of_birth": born, **child})
    Referral.objects.filter(pk=referral.pk).update(closed_at=at_noon(closed_on))
    referral.refresh_from_db()
    return referral


def listed(as_of: dt.date) -> dict[str, dt.date]:
    return {row.references[0]: row.keep_until for row in records_past_retention(as_of)}


def test_a_record_is_listed_the_day_after_its_keep_until_date_and_not_on_it():
    referral = closed_child(dt.date(2000, 6, 1), dt.date(2010, 1, 1))  # 9 at the end: the 25th birthday
    assert referral.reference not in listed(dt.date(2025, 6, 1))
    assert listed(dt.date(2025, 6, 2)) == {referral.reference: dt.date(2025, 6, 1)}


def test_a_young_person_17_at_the_end_of_treatment_waits_for_the_26th_birthday():
    referral = closed_child(dt.date(2000, 6, 1), dt.date(2017, 7, 1))
    # A candidate by the database's bound (the 25th birthday has passed) but not yet past its keep-until date.
    assert retention_candidates(dt.date(2025, 6, 2)).filter(pk=referral.child_id).exists()
    assert referral.reference not in listed(dt.date(2026, 6, 1))
    assert listed(dt.date(2026, 6, 2)) == {referral.reference: dt.date(2026, 6, 1)}
    (row,) = records_past_retention(dt.date(2026, 6, 2))
    assert row.retention.code == "26th_birthday"
    assert "17 at the end of treatment on 1 July 2017" in row.reason


def test_a_young_person_19_at_the_end_of_treatment_waits_8_years_after_it_on_the_page_the_csv_and_the_api(
    client, auditor_user
):
    # Born 1 June 1995, treatment ended on 1 July 2014 at 19: the 26th birthday (1 June 2021) is earlier than 8
    # years after the end of treatment (1 July 2022), so the record is kept until then.
    referral = closed_child(dt.date(1995, 6, 1), dt.date(2014, 7, 1))
    assert referral.reference not in listed(dt.date(2022, 7, 1))
    assert listed(dt.date(2022, 7, 2)) == {referral.reference: dt.date(2022, 7, 1)}
    (row,) = records_past_retention(dt.date(2022, 7, 2))
    assert row.retention.code == "8_years_after_treatment"
    assert row.reason.startswith("Kept until 8 years after the end of treatment, 1 July 2022: 19 at the end")

    client.force_login(auditor_user)
    page = client.get("/staff/governance/retention").content.decode()
    assert "8 years after the end of treatment" in page
    assert "Kept until 8 years after the end of treatment, 1 July 2022" in page
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/governance/retention.csv").content.decode())))
    (csv_row,) = [r for r in rows if r["referral_references"] == referral.reference]
    assert (csv_row["keep_until"], csv_row["rule"]) == ("2022-07-01", "8_years_after_treatment")
    assert csv_row["why"].startswith("Kept until 8 years after the end of treatment")
    response = client.get("/api/governance/retention?as_of=2022-07-02", **_bearer(auditor_user))
    assert response.status_code == 200
    (api_row,) = response.json()
    assert (api_row["keep_until"], api_row["rule"]) == ("2022-07-01", "8_years_after_treatment")
    assert api_row["age_at_end_of_treatment"] == 19


def test_a_child_with_any_open_referral_is_never_listed():
    referral = closed_child(dt.date(1990, 1, 1), dt.date(2000, 1, 1), given_name="Old")
    assert referral.reference in listed(dt.date(2025, 1, 1))
    Referral.objects.filter(pk=referral.pk).update(status="waiting")
    assert listed(dt.date(2025, 1, 1)) == {}


def test_a_child_not_yet_25_is_not_even_a_candidate():
    closed_child(dt.date(2001, 1, 1), dt.date(2005, 1, 1))
    assert not retention_candidates(dt.date(2025, 12, 31)).exists()
    assert retention_candidates(dt.date(2026, 1, 2)).exists()


def test_the_end_of_treatment_is_the_episodes_discharge_not_a_later_declined_referral():
    treated = closed_child(dt.date(2000, 6, 1), dt.date(2017, 8, 1), status="accepted")
    episode = open_episode(referral=treated, opened_by=staff("ot"))
    type(episode).objects.filter(pk=episode.pk).update(discharged_at=at_noon(dt.date(2017, 5, 1)))  # aged 16
    Referral.objects.filter(pk=treated.pk).update(status="discharged")
    # The referral closed at 17, after the episode ended at 16: the episode's end counts, so the 25th birthday.
    (row,) = records_past_retention(dt.date(2025, 6, 2))
    assert row.treatment_ended_on == dt.date(2017, 5, 1)
    assert row.keep_until == dt.date(2025, 6, 1)


def test_a_child_born_on_29_february_is_kept_until_28_february():
    referral = closed_child(dt.date(2000, 2, 29), dt.date(2005, 3, 1))
    assert referral.reference not in listed(dt.date(2025, 2, 28))
    assert listed(dt.date(2025, 3, 1)) == {referral.reference: dt.date(2025, 2, 28)}


def test_every_referral_of_the_child_is_listed_and_the_latest_closure_counts():
    first = closed_child(dt.date(2000, 6, 1), dt.date(2008, 1, 1), status="declined")
    second = referral_in("declined", child={"date_of_birth": dt.date(2000, 6, 1)})
    Referral.objects.filter(pk=second.pk).update(child=first.child, closed_at=at_noon(dt.date(2017, 9, 1)))
    (row,) = records_past_retention(dt.date(2026, 6, 2))
    assert set(row.references) == {first.reference, second.reference}
    assert row.treatment_ended_on == dt.date(2017, 9, 1)
    assert row.keep_until == dt.date(2026, 6, 1)


def test_a_record_merged_into_the_childs_is_listed_with_it_for_disposal():
    kept = closed_child(dt.date(2000, 6, 1), dt.date(2008, 1, 1))
    merged = Child.objects.create(
        given_name="Misspelt", family_name="Name", date_of_birth=dt.date(2000, 6, 1), merged_into=kept.child
    )
    (row,) = records_past_retention(dt.date(2026, 6, 2))
    assert row.child_id == kept.child_id
    assert row.merged_child_ids == (merged.pk,)  # it has no referral of its own, so it is never listed alone


# The page, its CSV and the API ----------------------------------------------------------------------------------


@pytest.fixture
def past_retention():
    return [closed_child(dt.date(1995, 1, 1 + n), dt.date(2005, 1, 1)) for n in range(2)]


@pytest.mark.parametrize("role_fixture", ["team_lead_user", "auditor_user"])
def test_team_leads_and_auditors_see_the_report_and_looking_is_audited(client, request, role_fixture, past_retention):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    response = client.get("/staff/governance/retention")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing is deleted automatically" in page
    for referral in past_retention:
        assert referral.reference in page
    assert "Kept until the 25th birthday, 1 January 2020" in page
    assert AuditEvent.objects.filter(action="retention.viewed", actor=user, detail__children=2).exists()


@pytest.mark.parametrize("role_fixture", ["ot_user", "admin_user", "ota_user"])
def test_others_may_not_see_the_report(client, request, role_fixture, past_retention):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get("/staff/governance/retention").status_code == 403
    assert client.get("/staff/governance/retention.csv").status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="retention.").exists()


def test_the_page_takes_the_same_number_of_queries_however_many_children(
    client, team_lead_user, django_assert_max_num_queries
):
    closed_child(dt.date(1995, 1, 1), dt.date(2005, 1, 1))
    client.force_login(team_lead_user)
    with django_assert_max_num_queries(12) as few:
        client.get("/staff/governance/retention")
    for n in range(4):
        closed_child(dt.date(1995, 2, 1 + n), dt.date(2005, 1, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/staff/governance/retention")
    assert response.content.decode().count("Kept until the 25th birthday") == 5


def test_the_csv_lists_the_report_and_never_hands_a_spreadsheet_a_formula(client, auditor_user, past_retention):
    Referral.objects.filter(pk=past_retention[0].pk).update(reference="=SUM(1)")
    client.force_login(auditor_user)
    response = client.get("/staff/governance/retention.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["child_id", "referral_references", "date_of_birth"]
    assert len(rows) == 3
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=SUM(1)" in cells
    assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells)
    assert AuditEvent.objects.filter(action="retention.exported", actor=auditor_user).exists()


def _bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user, name='test')}"}


def test_the_api_lists_records_past_retention_as_of_a_date(client, auditor_user):
    referral = closed_child(dt.date(2000, 6, 1), dt.date(2010, 1, 1))
    response = client.get("/api/governance/retention?as_of=2025-06-02", **_bearer(auditor_user))
    assert response.status_code == 200
    (row,) = response.json()
    assert row["references"] == [referral.reference]
    assert row["keep_until"] == "2025-06-01"
    assert row["treatment_ended_on"] == "2010-01-01"
    assert row["rule"] == "25th_birthday"
    assert client.get("/api/governance/retention?as_of=2025-06-01", **_bearer(auditor_user)).json() == []
    assert AuditEvent.objects.filter(action="retention.viewed", detail__as_of="2025-06-02").exists()


def test_the_api_refuses_other_roles_and_bad_dates(client, ot_user, team_lead_user):
    assert client.get("/api/governance/retention", **_bearer(ot_user)).status_code == 403
    bad = client.get("/api/governance/retention?as_of=2025-13-01", **_bearer(team_lead_user))
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "as_of"
    assert client.get("/api/governance/retention").status_code == 401
