"""Migration 0008 gives appointments already booked the time the family was told of, as the rule before it decided:
an open appointment whose time was to come when it was booked or last moved."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps

from paedot.appointments.models import Appointment
from paedot.appointments.services import book_appointment, cancel_appointment
from paedot.appointments.tests.factories import clinic, clinician_working, london
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db

migration = importlib.import_module("paedot.appointments.migrations.0008_family_last_told_start")


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_open_appointments_booked_to_come_are_taken_as_told_and_the_rest_are_not():
    ot = clinician_working()
    referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))

    def book(start, **kw):
        return book_appointment(
            referral=kw.pop("referral", referral),
            clinician=ot,
            kind=kw.pop("kind", "treatment"),
            location=clinic(),
            start=start,
            duration_minutes=45,
            booked_by=staff("clinical_admin"),
            **kw,
        )

    to_come = book(london(2027, 1, 11, 10))
    untold_then = book(london(2027, 1, 12, 10), notify=False)  # the old rule took these as told too
    booked_after = book(london(2026, 12, 14, 10))
    cancelled = book(london(2027, 1, 13, 10))
    cancel_appointment(appointment=cancelled, by="family", reason="Holiday", cancelled_by=staff("clinical_admin"))
    group = book(london(2027, 1, 14, 10), referral=None, kind="group", notify=False)
    Appointment.objects.update(family_last_told_start=None)  # as they were before the field

    migration.told_as_the_old_rule_decided(apps, None)

    told = dict(Appointment.objects.values_list("pk", "family_last_told_start"))
    assert told == {
        to_come.pk: london(2027, 1, 11, 10),
        untold_then.pk: london(2027, 1, 12, 10),
        booked_after.pk: None,
        cancelled.pk: None,
        group.pk: None,
    }
