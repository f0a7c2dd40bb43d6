"""Changing a child's or family's details once a referral is in: a family moves house, changes phone or GP.

Letters read the child's address when they are issued, and emails and texts go to the parent or carer's details
as they are then; stale details mean a family not told of an appointment (hazard H12). Each change:
- is checked as intake checks it (children.rules), and refused with every problem named (DetailsInvalid, 400);
- never gives a child an NHS number another child's record holds (NhsNumberHeld, 409): that is a possible
  duplicate for a person to decide, never a silent merge; a merged record is changed through the surviving one;
- keeps what each detail was and became (DetailsChange), with who, when and why, for the record and subject access;
- writes one audit event naming the details changed, never their values. The rows are written with
  QuerySet.update(), so paedot.core.changes does not copy the old and new values into the audit trail either.
A new address also moves the child's home visits still to come (appointments.services.readdress_home_visits); a new
GP practice moves the referral to that practice's locality, and warns when the practice is closed or outside
Birmingham: the child may no longer be eligible, and a person decides (nothing is discharged here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from paedot.children import rules
from paedot.children.models import Child, DetailsChange, ParentCarer
from paedot.children.rules import DetailsProblem, DetailsWarning
from paedot.core.audit import record_event
from paedot.core.identifiers import format_nhs_number
from paedot.core.locks import hold_nhs_number
from paedot.directory.models import GPPractice, School
from paedot.directory.services import find_gp_practice, normalise_practice_code
from paedot.eligibility.rules import GPPracticeFacts
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import TransitionRefused, require
from paedot.staff.models import Locality
from paedot.staff.rules import Action

Section = DetailsChange.Section


class DetailsInvalid(ValueError):
    """The details given cannot be kept: each problem names its field (HTTP 400)."""

    def __init__(self, problems: Iterable[DetailsProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(f"{problem.message}." for problem in self.problems))


class NhsNumberHeld(Exception):
    """Another child's record already has this NHS number (HTTP 409): a possible duplicate, for a person."""

    def __init__(self, *, nhs_number: str, other_reference: str) -> None:
        self.nhs_number = nhs_number
        self.other_reference = other_reference
        where = (
            f"the record of the child on referral {other_reference}" if other_reference else "another child's record"
        )
        super().__init__(
            f"NHS number {format_nhs_number(nhs_number)} is already on {where}. If they are the same child, the two "
            "records need joining as a possible duplicate (a person checks and merges them), not by changing the "
            "number here. If they are not, check the number with the family or the GP practice."
        )


class RecordMerged(TransitionRefused):
    """The child's record was merged into another (HTTP 409): the surviving record is the one to change."""


@dataclass(frozen=True)
class DetailsChanged:
    """What a change did: a row of history per detail changed (none when nothing differed), and what follows."""

    section: str
    changes: tuple[DetailsChange, ...]
    home_visits_readdressed: int = 0
    warnings: tuple[DetailsWarning, ...] = ()
    locality_before: str = ""
    locality_after: str = ""
    in_directory: bool = True  # a school not found in the directory is kept as written

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(change.field for change in self.changes)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def locality_changed(self) -> bool:
        return self.locality_before != self.locality_after


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _latest_reference(child_id: int) -> str:
    return (
        Referral.objects.filter(child_id=child_id)
        .order_by("-received_date", "-id")
        .values_list("reference", flat=True)
        .first()
        or ""
    )


def _refuse_number_held_by_another(child: Child, number: str) -> None:
    """Refuse an NHS number another child holds. A record merged into this one is this child; a merged record of
    another child holds the number for the record it was merged into."""
    holders = Child.objects.filter(nhs_number=number).exclude(pk=child.pk).values_list("pk", "merged_into_id")
    others = {merged_into or pk for pk, merged_into in holders} - {child.pk}
    if others:
        other = min(others)
        raise NhsNumberHeld(nhs_number=number, other_reference=_latest_reference(other))


def _history(
    *,
    section: str,
    child_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    reason: str,
    changed_by,
    now: dt.datetime,
    referral: Referral | None = None,
    parent_carer: ParentCarer | None = None,
) -> tuple[DetailsChange, ...]:
    rows = [
        DetailsChange(
            child_id=child_id,
            referral=referral,
            parent_carer=parent_carer,
            section=section,
            field=name,
            before=_as_text(before[name]),
            after=_as_text(value),
            reason=reason,
            changed_by=changed_by,
            changed_at=now,
        )
        for name, value in after.items()
    ]
    return tuple(DetailsChange.objects.bulk_create(rows))


def change_child_details(
    *, child: Child, changes: Mapping[str, Any], reason: str, changed_by, referral: Referral | None = None
) -> DetailsChanged:
    """Change any of the child's names, date of birth, NHS number, address and postcode, with the reason.

    Only the details given are looked at, and only those that differ are changed and kept in the history; nothing
    differing is no change at all (no reason needed, nothing written). A new address or postcode moves the child's
    home visits still to come to it; those that happened keep the address they had. `referral` is the one the
    change was made from: the history and the audit event name it.
    """
    require(changed_by, Action.UPDATE_CHILD_DETAILS)
    with transaction.atomic():
        locked = Child.objects.select_for_update().get(pk=child.pk)
        if locked.merged_into_id is not None:
            surviving = _latest_reference(locked.merged_into_id)
            where = f" (referral {surviving})" if surviving else ""
            raise RecordMerged(
                "This child's record was merged into another record of the same child: change the details on the "
                f"surviving record{where}, which letters and messages use."
            )
        first_received = (
            Referral.objects.filter(child_id=locked.pk)
            .order_by("received_date")
            .values_list("received_date", flat=True)
            .first()
        )
        check = rules.check_child_details(changes, today=timezone.localdate(), first_received=first_received)
        problems = list(check.problems)
        differing = {name: value for name, value in check.values.items() if getattr(locked, name) != value}
        reason, reason_problem = rules.check_reason(reason, required=bool(differing))
        if reason_problem:
            problems.append(reason_problem)
        if problems:
            raise DetailsInvalid(problems)
        if not differing:
            return DetailsChanged(section=Section.CHILD, changes=())
        if differing.get("nhs_number"):
            hold_nhs_number(differing["nhs_number"])  # nobody else gives a record this number meanwhile
            _refuse_number_held_by_another(locked, differing["nhs_number"])
        now = timezone.now()
        before = {name: getattr(locked, name) for name in differing}
        # update(), not save(): paedot.core.changes would copy the old and new values into the audit trail.
        Child.objects.filter(pk=locked.pk).update(**differing, updated_at=now)
        history = _history(
            section=Section.CHILD,
            child_id=locked.pk,
            before=before,
            after=differing,
            reason=reason,
            changed_by=changed_by,
            now=now,
            referral=referral,
        )
        for name, value in differing.items():
            setattr(locked, name, value)
            setattr(child, name, value)
        readdressed = 0
        if {"address", "postcode"} & differing.keys():
            from paedot.appointments.services import readdress_home_visits

            readdressed = readdress_home_visits(child=locked, changed_by=changed_by)
        record_event(
            action="child.details_changed",
            actor=changed_by,
            target=referral if referral is not None else locked,
            child_id=locked.pk,
            reason=reason,
            detail={"fields": sorted(differing), "home_visits_readdressed": readdressed},
        )
    return DetailsChanged(section=Section.CHILD, changes=history, home_visits_readdressed=readdressed)


def change_parent_carer(
    *,
    parent_carer: ParentCarer,
    changes: Mapping[str, Any],
    changed_by,
    reason: str = "",
    referral: Referral | None = None,
) -> DetailsChanged:
    """Change the parent or carer's name, relationship, phone, email, preferred language or need for an interpreter.

    The referral's main contact is this one record: every referral naming it (and every letter, email and text from
    now on) uses the new details. A new person taking over as the main contact is a change of name and relationship,
    and the old ones stay in the history. The reason is optional here: a new phone number needs no explaining.
    """
    require(changed_by, Action.UPDATE_CHILD_DETAILS)
    with transaction.atomic():
        locked = ParentCarer.objects.select_for_update().get(pk=parent_carer.pk)
        check = rules.check_parent_carer(changes)
        problems = list(check.problems)
        reason, reason_problem = rules.check_reason(reason, required=False)
        if reason_problem:
            problems.append(reason_problem)
        if problems:
            raise DetailsInvalid(problems)
        differing = {name: value for name, value in check.values.items() if getattr(locked, name) != value}
        if not differing:
            return DetailsChanged(section=Section.PARENT_CARER, changes=())
        now = timezone.now()
        before = {name: getattr(locked, name) for name in differing}
        ParentCarer.objects.filter(pk=locked.pk).update(**differing, updated_at=now)
        history = _history(
            section=Section.PARENT_CARER,
            child_id=locked.child_id,
            before=before,
            after=differing,
            reason=reason,
            changed_by=changed_by,
            now=now,
            referral=referral,
            parent_carer=locked,
        )
        for name, value in differing.items():
            setattr(parent_carer, name, value)
        record_event(
            action="parent_carer.details_changed",
            actor=changed_by,
            target=referral if referral is not None else locked,
            child_id=locked.child_id,
            reason=reason,
            detail={"fields": sorted(differing)},
        )
    return DetailsChanged(section=Section.PARENT_CARER, changes=history)


def _facts(practice: GPPractice) -> GPPracticeFacts:
    return GPPracticeFacts(
        code=practice.code,
        found=True,
        active=bool(practice.is_active),
        in_birmingham=bool(practice.in_birmingham),
        name=practice.name,
        local_authority=practice.local_authority or "",
    )


def change_gp_practice(*, referral: Referral, gp_practice_code: str, reason: str, changed_by) -> DetailsChanged:
    """Register the child with another GP practice, found in the directory by its ODS code (as intake does).

    The referral takes the practice's name and locality, so it appears in that locality's lists from now on. A
    practice that is closed, or outside Birmingham, is still recorded (it is the family's GP), with a warning that
    the child may no longer be eligible: a person decides; nothing is discharged. A code the directory does not
    know is refused: it holds every GP practice in England and Wales, open or closed, so it is almost surely a slip.
    """
    require(changed_by, Action.UPDATE_CHILD_DETAILS)
    code = normalise_practice_code(gp_practice_code if isinstance(gp_practice_code, str) else "")
    problems: list[DetailsProblem] = []
    practice = find_gp_practice(code) if code else None
    if not code:
        problems.append(DetailsProblem("gp_practice_code", "required", "Enter the GP practice's ODS code"))
    elif practice is None:
        problems.append(
            DetailsProblem(
                "gp_practice_code",
                "unknown_practice",
                f"No GP practice has the ODS code {code[:10]}: check the code, or search by the practice's name or "
                "postcode",
            )
        )
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        differs = practice is not None and practice.code != locked.gp_practice_code
        reason, reason_problem = rules.check_reason(reason, required=differs or practice is None)
        if reason_problem:
            problems.append(reason_problem)
        if problems:
            raise DetailsInvalid(problems)
        assert practice is not None  # a problem above otherwise
        locality = practice.locality if practice.locality in Locality.values else ""
        if not differs:
            return DetailsChanged(
                section=Section.GP_PRACTICE,
                changes=(),
                locality_before=locked.locality,
                locality_after=locked.locality,
                warnings=rules.gp_practice_warnings(_facts(practice)),
            )
        now = timezone.now()
        before = {
            "gp_practice": rules.practice_label(locked.gp_practice_name, locked.gp_practice_code),
            "locality": locked.locality,
        }
        after = {"gp_practice": rules.practice_label(practice.name, practice.code)}
        if locality != locked.locality:
            after["locality"] = locality
        Referral.objects.filter(pk=locked.pk).update(
            gp_practice_code=practice.code, gp_practice_name=practice.name, locality=locality, updated_at=now
        )
        history = _history(
            section=Section.GP_PRACTICE,
            child_id=locked.child_id,
            before=before,
            after=after,
            reason=reason,
            changed_by=changed_by,
            now=now,
            referral=locked,
        )
        locality_before = locked.locality
        referral.gp_practice_code, referral.gp_practice_name, referral.locality = practice.code, practice.name, locality
        warnings = rules.gp_practice_warnings(_facts(practice))
        record_event(
            action="referral.gp_practice_changed",
            actor=changed_by,
            target=locked,
            reason=reason,
            detail={
                "fields": sorted(after),
                "warnings": [warning.code for warning in warnings],
            },
        )
    return DetailsChanged(
        section=Section.GP_PRACTICE,
        changes=history,
        warnings=warnings,
        locality_before=locality_before,
        locality_after=locality,
    )


def current_gp_practice_warnings(referral: Referral) -> tuple[DetailsWarning, ...]:
    """What a person must decide about the referral's GP practice as it is now (closed, or outside Birmingham)."""
    practice = find_gp_practice(referral.gp_practice_code)
    return rules.gp_practice_warnings(_facts(practice)) if practice is not None else ()


def school_label(urn: str, name: str) -> str:
    if urn and name:
        return f"{name} (URN {urn})"
    return name or (f"URN {urn}" if urn else "")


def change_school(
    *, referral: Referral, school_urn: str = "", school_name: str = "", reason: str, changed_by
) -> DetailsChanged:
    """Change the child's school or nursery on the referral: by its URN from the directory (its name comes from
    there), or by name alone for a school the directory does not hold (it has Birmingham's schools only, and a
    child may go to school over the border); both blank when the child is at no school or nursery."""
    require(changed_by, Action.UPDATE_CHILD_DETAILS)
    problems: list[DetailsProblem] = []
    urn, urn_problem = rules.check_text("school_urn", school_urn, required=False)
    name, name_problem = rules.check_text("school_name", school_name, required=False)
    problems.extend(problem for problem in (urn_problem, name_problem) if problem)
    school = None
    if urn and not urn_problem:
        school = School.objects.filter(urn=urn).only("urn", "name").first()
        if school is None:
            problems.append(
                DetailsProblem(
                    "school_urn",
                    "unknown_school",
                    f"No school with URN {urn[:10]} is in the directory: check it, or give the school's name "
                    "without a URN",
                )
            )
        else:
            name = school.name
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        new = {"school_urn": urn if school else "", "school_name": name}
        differs = (locked.school_urn, locked.school_name) != (new["school_urn"], new["school_name"])
        reason, reason_problem = rules.check_reason(reason, required=differs)
        if reason_problem:
            problems.append(reason_problem)
        if problems:
            raise DetailsInvalid(problems)
        if not differs:
            return DetailsChanged(section=Section.SCHOOL, changes=(), in_directory=school is not None or not name)
        now = timezone.now()
        Referral.objects.filter(pk=locked.pk).update(**new, updated_at=now)
        history = _history(
            section=Section.SCHOOL,
            child_id=locked.child_id,
            before={"school": school_label(locked.school_urn, locked.school_name)},
            after={"school": school_label(new["school_urn"], new["school_name"])},
            reason=reason,
            changed_by=changed_by,
            now=now,
            referral=locked,
        )
        referral.school_urn, referral.school_name = new["school_urn"], new["school_name"]
        record_event(
            action="referral.school_changed",
            actor=changed_by,
            target=locked,
            reason=reason,
            detail={"fields": ["school"], "in_directory": school is not None},
        )
    return DetailsChanged(section=Section.SCHOOL, changes=history, in_directory=school is not None or not name)


def details_history(referral: Referral):
    """What was changed about this referral's child and family, newest first: the child's details and their parents'
    or carers' (whichever referral they were changed from: they are the child's), and this referral's GP practice and
    school. Only for a referral already fetched through Referral.objects.visible_to."""
    from django.db.models import Q

    return (
        DetailsChange.objects.filter(
            Q(child_id=referral.child_id, section__in=(Section.CHILD, Section.PARENT_CARER)) | Q(referral=referral)
        )
        .select_related("changed_by", "referral")
        .order_by("-changed_at", "-id")
    )
