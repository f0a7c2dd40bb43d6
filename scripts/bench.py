"""make bench: time the waiting list (the staff page and the API) on PostgreSQL with 50,000 children waiting,
then concurrent booking into the same diaries.

A benchmark, not a test: it prints figures and fails only if a request fails. Against its own database
(DATABASE_URL, default postgres://postgres@127.0.0.1:5432/paedot_bench, made if missing), it migrates, loads the
reference data, and loads 50,000 referrals on the waiting list and 150,000 closed ones by COPY (not through the
services: that would take hours), so the partial index on the open part has something to leave out. A rerun
reuses the data; --reload makes it again.

Requests go through Django's test client in the same process (gunicorn is not installed): the whole Django stack
(middleware, sessions, auth, the view or API, templates, the database) but no HTTP server or network. The test
client never closes the database connection between requests, so these figures are for persistent connections
(settings set CONN_MAX_AGE=600 for PostgreSQL, so a real server keeps them too).

Then the booking scenario (bench_booking): concurrent clients, each a process with its own connection, book
45-minute sessions into the same ten diaries through book_appointment, and SQL confirms that no two live
appointments overlap; the scenario's appointments are deleted and its children put back afterwards. It fails if
there is a double booking or a booking fails with anything but a refusal.

    .venv/bin/python scripts/bench.py [--requests 200] [--reload] [--only waiting-list|booking]
        [--clients 8] [--attempts 150]
"""

# ruff: noqa: S311, S608 - synthetic data from a seeded generator; SQL built from our own table names and constants

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/paedot_bench"
WAITING = 50_000
CLOSED = 150_000
CLINICIANS = 20
BATCH = 10_000


def ensure_database(url: str) -> None:
    """Make the bench database if the server does not have it yet (a local server with trust auth)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"make bench runs on PostgreSQL; DATABASE_URL is {url!r}.")
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"Made database {config['NAME']}.")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paedot.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# Loading the data ----------------------------------------------------------------------------------------------


def copy_rows(cursor, model, rows: Iterable[dict]) -> int:
    """COPY dicts of attribute values into the model's table; fields not given take their default (or blank)."""
    from django.db import connection
    from django.db.models import JSONField

    fields = model._meta.concrete_fields
    fill = []
    for field in fields:
        if field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif field.empty_strings_allowed:
            value = ""
        else:
            value = ...  # must be given
        fill.append(value)
    json_fields = {field.attname for field in fields if isinstance(field, JSONField)}
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    made = 0
    with cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for field, default in zip(fields, fill, strict=True):
                value = row.get(field.attname, default)
                if value is ...:
                    raise ValueError(f"{model.__name__}.{field.attname} needs a value")
                if field.attname in json_fields:
                    value = json.dumps(value)
                values.append(value)
            copy.write_row(values)
            made += 1
    return made


def bench_reference(number: int) -> str:
    """OT-XXXX-XXXX, unique for each number (a multiplier coprime to 31^8 scatters them)."""
    from paedot.referrals.services import REFERENCE_ALPHABET

    n = (number * 7919 + 104_729) % 31**8
    chars = []
    for _ in range(8):
        n, digit = divmod(n, 31)
        chars.append(REFERENCE_ALPHABET[digit])
    return f"OT-{''.join(chars[:4])}-{''.join(chars[4:])}"


def bench_staff():
    from paedot.staff.models import Locality, Role, User
    from paedot.staff.services import create_staff_user

    admin = User.objects.filter(username="bench-admin").first() or create_staff_user(
        username="bench-admin", role=Role.CLINICAL_ADMIN, full_name="Bench Admin"
    )
    clinicians = []
    localities = list(Locality.values)
    for i in range(CLINICIANS):
        username = f"bench-ot-{i + 1}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_staff_user(username=username, role=Role.OT, full_name=f"Bench Therapist{i + 1}")
            user.localities = [localities[i % len(localities)]]
            user.save(update_fields=["localities"])
        clinicians.append(user)
    return admin, clinicians


def load_referrals(today: dt.date, clinicians, seed: int = 50_000) -> None:
    """50,000 on the waiting list and 150,000 closed, with their children, parents and eligibility decisions."""
    from django.db import connection
    from django.utils import timezone

    from paedot.children.models import Child, ParentCarer
    from paedot.demo import synthetic
    from paedot.directory.models import GPPractice
    from paedot.referrals.models import PRIORITY_RANK, EligibilityDecision, Priority, Referral
    from paedot.staff.models import Locality

    rng = random.Random(seed)
    practices = [
        p
        for p in GPPractice.objects.filter(in_birmingham=True).order_by("code")
        if p.is_active and p.locality in Locality.values
    ]
    by_locality: dict[str, list[int]] = {}
    for clinician in clinicians:
        for locality in clinician.localities:
            by_locality.setdefault(locality, []).append(clinician.pk)
    total = WAITING + CLOSED
    # Waiting-list statuses first, then closed; shuffled so ids do not follow the order of the list.
    statuses = ["waiting"] * int(WAITING * 0.88) + ["invited"] * int(WAITING * 0.06)
    statuses += ["booked"] * (WAITING - len(statuses))
    statuses += ["discharged"] * int(CLOSED * 0.8)
    statuses += ["declined"] * (total - len(statuses))
    rng.shuffle(statuses)
    priorities = [Priority.URGENT, Priority.SOON, Priority.ROUTINE]

    def moment(day: dt.date, hour: int = 10) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    children, parents, referrals, decisions = [], [], [], []
    for i, status in enumerate(statuses, start=1):
        on_list = status in ("waiting", "invited", "booked")
        days_ago = int(rng.triangular(0, 730, 120)) if on_list else rng.randint(30, 3650)
        received = today - dt.timedelta(days=days_ago)
        practice = rng.choice(practices)
        date_of_birth = received - dt.timedelta(days=rng.randint(2 * 365, 17 * 365))
        family, given = rng.choice(synthetic.FAMILY_NAMES), rng.choice(synthetic.GIVEN_NAMES)
        at = moment(received)
        children.append(
            {
                "id": i,
                "given_name": given,
                "family_name": family,
                "date_of_birth": date_of_birth,
                "nhs_number": synthetic.synthetic_nhs_number(rng),
                "address": f"{rng.randint(1, 240)} {rng.choice(synthetic.STREETS)}, Birmingham",
                "postcode": "B21 9RY",
                "created_at": at,
                "updated_at": at,
            }
        )
        parents.append(
            {
                "id": i,
                "child_id": i,
                "name": f"{rng.choice(synthetic.GIVEN_NAMES)} {family}",
                "relationship": "Mother",
                "phone": "07700 900123",
                "created_at": at,
                "updated_at": at,
            }
        )
        triaged = status != "declined"
        priority = rng.choices(priorities, weights=[10, 25, 65])[0] if triaged else ""
        clinician = None
        if (on_list and rng.random() < 0.6) or status == "discharged":
            clinician = rng.choice(by_locality[practice.locality])
        closed = status in ("discharged", "declined")
        referrals.append(
            {
                "id": i,
                "reference": bench_reference(i),
                "child_id": i,
                "parent_carer_id": i,
                "received_date": received,
                "received_at": at,
                "source": rng.choice(["online", "api", "paper", "email"]),
                "status": status,
                "education": "mainstream_school",
                "gp_practice_code": practice.code,
                "gp_practice_name": practice.name,
                "locality": practice.locality,
                "difficulties": rng.sample(list(synthetic.DESCRIPTIONS), k=rng.choice([1, 2, 3])),
                "description": "Handwriting is hard to read and he cannot do buttons.",
                "consent_given": True,
                "referrer_name": "Dr Jo Example",
                "referrer_role": "gp",
                "referrer_organisation": practice.name.title(),
                "status_changed_at": at + dt.timedelta(days=min(days_ago, 20)),
                "priority": priority,
                "priority_rank": PRIORITY_RANK[Priority(priority)] if priority else None,
                "pathway": rng.choice(["advice_and_strategies", "package_of_care", "group"]) if triaged else "",
                "first_setting": rng.choice(["clinic", "school", "home"]) if triaged else "",
                "clinician_id": clinician,
                "triaged_at": at + dt.timedelta(days=min(days_ago, 14)) if triaged else None,
                "left_queue_at": moment(today - dt.timedelta(days=rng.randint(0, min(days_ago, 400))))
                if status in ("booked", "discharged")
                else None,
                "closed_at": moment(today - dt.timedelta(days=rng.randint(0, days_ago - 20))) if closed else None,
                "closing_reason": "Seen and discharged." if status == "discharged" else "",
                "created_at": at,
                "updated_at": at,
            }
        )
        decisions.append(
            {
                "id": i,
                "referral_id": i,
                "outcome": "decline" if status == "declined" else "accept",
                "policy_id": "service-page-2019",
                "decided_at": at,
            }
        )
        if i % BATCH == 0 or i == total:
            with connection.cursor() as cursor:
                raw = cursor.cursor
                copy_rows(raw, Child, children)
                copy_rows(raw, ParentCarer, parents)
                copy_rows(raw, Referral, referrals)
                copy_rows(raw, EligibilityDecision, decisions)
            children, parents, referrals, decisions = [], [], [], []
            if i % 50_000 == 0:
                print(f"  {i:,} referrals loaded", flush=True)
    with connection.cursor() as cursor:
        for model in (Child, ParentCarer, Referral, EligibilityDecision):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def ensure_data(today: dt.date, *, reload: bool):
    from django.db import connection, transaction

    from paedot.children.models import Child, ParentCarer
    from paedot.referrals.models import EligibilityDecision, Referral

    admin, clinicians = bench_staff()
    waiting = Referral.objects.on_waiting_list().count()
    total = Referral.objects.count()
    if not reload and waiting == WAITING and total == WAITING + CLOSED:
        print(f"Reusing {total:,} referrals ({waiting:,} on the waiting list). --reload to make them again.")
        return admin, clinicians
    print(f"Loading {WAITING:,} waiting and {CLOSED:,} closed referrals by COPY ...")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        tables = ", ".join(m._meta.db_table for m in (Child, Referral))
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        load_referrals(today, clinicians)
    # What autovacuum does to a table in use: statistics for the planner, and the visibility map that lets a
    # count be answered from an index alone. Straight after COPY neither is there yet.
    with connection.cursor() as cursor:
        for model in (Child, ParentCarer, Referral, EligibilityDecision):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    print(f"Loaded in {time.perf_counter() - started:.1f} s (with VACUUM ANALYZE).")
    return admin, clinicians


# Timing --------------------------------------------------------------------------------------------------------


def summarise(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "mean": statistics.fmean(ordered) * 1000,
        "p50": ordered[len(ordered) // 2] * 1000,
        "p95": ordered[min(int(len(ordered) * 0.95), len(ordered) - 1)] * 1000,
    }


def time_requests(get: Callable[[], object], requests: int, warmup: int = 10) -> dict[str, float]:
    """Times of `requests` requests after `warmup`; the SQL queries of one request; the mean time spent in SQL."""
    from django.db import connection

    for _ in range(warmup):
        response = get()
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}")
    queries: list[str] = []
    in_sql = [0.0]

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    def clock(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql[0] += time.perf_counter() - started

    with connection.execute_wrapper(count):
        get()
    times = []
    with connection.execute_wrapper(clock):
        for _ in range(requests):
            started = time.perf_counter()
            get()
            times.append(time.perf_counter() - started)
    return {**summarise(times), "queries": len(queries), "sql": in_sql[0] / requests * 1000}


def show_queries(title: str, get: Callable[[], object]) -> None:
    """Each SQL query of one request, with its time: where a slow page spends it."""
    from django.db import connection

    log: list[tuple[float, str]] = []

    def clock(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            log.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(clock):
        started = time.perf_counter()
        get()
        total = time.perf_counter() - started
    print(f"\nThe queries of one request: {title} ({total * 1000:.1f} ms in all)")
    for seconds, sql in log:
        short = re.sub(r"^SELECT .*? FROM ", "SELECT ... FROM ", sql, count=1)
        short = short if len(short) <= 150 else short[:147] + "..."
        print(f"  {seconds * 1000:7.2f} ms  {short}")


def time_sql(sql: str, params=(), runs: int = 200) -> dict[str, float]:
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append(time.perf_counter() - started)
    return summarise(times)


def print_row(name: str, result: dict[str, float]) -> None:
    extra = f"{result['queries']:>2} queries, {result['sql']:6.2f} ms in SQL" if "queries" in result else ""
    print(
        f"  {name:<44} mean {result['mean']:7.2f} ms  p50 {result['p50']:7.2f} ms  p95 {result['p95']:7.2f} ms  {extra}"
    )


def explain(title: str, queryset) -> None:
    print(f"\nEXPLAIN ANALYZE: {title}")
    for line in queryset.explain(analyze=True, buffers=True).splitlines():
        print(f"  {line}")


def calibrate(url: str) -> None:
    """The machine against PERFORMANCE.md's reference rows, measured now: figures drift between machines and runs,
    so compare ratios, not absolute times."""
    import psycopg

    print("\nThis machine now, beside PERFORMANCE.md's reference")
    rows = []
    times = []
    for _ in range(50):
        started = time.perf_counter()
        psycopg.connect(url).close()
        times.append(time.perf_counter() - started)
    opening = statistics.median(times) * 1000
    rows.append(("opening a new PostgreSQL connection", f"{opening:.1f} ms", "2.3-2.7 ms", 2.5 / opening))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS bench_calibration (id bigserial PRIMARY KEY, v float8)")
        started = time.perf_counter()
        for _ in range(2000):
            connection.execute("INSERT INTO bench_calibration (v) VALUES (random()) RETURNING id").fetchone()
        rate = 2000 / (time.perf_counter() - started)
        rows.append(("one Python process, INSERT ... RETURNING", f"{rate:,.0f}/s", "2,900-3,400/s", rate / 3150))
        pgbench = shutil.which("pgbench")
        if pgbench:
            script = Path(tempfile.mkdtemp()) / "insert.sql"
            script.write_text("INSERT INTO bench_calibration (v) VALUES (random());\n")
            for clients, reference in ((1, 3600), (8, 13000)):
                run = subprocess.run(  # noqa: S603 - our own arguments
                    [pgbench, "-n", "-c", str(clients), "-j", str(min(clients, 2)), "-T", "5", "-f", str(script), url],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                found = re.search(r"tps = ([\d.]+)", run.stdout)
                if found:
                    tps = float(found.group(1))
                    what = f"pgbench single-row INSERT, {clients} client{'s' if clients > 1 else ''}"
                    rows.append((what, f"{tps:,.0f}/s", f"{reference:,}/s", tps / reference))
        connection.execute("DROP TABLE bench_calibration")
    for what, here, reference, ratio in rows:
        print(f"  {what:<52} {here:>10}   reference {reference:>13}   {ratio:4.2f}x the reference's speed")


def bench_waiting_list(url: str, admin, today: dt.date, *, requests: int) -> None:
    """The staff page and the API of the waiting list, the same SQL alone, EXPLAIN ANALYZE, and the calibration."""
    from django.db import connection
    from django.test import Client

    from paedot.referrals.models import Referral
    from paedot.staff.models import ApiToken
    from paedot.staff.services import issue_api_token
    from paedot.waiting_list.services import WaitingListFilters, waiting_list

    waiting = Referral.objects.on_waiting_list().count()
    last_page = -(-waiting // 50)
    middle_page = last_page // 2

    # The staff page, signed in as a clinical admin.
    page_client = Client()
    page_client.force_login(admin)
    page_cases = [
        ("page 1", ""),
        (f"page {middle_page} (middle)", f"?page={middle_page}"),
        (f"page {last_page} (last)", f"?page={last_page}"),
        ("filtered: East, routine, page 1", "?locality=East&priority=routine"),
        ("filtered: East, routine, page 20", "?locality=East&priority=routine&page=20"),
    ]
    print(f"\nStaff page /staff/waiting-list/ ({requests} requests each, after 10 to warm up)")
    if page_client.get("/staff/waiting-list/").status_code == 404:
        print("  Not built yet (404): skipped.")
    else:
        for name, query in page_cases:
            print_row(name, time_requests(lambda q=query: page_client.get(f"/staff/waiting-list/{q}"), requests))

        show_queries("staff page 1", lambda: page_client.get("/staff/waiting-list/"))
        show_queries(f"staff page {last_page}", lambda: page_client.get(f"/staff/waiting-list/?page={last_page}"))

    # The API, with a clinical admin's bearer token (a partner system may not read the waiting list).
    ApiToken.objects.filter(user=admin, name="bench").delete()
    token = issue_api_token(user=admin, name="bench")
    api_client = Client(headers={"authorization": f"Bearer {token}"})
    api_cases = [
        ("page 1", ""),
        (f"page {middle_page} (middle)", f"?page={middle_page}"),
        (f"page {last_page} (last)", f"?page={last_page}"),
        ("filtered: East, routine, page 1", "?locality=East&priority=routine"),
    ]
    print(f"\nAPI GET /api/waiting-list ({requests} requests each, after 10 to warm up)")
    for name, query in api_cases:
        print_row(name, time_requests(lambda q=query: api_client.get(f"/api/waiting-list{q}"), requests))

    show_queries("API page 1", lambda: api_client.get("/api/waiting-list"))

    # The database alone, beside PERFORMANCE.md's reference rows.
    order = "ORDER BY priority_rank, received_date, id"
    on_list = "status IN ('waiting', 'invited', 'booked')"
    table = Referral._meta.db_table
    cursor = connection.cursor()
    cursor.execute(
        f"SELECT priority_rank, received_date, id FROM {table} WHERE {on_list} {order} OFFSET %s LIMIT 1",
        [waiting // 2],
    )
    middle = cursor.fetchone()
    print("\nThe database alone (200 runs each)")
    sql_cases = [
        (
            "first 50 of the list (partial index)",
            f"SELECT id, reference FROM {table} WHERE {on_list} {order} LIMIT 50",
            (),
        ),
        (
            f"50 from the middle by OFFSET {waiting // 2:,}",
            f"SELECT id, reference FROM {table} WHERE {on_list} {order} OFFSET {waiting // 2} LIMIT 50",
            (),
        ),
        (
            "50 from the middle by keyset",
            f"SELECT id, reference FROM {table} WHERE {on_list} AND (priority_rank, received_date, id) > (%s, %s, %s) "
            f"{order} LIMIT 50",
            middle,
        ),
        ("count(*) of the waiting list", f"SELECT count(*) FROM {table} WHERE {on_list}", ()),
        ("count(*) of every referral", f"SELECT count(*) FROM {table}", ()),
    ]
    for name, sql, params in sql_cases:
        print_row(name, time_sql(sql, params))
    calibrate(url)

    queryset = waiting_list(WaitingListFilters(), today=today)
    explain("the first page of the waiting list", queryset[:50])
    explain(f"page {middle_page} by OFFSET", queryset[(middle_page - 1) * 50 : middle_page * 50])
    print("\nEXPLAIN ANALYZE: the count on every page")
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM {table} WHERE {on_list}")
    for (line,) in cursor.fetchall():
        print(f"  {line}")
    explain("East, routine, first page", waiting_list(WaitingListFilters(locality="East", priority="routine"))[:50])


# Booking ---------------------------------------------------------------------------------------------------------

DIARIES = 10  # clinicians whose diaries the clients book into
SLOT_HOURS = tuple(range(9, 17))  # 8 slots a day in a 09:00-17:00 working day
SLOT_MINUTES = (0, 15)  # each slot starts on the hour or a quarter past: some clashes are partial overlaps
BOOKING_MINUTES = 45
RUN_SECONDS = 60  # a client stops after this long, whatever attempts it has left


def booking_worker(url, number, referral_ids, slots, admin_id, location_id, seed, barrier, results) -> None:
    """One client in its own process, with its own database connection: books random slots until done."""
    setup_django(url)
    from django.db import connection, connections

    from paedot.appointments.services import DoubleBooking, book_appointment
    from paedot.diaries.models import Location
    from paedot.referrals.models import Referral
    from paedot.staff.models import User

    rng = random.Random(seed)
    admin = User.objects.get(pk=admin_id)
    location = Location.objects.get(pk=location_id)
    clinicians = User.objects.in_bulk({clinician for clinician, _ in slots})
    referrals = list(Referral.objects.filter(pk__in=referral_ids).order_by("pk"))
    user_table = connection.ops.quote_name(User._meta.db_table)
    queries, lock_wait = [0], [0.0]

    def watch(execute, sql, params, many, context):
        queries[0] += 1
        if "FOR UPDATE" in sql and f"FROM {user_table}" in sql:  # the clinician's row lock: time spent waiting
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                lock_wait[0] += time.perf_counter() - started
        return execute(sql, params, many, context)

    records, errors = [], []
    barrier.wait(timeout=300)
    started = time.monotonic()
    with connection.execute_wrapper(watch):
        for referral in referrals:
            if time.monotonic() - started > RUN_SECONDS:
                break
            clinician, start = rng.choice(slots)
            queries[0], lock_wait[0] = 0, 0.0
            began = time.perf_counter()
            try:
                book_appointment(
                    referral=referral,
                    clinician=clinicians[clinician],
                    kind="treatment",
                    location=location,
                    start=start,
                    duration_minutes=BOOKING_MINUTES,
                    booked_by=admin,
                    notify=False,
                )
                outcome = "booked"
            except DoubleBooking as error:
                # The locked check refuses it; the exclusion constraint only if two got past the check at once.
                outcome = "constraint" if "a moment ago" in str(error) else "refused"
            except Exception as error:
                outcome = "error"
                errors.append(f"{type(error).__name__}: {error}")
            records.append((outcome, time.perf_counter() - began, queries[0], lock_wait[0]))
    finished = time.monotonic()
    connections.close_all()
    results.put({"number": number, "started": started, "finished": finished, "records": records, "errors": errors})


def booking_days(today: dt.date, count: int) -> list[dt.date]:
    """The first `count` weekdays from the Monday at least two weeks ahead that are not bank holidays or closures."""
    from paedot.diaries.services import excluded_dates

    monday = today + dt.timedelta(days=14 + (7 - today.weekday()) % 7)
    excluded = excluded_dates(monday, monday + dt.timedelta(days=count * 2 + 30), school_setting=False)
    days, day = [], monday
    while len(days) < count:
        if day.weekday() < 5 and day not in excluded:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def overlapping_pairs() -> tuple[int, int]:
    """Pairs of live appointments, anywhere in the table, that overlap for one clinician and for one room."""
    from django.db import connection

    from paedot.appointments.models import Appointment

    table = Appointment._meta.db_table
    counts = []
    with connection.cursor() as cursor:
        for column in ("clinician_id", "room_id"):
            cursor.execute(
                f"SELECT count(*) FROM {table} a JOIN {table} b ON a.{column} = b.{column} AND a.id < b.id "
                "AND tstzrange(a.start, a.\"end\", '[)') && tstzrange(b.start, b.\"end\", '[)') "
                "WHERE NOT a.cancelled AND NOT b.cancelled"
            )
            counts.append(cursor.fetchone()[0])
    return counts[0], counts[1]


def ms(seconds: list[float], share: float) -> str:
    if not seconds:
        return "-"
    ordered = sorted(seconds)
    return f"{ordered[min(int(len(ordered) * share), len(ordered) - 1)] * 1000:.1f}"


def bench_booking(url: str, admin, clinicians, today: dt.date, *, clients: int, attempts: int) -> list[str]:
    """Concurrent clients booking 45-minute treatment sessions into the same diaries; then prove no double booking.

    Each client is a process with its own connection and its own waiting children (one per attempt), booking
    random slots from the same small set, so many attempts collide. Afterwards the appointments are deleted and
    the children put back on the waiting list as they were, so a rerun starts from the same data.
    """
    import multiprocessing
    from threading import BrokenBarrierError

    from django.db import connection

    from paedot.appointments.models import Appointment
    from paedot.diaries.models import Location, WorkingDay
    from paedot.diaries.rules import LONDON
    from paedot.referrals.models import Referral, Status

    soho = Location.objects.get(name="Soho Health Centre")
    for clinician in clinicians:  # Monday to Friday, 09:00 to 17:00, based at Soho
        if WorkingDay.objects.filter(clinician=clinician).count() != 5:
            WorkingDay.objects.filter(clinician=clinician).delete()
            for weekday in range(5):
                WorkingDay.objects.create(
                    clinician=clinician, weekday=weekday, starts=dt.time(9), ends=dt.time(17), base=soho
                )
    ours = Appointment.objects.filter(clinician__in=clinicians, booked_by=admin)
    ours.delete()  # anything left by an interrupted run
    needed = clients * attempts
    snapshot = list(
        Referral.objects.filter(status=Status.WAITING, triaged_at__isnull=False, left_queue_at__isnull=True)
        .order_by("id")
        .values_list("id", "status", "status_changed_at", "left_queue_at", "updated_at")[:needed]
    )
    if len(snapshot) < needed:
        raise RuntimeError(f"Only {len(snapshot)} waiting children to book, for {needed} attempts.")
    ids = [row[0] for row in snapshot]
    referral_table = Referral._meta.db_table

    def restore() -> None:
        """Delete the run's appointments and put its children back as they were. (The audit events stay: the
        trail is append-only, so each run adds two events a booking.)"""
        ours.delete()
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {referral_table} SET status = %s, status_changed_at = %s, left_queue_at = %s, "
                "updated_at = %s WHERE id = %s",
                [(*row[1:], row[0]) for row in snapshot],
            )

    def slots_for(diaries: int, days: list[dt.date]) -> list[tuple[int, dt.datetime]]:
        return [
            (clinician.pk, dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON).astimezone(dt.UTC))
            for clinician in clinicians[:diaries]
            for day in days
            for hour in SLOT_HOURS
            for minute in SLOT_MINUTES
        ]

    week = booking_days(today, 5)
    many_weeks = booking_days(today, 100)
    runs = [
        ("1 client, 10 diaries, 1 week", 1, 10, week),
        (f"{clients} clients, 10 diaries, 1 week", clients, 10, week),
        (f"{clients} clients, 1 diary, 1 week", clients, 1, week),
        (f"{clients} clients, 10 diaries, 20 weeks", clients, 10, many_weeks),
    ]
    print(
        f"\nBooking: concurrent clients (each a process with its own connection) booking {BOOKING_MINUTES}-minute "
        f"treatment sessions at Soho Health Centre into the same diaries, {attempts} attempts a client (at most "
        f"{RUN_SECONDS} s), each attempt for another waiting child and a random slot: "
        f"{len(SLOT_HOURS)} slots a day, starting on the hour or a quarter past. 1 week is "
        f"{week[0]:%-d} to {week[-1]:%-d %B %Y}; 20 weeks is {len(many_weeks)} working days from "
        f"{many_weeks[0]:%-d %B} to {many_weeks[-1]:%-d %B %Y}."
    )
    context = multiprocessing.get_context("spawn")
    failures = []
    for name, run_clients, diaries, days in runs:
        slots = slots_for(diaries, days)
        barrier = context.Barrier(run_clients + 1)
        results = context.Queue()
        per_client = len(ids) // clients
        workers = [
            context.Process(
                target=booking_worker,
                args=(
                    url,
                    n,
                    ids[n * per_client : (n + 1) * per_client],
                    slots,
                    admin.pk,
                    soho.pk,
                    1000 + n,
                    barrier,
                    results,
                ),
            )
            for n in range(run_clients)
        ]
        for worker in workers:
            worker.start()
        try:
            try:
                barrier.wait(timeout=300)
                reports = [results.get(timeout=RUN_SECONDS + 300) for _ in workers]
            except (BrokenBarrierError, queue.Empty):
                for worker in workers:
                    worker.terminate()
                failures.append(f"{name}: a client did not start or did not finish")
                continue
            seconds = max(r["finished"] for r in reports) - min(r["started"] for r in reports)
            records = [record for report in reports for record in report["records"]]
            by_outcome = {
                outcome: [r for r in records if r[0] == outcome] for outcome in ("booked", "refused", "constraint")
            }
            booked, refused, constraint = (len(by_outcome[k]) for k in ("booked", "refused", "constraint"))
            errors = [error for report in reports for error in report["errors"]]
            pairs, room_pairs = overlapping_pairs()
            live = ours.filter(cancelled=False).count()
            children_booked = Referral.objects.filter(pk__in=ids, status=Status.BOOKED).count()
            waits = [r[3] for r in records]
            print(f"\n  {name}: {len(slots):,} slot starts")
            print(
                f"    attempts {len(records):,}, bookings {booked:,}, refused as double bookings "
                f"{refused + constraint:,} (by the locked check {refused:,}, by the exclusion constraint "
                f"{constraint:,}), other errors {len(errors)}"
            )
            print(f"    {seconds:.1f} s: {booked / seconds:,.0f} bookings/s, {len(records) / seconds:,.0f} attempts/s")
            for label, outcome in (("booking", "booked"), ("refusal", "refused")):
                rows = by_outcome[outcome]
                if rows:
                    print(
                        f"    a {label}: p50 {ms([r[1] for r in rows], 0.5)} ms, p95 {ms([r[1] for r in rows], 0.95)} "
                        f"ms, {statistics.fmean(r[2] for r in rows):.0f} queries"
                    )
            print(
                f"    waiting for the clinician's row lock: mean {statistics.fmean(waits) * 1000:.1f} ms, "
                f"p95 {ms(waits, 0.95)} ms, max {ms(waits, 1.0)} ms; "
                f"{sum(waits) / (seconds * run_clients):.0%} of the clients' time"
            )
            print(f"    live appointments made {live:,} (bookings {booked:,}); children now booked {children_booked:,}")
            print(f"    double bookings: {pairs + room_pairs}")
            for error in errors[:5]:
                print(f"    error: {error}")
            if pairs + room_pairs:
                failures.append(f"{name}: {pairs} clinician and {room_pairs} room double bookings")
            if errors:
                failures.append(f"{name}: {len(errors)} bookings failed with an error, for example {errors[0]}")
            if live != booked or children_booked != booked:
                failures.append(f"{name}: {booked} bookings but {live} appointments and {children_booked} children")
        finally:
            for worker in workers:
                worker.join(timeout=60)
            restore()
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="Timed requests for each case (default 200).")
    parser.add_argument("--reload", action="store_true", help="Make the data again even if it is there.")
    parser.add_argument(
        "--only", choices=("waiting-list", "booking"), help="Run one part (default: the waiting list, then booking)."
    )
    parser.add_argument("--clients", type=int, default=8, help="Concurrent booking clients (default 8).")
    parser.add_argument("--attempts", type=int, default=150, help="Booking attempts per client (default 150).")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    ensure_database(url)
    setup_django(url)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from paedot.referrals.models import Referral

    # The pages are timed after sign-in: force_login gives the password step only, so the code step is off here.
    settings.STAFF_TWO_FACTOR = False

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", verbosity=0)
    today = timezone.localdate()
    admin, clinicians = ensure_data(today, reload=args.reload)

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(
        f"\nMachine: {platform.node()}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"PostgreSQL {server}; Python {platform.python_version()}; Django via the in-process test client")
    print(f"CONN_MAX_AGE = {settings.DATABASES['default'].get('CONN_MAX_AGE')}")
    waiting = Referral.objects.on_waiting_list().count()
    print(f"Referrals: {Referral.objects.count():,}, on the waiting list: {waiting:,}")

    if args.only != "booking":
        bench_waiting_list(url, admin, today, requests=args.requests)
    if args.only != "waiting-list":
        failures = bench_booking(url, admin, clinicians[:DIARIES], today, clients=args.clients, attempts=args.attempts)
        calibrate(url)
        if failures:
            sys.exit("\n".join(failures))


if __name__ == "__main__":
    main()
