"""Diary pages: who may see them, the week and day views in Europe/London time, the printable day list in travel
order, and running the rota (working pattern, leave, closure days), each audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paedot.appointments.services import book_appointment
from paedot.appointments.tests.factories import clinic, clinician_working, london
from paedot.core.models import AuditEvent
from paedot.diaries.models import Absence, ClosureDay, Location, LocationKind, Room, WorkingDay
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 1, 11)
TODAY = "2027-01-04 09:00 +00:00"


def book(referral, clinician, start, *, location=None, minutes=30, kind="treatment", room=None, override=""):
    return book_appointment(
        referral=referral,
        clinician=clinician,
        kind=kind,
        location=location or clinic(),
        room=room,
        start=start,
        duration_minutes=minutes,
        booked_by=staff("clinical_admin"),
        override_reason=override,
    )


def home() -> Location:
    return Location.objects.get(kind=LocationKind.HOME)


def signed_in(client, role: str, username: str | None = None):
    user = staff(role, username or f"{role}-viewer")
    client.force_login(user)
    return user


# --- Who may see what -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["auditor", "system_admin", "partner_system"])
def test_roles_without_diaries_are_refused_every_diary_page(client, role):
    clinician_working()
    signed_in(client, role)
    for path in [
        "/staff/diaries/",
        "/staff/diaries/clinicians/ot-diary/week",
        f"/staff/diaries/clinicians/ot-diary/day/{MONDAY}",
        f"/staff/diaries/clinicians/ot-diary/day/{MONDAY}/print",
        f"/staff/diaries/locations/{clinic().pk}/week",
        f"/staff/diaries/locations/{clinic().pk}/day/{MONDAY}",
    ]:
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("role", ["clinical_admin", "ot", "ota", "team_lead"])
def test_staff_who_book_and_deliver_appointments_see_the_diaries(client, role):
    clinician_working()
    signed_in(client, role)
    response = client.get("/staff/diaries/")
    assert response.status_code == 200
    assert b'data-clinician="ot-diary"' in response.content
    assert client.get("/staff/diaries/clinicians/ot-diary/week").status_code == 200


def test_the_header_shows_diaries_to_those_who_may_see_them(client):
    signed_in(client, "ota")
    assert b'href="/staff/diaries/"' in client.get("/staff/diaries/").content
    signed_in(client, "auditor")
    assert b'href="/staff/diaries/"' not in client.get("/staff/referrals/").content


@pytest.mark.parametrize("role", ["ot", "ota", "auditor"])
def test_only_team_leads_and_admin_staff_run_the_rota(client, role):
    clinician_working()
    signed_in(client, role)
    assert client.get("/staff/diaries/clinicians/ot-diary/working-pattern").status_code == 403
    assert client.get("/staff/diaries/clinicians/ot-diary/absences").status_code == 403
    assert client.get("/staff/diaries/closures").status_code == 403
    assert client.post("/staff/diaries/closures", {"date_day": "1"}).status_code == 403


def test_an_unknown_clinician_or_a_date_that_is_not_one_is_not_found(client):
    signed_in(client, "ot")
    assert client.get("/staff/diaries/clinicians/nobody/week").status_code == 404
    clinician_working()
    assert client.get("/staff/diaries/clinicians/ot-diary/day/2027-02-30").status_code == 404


# --- The week and the day ---------------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_the_week_shows_hours_leave_closures_bank_holidays_and_appointments_in_london_time(client):
    ot = clinician_working()
    WorkingDay.objects.filter(clinician=ot, weekday=0).update(base=clinic())
    Absence.objects.create(clinician=ot, starts_on=dt.date(2027, 3, 31), ends_on=dt.date(2027, 3, 31), reason="Leave")
    ClosureDay.objects.create(date=dt.date(2027, 4, 1), reason="Team training day")
    referral = referral_in("waiting")
    # After the clocks change (28 March 2027): 10:00 in London is 09:00 UTC.
    book(referral, ot, london(2027, 3, 30, 10, 0), kind="assessment", minutes=60)

    signed_in(client, "clinical_admin")
    response = client.get("/staff/diaries/clinicians/ot-diary/week?start=2027-03-31")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Week beginning Monday 29 March 2027" in page  # a date in the week shows its Monday
    assert "Bank holiday: Easter Monday" in page
    assert "09:00 to 17:00 at Soho Health Centre" in page
    assert "10:00 to 11:00" in page and referral.child.full_name in page and "Assessment" in page
    assert "Away: Leave" in page  # the people who run the rota see why
    assert "Service closed: Team training day" in page
    assert "Bank holiday: Good Friday" not in page  # that was the week before
    assert "?start=2027-03-22" in page and "?start=2027-04-05" in page


@time_machine.travel(TODAY, tick=False)
def test_colleagues_see_that_a_clinician_is_away_but_not_why(client):
    ot = clinician_working()
    Absence.objects.create(clinician=ot, starts_on=MONDAY, ends_on=MONDAY, reason="Sickness")
    signed_in(client, "ota")
    page = client.get(f"/staff/diaries/clinicians/ot-diary/week?start={MONDAY}").content.decode()
    assert "Away (leave, training or other absence)" in page
    assert "Sickness" not in page


@time_machine.travel(TODAY, tick=False)
def test_the_week_view_runs_the_same_number_of_queries_with_2_or_12_appointments(client):
    ot = clinician_working()
    signed_in(client, "ot")
    path = f"/staff/diaries/clinicians/ot-diary/week?start={MONDAY}"
    for hour in (9, 10):
        book(referral_in("waiting"), ot, london(2027, 1, 11, hour, 0))
    with CaptureQueriesContext(connection) as two:
        assert client.get(path).status_code == 200
    for day in range(12, 16):
        for hour in (9, 11, 14):
            if len(ot.appointments.all()) < 12:
                book(referral_in("waiting"), ot, london(2027, 1, day, hour, 0))
    assert ot.appointments.count() == 12
    with CaptureQueriesContext(connection) as twelve:
        response = client.get(path)
    assert response.content.decode().count('href="/staff/appointments/') == 12
    assert len(twelve.captured_queries) == len(two.captured_queries)


@time_machine.travel(TODAY, tick=False)
def test_a_places_week_runs_the_same_number_of_queries_however_busy(client):
    ot = clinician_working()
    signed_in(client, "clinical_admin")
    path = f"/staff/diaries/locations/{clinic().pk}/week?start={MONDAY}"
    book(referral_in("waiting"), ot, london(2027, 1, 11, 9, 0))
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).status_code == 200
    for day in range(12, 16):
        book(referral_in("waiting"), ot, london(2027, 1, day, 9, 0))
    with CaptureQueriesContext(connection) as five:
        assert client.get(path).content.decode().count('href="/staff/appointments/') == 5
    assert len(five.captured_queries) == len(one.captured_queries)


@time_machine.travel(TODAY, tick=False)
def test_the_day_view_links_to_the_days_either_side_and_the_printable_list(client):
    ot = clinician_working()
    book(referral_in("waiting"), ot, london(2027, 1, 11, 14, 0))
    signed_in(client, "ot")
    page = client.get(f"/staff/diaries/clinicians/ot-diary/day/{MONDAY}").content.decode()
    assert "Monday 11 January 2027" in page
    assert "14:00 to 14:30" in page
    assert "/staff/diaries/clinicians/ot-diary/day/2027-01-10" in page
    assert "/staff/diaries/clinicians/ot-diary/day/2027-01-12" in page
    assert f"/staff/diaries/clinicians/ot-diary/day/{MONDAY}/print" in page


@time_machine.travel(TODAY, tick=False)
def test_a_place_shows_everyone_booked_there_and_a_room_only_its_own(client):
    ot = clinician_working()
    other = clinician_working("ot", "ot-other")
    room_1 = Room.objects.create(location=clinic(), name="Room 1")
    room_2 = Room.objects.create(location=clinic(), name="Room 2")
    first, second = referral_in("waiting"), referral_in("waiting", child={"given_name": "Zara"})
    book(first, ot, london(2027, 1, 11, 9, 0), room=room_1)
    book(second, other, london(2027, 1, 11, 9, 0), room=room_2)
    WorkingDay.objects.filter(clinician=ot, weekday=0).update(base=clinic())
    signed_in(client, "clinical_admin")

    week = client.get(f"/staff/diaries/locations/{clinic().pk}/week?start={MONDAY}").content.decode()
    assert first.child.full_name in week and second.child.full_name in week
    assert "Ot Person, 09:00 to 17:00" in week  # who is based there that day

    room_week = client.get(f"/staff/diaries/locations/{clinic().pk}/week?start={MONDAY}&room={room_1.pk}")
    assert first.child.full_name in room_week.content.decode()
    assert second.child.full_name not in room_week.content.decode()

    day = client.get(f"/staff/diaries/locations/{clinic().pk}/day/{MONDAY}?room={room_2.pk}").content.decode()
    assert second.child.full_name in day and first.child.full_name not in day


# --- The printable day list -------------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_the_day_list_orders_visits_from_the_base_by_nearest_place_with_addresses(client):
    ot = clinician_working()
    signed_in(client, "ot", "ot-printer")
    # Booked in an order that zigzags across the city; the list goes from Soho Road (B21) outwards.
    far = referral_in("waiting", child={"given_name": "Far", "address": "1 Station Road", "postcode": "B23 6QA"})
    near = referral_in("waiting", child={"given_name": "Near", "address": "2 Soho Road", "postcode": "B21 9RA"})
    middle = referral_in("waiting", child={"given_name": "Middle", "address": "3 New Street", "postcode": "B1 1AA"})
    call = referral_in("waiting", child={"given_name": "Caller"})
    book(far, ot, london(2027, 1, 11, 9, 0), location=home(), kind="home_visit")
    book(middle, ot, london(2027, 1, 11, 11, 0), location=home(), kind="home_visit")
    book(near, ot, london(2027, 1, 11, 13, 0), location=home(), kind="home_visit")
    book(call, ot, london(2027, 1, 11, 15, 0), location=Location.objects.get(kind="telephone"), kind="telephone")

    response = client.get(f"/staff/diaries/clinicians/ot-diary/day/{MONDAY}/print")
    page = response.content.decode()
    assert response.status_code == 200
    assert "@media print" in page and ".nhsuk-header" in page
    assert "Starting from <strong>Soho Health Centre" in page
    stops = page.split("Telephone and video")[0]
    assert stops.index("Near Testchild") < stops.index("Middle Testchild") < stops.index("Far Testchild")
    assert "2 Soho Road, B21 9RA" in page and "1 Station Road, B23 6QA" in page
    assert "13:00 to 13:30" in page  # the booked time is kept
    assert "Booked earlier than the stop before it" in page
    assert "Caller Testchild" in page.split("Telephone and video")[1]


@time_machine.travel(TODAY, tick=False)
def test_the_day_list_groups_appointments_at_the_same_place_and_starts_from_the_days_base(client):
    ot = clinician_working()
    school = Location.objects.create(kind=LocationKind.SCHOOL, name="Example Primary", postcode="B1 1AA")
    WorkingDay.objects.filter(clinician=ot, weekday=0).update(base=school)
    book(referral_in("waiting"), ot, london(2027, 1, 11, 9, 0), location=clinic())
    book(referral_in("waiting"), ot, london(2027, 1, 11, 10, 0), location=school, kind="school_visit")
    book(referral_in("waiting"), ot, london(2027, 1, 11, 14, 0), location=school, kind="school_visit")
    signed_in(client, "ot")
    page = client.get(f"/staff/diaries/clinicians/ot-diary/day/{MONDAY}/print").content.decode()
    assert "Starting from <strong>Example Primary" in page
    assert page.count("Example Primary</h2>") == 1  # one stop, two appointments
    assert page.index("Example Primary</h2>") < page.index("Soho Health Centre</h2>")  # the base's stop first
    assert "10:00 to 10:30" in page and "14:00 to 14:30" in page


# --- Running the rota -------------------------------------------------------------------------------------------


def _pattern_post(**overrides) -> dict:
    data = {}
    for weekday in range(7):
        works = weekday < 4
        data |= {
            f"works_{weekday}": "yes" if works else "no",
            f"starts_{weekday}": "08:30" if works else "",
            f"ends_{weekday}": "16:00" if works else "",
            f"base_{weekday}": "",
        }
    data.update(overrides)
    return data


def test_a_team_lead_sets_a_weekly_working_pattern_and_it_is_audited(client):
    ot = clinician_working()
    lead = signed_in(client, "team_lead")
    form = client.get("/staff/diaries/clinicians/ot-diary/working-pattern")
    assert form.status_code == 200 and "Works on Monday?" in form.content.decode()
    response = client.post("/staff/diaries/clinicians/ot-diary/working-pattern", _pattern_post(base_0=str(clinic().pk)))
    assert response.status_code == 302
    days = list(WorkingDay.objects.filter(clinician=ot).order_by("weekday"))
    assert [d.weekday for d in days] == [0, 1, 2, 3]
    assert days[0].starts == dt.time(8, 30) and days[0].ends == dt.time(16) and days[0].base == clinic()
    event = AuditEvent.objects.get(action="diary.working_pattern_changed")
    assert event.actor == lead and event.object_id == str(ot.pk)
    assert len(event.detail["before"]) == 5 and len(event.detail["after"]) == 4


def test_a_working_day_ending_before_it_starts_is_refused_keeping_what_was_typed(client):
    ot = clinician_working()
    signed_in(client, "clinical_admin")
    response = client.post(
        "/staff/diaries/clinicians/ot-diary/working-pattern", _pattern_post(starts_1="15:00", ends_1="9.00")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "On Tuesday the end of the day must be after its start" in page
    assert 'value="15:00"' in page and 'value="9.00"' in page
    assert WorkingDay.objects.filter(clinician=ot).count() == 5  # unchanged
    bad_time = client.post("/staff/diaries/clinicians/ot-diary/working-pattern", _pattern_post(starts_2="25:00"))
    assert "Wednesday: starts must be a time on the 24-hour clock" in bad_time.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_leave_is_added_and_removed_audited_and_booked_appointments_are_pointed_out(client):
    ot = clinician_working()
    book(referral_in("waiting"), ot, london(2027, 1, 12, 10, 0))
    admin = signed_in(client, "clinical_admin")
    response = client.post(
        "/staff/diaries/clinicians/ot-diary/absences",
        {
            "starts_on_day": "11",
            "starts_on_month": "1",
            "starts_on_year": "2027",
            "ends_on_day": "15",
            "ends_on_month": "1",
            "ends_on_year": "2027",
            "reason": "Annual leave",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Absence added" in page
    assert "has 1 appointment booked in that time: move or cancel them" in page
    absence = Absence.objects.get(clinician=ot)
    assert (absence.starts_on, absence.ends_on, absence.reason) == (MONDAY, dt.date(2027, 1, 15), "Annual leave")
    added = AuditEvent.objects.get(action="diary.absence_added")
    assert added.actor == admin and added.reason == "Annual leave" and added.object_id == str(ot.pk)

    response = client.post(f"/staff/diaries/clinicians/ot-diary/absences/{absence.pk}/remove")
    assert response.status_code == 302
    assert not Absence.objects.filter(clinician=ot).exists()
    assert AuditEvent.objects.get(action="diary.absence_removed").detail["starts_on"] == "2027-01-11"


@time_machine.travel(TODAY, tick=False)
def test_leave_ending_before_it_starts_is_refused(client):
    clinician_working()
    signed_in(client, "team_lead")
    response = client.post(
        "/staff/diaries/clinicians/ot-diary/absences",
        {
            "starts_on_day": "15",
            "starts_on_month": "1",
            "starts_on_year": "2027",
            "ends_on_day": "11",
            "ends_on_month": "1",
            "ends_on_year": "2027",
            "reason": "Annual leave",
        },
    )
    assert response.status_code == 400
    assert "The last day away must be the same as or after the first day" in response.content.decode()
    assert not Absence.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_closure_days_are_added_and_removed_and_audited(client):
    lead = signed_in(client, "team_lead")
    page = client.get("/staff/diaries/closures").content.decode()
    assert "Easter Monday" in page  # bank holidays are listed, not added by hand
    data = {"date_day": "5", "date_month": "2", "date_year": "2027", "reason": "Team training day"}
    response = client.post("/staff/diaries/closures", data, follow=True)
    assert "The service is closed on Friday 5 February 2027" in response.content.decode()
    closure = ClosureDay.objects.get()
    event = AuditEvent.objects.get(action="diary.closure_added")
    assert event.actor == lead and event.reason == "Team training day"

    again = client.post("/staff/diaries/closures", data)
    assert again.status_code == 400 and "already closed" in again.content.decode()

    client.post(f"/staff/diaries/closures/{closure.pk}/remove")
    assert not ClosureDay.objects.exists()
    assert AuditEvent.objects.get(action="diary.closure_removed").detail == {"date": "2027-02-05"}
