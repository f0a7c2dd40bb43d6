"""Locks on things that are not rows: one NHS number. A check that no other record holds an NHS number, then a
write, is only safe if nobody else checks and writes the same number in between; two referrals for a new child
arriving together would otherwise make two records of one child (hazard H04)."""

from __future__ import annotations

import zlib

from django.db import connection


def hold_nhs_number(nhs_number: str) -> None:
    """Until the caller's transaction ends, anyone else holding this NHS number waits. PostgreSQL: a transaction
    advisory lock keyed on the number. SQLite takes one writer at a time already, so there is nothing to do."""
    if not nhs_number or connection.vendor != "postgresql":
        return
    key = zlib.crc32(f"nhs-number:{nhs_number}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
