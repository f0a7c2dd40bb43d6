from django.core.management.base import BaseCommand

from paedot.waiting_list.services import process_invitations


class Command(BaseCommand):
    help = "Send invitation reminders at half time and move unanswered invitations to the no-reply list. Run daily."

    def handle(self, *args, **options):
        run = process_invitations()
        self.stdout.write(f"Reminders sent: {run.reminders_sent}. No reply by the deadline: {run.marked_no_reply}.")
