"""Who may submit referrals, and the journey a referral may take: pure functions, no database."""

from __future__ import annotations

from paedot.staff.models import Role
from paedot.staff.rules import Action, may

SUBMITTING_ROLES = frozenset({Role.PARTNER_SYSTEM, Role.CLINICAL_ADMIN})


def may_submit_referrals(user) -> bool:
    return getattr(user, "role", None) in SUBMITTING_ROLES and getattr(user, "is_active", False)


def may_set_received_date(user) -> bool:
    """Paper, emailed and phoned referrals arrive before they are typed in: only admin staff back-date them."""
    return getattr(user, "role", None) == Role.CLINICAL_ADMIN


# The referral journey. A move not listed here is refused and changes nothing.
TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"accepted", "declined", "information_requested", "discharged"}),
    "information_requested": frozenset({"received", "discharged"}),
    "accepted": frozenset({"waiting", "discharged"}),
    "waiting": frozenset({"invited", "booked", "discharged"}),
    "invited": frozenset({"booked", "discharged"}),
    "booked": frozenset({"seen", "discharged"}),
    "seen": frozenset({"discharged"}),
    "declined": frozenset(),
    "discharged": frozenset(),
}

STATUS_WORDS = {
    "received": "received and not yet screened",
    "information_requested": "waiting for more information",
    "accepted": "accepted and waiting for triage",
    "declined": "declined",
    "waiting": "on the waiting list",
    "invited": "invited to book",
    "booked": "booked",
    "seen": "seen (the wait is over)",
    "discharged": "discharged",
}


def may_move(current: str, to: str) -> bool:
    return to in TRANSITIONS.get(current, frozenset())


def refusal_message(current: str, to: str, *, reference: str = "") -> str:
    """A sentence for the person who tried: where the referral is, and why that move is not possible from there."""
    which = f"Referral {reference}" if reference else "This referral"
    if not TRANSITIONS.get(current):
        return f"{which} is {STATUS_WORDS.get(current, current)}: it is closed and cannot change."
    allowed = ", ".join(STATUS_WORDS[s] for s in sorted(TRANSITIONS[current]))
    here = STATUS_WORDS.get(current, current)
    return f"{which} is {here}, so it cannot be {STATUS_WORDS.get(to, to)} now (from here it can be: {allowed})."


def may_undo_merge(user, *, merged_by_id: int | None) -> bool:
    """A team lead may undo any merge; admin staff and OTs only one they made themselves (they know why they made
    it). Undoing separates two children's records again, so it is held closer than merging."""
    if not may(user, Action.UNDO_MERGE):
        return False
    return user.role == Role.TEAM_LEAD or (merged_by_id is not None and user.pk == merged_by_id)
