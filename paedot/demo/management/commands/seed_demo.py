from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from paedot.demo import journeys, synthetic
from paedot.referrals.models import Referral
from paedot.waiting_list.models import Invitation


class Command(BaseCommand):
    help = (
        "Make synthetic demo staff and a service in full swing: referrals at every step of the journey, several "
        "hundred on the waiting list (idempotent: referrals are made only into an empty system)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--referrals", type=int, default=journeys.DEFAULT_COUNT, help="How many referrals to make in all."
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, referrals, seed, **options):
        staff = synthetic.make_staff()
        if synthetic.demo_referrals_exist():
            self.stdout.write("Referrals already exist; no demo referrals added.")
        else:
            started = time.monotonic()
            made = journeys.make_service(referrals, seed=seed, today=timezone.localdate())
            waiting = Referral.objects.on_waiting_list().count()
            no_reply = Invitation.objects.no_reply().count()
            self.stdout.write(
                f"Made {made} synthetic referrals in {time.monotonic() - started:.0f} s: {waiting} on the waiting "
                f"list, {no_reply} on the no-reply list."
            )
        if options["verbosity"] >= 1:
            self.stdout.write("")
            self.stdout.write("Demo staff sign-ins (synthetic accounts for this demo only):")
            for username, role, password in staff:
                self.stdout.write(f"  {username:<10} {role:<32} password: {password}")
            self.stdout.write(f"Demo partner-system API token (gp-system): {synthetic.DEMO_PARTNER_TOKEN}")
