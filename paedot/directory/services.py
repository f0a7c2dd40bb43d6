"""Looking things up in the directory, and loading it from the public reference files in data/.

See data/README.md for where each file came from. The loader is idempotent: each table remembers a checksum of the
files it was built from and is rebuilt only when they (or the loader itself) change.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from paedot.core.audit import record_event
from paedot.directory.models import (
    BIRMINGHAM,
    GP_PRACTICE_SETTING,
    BankHoliday,
    GPPractice,
    Postcode,
    ReferenceDataset,
    School,
)

# --- Normalising what people type -------------------------------------------------------------------------------

# Outward code (A9, A99, A9A, AA9, AA99, AA9A) then inward code (9AA). The shape only: a well-formed postcode may
# still not exist, which find_postcode answers.
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
_POSTCODE_DISTRICT = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_PRACTICE_CODE_PREFIX = re.compile(r"[A-Z][A-Z0-9]{1,5}")


def normalise_postcode(value: str) -> str | None:
    """Upper case with one space before the inward code ("b21  9ry" -> "B21 9RY"), so one spelling matches.

    None when the value is not the shape of a UK postcode.
    """
    if not isinstance(value, str):
        return None
    compact = "".join(value.split()).upper()
    if compact == "GIR0AA":  # Girobank's, the one postcode outside the pattern
        return "GIR 0AA"
    match = _POSTCODE.fullmatch(compact)
    return f"{match[1]} {match[2]}" if match else None


def normalise_practice_code(value: str) -> str:
    """ODS codes are stored upper case and trimmed; people and systems send " m85001 "."""
    return (value or "").strip().upper()


# --- Looking things up ------------------------------------------------------------------------------------------


def find_gp_practice(code: str) -> GPPractice | None:
    """The GP practice with this ODS code, or None when the code is not a GP practice we know of."""
    normalised = normalise_practice_code(code)
    if not normalised:
        return None
    return GPPractice.objects.filter(code=normalised).first()


def find_postcode(value: str) -> Postcode | None:
    """The B-area postcode, or None when it is malformed, outside the B area or unknown."""
    normalised = normalise_postcode(value)
    if normalised is None:
        return None
    return Postcode.objects.filter(postcode=normalised).first()


def bank_holidays_between(start: dt.date, end: dt.date) -> set[dt.date]:
    """England and Wales bank holidays from start to end, both included, for counting working days."""
    return set(BankHoliday.objects.filter(date__range=(start, end)).values_list("date", flat=True))


def _postcode_condition(text: str, field: str) -> Q | None:
    """A full postcode matches exactly; a district ("B21") matches every postcode in it, but not B210 ..."""
    postcode = normalise_postcode(text)
    if postcode:
        return Q(**{field: postcode})
    district = "".join(text.split()).upper()
    if _POSTCODE_DISTRICT.fullmatch(district):
        return Q(**{f"{field}__startswith": f"{district} "})
    return None


def search_gp_practices(query: str, *, limit: int = 10) -> list[GPPractice]:
    """Practices whose code, name or postcode matches, for a referrer who knows only part of one.

    An exact code comes first, then active Birmingham practices (the ones we serve), then other active ones, then
    closed ones.
    """
    text = " ".join((query or "").split())
    if not text:
        return []
    code = normalise_practice_code(text)
    condition = Q(code=code) | Q(name__icontains=text)
    if _PRACTICE_CODE_PREFIX.fullmatch(code) and any(char.isdigit() for char in code):
        condition |= Q(code__startswith=code)
    postcode_condition = _postcode_condition(text, "postcode")
    if postcode_condition is not None:
        condition |= postcode_condition
    active = Q(status_code=GPPractice.Status.ACTIVE, prescribing_setting=GP_PRACTICE_SETTING)
    return list(
        GPPractice.objects.filter(condition)
        .annotate(
            exact_code=Case(When(code=code, then=Value(0)), default=Value(1)),
            served=Case(
                When(active & Q(in_birmingham=True), then=Value(0)),
                When(active, then=Value(1)),
                default=Value(2),
            ),
        )
        .order_by("exact_code", "served", "name", "code")[:limit]
    )


def search_schools(query: str, *, limit: int = 10) -> list[School]:
    """Schools whose name, URN or postcode matches; an exact URN first, then open schools before closed ones."""
    text = " ".join((query or "").split())
    if not text:
        return []
    condition = Q(name__icontains=text)
    urn = text if text.isdigit() else ""
    if urn:
        condition |= Q(urn=urn)
    postcode_condition = _postcode_condition(text, "postcode")
    if postcode_condition is not None:
        condition |= postcode_condition
    return list(
        School.objects.filter(condition)
        .annotate(exact_urn=Case(When(urn=urn, then=Value(0)), default=Value(1)))
        .order_by("exact_urn", "-is_open", "name", "urn")[:limit]
    )


# --- Loading the reference files --------------------------------------------------------------------------------

LOADER_VERSION = "1"
"""Part of every checksum: change it when the way rows are derived changes, so the next load rebuilds them."""

BATCH_SIZE = 2000

EPRACCUR = "epraccur.csv"
BSOL_LOOKUP = "bsol_gp_practice_pcn_locality_lookup_2024-03.csv"
POSTCODES = "b_area_postcodes_local_authority.csv"
SCHOOLS = "birmingham_schools_dfe_gias_2022-07.csv"
BANK_HOLIDAYS = "england_and_wales_bank_holidays.csv"

# epraccur has no header; these are its 27 columns in order (NHS Digital's epraccur field documentation).
EPRACCUR_COLUMNS = (
    "organisation_code",
    "name",
    "national_grouping",
    "high_level_health_geography",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "address_line_5",
    "postcode",
    "open_date",
    "close_date",
    "status_code",
    "organisation_sub_type_code",
    "commissioner",
    "join_provider_purchaser_date",
    "left_provider_purchaser_date",
    "contact_telephone_number",
    "null_19",
    "null_20",
    "null_21",
    "amended_record_indicator",
    "null_23",
    "provider_purchaser",
    "null_25",
    "prescribing_setting",
    "null_27",
)


def default_data_dir() -> Path:
    return Path(getattr(settings, "PAEDOT_REFERENCE_DATA_DIR", Path(__file__).resolve().parent / "data"))


def _open(path: Path) -> IO[str]:
    # utf-8-sig: a file re-saved by Excel gains a byte-order mark that would otherwise stick to the first header.
    return path.open(encoding="utf-8-sig", newline="")


def _read_dicts(path: Path) -> Iterator[dict[str, str]]:
    with _open(path) as file:
        for row in csv.DictReader(file):
            yield {key.strip(): (value or "").strip() for key, value in row.items() if key is not None}


def _date_yyyymmdd(value: str) -> dt.date | None:
    value = value.strip()
    return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8])) if value else None


def _date_dd_mm_yyyy(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    day, month, year = value.split("-")
    return dt.date(int(year), int(month), int(day))


def _epraccur_records(path: Path) -> Iterator[dict[str, str]]:
    with _open(path) as file:
        for line_number, record in enumerate(csv.reader(file), start=1):
            if len(record) != len(EPRACCUR_COLUMNS):
                raise ValueError(
                    f"{path.name} line {line_number}: {len(record)} columns, expected {len(EPRACCUR_COLUMNS)}."
                )
            yield {column: value.strip() for column, value in zip(EPRACCUR_COLUMNS, record, strict=True)}


def _bsol_main_sites(path: Path) -> dict[str, dict[str, str]]:
    """BSOL lookup rows for main sites by practice code; branches ("M85002 001") share their main site's details."""
    return {
        normalise_practice_code(row["Practice_Code"]): row for row in _read_dicts(path) if row["Type"].lower() == "main"
    }


def _postcode_local_authorities(path: Path) -> dict[str, str]:
    return {row["postcode"]: row["local_authority"] for row in _read_dicts(path)}


def build_gp_practices(data_dir: Path) -> list[GPPractice]:
    """Every GP practice in epraccur (prescribing setting 4), placed in a local authority.

    The BSOL ICB lookup decides first: it is how the ICB itself assigns practices to Birmingham or Solihull, and
    six practices sit in a postcode of the other council. A practice the lookup lacks is placed by its postcode.
    """
    main_sites = _bsol_main_sites(data_dir / BSOL_LOOKUP)
    postcode_authorities = _postcode_local_authorities(data_dir / POSTCODES)
    practices = []
    for record in _epraccur_records(data_dir / EPRACCUR):
        setting = int(record["prescribing_setting"] or -1)
        if setting != GP_PRACTICE_SETTING:
            continue
        code = normalise_practice_code(record["organisation_code"])
        postcode = normalise_postcode(record["postcode"]) or record["postcode"].upper()
        site = main_sites.get(code)
        if site is not None:
            local_authority, source = site["LA"], GPPractice.LocalAuthoritySource.BSOL_LOOKUP
        elif postcode in postcode_authorities:
            local_authority, source = postcode_authorities[postcode], GPPractice.LocalAuthoritySource.POSTCODE
        else:
            local_authority, source = "", GPPractice.LocalAuthoritySource.NONE
        address_lines = (record[f"address_line_{number}"] for number in range(1, 6))
        practices.append(
            GPPractice(
                code=code,
                name=record["name"],
                address=", ".join(line for line in address_lines if line),
                postcode=postcode,
                status_code=record["status_code"],
                prescribing_setting=setting,
                open_date=_date_yyyymmdd(record["open_date"]),
                close_date=_date_yyyymmdd(record["close_date"]),
                phone=record["contact_telephone_number"],
                commissioner=record["commissioner"],
                pcn_code=site["PCN_Code"] if site else "",
                pcn_name=site["PCN"] if site else "",
                locality=site["Locality"] if site else "",
                local_authority=local_authority,
                local_authority_source=source,
                in_birmingham=local_authority == BIRMINGHAM,
            )
        )
    return practices


def build_postcodes(data_dir: Path) -> list[Postcode]:
    postcodes = []
    for row in _read_dicts(data_dir / POSTCODES):
        postcode = normalise_postcode(row["postcode"])
        if postcode is None:
            raise ValueError(f"{POSTCODES}: {row['postcode']!r} is not a postcode.")
        postcodes.append(
            Postcode(
                postcode=postcode,
                district=row.get("postcode_district") or postcode.split()[0],
                local_authority=row["local_authority"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
        )
    return postcodes


def build_schools(data_dir: Path) -> list[School]:
    schools = []
    for row in _read_dicts(data_dir / SCHOOLS):
        close_date = _date_dd_mm_yyyy(row["close_date"])
        schools.append(
            School(
                urn=row["urn"],
                name=row["name"],
                town=row["town"],
                postcode=normalise_postcode(row["postcode"]) or row["postcode"].upper(),
                open_date=_date_dd_mm_yyyy(row["open_date"]),
                close_date=close_date,
                is_open=close_date is None,
            )
        )
    return schools


def build_bank_holidays(data_dir: Path) -> list[BankHoliday]:
    return [
        BankHoliday(date=dt.date.fromisoformat(row["date"]), title=row["title"], notes=row["notes"])
        for row in _read_dicts(data_dir / BANK_HOLIDAYS)
    ]


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    model: type[models.Model]
    files: tuple[str, ...]
    build: Callable[[Path], list[Any]]


DATASETS = (
    Dataset("gp_practices", "GP practices", GPPractice, (EPRACCUR, BSOL_LOOKUP, POSTCODES), build_gp_practices),
    Dataset("postcodes", "Postcodes", Postcode, (POSTCODES,), build_postcodes),
    Dataset("schools", "Schools", School, (SCHOOLS,), build_schools),
    Dataset("bank_holidays", "Bank holidays", BankHoliday, (BANK_HOLIDAYS,), build_bank_holidays),
)


def _checksum(data_dir: Path, files: tuple[str, ...]) -> str:
    digest = hashlib.sha256(f"loader {LOADER_VERSION}\n".encode())
    for name in files:
        digest.update(f"{name}\n".encode())
        digest.update((data_dir / name).read_bytes())
    return digest.hexdigest()


def _load_dataset(dataset: Dataset, data_dir: Path, *, force: bool, stdout: IO[str] | None) -> int:
    checksum = _checksum(data_dir, dataset.files)
    manager = dataset.model._default_manager
    previous = ReferenceDataset.objects.filter(name=dataset.name).first()
    existing = manager.count()
    if not force and previous is not None and previous.checksum == checksum and previous.rows == existing:
        if stdout is not None:
            stdout.write(f"{dataset.label}: {existing:,} (unchanged)\n")
        return existing

    rows = dataset.build(data_dir)
    # Nothing holds a foreign key to these tables, so replacing every row is safe, and simpler than merging.
    manager.all().delete()
    manager.bulk_create(rows, batch_size=BATCH_SIZE)
    ReferenceDataset.objects.update_or_create(
        name=dataset.name,
        defaults={
            "checksum": checksum,
            "rows": len(rows),
            "source_files": list(dataset.files),
            "loaded_at": timezone.now(),
        },
    )
    record_event(
        action="directory.reference_data_loaded",
        actor_label="load_reference_data",
        detail={"dataset": dataset.name, "rows": len(rows), "replaced": existing, "checksum": checksum},
    )
    if stdout is not None:
        stdout.write(f"{dataset.label}: {len(rows):,} (loaded)\n")
    return len(rows)


def load_reference_data(
    *, stdout: IO[str] | None = None, data_dir: Path | str | None = None, force: bool = False
) -> dict[str, int]:
    """Load GP practices, postcodes, schools and bank holidays from data/, in one transaction; return row counts.

    Idempotent: a table whose source files are unchanged since its last load is left alone (unless force), and
    one whose files changed is emptied and reloaded, so rows dropped from a file go too. GP practices are
    referred to elsewhere only by their code string, never by foreign key, so replacing them is safe.
    """
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    with transaction.atomic():
        return {dataset.name: _load_dataset(dataset, directory, force=force, stdout=stdout) for dataset in DATASETS}
