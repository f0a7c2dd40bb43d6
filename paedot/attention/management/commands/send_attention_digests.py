from django.core.management.base import BaseCommand

from paedot.attention.services import send_attention_digests


class Command(BaseCommand):
    help = (
        "Email each team lead the counts of what is over the service's limits on the Needs attention list (no "
        "children's names). Run daily; running it twice on a day sends nothing twice."
    )

    def handle(self, *args, **options):
        sent = send_attention_digests()
        self.stdout.write(f"Team leads sent a digest: {sent}.")
