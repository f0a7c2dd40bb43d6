"""Fixtures every app's tests share: a test database with the reference data, and users of each role."""

from __future__ import annotations

import pytest
from django.core.management import call_command

# The browser journeys' fixtures (browser, app_server, page), shared by every app's journeys.
pytest_plugins = ["paedot.tests.browser"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Tests make many staff users; a deliberately slow hash (PBKDF2) would be most of the suite's time."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache, so rate-limit counts never carry from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _two_factor_off(settings):
    """Tests sign people in with client.force_login, which gives the password step only: with two-factor on, every
    staff page would redirect to the code page. Off here; the two-factor tests (paedot/staff/tests) turn it on."""
    settings.STAFF_TWO_FACTOR = False


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_keepdb, django_db_modify_db_settings
):
    """The test database, always made (pytest-django makes it only when some test is marked django_db, which the
    browser journeys using committed_db are not), holding the real reference data (GP practices, postcodes,
    schools, policies)."""
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=verbosity, interactive=False, keepdb=django_db_keepdb, aliases={"default"})
        call_command("load_reference_data", verbosity=0)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            _end_other_connections()
            teardown_databases(config, verbosity=verbosity)


def _end_other_connections() -> None:
    """Threads in the concurrency tests and the live server each had a connection; PostgreSQL will not drop a
    database anyone is still connected to, so end those before the test database is dropped."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connections.close_all()


# Tables that hold reference data; everything else is what a test made, and committed_db clears it.
REFERENCE_APPS = {"directory", "eligibility", "contenttypes", "auth", "sessions"}
REFERENCE_MODELS = {"diaries.schoolholiday", "diaries.schoolcalendar"}


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """A database where each statement commits, for tests with threads or a live server.

    pytest-django's transactional_db would flush the reference data too; this clears only what tests made.
    """
    from django.apps import apps
    from django.db import connection

    with django_db_blocker.unblock():
        yield
        models = [
            m
            for m in apps.get_models()
            if m._meta.app_label not in REFERENCE_APPS
            and m._meta.label_lower not in REFERENCE_MODELS
            and not m._meta.proxy
            and m._meta.managed
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
                cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            else:
                for model in models:
                    for field in model._meta.local_many_to_many:
                        cursor.execute(
                            f"DELETE FROM {connection.ops.quote_name(field.remote_field.through._meta.db_table)}"
                        )
                from paedot.core.audit import sqlite_append_only_guard_lifted

                cursor.execute("PRAGMA foreign_keys = OFF")
                with sqlite_append_only_guard_lifted(cursor):
                    for model in models:
                        cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
                cursor.execute("PRAGMA foreign_keys = ON")
        from paedot.advice.services import load_strategy_sheets
        from paedot.diaries.services import load_default_locations

        # Reference data the browser journeys' flush removed: default locations and the strategy sheet library.
        load_default_locations()
        load_strategy_sheets()


def _user(role: str, username: str):
    from paedot.staff.services import create_staff_user

    return create_staff_user(username=username, role=role, password="a-long-test-password-1", full_name="Test User")


@pytest.fixture
def admin_user(db):
    return _user("clinical_admin", "admin1")


@pytest.fixture
def ot_user(db):
    return _user("ot", "ot1")


@pytest.fixture
def ota_user(ot_user):
    user = _user("ota", "ota1")
    user.supervisor = ot_user
    user.save(update_fields=["supervisor"])
    return user


@pytest.fixture
def team_lead_user(db):
    return _user("team_lead", "lead1")


@pytest.fixture
def auditor_user(db):
    return _user("auditor", "auditor1")


@pytest.fixture
def system_admin_user(db):
    return _user("system_admin", "sysadmin1")


@pytest.fixture
def partner_user(db):
    return _user("partner_system", "gp-system")


@pytest.fixture
def partner_token(partner_user):
    from paedot.staff.services import issue_api_token

    return issue_api_token(user=partner_user, name="test GP system")


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a skip can hide a missing piece (a browser, a database feature)."""
    import os

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; skips are not allowed in CI.", red=True)
        session.exitstatus = 1
