from django.core.management.base import BaseCommand

from paedot.appointments.messages import REMINDER_AHEAD, send_appointment_reminders


class Command(BaseCommand):
    help = (
        f"Queue a reminder (email and/or text) for each appointment starting in the next {REMINDER_AHEAD.days} days "
        "that has not had one. Run daily; running it twice sends nothing twice."
    )

    def handle(self, *args, **options):
        reminded = send_appointment_reminders()
        self.stdout.write(f"Families reminded: {reminded}.")
