from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from paedot.staff.models import Locality, Role, User
from paedot.staff.services import create_staff_user


class Command(BaseCommand):
    help = "Create a staff user or partner-system account with a role."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", default="", help="Full name, shown on pages.")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", default=None, help="Password (asked for when omitted and a terminal is attached)."
        )
        parser.add_argument("--no-password", action="store_true", help="No sign-in; for partner systems.")
        parser.add_argument(
            "--locality",
            action="append",
            choices=Locality.values,
            default=[],
            help="A locality the person works in; repeat for more than one.",
        )
        parser.add_argument(
            "--supervisor", default="", help="For an OT assistant: the username of their supervising OT."
        )

    def handle(self, *args, username, role, name, email, password, no_password, locality, supervisor, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called {username!r} already exists.")
        supervising = None
        if supervisor:
            supervising = User.objects.filter(username=supervisor, role__in=[Role.OT, Role.TEAM_LEAD]).first()
            if supervising is None:
                raise CommandError(f"No OT or team lead called {supervisor!r} to supervise.")
        elif role == Role.OTA:
            raise CommandError("An OT assistant needs a supervising OT: give --supervisor <username>.")
        if password is None and not no_password and role != Role.PARTNER_SYSTEM:
            password = getpass.getpass(f"Password for {username}: ")
        if password:
            from django.contrib.auth.password_validation import validate_password
            from django.core.exceptions import ValidationError

            try:
                validate_password(password)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        create_staff_user(
            username=username,
            role=role,
            password=password or None,
            full_name=name,
            email=email,
            localities=locality,
            supervisor=supervising,
        )
        self.stdout.write(f"Created {username} ({Role(role).label}).")
