"""The groups API: list, set up, book sessions, enrol and record attendance; 401, 403, 404, 409 and 400."""

from __future__ import annotations

import pytest
import time_machine

from paedot.appointments.models import AttendanceFlag
from paedot.appointments.tests.factories import clinic, clinician_working
from paedot.groups.models import Enrolment, GroupAttendance, GroupProgramme
from paedot.groups.tests.factories import NOW, enrolled_children, handwriting_group, with_sessions
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in, staff
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db

AFTER_THREE_SESSIONS = "2027-01-26 12:00 +00:00"


@pytest.fixture(autouse=True)
def early_january_2027():
    with time_machine.travel(NOW, tick=False):
        yield


def token_for(role: str) -> str:
    return issue_api_token(user=staff(role, f"{role}-groups-api"), name="t")


def post(client, path: str, body: dict, role: str = "clinical_admin", token: str | None = None):
    token = token or token_for(role)
    return client.post(path, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def get(client, path: str, role: str = "clinical_admin"):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token_for(role)}")


def new_group(**overrides) -> dict:
    clinician_working()
    return {
        "name": "Handwriting group",
        "description": "Pencil grip and letter formation.",
        "audience": "children",
        "capacity": 6,
        "clinician": "ot-diary",
        "location": clinic().pk,
        **overrides,
    }


SESSIONS = {"first_start": "2027-03-08T09:30:00+00:00", "sessions": 4, "interval_days": 7, "duration_minutes": 60}


class TestProgrammes:
    def test_an_ot_sets_up_a_group_books_its_sessions_and_it_is_listed(self, client):
        response = post(client, "/api/groups", new_group(), role="ot")
        assert response.status_code == 201, response.content
        programme = response.json()
        assert programme["capacity"] == 6 and programme["places_left"] == 6 and programme["sessions"] == []
        response = post(client, f"/api/groups/{programme['id']}/sessions", SESSIONS, role="ot")
        assert response.status_code == 201, response.content
        body = response.json()
        assert [s["start"] for s in body["sessions"]] == [
            "2027-03-08T09:30:00+00:00",
            "2027-03-15T09:30:00+00:00",
            "2027-03-22T09:30:00+00:00",
            "2027-04-05T09:30:00+01:00",  # Easter Monday left out; the clocks have gone forward
        ]
        assert body["skipped"] == [{"date": "2027-03-29", "why": "bank holiday (Easter Monday)"}]
        (listed,) = get(client, "/api/groups", role="ota").json()
        assert listed["name"] == "Handwriting group" and len(listed["sessions"]) == 4

    def test_sessions_at_a_school_after_the_school_holidays_held_come_with_warnings_and_the_same_fields(self, client):
        from paedot.diaries.models import Location, LocationKind

        school = Location.objects.create(kind=LocationKind.SCHOOL, name="Test Primary School", postcode="B21 9RY")
        programme = post(client, "/api/groups", new_group(location=school.pk), role="ot").json()
        late = {"first_start": "2028-08-28T13:00:00+01:00", "sessions": 2, "interval_days": 7, "duration_minutes": 60}

        response = post(client, f"/api/groups/{programme['id']}/sessions", late, role="ot")

        assert response.status_code == 201, response.content
        body = response.json()
        assert list(body) == ["sessions", "skipped", "warnings"]
        assert [s["start"][:10] for s in body["sessions"]] == ["2028-09-04", "2028-09-11"]
        assert body["skipped"] == [{"date": "2028-08-28", "why": "school holiday (Summer holiday)"}]
        (warning,) = body["warnings"]
        assert warning["code"] == "after_school_calendar" and warning["dates"] == ["2028-09-04", "2028-09-11"]
        clinic_group = post(client, "/api/groups", new_group(name="At the clinic"), role="ot").json()
        at_clinic = post(
            client,
            f"/api/groups/{clinic_group['id']}/sessions",
            {**late, "first_start": "2028-09-18T13:00:00+01:00"},
            role="ot",
        )
        assert at_clinic.status_code == 201, at_clinic.content
        assert at_clinic.json()["warnings"] == []

    def test_sessions_booked_in_the_past_come_with_an_in_the_past_warning_and_the_same_fields(self, client):
        from paedot.notifications.models import Message

        programme = post(client, "/api/groups", new_group(), role="ot").json()
        # 21 December 2026 has happened; 4 January 2027 at 09:30 is half an hour from now.
        past = {"first_start": "2026-12-21T09:30:00+00:00", "sessions": 2, "interval_days": 14}

        response = post(client, f"/api/groups/{programme['id']}/sessions", past, role="ot")

        assert response.status_code == 201, response.content
        body = response.json()
        assert list(body) == ["sessions", "skipped", "warnings"]
        assert [s["start"][:10] for s in body["sessions"]] == ["2026-12-21", "2027-01-04"]
        (warning,) = body["warnings"]
        assert warning["code"] == "in_the_past" and warning["dates"] == ["2026-12-21"]
        assert warning["message"].startswith("1 session of this group is in the past: Monday 21 December 2026.")
        assert "No reminder or other message is sent to the families in the group" in warning["message"]
        assert not Message.objects.exists()

    def test_the_sessions_schema_documents_the_in_the_past_warning(self, client):
        components = client.get("/api/openapi.json").json()["components"]["schemas"]
        assert "`in_the_past`" in components["SessionsOut"]["properties"]["warnings"]["description"]

    def test_without_a_token_it_is_401(self, client):
        assert client.get("/api/groups").status_code == 401
        assert client.post("/api/groups", data={}, content_type="application/json").status_code == 401

    @pytest.mark.parametrize("role", ["partner_system", "auditor"])
    def test_roles_without_diaries_cannot_list_groups(self, client, role):
        assert get(client, "/api/groups", role=role).status_code == 403

    @pytest.mark.parametrize("role", ["clinical_admin", "ota"])
    def test_only_ots_and_team_leads_set_up_groups_and_book_sessions(self, client, role):
        assert post(client, "/api/groups", new_group(), role=role).status_code == 403
        programme = handwriting_group()
        assert post(client, f"/api/groups/{programme.pk}/sessions", SESSIONS, role=role).status_code == 403
        assert not GroupProgramme.objects.exclude(pk=programme.pk).exists()

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"capacity": 0}, "capacity"),
            ({"clinician": "nobody"}, "clinician"),
            ({"location": 99999}, "location"),
            ({"audience": "teachers"}, "audience"),
            ({"name": ""}, "name"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, client, change, field):
        response = post(client, "/api/groups", new_group(**change), role="ot")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == field

    def test_an_unknown_group_is_404(self, client):
        assert post(client, "/api/groups/99999/sessions", SESSIONS, role="ot").status_code == 404

    def test_sessions_that_clash_are_409_and_outside_hours_422_unless_a_reason_is_given(self, client):
        programme = handwriting_group()
        with_sessions(programme)
        clash = post(
            client,
            f"/api/groups/{programme.pk}/sessions",
            {**SESSIONS, "first_start": "2027-01-18T10:00:00+00:00"},
            role="ot",
        )
        assert clash.status_code == 409 and "already has an appointment" in clash.json()["message"]
        evening = {**SESSIONS, "first_start": "2027-03-08T18:00:00+00:00"}
        assert post(client, f"/api/groups/{programme.pk}/sessions", evening, role="ot").status_code == 422
        allowed = post(
            client, f"/api/groups/{programme.pk}/sessions", {**evening, "override_reason": "Evening group"}, role="ot"
        )
        assert allowed.status_code == 201

    def test_a_time_without_a_zone_is_400(self, client):
        programme = handwriting_group()
        response = post(
            client,
            f"/api/groups/{programme.pk}/sessions",
            {**SESSIONS, "first_start": "2027-03-08T09:30:00"},
            role="ot",
        )
        assert response.status_code == 400


class TestEnrolments:
    def test_enrolling_a_waiting_child_books_them(self, client):
        programme = handwriting_group(capacity=2)
        referral = referral_in("waiting")
        response = post(client, f"/api/groups/{programme.pk}/enrolments", {"referral": referral.reference})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["referral"] == referral.reference and body["referral_status"] == "booked"
        assert body["places_left"] == 1
        assert Enrolment.objects.filter(programme=programme, referral=referral).exists()

    def test_full_already_enrolled_and_not_waiting_are_409(self, client):
        programme = handwriting_group(capacity=1)
        (enrolled,) = enrolled_children(programme, 1)
        url = f"/api/groups/{programme.pk}/enrolments"
        again = post(client, url, {"referral": enrolled.reference})
        assert again.status_code == 409 and "already enrolled" in again.json()["message"]
        full = post(client, url, {"referral": referral_in("waiting").reference})
        assert full.status_code == 409 and "is full" in full.json()["message"]
        other = handwriting_group(clinician=clinician_working("ot", "ot-other"), name="Sensory group")
        closed = post(client, f"/api/groups/{other.pk}/enrolments", {"referral": referral_in("discharged").reference})
        assert closed.status_code == 409 and "only children on the waiting list" in closed.json()["message"]

    def test_an_unknown_referral_or_group_is_404(self, client):
        programme = handwriting_group()
        assert post(client, f"/api/groups/{programme.pk}/enrolments", {"referral": "OT-NOPE"}).status_code == 404
        assert (
            post(client, "/api/groups/99999/enrolments", {"referral": referral_in("waiting").reference}).status_code
            == 404
        )

    def test_an_assistant_cannot_enrol(self, client):
        programme = handwriting_group()
        referral = referral_in("waiting")
        response = post(client, f"/api/groups/{programme.pk}/enrolments", {"referral": referral.reference}, role="ota")
        assert response.status_code == 403

    def test_a_missing_referral_is_400(self, client):
        assert post(client, f"/api/groups/{handwriting_group().pk}/enrolments", {}).status_code == 400


class TestAttendance:
    def test_attending_stops_the_clock_and_two_missed_raise_the_flag(self, client):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        came, missed = enrolled_children(programme, 2)
        token = token_for("ota")
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            for session in sessions[:2]:
                url = f"/api/groups/sessions/{session.pk}/attendance"
                assert (
                    post(client, url, {"referral": came.reference, "outcome": "attended"}, token=token).status_code
                    == 200
                )
                response = post(client, url, {"referral": missed.reference, "outcome": "was_not_brought"}, token=token)
                assert response.status_code == 200, response.content
        assert response.json()["referral_status"] == "booked"
        assert Referral.objects.get(pk=came.pk).status == "seen"
        assert AttendanceFlag.objects.filter(referral=missed).count() == 1
        assert GroupAttendance.objects.count() == 4

    def test_before_the_session_or_for_a_child_not_enrolled_it_is_409(self, client):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        (child,) = enrolled_children(programme, 1)
        url = f"/api/groups/sessions/{sessions[0].pk}/attendance"
        early = post(client, url, {"referral": child.reference, "outcome": "attended"})
        assert early.status_code == 409 and "has not started yet" in early.json()["message"]
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            stranger = post(client, url, {"referral": referral_in("waiting").reference, "outcome": "attended"})
            assert stranger.status_code == 409 and "not enrolled" in stranger.json()["message"]

    def test_a_bad_outcome_is_400_and_an_unknown_session_404(self, client):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        (child,) = enrolled_children(programme, 1)
        url = f"/api/groups/sessions/{sessions[0].pk}/attendance"
        assert post(client, url, {"referral": child.reference, "outcome": "cancelled_by_service"}).status_code == 400
        assert (
            post(client, "/api/groups/sessions/99999/attendance", {"referral": child.reference, "outcome": "attended"})
        ).status_code == 404

    def test_an_auditor_cannot_record_attendance(self, client):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        (child,) = enrolled_children(programme, 1)
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            response = post(
                client,
                f"/api/groups/sessions/{sessions[0].pk}/attendance",
                {"referral": child.reference, "outcome": "attended"},
                role="auditor",
            )
        assert response.status_code == 403
