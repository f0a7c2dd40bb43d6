from django.core.management.base import BaseCommand

from paedot.notifications.tasks import requeue_stalled


class Command(BaseCommand):
    help = (
        "Queue again any message still waiting long after its last try (a worker stopped mid-send, or the process "
        "ended between saving a message and queueing it). Safe to run at any time; run daily."
    )

    def handle(self, *args, **options):
        count = requeue_stalled()
        self.stdout.write(f"Messages queued again: {count}.")
