"""Running the rota (paedot.diaries.rota): working patterns, leave and closure days, each audited, and only by the
people who run the rota; and what the diary then says about availability."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.appointments.tests.factories import clinic, clinician_working, london
from paedot.core.models import AuditEvent
from paedot.diaries import rota
from paedot.diaries.rules import availability_problems
from paedot.diaries.services import diary_for
from paedot.referrals.services.journey import NotAllowed
from paedot.referrals.tests.factories import staff

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 1, 11)


def codes(clinician, start: dt.datetime, minutes: int = 60) -> list[str]:
    day = start.date()
    end = start + dt.timedelta(minutes=minutes)
    return [p.code for p in availability_problems(start, end, diary_for(clinician, day, day))]


@pytest.mark.parametrize("role", ["ot", "ota", "auditor"])
def test_only_team_leads_and_admin_staff_change_the_rota(role):
    ot = clinician_working()
    someone = staff(role, f"{role}-rota")
    with pytest.raises(NotAllowed):
        rota.set_working_pattern(clinician=ot, days=[], changed_by=someone)
    with pytest.raises(NotAllowed):
        rota.add_absence(clinician=ot, starts_on=MONDAY, ends_on=MONDAY, reason="Leave", added_by=someone)
    with pytest.raises(NotAllowed):
        rota.add_closure_day(date=MONDAY, reason="Training", added_by=someone)
    assert not AuditEvent.objects.filter(action__startswith="diary.").exists()


def test_a_new_pattern_replaces_the_old_and_the_diary_follows_it():
    ot = clinician_working()
    lead = staff("team_lead", "lead-rota")
    assert codes(ot, london(2027, 1, 15, 10, 0)) == []  # works Fridays
    rota.set_working_pattern(
        clinician=ot,
        days=[
            rota.PatternDay(weekday=0, starts=dt.time(8), ends=dt.time(12), base=clinic()),
            rota.PatternDay(weekday=2, starts=dt.time(12), ends=dt.time(18)),
        ],
        changed_by=lead,
    )
    assert codes(ot, london(2027, 1, 11, 8, 0)) == []
    assert codes(ot, london(2027, 1, 11, 12, 0)) == ["outside_working_pattern"]
    assert codes(ot, london(2027, 1, 13, 17, 0)) == []
    assert codes(ot, london(2027, 1, 15, 10, 0)) == ["outside_working_pattern"]
    event = AuditEvent.objects.get(action="diary.working_pattern_changed")
    assert event.detail["after"] == [
        {"weekday": 0, "starts": "08:00", "ends": "12:00", "base": clinic().pk},
        {"weekday": 2, "starts": "12:00", "ends": "18:00", "base": None},
    ]


def test_a_pattern_with_a_day_twice_or_ending_before_it_starts_is_refused():
    ot = clinician_working()
    lead = staff("team_lead", "lead-rota")
    nine_to_five = rota.PatternDay(weekday=0, starts=dt.time(9), ends=dt.time(17))
    with pytest.raises(ValueError, match="each weekday at most once"):
        rota.set_working_pattern(clinician=ot, days=[nine_to_five, nine_to_five], changed_by=lead)
    with pytest.raises(ValueError, match="On Monday the end of the day must be after its start"):
        rota.set_working_pattern(
            clinician=ot, days=[rota.PatternDay(weekday=0, starts=dt.time(17), ends=dt.time(9))], changed_by=lead
        )
    assert ot.working_days.count() == 5


def test_a_clerk_has_no_working_pattern():
    lead = staff("team_lead", "lead-rota")
    with pytest.raises(ValueError, match="not a clinician"):
        rota.set_working_pattern(clinician=staff("clinical_admin", "clerk"), days=[], changed_by=lead)


def test_leave_makes_the_clinician_unavailable_until_it_is_removed():
    ot = clinician_working()
    admin = staff("clinical_admin", "admin-rota")
    absence = rota.add_absence(
        clinician=ot, starts_on=MONDAY, ends_on=dt.date(2027, 1, 12), reason=" Annual leave ", added_by=admin
    )
    assert absence.reason == "Annual leave"
    assert codes(ot, london(2027, 1, 12, 10, 0)) == ["clinician_absent"]
    assert codes(ot, london(2027, 1, 13, 10, 0)) == []
    rota.remove_absence(absence=absence, removed_by=admin)
    assert codes(ot, london(2027, 1, 12, 10, 0)) == []
    actions = list(
        AuditEvent.objects.filter(action__startswith="diary.").order_by("id").values_list("action", "reason")
    )
    assert actions == [("diary.absence_added", "Annual leave"), ("diary.absence_removed", "Annual leave")]


def test_leave_needs_a_reason_and_sensible_dates():
    ot = clinician_working()
    admin = staff("clinical_admin", "admin-rota")
    with pytest.raises(ValueError, match="Say what the absence is"):
        rota.add_absence(clinician=ot, starts_on=MONDAY, ends_on=MONDAY, reason=" ", added_by=admin)
    with pytest.raises(ValueError, match="on or after its first day"):
        rota.add_absence(
            clinician=ot, starts_on=MONDAY, ends_on=MONDAY - dt.timedelta(days=1), reason="x", added_by=admin
        )


def test_a_closure_day_stops_everyone_being_booked_and_cannot_be_added_twice():
    ot = clinician_working()
    lead = staff("team_lead", "lead-rota")
    closure = rota.add_closure_day(date=MONDAY, reason="Team training day", added_by=lead)
    assert codes(ot, london(2027, 1, 11, 10, 0)) == ["service_closed"]
    with pytest.raises(ValueError, match="already closed on 11 January 2027"):
        rota.add_closure_day(date=MONDAY, reason="Again", added_by=lead)
    rota.remove_closure_day(closure=closure, removed_by=lead)
    assert codes(ot, london(2027, 1, 11, 10, 0)) == []
    assert AuditEvent.objects.filter(action__in=["diary.closure_added", "diary.closure_removed"]).count() == 2
