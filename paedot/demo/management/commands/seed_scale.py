from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from paedot.demo.scale import birmingham_practices, clinicians_needed, load_history
from paedot.reports.totals import refresh_totals


class Command(BaseCommand):
    help = (
        "Add years of synthetic history in bulk, for benchmarks: referrals with their eligibility decisions, waits, "
        "appointments and outcomes, episodes, packages with goals, and reviews (COPY on PostgreSQL). About 10 "
        "appointments a referral; no audit events, letters or messages. Needs load_reference_data first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--referrals", type=int, required=True, help="How many referrals to add.")
        parser.add_argument("--years", type=int, default=10, help="Over how many years, ending today (default 10).")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, referrals, years, seed, **options):
        if referrals < 1 or years < 1:
            raise CommandError("--referrals and --years must be at least 1.")
        clinicians = sum(clinicians_needed(referrals, years, birmingham_practices()).values())
        self.stdout.write(
            f"Adding {referrals:,} referrals over {years} years, with {clinicians:,} synthetic OTs (scale-ot-...) ..."
        )
        result = load_history(referrals, seed=seed, years=years, progress=self.stdout.write)
        made = ", ".join(f"{count:,} {name}" for name, count in result.rows.items())
        self.stdout.write(self.style.SUCCESS(f"Done in {result.seconds:.0f} s: {made}."))
        # The history bypasses the signals that keep the dashboard's monthly totals honest: make them all again.
        totalled = refresh_totals(everything=True)
        self.stdout.write(f"Dashboard totals made for {len(totalled)} months.")
