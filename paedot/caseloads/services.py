"""Allocating a child to a clinician, transferring them, and counting caseloads."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from paedot.caseloads.models import Allocation
from paedot.core.audit import record_event
from paedot.referrals.models import OPEN_STATUSES, Priority, Referral, Status
from paedot.referrals.services.journey import TransitionRefused, require
from paedot.staff.models import User
from paedot.staff.rules import Action

ALLOCATABLE = (Status.ACCEPTED, Status.WAITING, Status.INVITED, Status.BOOKED)


def allocate_referral(*, referral: Referral, clinician: User, allocated_by, reason: str = "") -> Referral:
    """Allocate an open, accepted referral to a clinician. Moving it from one clinician to another is a transfer,
    and needs a reason."""
    require(allocated_by, Action.ALLOCATE)
    if not clinician.is_clinician or not clinician.is_active:
        raise ValueError(f"{clinician.display_name} cannot hold a caseload: choose an OT, OT assistant or team lead.")
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status not in ALLOCATABLE:
            raise TransitionRefused(
                f"Referral {locked.reference} is {locked.get_status_display().lower()}: only an accepted, open "
                "referral can be allocated."
            )
        if locked.clinician_id == clinician.pk:
            raise TransitionRefused(f"Referral {locked.reference} is already allocated to {clinician.display_name}.")
        transfer_from = locked.clinician
        if transfer_from is not None and not reason:
            raise ValueError(f"Say why the child is moving from {transfer_from.display_name}'s caseload.")
        now = timezone.now()
        Allocation.objects.filter(referral=locked, ended_at__isnull=True).update(ended_at=now, updated_at=now)
        Allocation.objects.create(referral=locked, clinician=clinician, allocated_by=allocated_by, reason=reason)
        locked.clinician = clinician
        locked.save(update_fields=["clinician", "updated_at"])
        record_event(
            action="referral.transferred" if transfer_from else "referral.allocated",
            actor=allocated_by,
            target=locked,
            reason=reason,
            detail={"clinician": clinician.username, **({"from": transfer_from.username} if transfer_from else {})},
        )
    referral.clinician = clinician
    return locked


@dataclass
class Caseload:
    clinician: User
    by_status: dict[str, int] = field(default_factory=dict)
    by_priority: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def caseloads(clinicians) -> list[Caseload]:
    """Open referrals per clinician, by status and by priority, in two queries whatever the number of clinicians."""
    loads = {c.pk: Caseload(clinician=c) for c in clinicians}
    open_referrals = Referral.objects.filter(clinician__in=list(loads), status__in=OPEN_STATUSES)
    for row in open_referrals.values("clinician", "status").annotate(n=Count("id")).order_by():
        loads[row["clinician"]].by_status[row["status"]] = row["n"]
    for row in open_referrals.values("clinician", "priority").annotate(n=Count("id")).order_by():
        loads[row["clinician"]].by_priority[row["priority"] or "untriaged"] = row["n"]
    return list(loads.values())


PRIORITY_ORDER = [p.value for p in Priority]
