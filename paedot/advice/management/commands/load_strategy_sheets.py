"""manage.py load_strategy_sheets: bring the strategy sheet library up to date with paedot/advice/sheets."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from paedot.advice.services import load_strategy_sheets


class Command(BaseCommand):
    help = (
        "Add strategy sheets missing from the library, and a new version of any sheet whose file's version has gone "
        "up. Safe to run again: sheets edited in the staff pages are kept unless their file changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sheets-dir", type=Path, default=None, help="Folder of sheet files (default: the app's).")

    def handle(self, *args, sheets_dir: Path | None, verbosity: int, **options):
        changed = load_strategy_sheets(directory=sheets_dir)
        if verbosity >= 1:
            self.stdout.write(f"Strategy sheets added or updated: {', '.join(changed) or 'none'}.")
