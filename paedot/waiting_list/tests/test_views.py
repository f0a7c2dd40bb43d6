"""The waiting list's staff pages: the list, its filters and CSV export, inviting, and the invitations lists."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.utils import timezone

from paedot.letters.models import Kind, Letter
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in, staff
from paedot.waiting_list.models import Invitation
from paedot.waiting_list.services import invite_to_book, process_invitations
from paedot.waiting_list.tests.factories import days_ago, waiting_referral
from paedot.waiting_list.views import _safe_cell

pytestmark = pytest.mark.django_db

LIST = "/staff/waiting-list/"
CSV = "/staff/waiting-list/export.csv"
INVITATIONS = "/staff/waiting-list/invitations"
NO_REPLY = "/staff/waiting-list/no-reply"

# The list page's queries, whatever its length: the session, the user, the count of the filtered list, the page of
# rows (with child and clinician), and the two counts behind the expected wait.
LIST_QUERIES = 6


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows(html: str) -> list[str]:
    """The references in the table's rows, in order."""
    return re.findall(r'<a href="/staff/referrals/([A-Z0-9-]+)">', html)


def read_csv(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def signed_in(client, user):
    client.force_login(user)
    return client


# The list ------------------------------------------------------------------------------------------------------


def test_signing_in_is_needed(client):
    for url in (LIST, CSV, INVITATIONS, NO_REPLY):
        response = client.get(url)
        assert response.status_code == 302
        assert "/staff/sign-in" in response["Location"]


def test_a_partner_system_account_cannot_see_the_pages(client, partner_user):
    signed_in(client, partner_user)
    for url in (LIST, CSV, INVITATIONS, NO_REPLY):
        assert client.get(url).status_code == 403


def test_the_list_shows_every_waiting_child_in_order_with_what_staff_need(client, admin_user):
    routine = waiting_referral(priority="routine", received_date=days_ago(20), locality="East")
    urgent = waiting_referral(priority="urgent", received_date=days_ago(3), pathway="group", setting="school")
    invited = referral_in("invited")
    referral_in("accepted")

    html = page(signed_in(client, admin_user).get(LIST))

    assert rows(html) == [urgent.reference, routine.reference, invited.reference]
    assert "<strong>3</strong> children" in html
    assert urgent.child.full_name in html
    for text in ("Group", "School", "East", "20 days", "2 weeks", "2-4 weeks", "Waiting", "Invited to book"):
        assert text in html
    assert "Not allocated" in html
    assert "years" in html


def test_the_list_shows_the_expected_wait_for_a_new_referral_with_its_explanation(client, admin_user):
    referral_in("booked")
    referral_in("booked")
    waiting_referral()

    html = page(signed_in(client, admin_user).get(LIST))

    assert "A new routine referral received today can expect to wait about <strong>12 weeks</strong>" in html
    assert "This is an estimate: 1 child is ahead in the queue" in html


def test_with_nobody_leaving_the_queue_the_page_says_it_cannot_estimate(client, admin_user):
    waiting_referral()

    html = page(signed_in(client, admin_user).get(LIST))

    assert "No expected wait for a new referral yet" in html
    assert "We cannot estimate the wait yet" in html


def test_children_waiting_over_18_and_over_52_weeks_stand_out_not_by_colour_alone(client, admin_user):
    waiting_referral(received_date=days_ago(126))
    waiting_referral(received_date=days_ago(127))
    waiting_referral(received_date=days_ago(365))

    html = page(signed_in(client, admin_user).get(LIST))

    assert html.count('class="nhsuk-tag nhsuk-tag--orange"') == 1
    assert html.count('class="nhsuk-tag nhsuk-tag--red"') == 1
    assert '<span class="nhsuk-u-visually-hidden">Waiting over 18 weeks: </span>18-52 weeks' in html
    assert '<span class="nhsuk-u-visually-hidden">Waiting over 52 weeks: </span>52+ weeks' in html
    assert html.count("Waiting over") == 2  # the child at 126 days is not singled out


def test_the_filters_narrow_the_list_and_keep_their_values(client, admin_user):
    wanted = waiting_referral(locality="North", priority="urgent", pathway="group", setting="home")
    waiting_referral(locality="East", priority="urgent", pathway="group", setting="home")
    waiting_referral(locality="North", priority="routine", pathway="group", setting="home")

    html = page(signed_in(client, admin_user).get(LIST, {"locality": "North", "priority": "urgent", "setting": "home"}))

    assert rows(html) == [wanted.reference]
    assert "<strong>1</strong> child\n  match these filters" in html
    assert re.search(r'<option value="North"\s+selected', html)
    assert re.search(r'<option value="urgent"\s+selected', html)
    assert re.search(r'<option value="home"\s+selected', html)
    assert 'href="/staff/waiting-list/export.csv?locality=North&amp;priority=urgent&amp;setting=home"' in html
    assert "Clear filters" in html


def test_the_list_filters_by_age_and_band(client, admin_user):
    today = timezone.localdate()
    little = waiting_referral(date_of_birth=today - dt.timedelta(days=3 * 365), received_date=days_ago(200))
    waiting_referral(received_date=days_ago(200))
    waiting_referral(date_of_birth=today - dt.timedelta(days=3 * 365), received_date=days_ago(20))

    html = page(signed_in(client, admin_user).get(LIST, {"age_band": "0-4", "band": "18-52"}))

    assert rows(html) == [little.reference]


def test_a_filter_value_not_in_the_list_is_reported_and_left_out(client, admin_user):
    referral = waiting_referral()

    html = page(signed_in(client, admin_user).get(LIST, {"locality": "Atlantis"}))

    assert "There is a problem" in html
    assert '<a href="#id_locality"' in html
    assert "Choose a locality from the list" in html
    assert rows(html) == [referral.reference]
    assert "<title>Error: Waiting list" in html


def test_the_list_comes_50_a_page_and_the_pages_keep_the_filters(client, admin_user, ot_user):
    made = [waiting_referral(received_date=days_ago(200 - n), admin=admin_user, ot=ot_user) for n in range(51)]
    signed_in(client, admin_user)

    first = page(client.get(LIST, {"priority": "routine"}))
    second = page(client.get(LIST, {"priority": "routine", "page": 2}))
    beyond = page(client.get(LIST, {"priority": "routine", "page": 9}))

    assert rows(first) == [r.reference for r in made[:50]]
    assert rows(second) == [made[50].reference]
    assert rows(beyond) == rows(second)  # a page past the end shows the last page
    assert "showing 1 to 50" in first
    assert "showing 51 to 51" in second
    assert 'href="?priority=routine&amp;page=2"' in first
    assert "Page 1 of 2" in first


def test_a_page_number_that_is_not_a_number_shows_the_first_page(client, admin_user):
    referral = waiting_referral()

    assert rows(page(signed_in(client, admin_user).get(LIST, {"page": "last"}))) == [referral.reference]


@pytest.mark.parametrize("length", [3, 30])
def test_the_list_runs_the_same_number_of_queries_whatever_its_length(
    client, admin_user, ot_user, django_assert_num_queries, length
):
    for n in range(length):
        waiting_referral(received_date=days_ago(n * 13), admin=admin_user, ot=ot_user)
    Referral.objects.filter(pk__in=Referral.objects.values("pk")[:2]).update(clinician=ot_user)
    signed_in(client, admin_user)

    with django_assert_num_queries(LIST_QUERIES):
        html = page(client.get(LIST))

    assert len(rows(html)) == length


# Inviting ------------------------------------------------------------------------------------------------------


def test_staff_who_may_invite_see_the_button_on_waiting_rows_only(client, admin_user):
    waiting = waiting_referral()
    invited = referral_in("invited")

    html = page(signed_in(client, admin_user).get(LIST))

    assert f'action="/staff/waiting-list/{waiting.reference}/invite"' in html
    assert f'action="/staff/waiting-list/{invited.reference}/invite"' not in html
    assert html.count("Invite to book<span") == 1
    assert 'name="csrfmiddlewaretoken"' in html


def test_an_auditor_sees_the_list_without_buttons_and_may_not_invite(client, auditor_user):
    waiting = waiting_referral()
    referral_in("invited")
    signed_in(client, auditor_user)

    html = page(client.get(LIST))

    assert rows(html)
    assert "Invite to book<span" not in html
    assert "Family replied: booked<span" not in html
    assert client.post(f"/staff/waiting-list/{waiting.reference}/invite").status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == "waiting"


def test_inviting_sends_the_invitation_and_returns_to_the_same_filtered_page(client, admin_user):
    referral = waiting_referral(locality="North")
    signed_in(client, admin_user)
    back = f"{LIST}?locality=North"

    response = client.post(f"/staff/waiting-list/{referral.reference}/invite", {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    referral.refresh_from_db()
    assert referral.status == "invited"
    invitation = Invitation.objects.get(referral=referral)
    assert Letter.objects.filter(referral=referral, kind=Kind.INVITATION).count() == 1
    html = page(client.get(back))
    assert f"Invitation to book sent for {referral.reference}" in html
    assert "nhsuk-notification-banner--success" in html
    assert f"{invitation.deadline.day} {invitation.deadline:%B %Y}" in html


def test_inviting_a_child_already_invited_says_why_it_could_not_be_done(client, admin_user):
    referral = referral_in("invited")
    signed_in(client, admin_user)

    response = client.post(f"/staff/waiting-list/{referral.reference}/invite", follow=True)

    html = page(response)
    assert response.redirect_chain[-1][0] == LIST
    assert "That could not be done" in html
    assert Invitation.objects.filter(referral=referral).count() == 1


def test_inviting_never_redirects_to_another_site(client, admin_user):
    referral = waiting_referral()
    signed_in(client, admin_user)

    response = client.post(f"/staff/waiting-list/{referral.reference}/invite", {"next": "https://evil.example/"})

    assert response["Location"] == LIST


def test_inviting_from_the_referrals_page_returns_there(client, admin_user):
    referral = waiting_referral()
    signed_in(client, admin_user)
    referral_page = f"/staff/referrals/{referral.reference}"

    response = client.post(f"/staff/waiting-list/{referral.reference}/invite", HTTP_REFERER=referral_page)

    assert response["Location"] == referral_page


def test_inviting_an_unknown_reference_is_not_found(client, admin_user):
    assert signed_in(client, admin_user).post("/staff/waiting-list/OT-NOPE-NOPE/invite").status_code == 404


def test_inviting_needs_a_post(client, admin_user):
    referral = waiting_referral()

    assert signed_in(client, admin_user).get(f"/staff/waiting-list/{referral.reference}/invite").status_code == 405


def test_an_invited_child_can_be_marked_booked_from_the_list(client, ota_user):
    referral = referral_in("invited")
    signed_in(client, ota_user)
    html = page(client.get(LIST))
    assert f'action="/staff/waiting-list/{referral.reference}/book"' in html

    response = client.post(f"/staff/waiting-list/{referral.reference}/book", {"next": LIST})

    assert response["Location"] == LIST
    referral.refresh_from_db()
    assert referral.status == "booked"
    assert f"Booking recorded for {referral.reference}" in page(client.get(LIST))


# CSV -----------------------------------------------------------------------------------------------------------


def test_the_csv_has_every_matching_row_and_no_names(client, auditor_user, ot_user):
    urgent = waiting_referral(priority="urgent", received_date=days_ago(130), locality="North", setting="school")
    routine = waiting_referral(priority="routine", received_date=days_ago(5), locality="North")
    waiting_referral(locality="East")
    Referral.objects.filter(pk=urgent.pk).update(clinician=ot_user)

    response = signed_in(client, auditor_user).get(CSV, {"locality": "North"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="waiting-list-')
    assert response.streaming
    body = read_csv(response)
    assert list(body[0]) == [
        "reference",
        "priority",
        "pathway",
        "setting",
        "locality",
        "received_date",
        "days_waiting",
        "weeks_waiting",
        "band",
        "status",
        "clinician",
        "age_band",
    ]
    assert [row["reference"] for row in body] == [urgent.reference, routine.reference]
    assert body[0] | {"clinician": ""} == {
        "reference": urgent.reference,
        "priority": "urgent",
        "pathway": "package_of_care",
        "setting": "school",
        "locality": "North",
        "received_date": days_ago(130).isoformat(),
        "days_waiting": "130",
        "weeks_waiting": "18",
        "band": "18-52",
        "status": "waiting",
        "clinician": "",
        "age_band": "5-10",
    }
    assert body[0]["clinician"] == ot_user.display_name
    text = str(body)
    for personal in (urgent.child.given_name, urgent.child.family_name, urgent.child.date_of_birth.isoformat()):
        assert personal not in text


def test_the_csv_has_all_rows_not_just_a_page(client, admin_user, ot_user):
    for n in range(55):
        waiting_referral(received_date=days_ago(n), admin=admin_user, ot=ot_user)

    assert len(read_csv(signed_in(client, admin_user).get(CSV))) == 55


def test_the_csv_defuses_text_a_spreadsheet_would_run_as_a_formula(client, admin_user):
    referral = waiting_referral()
    clinician = staff("ot", username="formula-ot")
    clinician.first_name, clinician.last_name = '=HYPERLINK("http://evil.example")', "Smith"
    clinician.save()
    Referral.objects.filter(pk=referral.pk).update(clinician=clinician)

    [row] = read_csv(signed_in(client, admin_user).get(CSV))

    assert row["clinician"] == '\'=HYPERLINK("http://evil.example") Smith'


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("North", "North"),
        (130, 130),
    ],
)
def test_cells_that_start_like_a_formula_are_made_text(value, safe):
    assert _safe_cell(value) == safe


def test_the_page_says_the_csv_holds_no_names(client, admin_user):
    waiting_referral()

    html = page(signed_in(client, admin_user).get(LIST))

    assert "no names, NHS numbers or dates of birth" in html


# Invitations and no reply ----------------------------------------------------------------------------------------

SENT = dt.date(2025, 3, 3)


def at(day: int) -> dt.datetime:
    return dt.datetime(SENT.year, SENT.month, SENT.day, 9, tzinfo=dt.UTC) + dt.timedelta(days=day)


@pytest.fixture
def traveller():
    with time_machine.travel(at(0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def invitation(traveller):
    return invite_to_book(
        referral=waiting_referral(received_date=dt.date(2025, 1, 6)), invited_by=staff("clinical_admin")
    )


@pytest.fixture
def no_reply(invitation, traveller):
    traveller.move_to(at(15))
    process_invitations()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.NO_REPLY
    return invitation


def test_the_invitations_page_shows_sent_reminder_and_deadline(client, invitation, traveller, auditor_user):
    signed_in(client, auditor_user)
    html = page(client.get(INVITATIONS))
    assert rows(html) == [invitation.referral.reference]
    assert "3 March 2025" in html  # sent
    assert "due 10 March 2025" in html
    assert "17 March 2025" in html  # deadline
    assert "Not yet" in html

    traveller.move_to(at(7))
    process_invitations()
    signed_in(client, auditor_user)
    html = page(client.get(INVITATIONS))
    assert "Reminded" in html
    assert "on 10 March 2025" in html
    assert "Extend the deadline" not in html  # an auditor decides nothing
    assert "Family replied: booked" not in html


def test_after_the_deadline_the_child_moves_from_invitations_to_no_reply(client, no_reply, ot_user):
    signed_in(client, ot_user)

    assert rows(page(client.get(INVITATIONS))) == []
    html = page(client.get(NO_REPLY))
    assert rows(html) == [no_reply.referral.reference]
    assert "1 day overdue" in html
    assert "Discharge and send the letters" in html
    assert "Extend the deadline" in html


def test_a_clinician_discharges_a_child_whose_family_did_not_reply(client, no_reply, ot_user):
    signed_in(client, ot_user)
    prefix = f"i{no_reply.pk}-discharge"

    response = client.post(
        f"/staff/waiting-list/invitations/{no_reply.pk}/discharge", {f"{prefix}-reason": "No reply after reminder"}
    )

    assert response.status_code == 302
    assert response["Location"] == NO_REPLY
    referral = Referral.objects.get(pk=no_reply.referral_id)
    assert referral.status == "discharged"
    [letter] = Letter.objects.filter(referral=referral, kind=Kind.DISCHARGE)
    assert sorted(r["role"] for r in letter.recipients) == ["family", "gp", "referrer"]
    html = page(client.get(NO_REPLY))
    assert f"{referral.reference} discharged" in html
    assert rows(html) == []


def test_discharging_without_a_reason_shows_the_problem_and_keeps_the_page(client, no_reply, ot_user):
    signed_in(client, ot_user)
    prefix = f"i{no_reply.pk}-discharge"

    response = client.post(f"/staff/waiting-list/invitations/{no_reply.pk}/discharge", {f"{prefix}-reason": "  "})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#id_{prefix}-reason"' in html
    assert "Give the reason for discharge" in html
    assert "<title>Error: No reply to the invitation" in html
    assert re.search(r"<details[^>]*open", html)
    no_reply.refresh_from_db()
    assert no_reply.state == Invitation.State.NO_REPLY


def test_a_clinician_gives_the_family_longer_to_reply(client, no_reply, ot_user):
    signed_in(client, ot_user)
    prefix = f"i{no_reply.pk}-extend"

    response = client.post(
        f"/staff/waiting-list/invitations/{no_reply.pk}/extend",
        {f"{prefix}-days": "7", f"{prefix}-reason": "Dad phoned, away until next week", "next": NO_REPLY},
    )

    assert response["Location"] == NO_REPLY
    no_reply.refresh_from_db()
    assert no_reply.state == Invitation.State.OPEN
    assert no_reply.deadline == dt.date(2025, 3, 25)  # 7 days from today (day 15), as the deadline has passed
    html = page(client.get(NO_REPLY))
    assert f"Deadline for {no_reply.referral.reference} extended" in html
    assert "25 March 2025" in html
    assert rows(page(client.get(INVITATIONS))) == [no_reply.referral.reference]


def test_an_extension_with_problems_keeps_what_was_typed(client, no_reply, ot_user):
    signed_in(client, ot_user)
    prefix = f"i{no_reply.pk}-extend"

    response = client.post(
        f"/staff/waiting-list/invitations/{no_reply.pk}/extend",
        {f"{prefix}-days": "a week", f"{prefix}-reason": "Family asked for <more> time"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The number of days must be a whole number, like 7" in html
    assert 'value="a week"' in html
    assert "Family asked for &lt;more&gt; time" in html
    no_reply.refresh_from_db()
    assert no_reply.state == Invitation.State.NO_REPLY


def test_an_extension_beyond_90_days_is_refused_with_a_message(client, no_reply, ot_user):
    signed_in(client, ot_user)
    prefix = f"i{no_reply.pk}-extend"

    response = client.post(
        f"/staff/waiting-list/invitations/{no_reply.pk}/extend", {f"{prefix}-days": "120", f"{prefix}-reason": "x"}
    )

    assert response.status_code == 400
    assert "Extend by 90 days or fewer" in response.content.decode()


def test_clinical_admin_staff_cannot_decide_on_no_reply(client, no_reply, admin_user):
    signed_in(client, admin_user)

    html = page(client.get(NO_REPLY))
    assert "Discharge and send the letters" not in html
    assert "Only OTs and team leads may decide" in html
    prefix = f"i{no_reply.pk}-discharge"
    response = client.post(f"/staff/waiting-list/invitations/{no_reply.pk}/discharge", {f"{prefix}-reason": "x"})
    assert response.status_code == 403
    assert Referral.objects.get(pk=no_reply.referral_id).status == "invited"


def test_discharging_an_invitation_still_open_is_refused_with_a_message_not_an_error_page(client, invitation, ot_user):
    signed_in(client, ot_user)
    prefix = f"i{invitation.pk}-discharge"

    response = client.post(
        f"/staff/waiting-list/invitations/{invitation.pk}/discharge", {f"{prefix}-reason": "x"}, follow=True
    )

    html = page(response)
    assert "That could not be done" in html
    assert "Only an invitation with no reply by its deadline" in html
    assert Referral.objects.get(pk=invitation.referral_id).status == "invited"


def test_the_family_replied_late_and_booked(client, no_reply, admin_user):
    signed_in(client, admin_user)
    prefix = f"i{no_reply.pk}-booking"

    response = client.post(
        f"/staff/waiting-list/{no_reply.referral.reference}/book",
        {f"{prefix}-note": "Booked for 1 April", "next": NO_REPLY},
    )

    assert response["Location"] == NO_REPLY
    assert Referral.objects.get(pk=no_reply.referral_id).status == "booked"
    no_reply.refresh_from_db()
    assert no_reply.state == Invitation.State.REPLIED


def test_an_unknown_invitation_is_not_found(client, ot_user):
    assert signed_in(client, ot_user).post("/staff/waiting-list/invitations/999999/extend").status_code == 404


@pytest.mark.parametrize("length", [2, 12])
def test_the_invitations_page_runs_the_same_number_of_queries_whatever_its_length(
    client, ot_user, admin_user, django_assert_num_queries, length
):
    for _ in range(length):
        invite_to_book(referral=waiting_referral(admin=admin_user, ot=ot_user), invited_by=admin_user)
    signed_in(client, ot_user)

    with django_assert_num_queries(4):  # session, user, count, the page of invitations with referral and child
        html = page(client.get(INVITATIONS))

    assert len(rows(html)) == length
