"""Every change to a child's or family's record, and finding the children we already know. Import from here; the
modules are split only to keep each one readable: finding (is an incoming referral's child one we know?) and
details (changing a child's or family's details once a referral is in)."""

from paedot.children.services.details import (
    DetailsChanged,
    DetailsInvalid,
    NhsNumberHeld,
    RecordMerged,
    change_child_details,
    change_gp_practice,
    change_parent_carer,
    change_school,
    details_history,
)
from paedot.children.services.finding import find_known_children

__all__ = [
    "DetailsChanged",
    "DetailsInvalid",
    "NhsNumberHeld",
    "RecordMerged",
    "change_child_details",
    "change_gp_practice",
    "change_parent_carer",
    "change_school",
    "details_history",
    "find_known_children",
]
