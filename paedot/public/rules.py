"""Who may change what the public pages say about the service."""

from __future__ import annotations

from paedot.staff.models import Role

EDITING_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.TEAM_LEAD})


def may_edit_service_details(user) -> bool:
    return getattr(user, "is_authenticated", False) and getattr(user, "role", None) in EDITING_ROLES
