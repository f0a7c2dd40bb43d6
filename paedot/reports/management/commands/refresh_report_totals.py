from django.core.management.base import BaseCommand

from paedot.reports.totals import refresh_totals


class Command(BaseCommand):
    help = (
        "Add up each ended month's contacts, reviews and month-end waiting list for the dashboard: the months whose "
        "totals are missing or out of date, or every month with --all. Safe to run at any time; the daily job runs "
        "it with --all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Remake every ended month's totals.")

    def handle(self, *args, **options):
        done = refresh_totals(everything=options["all"])
        seconds = done[0].seconds if done else 0
        self.stdout.write(f"Months totalled: {len(done)} in {seconds or 0:.1f} s.")
