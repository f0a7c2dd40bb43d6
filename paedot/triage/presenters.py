"""How priorities read on staff pages: one tag for each, the same on every list."""

from __future__ import annotations

from paedot.referrals.models import Priority

PRIORITY_TAGS = {
    Priority.URGENT: "nhsuk-tag--red",
    Priority.SOON: "nhsuk-tag--orange",
    Priority.ROUTINE: "nhsuk-tag--grey",
}


def priority_tag(priority: str, *, suggested: bool = False) -> dict[str, str]:
    label = Priority(priority).label if priority in Priority.values else "Not triaged"
    return {
        "text": f"{label} (suggested)" if suggested else label,
        "classes": PRIORITY_TAGS.get(priority, "nhsuk-tag--white"),
    }
