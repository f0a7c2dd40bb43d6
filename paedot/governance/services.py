"""Information governance: answering a subject access request with everything held about a child, and the report of
records past their keep-until date. Nothing here changes or deletes a child's record: a person acts on the report."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from paedot.care.models import Episode
from paedot.children.models import Child
from paedot.core.audit import csv_safe, record_event
from paedot.core.identifiers import normalise_nhs_number
from paedot.documents.pdf import render_pdf
from paedot.governance import presenters, rules
from paedot.governance.subject_access import gather, section_counts
from paedot.public.models import ServiceDetails
from paedot.referrals.models import OPEN_STATUSES, Referral
from paedot.referrals.services.journey import require
from paedot.staff.rules import Action, may

EXPORTED = "subject_access.exported"
RETENTION_VIEWED = "retention.viewed"
RETENTION_EXPORTED = "retention.exported"
FORMATS = ("json", "pdf")
MAX_REASON = 2000


class ChildNotFound(Exception):
    """No child has this NHS number or referral reference (404)."""


class SeveralChildren(Exception):
    """More than one child's record has this NHS number: the referral reference says which (409)."""


# Subject access ---------------------------------------------------------------------------------------------------


def children_for_subject_access(user) -> QuerySet[Child]:
    """The children this person may export: every child for the roles that answer subject access requests (a request
    is answered for the whole service: every locality, restricted records too), none for anyone else."""
    if not may(user, Action.EXPORT_SUBJECT_ACCESS):
        return Child.objects.none()
    return Child.objects.all()


def find_child(*, user, nhs_number: str = "", reference: str = "") -> Child:
    """The child named by an NHS number or a referral reference (given both, they must name the same child)."""
    require(user, Action.EXPORT_SUBJECT_ACCESS)
    children = children_for_subject_access(user)
    nhs_number = normalise_nhs_number(nhs_number or "")
    reference = (reference or "").strip().upper()
    if not nhs_number and not reference:
        raise ValueError("Enter the child's NHS number or a referral reference.")
    by_reference = children.filter(referrals__reference=reference).first() if reference else None
    # A record merged into another is answered with the surviving record, which holds the merged one too.
    if reference and by_reference is None:
        raise ChildNotFound(f"No referral has the reference {reference}.")
    if nhs_number:
        found = children.filter(nhs_number=nhs_number).annotate(survivor=Coalesce("merged_into", "pk"))
        survivors = list(found.order_by("survivor").values_list("survivor", flat=True).distinct()[:2])
        matches = list(children.filter(pk__in=survivors).order_by("pk"))
        if not matches:
            raise ChildNotFound("No child's record has this NHS number.")
        if by_reference is not None:
            if by_reference.pk not in {m.pk for m in matches}:
                raise ValueError("The NHS number and the referral reference are for different children.")
            return by_reference
        if len(matches) > 1:
            raise SeveralChildren("More than one record has this NHS number: search by the referral reference.")
        return matches[0]
    assert by_reference is not None
    return by_reference


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Give the reason for this export, for example the request it answers.")
    if len(reason) > MAX_REASON:
        raise ValueError(f"Keep the reason under {MAX_REASON} characters.")
    return reason


@dataclass(frozen=True)
class SubjectAccessBundle:
    """Everything held about a child: `data` is the JSON export; the PDF is printed from the same data."""

    child: Child
    data: dict[str, Any]

    def as_json(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, indent=2).encode()

    def as_html(self) -> str:
        return render_to_string(
            "governance/subject_access.jinja",
            {
                "data": self.data,
                "sections": presenters.SECTIONS,
                "service": ServiceDetails.current(),
                "label": presenters.label,
                "display": presenters.display,
                "is_nested": presenters.is_nested,
                "is_empty": presenters.is_empty,
            },
        )

    def as_pdf(self) -> bytes:
        return render_pdf(self.as_html())

    def filename(self, extension: str) -> str:
        # The child's record number, never a name or NHS number: file names end up in download folders and logs.
        return f"subject-access-child-{self.child.pk}-{self.data['generated_at'][:10]}.{extension}"


def preview_subject_access(*, child: Child, requested_by) -> list[tuple[str, str, int]]:
    """What an export would hold: (section, heading, how many) for each section."""
    require(requested_by, Action.EXPORT_SUBJECT_ACCESS)
    return section_counts(gather(child, generated_by=requested_by, reason=""))


def subject_access_export(*, child: Child, requested_by, reason: str, format: str = "json") -> SubjectAccessBundle:
    """Everything held about the child, for a subject access request: the child and parents, every referral and what
    was decided, appointments, groups, the episode of care, notes, advice, letters, attachments' details, messages
    and who opened the record. Restricted records are included in full. The export itself is audited, with the
    reason (say which request it answers)."""
    require(requested_by, Action.EXPORT_SUBJECT_ACCESS)
    reason = check_reason(reason)
    if format not in FORMATS:
        raise ValueError(f"The format is one of {', '.join(FORMATS)}.")
    with transaction.atomic():
        data = gather(child, generated_by=requested_by, reason=reason)
        record_event(
            action=EXPORTED,
            actor=requested_by,
            target=child,
            child_id=child.pk,
            reason=reason,
            detail={"format": format, "counts": {key: n for key, _title, n in section_counts(data)}},
        )
    return SubjectAccessBundle(child=child, data=data)


# Retention --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRow:
    child_id: int
    references: tuple[str, ...]
    date_of_birth: dt.date
    treatment_ended_on: dt.date
    retention: rules.Retention
    merged_child_ids: tuple[int, ...] = ()  # records merged into this child's: kept and disposed of with it

    @property
    def keep_until(self) -> dt.date:
        return self.retention.keep_until

    @property
    def reason(self) -> str:
        return self.retention.reason


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier; 29 February to 1 March, so a bound built on it never leaves anyone out."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return dt.date(day.year - years, 3, 1)


def retention_candidates(today: dt.date) -> QuerySet[Child]:
    """Children whose record might be past its keep-until date, in the database: every referral closed, and the 25th
    birthday gone by (the keep-until date is never earlier than that). The exact rule is applied in Python to this
    small set, as the 26th birthday and 8 years after treatment depend on the age at the end of treatment."""
    episode_ends = (
        Episode.objects.filter(referral__child=OuterRef("pk"))
        .annotate(ended=Coalesce("discharged_at", "referral__closed_at", "referral__updated_at"))
        .order_by(F("ended").desc(nulls_last=True))
        .values("ended")[:1]
    )
    referral_closures = (
        Referral.objects.filter(child=OuterRef("pk"))
        .annotate(ended=Coalesce("closed_at", "status_changed_at", "updated_at"))
        .order_by(F("ended").desc(nulls_last=True))
        .values("ended")[:1]
    )
    return (
        # Born before this day 25 years ago: the 25th birthday is before today (the date_of_birth index serves it).
        Child.objects.filter(date_of_birth__lt=_years_before(today, rules.KEPT_TO_25))
        .filter(Exists(Referral.objects.filter(child=OuterRef("pk"))))
        .exclude(Exists(Referral.objects.filter(child=OuterRef("pk"), status__in=OPEN_STATUSES)))
        .annotate(last_episode_ended=Subquery(episode_ends), last_referral_closed=Subquery(referral_closures))
        .prefetch_related(
            Prefetch(
                "referrals",
                Referral.objects.only("id", "reference", "child_id").order_by("received_date", "id"),
                to_attr="references_held",
            ),
            Prefetch("merged_records", Child.objects.only("id", "merged_into_id").order_by("id"), to_attr="merged"),
        )
        .order_by("date_of_birth", "id")
    )


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value is not None else None


def records_past_retention(today: dt.date) -> list[RetentionRow]:
    """The children whose every referral is closed and whose keep-until date is before today, soonest first.
    Only a report: nothing is deleted."""
    rows = []
    for child in retention_candidates(today):
        ended = rules.end_of_treatment(_local_date(child.last_episode_ended), _local_date(child.last_referral_closed))
        if ended is None or ended < child.date_of_birth:
            continue  # nothing to go on (or a closure before birth, bad data): never suggest disposal on a guess
        retention = rules.keep_until(child.date_of_birth, ended)
        if retention.is_past(today):
            rows.append(
                RetentionRow(
                    child_id=child.pk,
                    references=tuple(r.reference for r in child.references_held),
                    date_of_birth=child.date_of_birth,
                    treatment_ended_on=ended,
                    retention=retention,
                    merged_child_ids=tuple(merged.pk for merged in child.merged),
                )
            )
    return sorted(rows, key=lambda row: (row.keep_until, row.child_id))


def retention_report(*, user, as_of: dt.date | None = None, exported: bool = False) -> list[RetentionRow]:
    """The report, for someone whose role may see it; looking (or downloading) is recorded in the audit trail."""
    require(user, Action.VIEW_RETENTION)
    as_of = as_of or timezone.localdate()
    rows = records_past_retention(as_of)
    record_event(
        action=RETENTION_EXPORTED if exported else RETENTION_VIEWED,
        actor=user,
        detail={"as_of": as_of.isoformat(), "children": len(rows)},
    )
    return rows


CSV_COLUMNS = [
    "child_id",
    "referral_references",
    "date_of_birth",
    "treatment_ended_on",
    "age_at_end_of_treatment",
    "keep_until",
    "rule",
    "why",
    "merged_child_ids",
]


def retention_csv_rows(rows: list[RetentionRow]):
    """The report as CSV rows, heading first; every cell made safe for a spreadsheet (core.audit.csv_safe)."""
    yield CSV_COLUMNS
    for row in rows:
        yield [
            csv_safe(value)
            for value in (
                row.child_id,
                " ".join(row.references),
                row.date_of_birth.isoformat(),
                row.treatment_ended_on.isoformat(),
                row.retention.age_at_end_of_treatment,
                row.keep_until.isoformat(),
                row.retention.code,
                row.reason,
                " ".join(str(pk) for pk in row.merged_child_ids),
            )
        ]


def retention_json(row: RetentionRow) -> dict[str, Any]:
    return {
        "child_id": row.child_id,
        "references": list(row.references),
        "date_of_birth": row.date_of_birth.isoformat(),
        "treatment_ended_on": row.treatment_ended_on.isoformat(),
        "age_at_end_of_treatment": row.retention.age_at_end_of_treatment,
        "keep_until": row.keep_until.isoformat(),
        "rule": row.retention.code,
        "why": row.reason,
        "merged_child_ids": list(row.merged_child_ids),
    }
