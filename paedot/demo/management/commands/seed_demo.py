from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from paedot.demo import synthetic


class Command(BaseCommand):
    help = "Make synthetic demo staff and referrals (idempotent: referrals are made only into an empty system)."

    def add_arguments(self, parser):
        parser.add_argument("--referrals", type=int, default=240, help="How many referrals to make.")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, referrals, seed, **options):
        staff = synthetic.make_staff()
        if synthetic.demo_referrals_exist():
            self.stdout.write("Referrals already exist; no demo referrals added.")
        else:
            made = synthetic.make_referrals(referrals, seed=seed, today=timezone.localdate())
            self.stdout.write(f"Made {made} synthetic referrals.")
        if options["verbosity"] >= 1:
            self.stdout.write("")
            self.stdout.write("Demo staff sign-ins (synthetic accounts for this demo only):")
            for username, role, password in staff:
                self.stdout.write(f"  {username:<10} {role:<32} password: {password}")
            self.stdout.write(f"Demo partner-system API token (gp-system): {synthetic.DEMO_PARTNER_TOKEN}")
