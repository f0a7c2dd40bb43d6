"""The group pages: the list, setting up, booking sessions, enrolling from the waiting list, withdrawing and the
register; who may do what; and the same number of queries however many children."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paedot.appointments.models import Appointment
from paedot.appointments.services import book_appointment
from paedot.appointments.tests.factories import clinic, clinician_working
from paedot.groups.models import Enrolment, GroupAttendance, GroupProgramme
from paedot.groups.tests.factories import NOW, at, enrolled_children, handwriting_group, with_sessions
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in, staff
from paedot.staff.models import Role
from paedot.staff.rules import Action, may

pytestmark = pytest.mark.django_db

LIST = "/staff/groups/"
AFTER_THREE_SESSIONS = "2027-01-26 12:00 +00:00"


@pytest.fixture(autouse=True)
def early_january_2027():
    with time_machine.travel(NOW, tick=False):
        yield


def signed_in(client, role: str, username: str | None = None):
    client.force_login(staff(role, username or f"{role}-pages"))
    return client


def page(response) -> str:
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return response.content.decode()


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client.get(url))
    return len(captured)


def programme_url(programme, suffix: str = "") -> str:
    return f"/staff/groups/{programme.pk}/{suffix}"


class TestWhoMay:
    @pytest.mark.parametrize("role", ["auditor", "system_admin", "partner_system"])
    def test_roles_without_diaries_cannot_see_groups(self, client, role):
        programme = handwriting_group()
        signed_in(client, role)
        for url in (LIST, programme_url(programme), programme_url(programme, "enrol")):
            assert client.get(url).status_code == 403

    def test_signing_in_comes_first(self, client):
        assert client.get(LIST).status_code == 302

    @pytest.mark.parametrize("role", ["clinical_admin", "ota"])
    def test_admin_staff_and_assistants_cannot_set_up_groups(self, client, role):
        programme = handwriting_group()
        signed_in(client, role)
        assert client.get("/staff/groups/new").status_code == 403
        assert client.get(programme_url(programme, "sessions/new")).status_code == 403
        assert "Set up a group" not in page(client.get(LIST))
        assert "Book sessions" not in page(client.get(programme_url(programme)))

    def test_an_assistant_cannot_enrol_or_withdraw(self, client):
        programme = handwriting_group()
        enrolled_children(programme, 1)
        signed_in(client, "ota")
        assert client.get(programme_url(programme, "enrol")).status_code == 403
        assert client.post(programme_url(programme, "enrolments"), {"reference": "X"}).status_code == 403
        enrolment = Enrolment.objects.get()
        assert client.get(programme_url(programme, f"enrolments/{enrolment.pk}/withdraw")).status_code == 403
        assert "Withdraw" not in page(client.get(programme_url(programme)))

    @pytest.mark.parametrize("role", [r.value for r in Role])
    def test_the_groups_link_shows_for_exactly_the_roles_that_may_view_diaries(self, client, role):
        user = staff(role, f"{role}-nav")
        client.force_login(user)
        html = page(client.get("/"))  # the service page: every signed-in user sees the staff header there
        assert ('href="/staff/groups/"' in html) == may(user, Action.VIEW_DIARIES)


class TestList:
    def test_the_list_shows_places_enrolled_and_the_next_session(self, client):
        programme = handwriting_group(capacity=3)
        with_sessions(programme, sessions=2)
        enrolled_children(programme, 3)
        html = page(signed_in(client, "clinical_admin").get(LIST))
        assert "Handwriting group" in html and "Full" in html
        assert "11 January 2027 at 09:30" in html

    def test_the_list_takes_the_same_queries_however_many_groups(self, client):
        signed_in(client, "ot")
        first = handwriting_group()
        with_sessions(first, sessions=1)
        one = queries(client, LIST)
        for n in range(4):
            other = handwriting_group(clinician=clinician_working("ot", f"ot-list-{n}"), name=f"Group {n}")
            with_sessions(other, first=at(2027, 1, 12 + n), sessions=2)
            enrolled_children(other, 2)
        assert queries(client, LIST) == one


class TestSettingUp:
    def test_an_ot_sets_up_a_group_then_books_its_sessions(self, client):
        ot = clinician_working()
        signed_in(client, "ot", "ot-setter")
        response = client.post(
            "/staff/groups/new",
            {
                "name": "Handwriting group",
                "description": "",
                "audience": "children",
                "capacity": "6",
                "clinician": str(ot.pk),
                "location": str(clinic().pk),
                "room": "",
            },
        )
        programme = GroupProgramme.objects.get()
        assert response.status_code == 302 and response.url == programme_url(programme, "sessions/new")
        response = client.post(
            programme_url(programme, "sessions/new"),
            {
                "first_date_day": "8",
                "first_date_month": "3",
                "first_date_year": "2027",
                "start_time": "9:30",
                "sessions": "4",
                "interval_days": "7",
                "duration_minutes": "60",
                "override_reason": "",
            },
        )
        assert response.status_code == 302 and response.url == programme_url(programme)
        starts = list(programme.sessions.values_list("start", flat=True))
        assert starts == [at(2027, 3, 8), at(2027, 3, 15), at(2027, 3, 22), at(2027, 4, 5)]
        html = page(client.get(response.url))
        assert "4 sessions booked. Left out: 29 March 2027: bank holiday" in html
        assert "Monday 5 April 2027, 09:30 to 10:30" in html

    def test_sessions_at_a_school_after_the_school_holidays_held_are_booked_with_a_warning_callout(self, client):
        from paedot.diaries.models import Location, LocationKind

        school = Location.objects.create(kind=LocationKind.SCHOOL, name="Test Primary School", postcode="B21 9RY")
        programme = handwriting_group()
        GroupProgramme.objects.filter(pk=programme.pk).update(location=school)
        signed_in(client, "ot", "ot-setter")
        response = client.post(
            programme_url(programme, "sessions/new"),
            {
                "first_date_day": "4",
                "first_date_month": "9",
                "first_date_year": "2028",
                "start_time": "13:00",
                "sessions": "2",
                "interval_days": "7",
                "duration_minutes": "60",
                "override_reason": "",
            },
        )
        assert response.status_code == 302
        html = page(client.get(response.url))
        assert "2 sessions booked." in html
        assert "nhsuk-card--warning" in html
        assert "The school holidays held end on 31 August 2028: 2 sessions fall after that" in html

    def test_mistakes_are_shown_and_what_was_typed_is_kept(self, client):
        signed_in(client, "team_lead")
        html = page(client.post("/staff/groups/new", {"name": "Sensory workshop", "capacity": "0"}))
        assert "There is a problem" in html and "The number of places must be 1 or more" in html
        assert "Choose the clinician" in html and 'value="Sensory workshop"' in html
        assert not GroupProgramme.objects.exists()

    def test_a_clash_refuses_every_session_and_keeps_the_form(self, client):
        programme = handwriting_group()
        book_appointment(
            referral=referral_in("waiting"),
            clinician=programme.clinician,
            kind="assessment",
            location=clinic(),
            start=at(2027, 1, 18, 10, 0),
            duration_minutes=60,
            booked_by=staff("clinical_admin"),
        )
        signed_in(client, "ot")
        form = {
            "first_date_day": "11",
            "first_date_month": "1",
            "first_date_year": "2027",
            "start_time": "09:30",
            "sessions": "3",
            "interval_days": "7",
            "duration_minutes": "60",
        }
        html = page(client.post(programme_url(programme, "sessions/new"), form))
        assert "already has an appointment from 10:00 to 11:00 on Monday 18 January 2027" in html
        assert 'value="09:30"' in html
        assert not programme.sessions.exists()
        html = page(client.post(programme_url(programme, "sessions/new"), {**form, "start_time": "18:00"}))
        assert "outside the clinician&#39;s working hours" in html or "outside the clinician's working hours" in html
        response = client.post(
            programme_url(programme, "sessions/new"),
            {**form, "start_time": "18:00", "override_reason": "Evening group for working parents"},
        )
        assert response.status_code == 302 and programme.sessions.count() == 3


class TestEnrolling:
    def test_children_triaged_for_a_group_come_first_then_everyone_waiting(self, client):
        programme = handwriting_group()
        for_group, other = referral_in("waiting"), referral_in("invited")
        Referral.objects.filter(pk=for_group.pk).update(pathway="group")
        signed_in(client, "clinical_admin")
        html = page(client.get(programme_url(programme, "enrol")))
        assert for_group.reference in html and other.reference not in html
        html = page(client.get(programme_url(programme, "enrol") + "?show=all"))
        assert for_group.reference in html and other.reference in html

    def test_the_enrol_button_enrols_and_books_the_child(self, client):
        programme = handwriting_group(capacity=2)
        referral = referral_in("waiting")
        signed_in(client, "clinical_admin")
        response = client.post(programme_url(programme, "enrolments"), {"reference": referral.reference, "show": "all"})
        assert response.status_code == 302 and response.url == programme_url(programme, "enrol") + "?show=all"
        assert Enrolment.objects.filter(programme=programme, referral=referral).exists()
        assert Referral.objects.get(pk=referral.pk).status == "booked"
        html = page(client.get(response.url))
        assert f"{referral.reference} ({referral.child.full_name}) enrolled in Handwriting group. 1 place left." in html
        assert "<strong>0</strong> children on the waiting list" in html  # enrolled: off this list

    def test_a_full_group_refuses_with_a_reason(self, client):
        programme = handwriting_group(capacity=1)
        enrolled_children(programme, 1)
        late = referral_in("waiting")
        signed_in(client, "clinical_admin")
        html = page(client.post(programme_url(programme, "enrolments"), {"reference": late.reference}))
        assert "Handwriting group is full: its one place is taken" in html
        assert not Enrolment.objects.filter(referral=late).exists()

    def test_a_seen_child_can_be_enrolled_by_reference_and_unknown_ones_are_reported(self, client):
        programme = handwriting_group()
        seen = referral_in("seen")
        signed_in(client, "ot")
        html = page(client.post(programme_url(programme, "enrolments"), {"reference": "NOPE123"}))
        assert "No referral with reference NOPE123" in html and 'value="NOPE123"' in html
        response = client.post(programme_url(programme, "enrolments"), {"reference": seen.reference.lower()})
        assert response.status_code == 302
        assert Enrolment.objects.filter(referral=seen).exists()

    def test_a_child_not_on_the_waiting_list_is_refused(self, client):
        programme = handwriting_group()
        accepted = referral_in("accepted")
        signed_in(client, "clinical_admin")
        html = page(client.post(programme_url(programme, "enrolments"), {"reference": accepted.reference}))
        assert "only children on the waiting list, or already seen, can join a group" in html

    def test_withdrawing_needs_a_reason_and_frees_the_place(self, client):
        programme = handwriting_group(capacity=1)
        (referral,) = enrolled_children(programme, 1)
        enrolment = Enrolment.objects.get()
        url = programme_url(programme, f"enrolments/{enrolment.pk}/withdraw")
        signed_in(client, "clinical_admin")
        assert f"Withdraw {referral.child.full_name} from the group" in page(client.get(url))
        assert "Give the reason for withdrawing" in page(client.post(url, {"reason": ""}))
        response = client.post(url, {"reason": "Family moving to Leeds"})
        assert response.status_code == 302 and response.url == programme_url(programme)
        html = page(client.get(response.url))
        assert "withdrawn from Handwriting group: a place is free" in html
        assert "Family moving to Leeds" in html
        assert client.get(url).status_code == 404  # withdrawn once


def register_url(programme, session) -> str:
    return programme_url(programme, f"sessions/{session.pk}/")


class TestRegister:
    def test_the_programme_page_lists_sessions_and_children(self, client):
        programme = handwriting_group()
        with_sessions(programme)
        children = enrolled_children(programme, 2)
        html = page(signed_in(client, "ota").get(programme_url(programme)))
        assert "Monday 11 January 2027, 09:30 to 10:30" in html
        assert all(child.reference in html for child in children)

    def test_the_register_opens_when_the_session_starts(self, client):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        enrolled_children(programme, 2)
        html = page(signed_in(client, "ota").get(register_url(programme, sessions[0])))
        assert "The register opens when the session starts" in html and "Save the register" not in html

    def test_saving_the_register_records_every_child_and_stops_the_clock(self, client):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        came, missed, unknown = enrolled_children(programme, 3)
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            signed_in(client, "ota")
            html = page(client.get(register_url(programme, sessions[0])))
            assert html.count('value="attended"') == 3 and html.count('value="was_not_brought"') == 3
            response = client.post(
                register_url(programme, sessions[0]),
                {f"child-{came.pk}": "attended", f"child-{missed.pk}": "was_not_brought"},
            )
            assert response.status_code == 302
            html = page(client.get(response.url))
        assert "Attendance recorded for 2 children" in html
        assert html.count('value="attended"') == 1  # only the child still to record has radios
        outcomes = dict(GroupAttendance.objects.values_list("referral_id", "outcome"))
        assert outcomes == {came.pk: "attended", missed.pk: "was_not_brought"}
        assert Referral.objects.get(pk=came.pk).status == "seen"
        assert Referral.objects.get(pk=unknown.pk).status == "booked"
        assert Referral.objects.get(pk=came.pk).first_attended_on == dt.date(2027, 1, 11)

    def test_saving_with_nothing_chosen_says_so(self, client):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        enrolled_children(programme, 1)
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            signed_in(client, "ot")
            html = page(client.post(register_url(programme, sessions[0]), {}))
        assert "Choose what happened for at least one child" in html

    def test_an_auditor_cannot_save_a_register(self, client):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        (child,) = enrolled_children(programme, 1)
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            signed_in(client, "auditor")
            assert (
                client.post(register_url(programme, sessions[0]), {f"child-{child.pk}": "attended"}).status_code == 403
            )
        assert not GroupAttendance.objects.exists()

    def test_a_session_of_another_group_is_not_found(self, client):
        first, second = handwriting_group(), handwriting_group(clinician=clinician_working("ot", "ot-2"), name="B")
        session = with_sessions(first, sessions=1)[0]
        signed_in(client, "ot")
        assert client.get(register_url(second, session)).status_code == 404

    def test_the_register_and_programme_pages_take_the_same_queries_for_2_or_8_children(self, client):
        programme = handwriting_group(capacity=10)
        sessions = with_sessions(programme)
        enrolled_children(programme, 2)
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            signed_in(client, "ot")
            record = client.post  # a recorded outcome too, so both kinds of row are counted
            first = Enrolment.objects.order_by("pk").first().referral_id
            assert record(register_url(programme, sessions[0]), {f"child-{first}": "attended"}).status_code == 302
            register_two = queries(client, register_url(programme, sessions[0]))
            programme_two = queries(client, programme_url(programme))
            list_two = queries(client, LIST)
            enrolled_children(programme, 6)
            register_eight = queries(client, register_url(programme, sessions[0]))
            programme_eight = queries(client, programme_url(programme))
            list_eight = queries(client, LIST)
        assert Enrolment.objects.count() == 8
        assert (register_eight, programme_eight, list_eight) == (register_two, programme_two, list_two)
        assert Appointment.objects.filter(programme=programme).count() == 3


class TestSessionsInThePast:
    """Now is Monday 4 January 2027, 9am."""

    def schedule(self, client, programme, day: str, month: str, year: str, sessions: str, interval: str = "7"):
        return client.post(
            programme_url(programme, "sessions/new"),
            {
                "first_date_day": day,
                "first_date_month": month,
                "first_date_year": year,
                "start_time": "09:30",
                "sessions": sessions,
                "interval_days": interval,
                "duration_minutes": "60",
                "override_reason": "",
            },
            follow=True,
        )

    def test_sessions_booked_in_the_past_are_called_out_on_the_group_page_until_each_register_is_done(self, client):
        from paedot.groups.services import enrol, record_attendance

        programme = handwriting_group()
        child = referral_in("waiting", received_date=dt.date(2026, 10, 1))
        enrol(programme=programme, referral=child, enrolled_by=staff("clinical_admin", "clerk-groups"))
        signed_in(client, "ot", "ot-setter")

        # 21 December 2026 (gone), then 4 January 2027 at 09:30 (half an hour from now)
        response = self.schedule(client, programme, "21", "12", "2026", sessions="2", interval="14")

        assert response.redirect_chain == [(programme_url(programme), 302)]
        html = page(response)
        assert "2 sessions booked." in html
        assert 'id="warning-in_the_past"' in html and "Sessions booked in the past" in html
        said = "1 session of this group is in the past: Monday 21 December 2026."
        assert html.count(said) == 1  # called out once, not also as a message after booking
        assert "record who came on its register" in html
        assert "No reminder or other message is sent to the families in the group about it" in html

        # Once its register is done, the callout has done its job.
        past = programme.sessions.order_by("start").first()
        record_attendance(appointment=past, referral=child, outcome="attended", recorded_by=staff("ot", "ot-setter"))
        assert 'id="warning-in_the_past"' not in page(client.get(programme_url(programme)))

    def test_a_cancelled_session_booked_in_the_past_is_no_longer_called_out(self, client):
        from paedot.appointments.services import cancel_appointment

        programme = handwriting_group()
        signed_in(client, "ot", "ot-setter")
        html = page(self.schedule(client, programme, "14", "12", "2026", sessions="1"))
        assert "1 session of this group is in the past: Monday 14 December 2026." in html
        cancel_appointment(
            appointment=programme.sessions.get(), by="service", reason="Typed wrongly", cancelled_by=staff("ot")
        )
        assert 'id="warning-in_the_past"' not in page(client.get(programme_url(programme)))

    def test_sessions_to_come_are_not_called_out(self, client):
        programme = handwriting_group()
        signed_in(client, "ot", "ot-setter")
        html = page(self.schedule(client, programme, "4", "1", "2027", sessions="2"))  # 09:30 today, and a week on
        assert "2 sessions booked." in html and "warning-in_the_past" not in html


class TestWithdrawingTellsStaffTheFamilyIsSentNothing:
    def test_the_withdraw_page_says_before_and_after_that_the_family_is_sent_nothing(self, client):
        from paedot.notifications.models import Message

        programme = handwriting_group()
        with_sessions(programme)
        (referral,) = enrolled_children(programme, 1)
        url = programme_url(programme, f"enrolments/{Enrolment.objects.get().pk}/withdraw")
        signed_in(client, "clinical_admin")

        before = page(client.get(url))
        after = page(client.post(url, {"reason": "Family moving to Leeds"}, follow=True))

        assert (
            "No letter, email or text message is sent to the family about it, and they get no more reminders of the "
            "group&#39;s sessions: unless they already know, tell them yourself." in before
        )
        assert "withdrawn from Handwriting group: a place is free. No letter, email or text message was sent" in after
        assert not Message.objects.filter(referral=referral).exists()
