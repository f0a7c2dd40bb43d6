"""Things that need attention, for tests: a referral at a status on a date, a past appointment, an open flag, a
group session with children on its register. All synthetic; built on the referrals and appointments factories."""

from __future__ import annotations

import datetime as dt
from typing import Any

from paedot.appointments.models import Appointment, AttendanceFlag, Kind
from paedot.appointments.tests.factories import clinic, london
from paedot.groups.models import Enrolment, GroupAttendance, GroupProgramme
from paedot.referrals.models import PRIORITY_RANK, Priority, Referral
from paedot.referrals.tests.factories import make_referral, staff
from paedot.staff.services import create_staff_user

TODAY = dt.date(2027, 3, 10)  # a Wednesday
NOW = "2027-03-10 12:00 +00:00"


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def person(role: str, username: str, *, localities=(), email: str = ""):
    return create_staff_user(
        username=username,
        role=role,
        password="a-long-test-password-1",
        full_name=f"{username.title()} Person",
        email=email,
        localities=list(localities),
    )


def referral_at(
    status: str,
    *,
    received: dt.date,
    moved: dt.date | None = None,
    priority: str = "",
    clinician=None,
    locality: str | None = None,
    **overrides: Any,
) -> Referral:
    """A referral received on `received` and put straight into `status`, having moved there on `moved` (midday in
    London) when given: for tests where how it got there does not matter, only when."""
    referral = make_referral(received_date=received, **overrides)
    changes: dict[str, Any] = {
        "status": status,
        "priority": priority,
        "priority_rank": PRIORITY_RANK[Priority(priority)] if priority else None,
        "clinician": clinician,
        "status_changed_at": london(moved.year, moved.month, moved.day, 12) if moved else None,
    }
    if locality is not None:
        changes["locality"] = locality
    Referral.objects.filter(pk=referral.pk).update(**changes)
    referral.refresh_from_db()
    return referral


def appointment_for(referral: Referral | None, *, clinician, start: dt.datetime, minutes: int = 45, **fields):
    return Appointment.objects.create(
        referral=referral,
        clinician=clinician,
        location=clinic(),
        kind=fields.pop("kind", Kind.TREATMENT),
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        booked_by=staff("clinical_admin"),
        **fields,
    )


def open_flag(referral: Referral, *, raised: dt.date) -> AttendanceFlag:
    flag = AttendanceFlag.objects.create(
        referral=referral,
        reason="2 appointments in a row where the child was not brought. Review: missed appointments can be a "
        "safeguarding signal.",
    )
    AttendanceFlag.objects.filter(pk=flag.pk).update(created_at=london(raised.year, raised.month, raised.day, 10))
    flag.refresh_from_db()
    return flag


def group_session(*, clinician, start: dt.datetime, children: list[Referral], recorded: dict | None = None):
    """A group programme with one session and these children enrolled before it; `recorded` maps a referral to the
    outcome on the register."""
    programme = GroupProgramme.objects.create(
        name="Handwriting group",
        capacity=8,
        clinician=clinician,
        location=clinic(),
        created_by=clinician,
    )
    session = appointment_for(None, clinician=clinician, start=start, minutes=60, kind=Kind.GROUP, programme=programme)
    for child in children:
        enrolment = Enrolment.objects.create(programme=programme, referral=child, enrolled_by=clinician)
        Enrolment.objects.filter(pk=enrolment.pk).update(created_at=start - dt.timedelta(days=7))
    for child, outcome in (recorded or {}).items():
        GroupAttendance.objects.create(appointment=session, referral=child, outcome=outcome, recorded_by=clinician)
    return session


def failed_message(referral: Referral, *, queued: dt.date, channel: str = "email", status: str = "failed"):
    """A message to the child's parent or carer queued on `queued` (midday in London) that failed after every try."""
    from django.utils import timezone

    from paedot.notifications.models import Message

    message = Message.objects.create(
        channel=channel,
        recipient="parent@example.com" if channel == "email" else "07700900123",
        body="We have booked an appointment.",
        reference=f"appointment:{referral.pk}:booked:{queued.isoformat()}:{Message.objects.count()}",
        status=status,
        attempts=5,
        error="ConnectionRefusedError: refused",
        referral=referral,
        to_parent_carer=True,
    )
    when = dt.datetime.combine(queued, dt.time(12), tzinfo=timezone.get_current_timezone())
    Message.objects.filter(pk=message.pk).update(created_at=when)
    message.created_at = when
    return message
