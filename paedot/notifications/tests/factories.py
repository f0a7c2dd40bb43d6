"""Messages in the outbox in a given state, made directly: the tests of sending (test_outbox.py) make them the real
way; these are for the staff pages that read them."""

from __future__ import annotations

import itertools

from paedot.notifications.models import Message
from paedot.staff.services import create_staff_user

_numbers = itertools.count(1)


def message(status: str = "failed", *, referral=None, channel: str = "email", **fields) -> Message:
    n = next(_numbers)
    defaults = {
        "recipient": "parent@example.com" if channel == "email" else "07700900123",
        "subject": "Your appointment" if channel == "email" else "",
        "body": f"We have booked an appointment for you (message {n}).",
        "reference": f"test:{n}:booked",
        "attempts": 5 if status == "failed" else (1 if status != "queued" else 0),
        "error": "ConnectionRefusedError: the mail server refused" if status == "failed" else "",
        "to_parent_carer": referral is not None,
    }
    return Message.objects.create(channel=channel, status=status, referral=referral, **{**defaults, **fields})


def person(role: str, username: str, *, localities=(), email: str = ""):
    return create_staff_user(
        username=username,
        role=role,
        password="a-long-test-password-1",
        full_name=f"{username.title()} Person",
        email=email,
        localities=list(localities),
    )
