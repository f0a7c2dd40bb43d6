"""Idempotency-Key handling: a retried request gets the first answer and changes nothing.

The record of the key is inserted in the same transaction as the work. Two requests with one key at the same
moment: the database's unique constraint makes the second wait for the first to commit (PostgreSQL blocks on
the index entry; SQLite's IMMEDIATE transactions queue), then it finds the record and replays its answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from paedot.core.models import IdempotencyRecord

MAX_KEY_LENGTH = 255


class IdempotencyConflict(Exception):
    """The key was used before with a different request body."""


def fingerprint(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record, request_fingerprint: str) -> tuple[int, Any]:
    if record.fingerprint != request_fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was used before with a different request. Use a new key for a new request."
        )
    return record.status_code, record.response_body


def run_once(*, user, key: str, payload: Any, action: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """Run action once per (user, key); later calls with the same payload get the stored answer."""
    record_model = IdempotencyRecord
    request_fingerprint = fingerprint(payload)
    existing = record_model.objects.filter(user=user, key=key).first()
    if existing is not None:
        return _replay(existing, request_fingerprint)
    try:
        with transaction.atomic():
            record = record_model.objects.create(
                user=user, key=key, fingerprint=request_fingerprint, status_code=0, response_body={}
            )
            status_code, body = action()
            record.status_code, record.response_body = status_code, body
            record.save(update_fields=["status_code", "response_body"])
    except IntegrityError:
        existing = record_model.objects.filter(user=user, key=key).first()
        if existing is None:
            raise
        return _replay(existing, request_fingerprint)
    return status_code, body
