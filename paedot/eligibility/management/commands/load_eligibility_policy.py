from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from paedot.eligibility.services import load_policy_file


class Command(BaseCommand):
    help = "Load an eligibility policy from a JSON file; it applies to referrals received from its effective date."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            stored = load_policy_file(path)
        except (OSError, json.JSONDecodeError, ValueError) as error:
            raise CommandError(f"Could not load {path}: {error}") from error
        self.stdout.write(f"Loaded policy {stored.policy_id}, in force from {stored.effective_from:%d %B %Y}.")
