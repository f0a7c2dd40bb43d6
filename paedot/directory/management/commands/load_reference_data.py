from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from paedot.directory.services import load_reference_data


def _default_policies_loader():
    """The eligibility app's loader of default policies, or None while that app does not provide one.

    Only a missing eligibility module or function is tolerated: an import error inside it must still surface.
    """
    try:
        from paedot.eligibility.services import load_default_policies
    except ImportError as error:
        if error.name in {"paedot.eligibility", "paedot.eligibility.services"}:
            return None
        raise
    return load_default_policies


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
        load_default_policies = _default_policies_loader()
        if load_default_policies is not None:
            result = load_default_policies()
            if out is not None and result is not None:
                ids = ", ".join(f"{policy.policy_id} (from {policy.effective_from:%d %B %Y})" for policy in result)
                out.write(f"Eligibility policies in use: {ids}")
