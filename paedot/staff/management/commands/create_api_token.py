from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from paedot.staff.models import User
from paedot.staff.services import issue_api_token


class Command(BaseCommand):
    help = "Issue a bearer token for a user. The token is printed once; only its hash is kept."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'EMIS practice system'.")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {username!r}.")
        self.stdout.write(issue_api_token(user=user, name=name))
