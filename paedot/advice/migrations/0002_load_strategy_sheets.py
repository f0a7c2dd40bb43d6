"""The strategy sheet library as written in paedot/advice/sheets: each sheet added once, at version 1.

Later changes to a file reach the database through `manage.py load_strategy_sheets` (services.load_strategy_sheets),
which also runs in the tests; this migration only makes sure a new database starts with the library.
"""

from django.db import migrations


def add_sheets(apps, schema_editor):
    from paedot.advice.sheet_text import read_sheet_files

    StrategySheet = apps.get_model("advice", "StrategySheet")
    StrategySheetVersion = apps.get_model("advice", "StrategySheetVersion")
    existing = set(StrategySheet.objects.values_list("slug", flat=True))
    for text in read_sheet_files():
        if text.slug in existing:
            continue
        fields = {
            "title": text.title,
            "area": text.area,
            "audience": text.audience,
            "summary": text.summary,
            "body": list(text.sections),
        }
        sheet = StrategySheet.objects.create(slug=text.slug, version=1, file_version=text.version, **fields)
        StrategySheetVersion.objects.create(
            sheet=sheet, version=1, change_note="Loaded from the sheet's file.", **fields
        )


class Migration(migrations.Migration):
    dependencies = [("advice", "0001_initial")]

    operations = [migrations.RunPython(add_sheets, migrations.RunPython.noop)]
