"""Letters in a given state, made directly (issuing them the real way is tested with the services that issue them):
for the posting tests. All synthetic."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from paedot.letters.models import Kind, Letter
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import make_referral
from paedot.staff.services import create_staff_user

_numbers = itertools.count(1)

FAMILY = {"role": "family", "name": "Sara Testchild", "address": "1 Soho Road, Birmingham, B21 9RY"}
REFERRER = {"role": "referrer", "name": "Dr Jo Example", "address": "Example Surgery"}
GP = {"role": "gp", "name": "The GP, Example Surgery", "address": "M85001"}


def person(role: str, username: str, *, localities=(), email: str = ""):
    return create_staff_user(
        username=username,
        role=role,
        password="a-long-test-password-1",
        full_name=f"{username.title()} Person",
        email=email,
        localities=list(localities),
    )


def letter(
    referral: Referral | None = None,
    *,
    issued_by=None,
    kind: str = Kind.APPOINTMENT,
    issued_at: dt.datetime | None = None,
    recipients: list[dict] | None = None,
    subject: str = "",
    posted_by=None,
    posted_at: dt.datetime | None = None,
) -> Letter:
    """A letter issued (at `issued_at`, else now) and, with `posted_by` or `posted_at`, recorded as posted."""
    n = next(_numbers)
    made = Letter.objects.create(
        referral=referral or make_referral(),
        kind=kind,
        recipients=recipients if recipients is not None else [FAMILY],
        subject=subject or f"Your appointment (letter {n})",
        html=f"<p>Letter {n}</p>",
        issued_by=issued_by,
    )
    changes: dict = {}
    if issued_at is not None:
        changes["created_at"] = issued_at
    if posted_by is not None or posted_at is not None:
        changes.update(posted_at=posted_at or timezone.now(), posted_by=posted_by)
    if changes:
        Letter.objects.filter(pk=made.pk).update(**changes)
        made.refresh_from_db()
    return made


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)
