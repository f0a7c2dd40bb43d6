"""manage.py load_eligibility_policy PATH: put a new version of the criteria in force from its date, no code change."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from paedot.eligibility.services import load_policy_file


class Command(BaseCommand):
    help = "Load an eligibility policy from a JSON file; it applies to referrals received from its effective date."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="A policy document, e.g. paedot/eligibility/policies/available/newer-0-18.json"
        )

    def handle(self, *args, path, **options):
        try:
            stored = load_policy_file(path)
        except (OSError, json.JSONDecodeError, ValueError) as error:
            raise CommandError(f"Could not load {path}: {error}") from error
        when = f"{stored.effective_from.day} {stored.effective_from:%B %Y}"
        self.stdout.write(f"Loaded policy {stored.policy_id}, in force for referrals received from {when}.")
