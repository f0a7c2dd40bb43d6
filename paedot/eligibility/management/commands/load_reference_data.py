"""manage.py load_reference_data: everything the rules decide with, in one idempotent step.

It lives here, not in `directory`, because it loads both the directory (shared machinery, which imports no
service app) and this app's default policies; imports run one way, from eligibility down to directory.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from paedot.directory.services import load_reference_data
from paedot.eligibility.services import load_default_policies


class Command(BaseCommand):
    help = (
        "Load the reference data (GP practices, postcodes, schools, bank holidays, default eligibility policies). "
        "Safe to run again: unchanged files change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Reload every table even if its files are unchanged.")
        parser.add_argument(
            "--data-dir", type=Path, default=None, help="Folder of reference files (default: settings)."
        )

    def handle(self, *args, force: bool, data_dir: Path | None, verbosity: int, **options):
        out = self.stdout if verbosity >= 1 else None
        load_reference_data(stdout=out, data_dir=data_dir, force=force)
        policies = load_default_policies()
        if out is not None:
            ids = ", ".join(f"{policy.policy_id} (from {policy.effective_from:%-d %B %Y})" for policy in policies)
            out.write(f"Eligibility policies in use: {ids}")
        # Other apps' reference data (term dates, the service's places), named in settings so that this app
        # imports none of them.
        for loader in settings.PAEDOT_REFERENCE_LOADERS:
            import_string(loader)()
