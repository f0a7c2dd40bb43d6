"""The alerts page and the line under the child banner: every page of the record shows the alerts in force, with
one query, and the alerts page raises, reviews and ends them keeping what was typed on an error."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.alerts.models import Alert
from paedot.alerts.presenters import AlertLine
from paedot.alerts.services import end_alert
from paedot.alerts.tests.factories import alert_on, backdate
from paedot.core.models import AuditEvent
from paedot.referrals.tests.factories import referral_in
from paedot.restricted_records.services import restrict_record

pytestmark = pytest.mark.django_db

CP_PLAN = "On a child protection plan: social worker Sam Example (synthetic)"
DOG = "Dog at the home: ask for it to be shut away before visiting"


@pytest.fixture
def referral():
    return referral_in("seen")


def url(referral, tail: str = "") -> str:
    return f"/staff/referrals/{referral.reference}/alerts{tail}"


def page_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


# The child banner -------------------------------------------------------------------------------------------------


def test_every_page_of_the_record_shows_the_alerts_in_force_under_the_child_banner(client, referral, ot_user):
    alert_on(referral, category="risk_to_staff", text=DOG, by=ot_user)
    alert_on(referral, category="child_protection_plan", text=CP_PLAN, by=ot_user)
    client.force_login(ot_user)

    for path in (
        f"/staff/referrals/{referral.reference}",
        f"/staff/care/{referral.reference}/",
        f"/staff/notes/{referral.reference}/",
    ):
        page = page_of(client, path)
        assert 'role="region" aria-labelledby="child-alerts-heading"' in page, path
        assert "Important: </span>2 alerts in force" in page, path
        # Safeguarding first, in words, with the short text, and a link to the alerts page.
        assert page.index(CP_PLAN) < page.index(DOG)
        assert "<strong>Safeguarding: child protection plan</strong> \u2013 " + CP_PLAN in page
        assert "<strong>Risk to staff on visits</strong> \u2013 " + DOG in page
        assert f'href="{url(referral)}"' in page


def test_an_ended_alert_leaves_the_banner_and_a_child_without_alerts_says_so(client, referral, ot_user):
    alert = alert_on(referral, text=DOG, by=ot_user)
    end_alert(alert=alert, reason="Dog rehomed", by=ot_user)
    client.force_login(ot_user)

    page = page_of(client, f"/staff/referrals/{referral.reference}")

    assert DOG not in page and "child-alerts-heading" not in page
    assert f'<a href="{url(referral)}" class="app-child-banner__no-alerts">No alerts' in page


def test_the_banner_keeps_its_words_for_which_child_it_is(client, referral, ot_user):
    alert_on(referral, by=ot_user)
    client.force_login(ot_user)
    page = " ".join(page_of(client, f"/staff/referrals/{referral.reference}").split())
    assert "NHS number" in page and 'aria-label="Which child"' in page


def _alert_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "alerts_alert" in q["sql"]]


def test_the_alerts_cost_the_referral_page_one_query_however_many(client, ot_user, django_assert_num_queries):
    one, three = referral_in("seen"), referral_in("seen")
    alert_on(one, category="other", text="Alert number 0", by=ot_user)
    for n in range(3):
        alert_on(three, category="other", text=f"Alert number {n}", by=ot_user)
    client.force_login(ot_user)
    client.get(f"/staff/referrals/{one.reference}")  # the session's first use: not counted

    with django_assert_num_queries(40, exact=False) as first:
        page = client.get(f"/staff/referrals/{one.reference}").content.decode()
    with django_assert_num_queries(len(first.captured_queries)) as second:
        other = client.get(f"/staff/referrals/{three.reference}").content.decode()

    assert page.count('id="child-alert-') == 1 and other.count('id="child-alert-') == 3
    # The banner's one query: the alerts in force, with the link to the alerts page, in one statement.
    assert len(_alert_queries(first)) == 1 and len(_alert_queries(second)) == 1


def test_the_banner_reads_alerts_through_the_same_scope_as_the_record(referral, ot_user, team_lead_user):
    """Even a page that forgot to scope the child shows its alerts only to someone who may open the record."""
    from paedot.alerts.presenters import alerts_for
    from paedot.core import changes

    alert_on(referral, by=ot_user)
    restrict_record(child=referral.child, reason="Safeguarding (synthetic)", named_staff=[], by=team_lead_user)

    class Request:
        def __init__(self, user):
            self.user = user

    for user, shown in ((ot_user, 0), (team_lead_user, 1)):
        token = changes.begin(Request(user))
        try:
            assert len(alerts_for(referral.child).alerts) == shown
        finally:
            changes.end(token)
    assert alerts_for(referral.child) == AlertLine()  # outside a request: nobody to show them to


# The alerts page --------------------------------------------------------------------------------------------------


def test_the_page_lists_alerts_in_force_and_ended_with_who_and_when_and_is_audited(client, referral, ot_user):
    alert_on(referral, category="communication_needs", text="Mum is deaf: BSL interpreter", by=ot_user)
    ended = alert_on(referral, by=ot_user)
    end_alert(alert=ended, reason="Dog rehomed", by=ot_user)
    client.force_login(ot_user)

    page = page_of(client, url(referral))

    assert "<h1>Alerts for " in page and "In force (1)" in page and "Ended (1)" in page
    assert "Mum is deaf: BSL interpreter" in page and "Review by 10 September 2027" in page
    assert "Reason: Dog rehomed" in page and "Ended by Test User on 10 March 2027" in page
    assert "Raise an alert" in page and "It no longer holds: end it" in page
    assert AuditEvent.objects.filter(action="record.viewed", child_id=referral.child_id).exists()


def test_an_alert_past_its_review_date_says_so(client, referral, ot_user):
    backdate(alert_on(referral, by=ot_user), review_on=dt.date(2027, 3, 1))
    client.force_login(ot_user)
    page = page_of(client, url(referral))
    assert "Review overdue: it was due on 1 March 2027 (9 days ago)" in page


def test_an_alert_is_raised_from_the_page(client, referral, admin_user):
    client.force_login(admin_user)

    response = client.post(
        url(referral, "/new"),
        {
            "category": "looked_after",
            "text": "Looked after: Birmingham Children's Trust shares parental responsibility",
            "details": "Foster carer: Jo Example.",
            "review_on_day": "1",
            "review_on_month": "6",
            "review_on_year": "2027",
        },
    )

    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == url(referral) + f"#alert-{alert.pk}"
    assert alert.category == "looked_after" and alert.review_on == dt.date(2027, 6, 1)
    assert alert.details == "Foster carer: Jo Example."


def test_a_mistake_shows_the_form_again_with_what_was_typed(client, referral, ot_user):
    client.force_login(ot_user)

    response = client.post(
        url(referral, "/new"),
        {"category": "risk_to_staff", "text": "", "details": "Large dog, barks at the door"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_text"' in page
    assert 'value="risk_to_staff" checked' in page and "Large dog, barks at the door</textarea>" in page
    assert not Alert.objects.exists()


def test_a_review_date_in_the_past_is_refused_on_the_page(client, referral, ot_user):
    alert = alert_on(referral, by=ot_user)
    client.force_login(ot_user)
    prefix = f"alert-{alert.pk}-review-review_on"

    response = client.post(
        url(referral, f"/{alert.pk}/review"), {f"{prefix}_day": "1", f"{prefix}_month": "1", f"{prefix}_year": "2027"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The review date must be after today" in page and 'value="2027"' in page
    assert Alert.objects.get().review_on == dt.date(2027, 9, 10)


def test_an_alert_is_reviewed_and_ended_from_the_page(client, referral, ot_user):
    alert = alert_on(referral, by=ot_user)
    client.force_login(ot_user)

    reviewed = client.post(url(referral, f"/{alert.pk}/review"), {})
    empty = client.post(url(referral, f"/{alert.pk}/end"), {f"alert-{alert.pk}-end-reason": ""})
    ended = client.post(url(referral, f"/{alert.pk}/end"), {f"alert-{alert.pk}-end-reason": "Dog rehomed"})

    assert reviewed.status_code == 302 and empty.status_code == 400
    assert "Give the reason the alert has ended" in empty.content.decode()
    assert ended.status_code == 302
    alert.refresh_from_db()
    assert alert.reviewed_by == ot_user and alert.end_reason == "Dog rehomed" and not alert.in_force


def test_an_auditor_reads_the_alerts_but_has_no_forms_and_may_not_post(client, referral, ot_user, auditor_user):
    alert = alert_on(referral, text=DOG, by=ot_user)
    client.force_login(auditor_user)

    page = page_of(client, url(referral))

    assert DOG in page and "Raise an alert" not in page and "end it" not in page
    assert client.post(url(referral, "/new"), {"category": "other", "text": "x"}).status_code == 403
    assert client.post(url(referral, f"/{alert.pk}/end"), {}).status_code == 403


def test_a_restricted_childs_alerts_page_is_not_found_by_staff_not_named(client, referral, ot_user, team_lead_user):
    alert = alert_on(referral, by=ot_user)
    restrict_record(child=referral.child, reason="Safeguarding (synthetic)", named_staff=[], by=team_lead_user)
    client.force_login(ot_user)

    assert client.get(url(referral)).status_code == 404
    assert client.post(url(referral, f"/{alert.pk}/end"), {"alert-1-end-reason": "x"}).status_code == 404


def test_an_alert_of_another_child_is_not_found_through_this_childs_page(client, referral, ot_user):
    other = alert_on(referral_in("accepted"), by=ot_user)
    client.force_login(ot_user)
    assert client.post(url(referral, f"/{other.pk}/review"), {}).status_code == 404
