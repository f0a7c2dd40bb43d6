from django.core.management.base import BaseCommand
from django.utils import timezone

from paedot.core.daily import next_run, schedule


class Command(BaseCommand):
    help = "Queue the daily jobs for the task worker (06:00 London), unless a run is already waiting."

    def handle(self, *args, **options):
        when = next_run(timezone.now())
        if schedule(after=when):
            self.stdout.write(f"Daily jobs queued for {when:%Y-%m-%d %H:%M %Z}.")
        else:
            self.stdout.write("Daily jobs already queued (or the task backend cannot wait); nothing to do.")
