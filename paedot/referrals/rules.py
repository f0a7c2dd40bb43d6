"""Who may do what with referrals. Pure functions of the user's role."""

from __future__ import annotations

from paedot.staff.models import Role

SUBMITTING_ROLES = frozenset({Role.PARTNER_SYSTEM, Role.CLINICAL_ADMIN})


def may_submit_referrals(user) -> bool:
    return getattr(user, "role", None) in SUBMITTING_ROLES and getattr(user, "is_active", False)


def may_set_received_date(user) -> bool:
    """Paper, emailed and phoned referrals arrive before they are typed in: only admin staff back-date them."""
    return getattr(user, "role", None) == Role.CLINICAL_ADMIN
