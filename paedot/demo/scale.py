"""Synthetic history at scale, loaded in bulk: years of referrals with their eligibility decisions, waits,
appointments and outcomes, episodes of care, packages with goals, and reviews with goal ratings.

Used by `manage.py seed_scale` and by `make bench` (scripts/bench.py). The rows are written straight into the
tables, not through the services: a million referrals through the services would take days. So no audit events,
letters or notifications are made for them (synthetic history, not things that happened in this system), and
nothing is checked by Django; the database's constraints check it instead. On PostgreSQL the rows go in by COPY;
when the tables start empty, their secondary indexes and constraints are dropped first and made again at the end
(one build is much faster than ten million updates of each index; the exclusion constraint stays, see
DeferredIndexes), all in one transaction, so a failed load leaves
nothing behind. Elsewhere (SQLite, for tests) the same rows go in by executemany.

The history follows one set of rules, so the figures hang together: referrals arrive evenly over the years in every
locality; about one in eight is declined; the rest wait by priority (urgent weeks, routine months), are assessed,
and have blocks of weekly sessions, each ending in a review with its goals rated, until discharge. Recent referrals
are still waiting, booked or in treatment. Every appointment takes one of a clinician's eight hourly slots on a
weekday, so no clinician is ever double-booked (the exclusion constraint holds).
"""

# ruff: noqa: S608 - synthetic data from a seeded generator; SQL built from our own table names

from __future__ import annotations

import datetime as dt
import json
import math
import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone

from paedot.appointments.models import Appointment, AppointmentSeries, Kind
from paedot.appointments.models import Outcome as Attendance
from paedot.care.models import Assessment, Episode, Goal, GoalRating, Package, Review
from paedot.care.rules import gas_t_score
from paedot.children.models import Child, ParentCarer
from paedot.diaries.models import Location, LocationKind
from paedot.diaries.rules import LONDON
from paedot.directory.models import GPPractice
from paedot.referrals.models import PRIORITY_RANK, EligibilityDecision, EligibilityReason, Priority, Referral
from paedot.referrals.services import REFERENCE_ALPHABET
from paedot.staff.models import Locality, Role, User

BATCH = 20_000  # rows held for each table before they are written
SLOTS_A_DAY = 8  # 09:00 to 16:00, one an hour; a session lasts 45 minutes, so no two overlap
SESSION_MINUTES = 45
APPOINTMENTS_A_CLINICIAN_A_DAY = 5  # how many clinicians a size needs: busy, with room to spare
BOOKED_AHEAD_DAYS = 42  # future appointments are booked this far ahead, no further
SCALE_PREFIX = "scale-"
GOAL_BANK = Path(__file__).resolve().parent.parent / "care" / "policies" / "goal_bank.json"

# The tables the loader writes, parents first.
TABLES: tuple[type[models.Model], ...] = (
    Child,
    ParentCarer,
    Referral,
    EligibilityDecision,
    EligibilityReason,
    AppointmentSeries,
    Appointment,
    Episode,
    Assessment,
    Package,
    Goal,
    Review,
    GoalRating,
)

# Waits in days from referral to first appointment, by priority: (low, high, mode) of a triangular distribution.
WAITS = {
    Priority.URGENT: (10, 45, 21),
    Priority.SOON: (35, 120, 70),
    Priority.ROUTINE: (60, 330, 150),
}
DECLINE_REASONS = [
    ("age_out_of_range", "The child is older than the service sees (up to their 18th birthday)."),
    ("gp_outside_birmingham", "The child's GP practice is outside Birmingham."),
    ("no_functional_difficulty", "The referral does not describe a difficulty with everyday activities."),
    ("referrer_not_accepted", "We accept referrals from health and education professionals."),
]
FINDINGS = json.dumps(
    {
        "fine_motor": "Immature tripod grasp; letters vary in size and drift off the line.",
        "self_care": "Needs help with buttons, zips and laces; takes twice as long as peers to dress for PE.",
        "sensory": "Seeks movement in class; finds noisy places hard.",
    }
)
IMPRESSION = "Difficulties with fine motor co-ordination affecting self care and handwriting at school."
REVIEW_SUMMARY = {
    "new_block": "Good progress; another block to consolidate the goals.",
    "step_down_to_advice": "Goals mostly met; school and family to continue with the strategies.",
    "discharge": "Goals met; the family and school are confident to carry on.",
}


def scale_reference(number: int) -> str:
    """OT-XXXX-XXXX, one for each number (a multiplier coprime to 31^8 scatters them)."""
    n = (number * 7919 + 104_729) % 31**8
    chars = []
    for _ in range(8):
        n, digit = divmod(n, 31)
        chars.append(REFERENCE_ALPHABET[digit])
    return f"OT-{''.join(chars[:4])}-{''.join(chars[4:])}"


def nhs_numbers(seed: int) -> Iterator[str]:
    """Distinct synthetic NHS numbers (999 range, Modulus 11 valid) in a scattered order; about 910,000 exist."""
    offset = seed % 1_000_000
    weights = range(10, 1, -1)
    for i in range(1_000_000):
        base = (i * 7919 + offset) % 1_000_000  # 7919 is coprime to 10^6, so each base comes once
        first_nine = f"999{base:06d}"
        check = 11 - sum(int(d) * w for d, w in zip(first_nine, weights, strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            yield f"{first_nine}{check}"


# Writing rows ----------------------------------------------------------------------------------------------------


class Table:
    """One model's table: the columns the generator gives, in order, and the fixed values of all the others."""

    def __init__(self, model: type[models.Model], given: Sequence[str]):
        self.model = model
        self.name = model._meta.db_table
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [name for name in given if name not in by_attname]
        if unknown:
            raise ValueError(f"{model.__name__} has no field {unknown[0]!r}")
        rest = [f for f in model._meta.concrete_fields if f.attname not in given]
        tail = []
        for f in rest:
            if f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif f.empty_strings_allowed:
                value = ""
            else:
                raise ValueError(f"{model.__name__}.{f.attname} needs a value")
            tail.append(json.dumps(value) if isinstance(f, models.JSONField) else value)
        self.fields = [by_attname[name] for name in given] + rest
        self.columns = [f.column for f in self.fields]
        self.tail = tuple(tail)
        self.rows: list[tuple] = []
        self.written = 0


class Sink:
    """Rows in, tables out: buffered per table and written by COPY (PostgreSQL) or executemany (elsewhere).

    On PostgreSQL a writer thread sends each batch while the generator makes the next, on the same connection and
    so in the same transaction: the database works on one CPU while Python works on the other. Call close() at the
    end, also on failure. JSON columns take text already encoded: each shape is encoded once, not once a row."""

    def __init__(self, batch: int = BATCH):
        self.batch = batch
        self.tables: list[Table] = []
        self.postgresql = connection.vendor == "postgresql"
        self.failure: BaseException | None = None
        if self.postgresql:
            connection.ensure_connection()
            self.raw = connection.connection  # used by the writer alone until close()
            self.batches: queue.Queue = queue.Queue(maxsize=3)
            self.writer = threading.Thread(target=self._copy_batches, name="scale-copy", daemon=True)
            self.writer.start()

    def _copy_batches(self) -> None:
        while (batch := self.batches.get()) is not None:
            if self.failure is not None:
                continue  # drain: the load is failing
            statement, rows, tail = batch
            try:
                with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row + tail)
            except BaseException as error:  # handed to the generator's thread by close() or the next batch
                self.failure = error

    def close(self) -> None:
        """Wait for the writer to send everything; raise what made it fail."""
        if self.postgresql and self.writer.is_alive():
            self.batches.put(None)
            self.writer.join()
        if self.failure is not None:
            raise self.failure

    def table(self, model: type[models.Model], given: Sequence[str]) -> Table:
        table = Table(model, given)
        self.tables.append(table)
        return table

    def add(self, table: Table, row: tuple) -> None:
        table.rows.append(row)
        if len(table.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write every table's rows, parents first (the order the tables were declared in)."""
        for table in self.tables:
            if table.rows:
                self._write(table)

    def _write(self, table: Table) -> None:
        rows, tail = table.rows, table.tail
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in table.columns)
        if self.postgresql:
            if self.failure is not None:
                raise self.failure
            self.batches.put((f"COPY {quote(table.name)} ({columns}) FROM STDIN", rows, tail))
        else:
            with connection.cursor() as cursor:
                marks = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(
                    f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})",
                    [tuple(_plain(v) for v in row + tail) for row in rows],
                )
        table.written += len(rows)
        table.rows = []


def _plain(value):
    """A value as SQLite's Django backend stores it (naive UTC datetimes, ISO dates, decimals as text)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


class DeferredIndexes:
    """On PostgreSQL, drop the tables' secondary indexes, foreign keys and unique constraints, and make them again
    afterwards (checking every row then). Use inside a transaction.

    Exclusion constraints (no double booking) stay: making one checks every row against the index, which costs
    as much as checking each row as it is copied in, and during the copy the database does it on the other CPU
    while Python makes the next rows."""

    def __init__(self, models_: Sequence[type[models.Model]]):
        self.names = [m._meta.db_table for m in models_]
        self.constraints: list[tuple[str, str, str, str]] = []  # (table, name, type, definition)
        self.indexes: list[tuple[str, str]] = []  # (name, definition)

    def drop(self) -> None:
        with connection.cursor() as cursor:
            # Checks still pending on rows made earlier in this transaction (the staff) would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')",
                [self.names],
            )
            self.constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary "
                "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))",
                [self.names],
            )
            self.indexes = cursor.fetchall()
            for table, name, _, _ in sorted(self.constraints, key=lambda c: c[2] != "f"):  # foreign keys first
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in self.indexes:
                cursor.execute(f"DROP INDEX {name}")

    def restore(self, progress: Callable[[str], None]) -> None:
        """Make them again; print the ones that took a second or more."""
        statements = [definition for _, definition in self.indexes] + [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
            for table, name, _, definition in sorted(self.constraints, key=lambda c: c[2] == "f")  # keys last
        ]
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for statement in statements:
                started = time.monotonic()
                cursor.execute(statement)
                took = time.monotonic() - started
                if took >= 1:
                    progress(f"  {took:4.0f} s  {statement[:110]}")


# The history -----------------------------------------------------------------------------------------------------


@dataclass
class Result:
    referrals: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    clinicians: int = 0
    deferred_indexes: bool = False


def clinicians_needed(referrals: int, years: int, practices: Sequence[GPPractice]) -> dict[str, int]:
    """OTs for each locality: enough for about 10 appointments a referral at five a clinician a working day, shared
    as the GP practices are (a locality's children are its practices' patients)."""
    per_day = referrals * 10 / (years * 250)
    shares = Counter(p.locality for p in practices)
    return {
        locality: math.ceil(per_day * shares[locality] / len(practices) / APPOINTMENTS_A_CLINICIAN_A_DAY) + 1
        for locality in sorted(shares)
    }


def birmingham_practices() -> list[GPPractice]:
    return [p for p in GPPractice.objects.filter(in_birmingham=True).order_by("code") if p.locality in Locality.values]


def scale_staff(needed: dict[str, int]) -> tuple[User, list[User]]:
    """The loader's clinical admin and OTs for each locality (scale-ot-<locality>-<n>), made once, then reused."""
    from paedot.staff.services import create_staff_user

    admin = User.objects.filter(username=f"{SCALE_PREFIX}admin").first() or create_staff_user(
        username=f"{SCALE_PREFIX}admin", role=Role.CLINICAL_ADMIN, full_name="Scale Admin"
    )
    existing = {u.username: u for u in User.objects.filter(username__startswith=f"{SCALE_PREFIX}ot-")}
    clinicians = []
    for locality, count in needed.items():
        for n in range(1, count + 1):
            username = f"{SCALE_PREFIX}ot-{locality.lower()}-{n}"
            user = existing.get(username) or create_staff_user(
                username=username, role=Role.OT, full_name=f"Scale Therapist{locality}{n}", localities=[locality]
            )
            clinicians.append(user)
    return admin, clinicians


def _max_ids() -> dict[type[models.Model], int]:
    return {model: model.objects.aggregate(top=models.Max("pk"))["top"] or 0 for model in TABLES}


def load_history(
    referrals: int,
    *,
    seed: int = 2026,
    years: int = 10,
    today: dt.date | None = None,
    progress: Callable[[str], None] = print,
) -> Result:
    """Add `referrals` referrals of synthetic history, ending today; returns what was written and how long it took.

    Adds to what is there (ids carry on from the highest). On PostgreSQL into empty tables, the indexes are built
    once at the end; VACUUM ANALYZE follows, as autovacuum would do to tables in use.
    """
    from paedot.demo import synthetic

    started = time.monotonic()
    today = today or timezone.localdate()
    practices = birmingham_practices()
    if not practices:
        raise RuntimeError("No Birmingham GP practices: run manage.py load_reference_data first.")
    admin, clinicians = scale_staff(clinicians_needed(referrals, years, practices))
    clinic = Location.objects.filter(kind=LocationKind.CLINIC).order_by("pk").first()
    home = Location.objects.filter(kind=LocationKind.HOME).order_by("pk").first()
    if clinic is None or home is None:
        raise RuntimeError("No clinic or home location: run manage.py load_reference_data first.")
    bank = json.loads(GOAL_BANK.read_text())["goals"]

    result = Result(clinicians=len(clinicians))
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic():
        first = _max_ids()
        deferred = None
        if postgresql and not any(first.values()):
            deferred = DeferredIndexes(TABLES)
            deferred.drop()
            result.deferred_indexes = True
        sink = Sink()
        try:
            history = _History(
                sink=sink,
                rng=random.Random(seed),
                seed=seed,
                today=today,
                years=years,
                first=first,
                admin=admin,
                clinicians=clinicians,
                practices=practices,
                clinic_id=clinic.pk,
                home_id=home.pk,
                bank=bank,
                names=(synthetic.GIVEN_NAMES, synthetic.FAMILY_NAMES, synthetic.STREETS, list(synthetic.DESCRIPTIONS)),
            )
            step = max(1, min(50_000, referrals // 10))
            for done in range(1, referrals + 1):
                history.referral()
                if done % step == 0 or done == referrals:
                    rows = sum(t.written + len(t.rows) for t in sink.tables)
                    elapsed = time.monotonic() - started
                    progress(f"  {done:,} referrals, {rows:,} rows, {elapsed:.0f} s ({rows / elapsed:,.0f} rows/s)")
            sink.flush()
        finally:
            sink.close()
        progress(f"Rows written in {time.monotonic() - started:.0f} s.")
        if deferred is not None:
            phase = time.monotonic()
            progress("Making the indexes and constraints again ...")
            deferred.restore(progress)
            progress(f"Indexes and constraints made in {time.monotonic() - phase:.0f} s.")
        if postgresql:
            with connection.cursor() as cursor:
                for model in TABLES:
                    table = model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"GREATEST((SELECT max(id) FROM {table}), 1))"
                    )
    if postgresql and not connection.in_atomic_block:  # VACUUM cannot run in a transaction (as in a test)
        phase = time.monotonic()
        with connection.cursor() as cursor:
            for model in TABLES:
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
        progress(f"VACUUM ANALYZE in {time.monotonic() - phase:.0f} s.")
    result.referrals = referrals
    result.rows = {t.model.__name__: t.written for t in sink.tables}
    result.seconds = time.monotonic() - started
    return result


class _History:
    """Makes one referral's history at a time and hands its rows to the sink."""

    def __init__(
        self, *, sink, rng, seed, today, years, first, admin, clinicians, practices, clinic_id, home_id, bank, names
    ):
        self.sink, self.rng, self.today = sink, rng, today
        self.now = timezone.now()
        self.admin_id = admin.pk
        self.practices = practices
        self.clinic_id, self.home_id = clinic_id, home_id
        self.given_names, self.family_names, self.streets, self.difficulties = names
        self.bank = [(g["description"], g["area"], json.dumps(g["levels"])) for g in bank]
        self.start_day = today - dt.timedelta(days=years * 365)
        self.days = years * 365
        self.nhs_numbers = nhs_numbers(seed)
        by_locality: dict[str, list[int]] = {}
        for c in clinicians:
            by_locality.setdefault(c.localities[0], []).append(c.pk)
        self.by_locality = by_locality
        # Each clinician's slots used, one byte a day from the start of the history to beyond the booking horizon.
        self.first_ordinal = self.start_day.toordinal() - 7
        span = today.toordinal() + 400 - self.first_ordinal
        self.slots = {c.pk: bytearray(span) for c in clinicians}
        if first[Appointment]:
            self.mark_booked_slots()
        self.nine_cache: dict[int, dt.datetime] = {}
        self.next_id = {model: top + 1 for model, top in first.items()}
        self.number = first[Referral]  # the references continue from the highest id

        s = sink
        self.t_child = s.table(
            Child,
            ["id", "given_name", "family_name", "date_of_birth", "nhs_number", "address", "postcode", "created_at",
             "updated_at"],
        )  # fmt: skip
        self.t_parent = s.table(
            ParentCarer, ["id", "child_id", "name", "relationship", "phone", "created_at", "updated_at"]
        )
        self.t_referral = s.table(
            Referral,
            ["id", "reference", "child_id", "parent_carer_id", "received_date", "received_at", "source", "status",
             "education", "gp_practice_code", "gp_practice_name", "locality", "difficulties", "description",
             "consent_given", "referrer_name", "referrer_role", "referrer_organisation", "status_changed_at",
             "priority", "priority_rank", "pathway", "first_setting", "clinician_id", "triaged_at", "left_queue_at",
             "closed_at", "closing_reason", "first_attended_on", "days_waited", "created_at", "updated_at"],
        )  # fmt: skip
        self.t_decision = s.table(EligibilityDecision, ["id", "referral_id", "outcome", "policy_id", "decided_at"])
        self.t_reason = s.table(EligibilityReason, ["id", "decision_id", "position", "code", "severity", "message"])
        self.t_series = s.table(
            AppointmentSeries,
            ["id", "referral_id", "clinician_id", "location_id", "sessions", "duration_minutes", "created_by_id",
             "created_at", "updated_at"],
        )  # fmt: skip
        self.t_appointment = s.table(
            Appointment,
            ["id", "referral_id", "series_id", "kind", "clinician_id", "location_id", "start", "end", "cancelled",
             "outcome", "outcome_recorded_at", "outcome_recorded_by_id", "cancellation_reason", "booked_by_id",
             "created_at", "updated_at"],
        )  # fmt: skip
        self.t_episode = s.table(
            Episode,
            ["id", "referral_id", "opened_by_id", "discharge_reason", "discharge_summary", "discharged_at",
             "discharged_by_id", "created_at", "updated_at"],
        )  # fmt: skip
        self.t_assessment = s.table(
            Assessment,
            ["id", "episode_id", "appointment_id", "assessed_on", "assessed_by_id", "findings", "clinical_impression",
             "created_at", "updated_at"],
        )  # fmt: skip
        self.t_package = s.table(
            Package,
            ["id", "episode_id", "type", "delivery", "places", "sessions", "block_number", "previous_id", "series_id",
             "review_appointment_id", "review_due_on", "created_by_id", "created_at", "updated_at"],
        )  # fmt: skip
        self.t_goal = s.table(
            Goal,
            ["id", "package_id", "position", "description", "area", "levels", "weight", "baseline", "carried_from_id",
             "created_at", "updated_at"],
        )  # fmt: skip
        self.t_review = s.table(
            Review,
            ["id", "package_id", "reviewed_on", "reviewed_by_id", "gas_t_score", "decision", "summary", "created_at",
             "updated_at"],
        )  # fmt: skip
        self.t_rating = s.table(GoalRating, ["id", "review_id", "goal_id", "attained", "created_at", "updated_at"])

    # Small helpers -------------------------------------------------------------------------------------------------

    def new_id(self, model) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def nine(self, ordinal: int) -> dt.datetime:
        """09:00 in Birmingham on that day, as an aware datetime."""
        value = self.nine_cache.get(ordinal)
        if value is None:
            day = dt.date.fromordinal(ordinal)
            value = dt.datetime.combine(day, dt.time(9), tzinfo=LONDON).astimezone(dt.UTC)
            self.nine_cache[ordinal] = value
        return value

    def mark_booked_slots(self) -> None:
        """Adding to earlier history: the slots these clinicians' live appointments already hold stay theirs."""
        booked = Appointment.objects.filter(clinician__in=list(self.slots), cancelled=False).values_list(
            "clinician_id", "start"
        )
        for clinician, start in booked.iterator(chunk_size=10_000):
            local = timezone.localtime(start, LONDON)
            index = local.toordinal() - self.first_ordinal
            if 0 <= index < len(self.slots[clinician]):
                slot = max(0, local.hour - 9 + 1)
                self.slots[clinician][index] = max(self.slots[clinician][index], min(slot, SLOTS_A_DAY))

    def book(self, clinician: int, day: dt.date) -> dt.datetime:
        """The clinician's first free slot on that weekday or the next one with room."""
        used = self.slots[clinician]
        ordinal = day.toordinal()
        while True:
            index = ordinal - self.first_ordinal
            if ordinal % 7 not in (0, 6) and used[index] < SLOTS_A_DAY:  # ordinal % 7: 0 is Sunday, 6 Saturday
                slot = used[index]
                used[index] = slot + 1
                return self.nine(ordinal) + dt.timedelta(hours=slot)
            ordinal += 1

    # One referral --------------------------------------------------------------------------------------------------

    def referral(self) -> None:
        rng, today, now = self.rng, self.today, self.now
        sink = self.sink
        referral_id = self.new_id(Referral)
        child_id = self.new_id(Child)
        parent_id = self.new_id(ParentCarer)
        self.number += 1

        received = self.start_day + dt.timedelta(days=rng.randrange(self.days))
        at = self.nine(received.toordinal()) + dt.timedelta(minutes=rng.randrange(480))
        practice = rng.choice(self.practices)
        locality = practice.locality
        given, family = rng.choice(self.given_names), rng.choice(self.family_names)
        nhs_number = next(self.nhs_numbers, "") if rng.random() < 0.9 else ""
        sink.add(
            self.t_child,
            (child_id, given, family, received - dt.timedelta(days=rng.randrange(730, 6200)), nhs_number,
             f"{rng.randrange(1, 240)} {rng.choice(self.streets)}, Birmingham", "B21 9RY", at, at),
        )  # fmt: skip
        sink.add(self.t_parent, (parent_id, child_id, f"{rng.choice(self.given_names)} {family}", "Mother",
                                 "07700 900123", at, at))  # fmt: skip

        age = (today - received).days
        declined = rng.random() < 0.12
        status, priority, pathway, clinician = "received", "", "", None
        triaged_at = left_queue_at = closed_at = first_attended = days_waited = None
        closing_reason, changed = "", at
        if age < 14:
            status = rng.choice(["received", "received", "accepted", "information_requested"])
        elif declined:
            status, closed_at = "declined", at + dt.timedelta(days=rng.randrange(1, 10))
            closing_reason, changed = "Does not meet the service's criteria.", closed_at
        else:
            priority = rng.choices((Priority.URGENT, Priority.SOON, Priority.ROUTINE), weights=(10, 25, 65))[0]
            pathway = rng.choices(("package_of_care", "advice_and_strategies", "group"), weights=(65, 25, 10))[0]
            triaged_at = changed = at + dt.timedelta(days=rng.randrange(1, 10))
            low, high, mode = WAITS[priority]
            wait = int(rng.triangular(low, high, mode))
            first_day = received + dt.timedelta(days=wait)
            pool = self.by_locality[locality]
            clinician = pool[rng.randrange(len(pool))]
            if first_day > today + dt.timedelta(days=BOOKED_AHEAD_DAYS):
                status = "invited" if rng.random() < 0.08 else "waiting"
                if rng.random() < 0.4:
                    clinician = None  # not yet allocated
            elif first_day <= today and rng.random() < 0.04:  # left the list before being seen
                status, closed_at = "discharged", self.nine(first_day.toordinal()) + dt.timedelta(hours=3)
                left_queue_at = changed = closed_at
                closing_reason = "The family moved out of the area while waiting."
            else:
                status, first_attended, left_queue_at, closed_at, closing_reason, changed = self.treatment(
                    referral_id, clinician, pathway, first_day, given, triaged_at
                )
                if first_attended is not None:
                    days_waited = (first_attended - received).days
        rank = PRIORITY_RANK[Priority(priority)] if priority else None
        sink.add(
            self.t_referral,
            (referral_id, scale_reference(self.number), child_id, parent_id, received, at,
             rng.choice(("online", "api", "paper", "email")), status, "mainstream_school", practice.code,
             practice.name, locality, json.dumps(rng.sample(self.difficulties, k=rng.choice((1, 2, 3)))),
             "Handwriting is hard to read and buttons are difficult.", True, "Dr Jo Example",
             rng.choice(("gp", "gp", "paediatrician", "teacher", "school_nurse", "health_visitor")),
             practice.name.title(), changed, priority, rank, pathway,
             rng.choice(("clinic", "school", "home")) if priority else "", clinician, triaged_at, left_queue_at,
             closed_at, closing_reason, first_attended, days_waited, at, min(max(changed, at), now)),
        )  # fmt: skip
        decision_id = self.new_id(EligibilityDecision)
        sink.add(self.t_decision, (decision_id, referral_id, "decline" if declined and age >= 14 else "accept",
                                   "service-page-2019", at))  # fmt: skip
        if status == "declined":
            code, message = rng.choice(DECLINE_REASONS)
            sink.add(self.t_reason, (self.new_id(EligibilityReason), decision_id, 0, code, "decline", message))

    def treatment(self, referral_id, clinician, pathway, first_day, given, triaged_at):
        """Assessment, blocks of sessions with reviews, discharge: as far as today (and bookings a few weeks on).
        Returns the referral's status, first attended day, left-queue and closed times, closing reason and the
        time of its last change."""
        rng, today, now, sink = self.rng, self.today, self.now, self.sink
        horizon = today + dt.timedelta(days=BOOKED_AHEAD_DAYS)
        admin = self.admin_id

        def appointment(kind, day, series_id=None, location=None, attend=0.9) -> tuple[int, dt.datetime, str]:
            start = self.book(clinician, day)
            booked_at = min(start - dt.timedelta(days=rng.randrange(14, 35)), now)
            outcome, cancelled, reason, recorded = "", False, "", None
            if start < now:
                draw = rng.random()
                if draw < attend:
                    outcome = Attendance.ATTENDED
                elif draw < attend + (1 - attend) / 2:
                    outcome = Attendance.WAS_NOT_BROUGHT
                else:
                    outcome = rng.choice((Attendance.CANCELLED_BY_FAMILY, Attendance.CANCELLED_BY_SERVICE))
                    cancelled, reason = True, "Child unwell." if outcome == "cancelled_by_family" else "Staff sickness."
                recorded = start + dt.timedelta(minutes=SESSION_MINUTES + 15)
            appointment_id = self.new_id(Appointment)
            sink.add(
                self.t_appointment,
                (appointment_id, referral_id, series_id, kind, clinician, location or self.clinic_id, start,
                 start + dt.timedelta(minutes=SESSION_MINUTES), cancelled, outcome, recorded,
                 clinician if recorded else None, reason, admin, booked_at, recorded or booked_at),
            )  # fmt: skip
            return appointment_id, start, outcome

        # Booked from the waiting list, then assessed (a second try if the child was not brought to the first).
        assessment_id, start, outcome = appointment(Kind.ASSESSMENT, first_day, attend=0.94)
        left_queue_at = min(
            max(start - dt.timedelta(days=rng.randrange(14, 35)), triaged_at + dt.timedelta(hours=2)), now
        )
        if outcome and outcome != Attendance.ATTENDED:
            assessment_id, start, outcome = appointment(Kind.ASSESSMENT, start.date() + dt.timedelta(days=14), attend=1)
        if outcome != Attendance.ATTENDED:  # booked, not yet seen
            return "booked", None, left_queue_at, None, "", left_queue_at
        first_attended = timezone.localtime(start, LONDON).date()
        seen_at = start + dt.timedelta(hours=1)
        episode_id = self.new_id(Episode)
        sink.add(
            self.t_assessment,
            (self.new_id(Assessment), episode_id, assessment_id, first_attended, clinician, FINDINGS, IMPRESSION,
             seen_at, seen_at),
        )  # fmt: skip

        advice = pathway == "advice_and_strategies"
        blocks = 1 if advice else 1 + (rng.random() < 0.5) + (rng.random() < 0.5)
        day = first_attended + dt.timedelta(days=14)
        previous_package, previous_goals = None, []
        last_change, discharged_at, decision = seen_at, None, ""
        for block in range(1, blocks + 1):
            if day > horizon:
                break
            sessions = 1 if advice else rng.choice((6, 6, 8, 8, 10))
            created = min(self.nine(day.toordinal()) - dt.timedelta(days=7), now)
            package_id, series_id = self.new_id(Package), None
            if not advice:
                series_id = self.new_id(AppointmentSeries)
                sink.add(self.t_series, (series_id, referral_id, clinician, self.clinic_id, sessions,
                                         SESSION_MINUTES, clinician, created, created))  # fmt: skip
                for _ in range(sessions):
                    if day > horizon:
                        break
                    appointment(Kind.TREATMENT, day, series_id, self.home_id if rng.random() < 0.1 else None)
                    day += dt.timedelta(days=7)
            else:
                day += dt.timedelta(days=42)  # advice: a review call six weeks on
            review_day = day
            review_appointment_id = None
            review_start = None
            if review_day <= horizon:
                review_appointment_id, review_start, _ = appointment(Kind.REVIEW, review_day, attend=1)
            goals = []
            for position in range(1, rng.choice((2, 3, 3)) + 1):
                description, area, levels = self.bank[rng.randrange(len(self.bank))]
                goal_id = self.new_id(Goal)
                carried = previous_goals[position - 1] if len(previous_goals) >= position else None
                sink.add(self.t_goal, (goal_id, package_id, position, description.replace("{child}", given), area,
                                       levels, Decimal(1), -1, carried, created, created))  # fmt: skip
                goals.append(goal_id)
            sink.add(
                self.t_package,
                (package_id, episode_id, "advice_and_strategies" if advice else "package_of_care",
                 '["indirect_programme"]' if advice else ('["group"]' if pathway == "group" else '["direct_ot"]'),
                 '["school"]' if rng.random() < 0.6 else '["home"]', sessions, block, previous_package, series_id,
                 review_appointment_id, review_day, clinician, created, created),
            )  # fmt: skip
            last_change = max(last_change, created)
            if review_start is None or review_start > now:
                break  # the block is still going
            reviewed_on = timezone.localtime(review_start, LONDON).date()
            attained = [rng.choices((-2, -1, 0, 1, 2), weights=(3, 15, 50, 25, 7))[0] for _ in goals]
            last = block == blocks or rng.random() < 0.1
            decision = ("step_down_to_advice" if rng.random() < 0.2 else "discharge") if last else "new_block"
            review_id = self.new_id(Review)
            written = review_start + dt.timedelta(hours=2)
            sink.add(
                self.t_review,
                (review_id, package_id, reviewed_on, clinician, gas_t_score((1, level) for level in attained),
                 decision, REVIEW_SUMMARY[decision], written, written),
            )  # fmt: skip
            for goal_id, level in zip(goals, attained, strict=True):
                sink.add(self.t_rating, (self.new_id(GoalRating), review_id, goal_id, level, written, written))
            last_change = written
            if decision != "new_block":
                discharged_at = written + dt.timedelta(days=rng.randrange(1, 8))
                if discharged_at > now:
                    discharged_at = None
                break
            previous_package, previous_goals = package_id, goals
            day = reviewed_on + dt.timedelta(days=14)

        reason = ""
        if discharged_at is not None:
            reason = "goals_met" if decision == "discharge" else "moved_to_advice"
            last_change = discharged_at
        sink.add(
            self.t_episode,
            (episode_id, referral_id, clinician, reason, REVIEW_SUMMARY[decision] if reason else "", discharged_at,
             clinician if discharged_at else None, seen_at, last_change),
        )  # fmt: skip
        if discharged_at is not None:
            return "discharged", first_attended, left_queue_at, discharged_at, "Seen and discharged.", discharged_at
        return "seen", first_attended, left_queue_at, None, "", last_change
