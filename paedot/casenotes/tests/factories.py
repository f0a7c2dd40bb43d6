"""Referrals, appointments and notes for the notes tests. All synthetic."""

from __future__ import annotations

import datetime as dt

from paedot.appointments.models import Appointment
from paedot.appointments.tests.factories import clinic, london
from paedot.casenotes.services import write_note
from paedot.referrals.tests.factories import referral_in

TODAY = "2027-01-20 12:00 +00:00"  # a Wednesday
RECEIVED = dt.date(2027, 1, 4)


def seen_referral(**overrides):
    """A child seen by the service, referred on RECEIVED."""
    return referral_in("seen", received_date=RECEIVED, **overrides)


def appointment(referral, clinician, start=None, *, outcome="", cancelled=False, kind="treatment", minutes=45):
    """An appointment as it stands in the diary (made directly: booking rules are the appointments app's tests)."""
    start = start or london(2027, 1, 18, 10)
    return Appointment.objects.create(
        referral=referral,
        clinician=clinician,
        location=clinic(),
        kind=kind,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        booked_by=clinician,
        outcome=outcome,
        cancelled=cancelled,
    )


def telephone_note(referral, author, *, sign=True, body="Spoke to mum about pencil grip.", on=None):
    return write_note(
        referral=referral,
        contact_kind="telephone",
        contact_on=on or dt.date(2027, 1, 19),
        body=body,
        author=author,
        sign=sign,
    )
