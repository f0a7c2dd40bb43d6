"""Group programmes with sessions and children for tests. All synthetic."""

from __future__ import annotations

import datetime as dt

from paedot.appointments.tests.factories import clinic, clinician_working
from paedot.diaries.rules import LONDON
from paedot.groups.models import GroupProgramme
from paedot.groups.services import create_programme, enrol, schedule_sessions
from paedot.referrals.tests.factories import referral_in, staff

NOW = "2027-01-04 09:00 +00:00"  # a Monday


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 30) -> dt.datetime:
    """A wall-clock time in Birmingham (Europe/London); 09:30 unless told."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def handwriting_group(*, capacity: int = 8, clinician=None, room=None, name: str = "Handwriting group"):
    """A children's group run by an OT working Monday to Friday, 9 to 5, at Soho Health Centre."""
    return create_programme(
        name=name,
        description="Pencil grip, letter formation and scissor skills.",
        audience=GroupProgramme.Audience.CHILDREN,
        capacity=capacity,
        clinician=clinician or clinician_working(),
        location=clinic(),
        room=room,
        created_by=staff("ot", "ot-groups"),
    )


def with_sessions(programme, *, first=None, sessions: int = 3, **kw):
    """Weekly sessions from Monday 11 January 2027 at 09:30, an hour each."""
    return schedule_sessions(
        programme=programme,
        first_start=first or at(2027, 1, 11),
        sessions=sessions,
        interval_days=kw.pop("interval_days", 7),
        duration_minutes=kw.pop("duration_minutes", 60),
        override_reason=kw.pop("override_reason", ""),
        scheduled_by=kw.pop("scheduled_by", staff("ot", "ot-groups")),
    ).sessions


def enrolled_children(programme, count: int, status: str = "waiting"):
    referrals = [referral_in(status) for _ in range(count)]
    admin = staff("clinical_admin", "clerk-groups")
    for referral in referrals:
        enrol(programme=programme, referral=referral, enrolled_by=admin)
    return referrals
