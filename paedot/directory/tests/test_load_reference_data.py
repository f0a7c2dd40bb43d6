"""Loading the reference data is safe to repeat, and picks up a changed file."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from paedot.core.models import AuditEvent
from paedot.directory.models import BankHoliday, GPPractice, Postcode, ReferenceDataset, School
from paedot.directory.services import (
    BANK_HOLIDAYS,
    BSOL_LOOKUP,
    DATASETS,
    default_data_dir,
    find_gp_practice,
    load_reference_data,
)

EXPECTED_COUNTS = {"gp_practices": 8654, "postcodes": 62210, "schools": 920, "bank_holidays": 83}


@pytest.fixture
def data_dir(tmp_path):
    """A folder that links to the real reference files; a test replaces the one it changes."""
    for dataset in DATASETS:
        for name in dataset.files:
            link = tmp_path / name
            if not link.exists():
                link.symlink_to(default_data_dir() / name)
    return tmp_path


def replace_file(data_dir, name, edit):
    path = data_dir / name
    text = path.read_text(encoding="utf-8")
    path.unlink()
    path.write_text(edit(text), encoding="utf-8")


@pytest.mark.django_db
def test_the_session_load_filled_every_table():
    assert {
        "gp_practices": GPPractice.objects.count(),
        "postcodes": Postcode.objects.count(),
        "schools": School.objects.count(),
        "bank_holidays": BankHoliday.objects.count(),
    } == EXPECTED_COUNTS
    assert dict(ReferenceDataset.objects.values_list("name", "rows")) == EXPECTED_COUNTS


@pytest.mark.django_db
def test_loading_again_keeps_the_same_rows_and_records_nothing():
    first_ids = set(GPPractice.objects.values_list("id", flat=True)[:100])
    events_before = AuditEvent.objects.count()

    assert load_reference_data() == EXPECTED_COUNTS
    assert load_reference_data() == EXPECTED_COUNTS

    assert first_ids <= set(GPPractice.objects.values_list("id", flat=True))  # not deleted and reinserted
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db
def test_a_changed_file_reloads_its_table_and_only_its_table(data_dir):
    replace_file(
        data_dir,
        BANK_HOLIDAYS,
        lambda text: text.replace("2026-12-28,Monday,Boxing Day", "2026-12-29,Tuesday,Boxing Day"),
    )
    out = io.StringIO()
    last_event = AuditEvent.objects.order_by("id").last()

    counts = load_reference_data(data_dir=data_dir, stdout=out)

    assert counts == EXPECTED_COUNTS
    assert BankHoliday.objects.filter(date="2026-12-29", title="Boxing Day").exists()
    assert not BankHoliday.objects.filter(date="2026-12-28").exists()  # gone from the file, gone from the table
    assert "Bank holidays: 83 (loaded)" in out.getvalue()
    assert "Postcodes: 62,210 (unchanged)" in out.getvalue()
    event = AuditEvent.objects.get(id__gt=last_event.id)
    assert event.action == "directory.reference_data_loaded"
    assert event.detail["dataset"] == "bank_holidays"
    assert event.detail["rows"] == 83


@pytest.mark.django_db
def test_a_changed_lookup_updates_practices_without_touching_postcodes(data_dir):
    replace_file(
        data_dir,
        BSOL_LOOKUP,
        lambda text: text.replace(
            '"M85001","Main","North Birmingham","U43660","North"', '"M85001","Main","X","Y","South"'
        ),
    )
    out = io.StringIO()

    load_reference_data(data_dir=data_dir, stdout=out)

    assert find_gp_practice("M85001").locality == "South"
    assert GPPractice.objects.count() == EXPECTED_COUNTS["gp_practices"]
    assert "GP practices: 8,654 (loaded)" in out.getvalue()
    assert "Postcodes: 62,210 (unchanged)" in out.getvalue()


@pytest.mark.django_db
def test_a_table_emptied_behind_the_loaders_back_is_reloaded():
    BankHoliday.objects.all().delete()

    assert load_reference_data()["bank_holidays"] == 83
    assert BankHoliday.objects.count() == 83


@pytest.mark.django_db
def test_a_malformed_epraccur_row_stops_the_load_and_changes_nothing(data_dir):
    from paedot.directory.services import EPRACCUR

    replace_file(data_dir, EPRACCUR, lambda text: text + '"Z99999","TOO SHORT"\n')

    with pytest.raises(ValueError, match="2 columns"):
        load_reference_data(data_dir=data_dir)

    assert GPPractice.objects.count() == EXPECTED_COUNTS["gp_practices"]


@pytest.mark.django_db
def test_the_command_prints_counts_unless_asked_to_be_quiet():
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)

    assert "GP practices: 8,654 (unchanged)" in out.getvalue()
    assert "Schools: 920 (unchanged)" in out.getvalue()

    quiet = io.StringIO()
    call_command("load_reference_data", verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""


@pytest.mark.django_db
def test_the_command_also_loads_the_default_eligibility_policies():
    from paedot.eligibility.models import EligibilityPolicy

    EligibilityPolicy.objects.all().delete()
    out = io.StringIO()

    call_command("load_reference_data", stdout=out)

    assert EligibilityPolicy.objects.filter(policy_id="service-page-2019").exists()
    assert "Eligibility policies in use: service-page-2019" in out.getvalue()
