from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from paedot.appointments.models import Appointment, AppointmentSeries
from paedot.demo import diaries, journeys, synthetic
from paedot.groups.models import GroupProgramme
from paedot.referrals.models import Referral
from paedot.waiting_list.models import Invitation


class Command(BaseCommand):
    help = (
        "Make synthetic demo staff and a service in full swing: referrals at every step of the journey, several "
        "hundred on the waiting list, the team's working patterns and diaries with assessments, blocks of "
        "treatment and group programmes (idempotent: referrals and appointments are made only into an empty "
        "system)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--referrals", type=int, default=journeys.DEFAULT_COUNT, help="How many referrals to make in all."
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, referrals, seed, **options):
        staff = synthetic.make_staff()
        today = timezone.localdate()
        if synthetic.demo_referrals_exist():
            # A demo made before the diaries existed gets the working patterns (idempotent), nothing else.
            diaries.make_rota(today=today)
            self.stdout.write("Referrals already exist; no demo referrals added.")
        else:
            started = time.monotonic()
            made = journeys.make_service(referrals, seed=seed, today=today)
            waiting = Referral.objects.on_waiting_list().count()
            no_reply = Invitation.objects.no_reply().count()
            monday = diaries.monday_of(today)
            coming = Appointment.objects.filter(
                start__gte=dt.datetime.combine(monday, dt.time(), tzinfo=diaries.LONDON),
                start__lt=dt.datetime.combine(monday + dt.timedelta(days=14), dt.time(), tzinfo=diaries.LONDON),
            )
            self.stdout.write(
                f"Made {made} synthetic referrals in {time.monotonic() - started:.0f} s: {waiting} on the waiting "
                f"list, {no_reply} on the no-reply list; {Appointment.objects.count()} appointments "
                f"({coming.count()} this week and next), {AppointmentSeries.objects.count()} blocks of treatment "
                f"and {GroupProgramme.objects.count()} group programmes."
            )
        if options["verbosity"] >= 1:
            self.stdout.write("")
            self.stdout.write("Demo staff sign-ins (synthetic accounts for this demo only):")
            for username, role, password in staff:
                self.stdout.write(f"  {username:<10} {role:<32} password: {password}")
            self.stdout.write(f"Demo partner-system API token (gp-system): {synthetic.DEMO_PARTNER_TOKEN}")
            self.stdout.write(
                "Two-factor code for a demo account: .venv/bin/python manage.py demo_two_factor_code <username> "
                "(or add the demo key OBQW KZDP OQWW IZLN N4WT EZTB FVVW K6JB to an authenticator app)"
            )
