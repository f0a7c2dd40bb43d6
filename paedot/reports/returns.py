"""The monthly national returns: the community health services waiting list counts (SitRep) and a patient-level
extract shaped on the Community Services Data Set (CSDS) referral and care contact tables, CYP101 and CYP201.

SitRep (aggregate, no child named)
    One row for the month: the children's community service line (occupational therapy) and how many children were
    waiting at the month's end in each national band of weeks waited (DOMAIN.md "Waiting times": 0-1, 1-2, 2-4, 4-12,
    12-18, 18-52, 52+), and the total. "Waiting" is the service's waiting list (triaged, not yet seen: waiting,
    invited or booked) rebuilt at the month end as queries.waiting_on explains; the clock starts on the date the
    referral was received and nothing is paused. A month not yet over is counted today and marked provisional.
    Referrals not yet screened or triaged are not counted (they are not on the waiting list yet).

CSDS extract (patient-level: it names children by NHS number, so never for commissioners)
    Column headings are the CSDS data element names. Codes are national codes where one fits; check them against
    the CSDS technical output specification in force before a real submission.

    CYP101 Referral: one row for each referral open at any time in the month (received by its last day, not closed
    before its first).
        LOCAL PATIENT IDENTIFIER (EXTENDED)   the child's id in this system
        NHS NUMBER                            10 digits, blank when not known
        SERVICE REQUEST IDENTIFIER            the referral's reference
        REFERRAL REQUEST RECEIVED DATE/TIME   received_date; the time from received_at (London)
        SOURCE OF REFERRAL FOR COMMUNITY      from the referrer's role (SOURCE_OF_REFERRAL below):
                                              A1 GP, A2 health visitor, A3 other primary health care (physio, SLT,
                                              other health professional), F1 school nurse, F3 community paediatrics
                                              (paediatrician), H2 other secondary care (other doctor), C1 local
                                              authority social services, C2 education service (Educational Support
                                              Service, teacher/SENCO), B2 carer/relative (parent or carer); blank
                                              for "someone else" (not known: a data quality gap to fix locally)
        PRIORITY TYPE CODE                    2 urgent; 1 routine (and "soon", a local step within routine);
                                              blank before triage
        REFERRAL REJECTION DATE / REASON      for a declined referral: the date, and 02 (inappropriate referral:
                                              outside the service's criteria)
        SERVICE DISCHARGE DATE                for a discharged referral: the date
        REFERRAL CLOSURE DATE                 for a discharged referral: the date
        REFERRAL CLOSURE REASON               the episode's local discharge reason code (goals_met, moved_away,
                                              ...): no national code is assumed; map it before submission

    CYP201 Care contact: one row for each appointment of a referral in the month, and for each child's place at a
    group session in the month.
        CARE CONTACT IDENTIFIER               A<appointment id>, or G<group attendance id> for a group place
        SERVICE REQUEST IDENTIFIER, LOCAL PATIENT IDENTIFIER (EXTENDED)   as in CYP101
        CARE CONTACT DATE / TIME              the appointment's start (London)
        CLINICAL CONTACT DURATION OF CARE CONTACT   minutes, for an attended contact
        CONSULTATION MEDIUM USED              01 face to face, 02 telephone, 11 video consultation
        ACTIVITY LOCATION TYPE CODE           A01 patient's home, B01 primary care health centre (clinic),
                                              K02 child development centre, L01 school, L04 nursery premises,
                                              X01 other (a telephone or video appointment)
        ATTENDANCE STATUS                     5 attended, 3 did not attend (was not brought), 2 cancelled by or
                                              on behalf of the patient, 4 cancelled by the provider; blank while
                                              no outcome is recorded
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from paedot.appointments.models import Appointment
from paedot.appointments.models import Kind as AppointmentKind
from paedot.appointments.models import Outcome as AppointmentOutcome
from paedot.diaries.models import LocationKind
from paedot.diaries.rules import LONDON
from paedot.eligibility.codes import ReferrerRole
from paedot.groups.models import GroupAttendance
from paedot.referrals.models import Priority, Referral, Status
from paedot.reports import queries, rules
from paedot.reports.presenters import safe_cell

SERVICE_LINE = "Children and young people: therapy interventions (occupational therapy)"


def check_month(month: dt.date, today: dt.date | None = None) -> dt.date:
    """The first day of a month that has begun (a return is never for the future). Raises ValueError."""
    today = today or timezone.localdate()
    if month > rules.month_start(today):
        raise ValueError("Choose a month that has already begun.")
    return rules.month_start(month)


# SitRep ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SitRep:
    month: dt.date
    on: dt.date
    provisional: bool
    by_band: dict[str, int]
    total: int


def sitrep(month: dt.date, *, today: dt.date | None = None) -> SitRep:
    """The waiting list at the month's end (today, for this month), by band: one query."""
    today = today or timezone.localdate()
    month = check_month(month, today)
    end = rules.month_end(month)
    snapshot = queries.waiting_snapshot(queries.Filters(date_from=month, date_to=end), today=today)
    return SitRep(month=month, on=snapshot.on, provisional=end >= today, by_band=snapshot.by_band, total=snapshot.total)


SITREP_COLUMNS = [
    "REPORTING PERIOD",
    "WAITING LIST DATE",
    "SERVICE LINE",
    *(f"WAITING {band} WEEKS" for band in queries.BANDS),
    "TOTAL WAITING",
    "PROVISIONAL",
]


def sitrep_rows(figures: SitRep) -> Iterator[list[str]]:
    yield SITREP_COLUMNS
    yield [
        safe_cell(value)
        for value in (
            figures.month.strftime("%Y-%m"),
            figures.on.isoformat(),
            SERVICE_LINE,
            *figures.by_band.values(),
            figures.total,
            figures.provisional,
        )
    ]


# CSDS ------------------------------------------------------------------------------------------------------------

SOURCE_OF_REFERRAL = {
    ReferrerRole.GP: "A1",
    ReferrerRole.HEALTH_VISITOR: "A2",
    ReferrerRole.PHYSIOTHERAPIST: "A3",
    ReferrerRole.SPEECH_AND_LANGUAGE_THERAPIST: "A3",
    ReferrerRole.OTHER_HEALTH_PROFESSIONAL: "A3",
    ReferrerRole.SCHOOL_NURSE: "F1",
    ReferrerRole.PAEDIATRICIAN: "F3",
    ReferrerRole.OTHER_DOCTOR: "H2",
    ReferrerRole.SOCIAL_CARE: "C1",
    ReferrerRole.EDUCATIONAL_SUPPORT_SERVICE: "C2",
    ReferrerRole.TEACHER: "C2",
    ReferrerRole.PARENT_CARER: "B2",
}
PRIORITY_TYPE = {Priority.URGENT: "2", Priority.SOON: "1", Priority.ROUTINE: "1"}
REJECTION_REASON_INAPPROPRIATE = "02"

ACTIVITY_LOCATION = {
    LocationKind.HOME: "A01",
    LocationKind.CLINIC: "B01",
    LocationKind.CDC: "K02",
    LocationKind.SCHOOL: "L01",
    LocationKind.NURSERY: "L04",
    LocationKind.TELEPHONE: "X01",
    LocationKind.VIDEO: "X01",
}
ATTENDANCE_STATUS = {
    AppointmentOutcome.ATTENDED: "5",
    AppointmentOutcome.WAS_NOT_BROUGHT: "3",
    AppointmentOutcome.CANCELLED_BY_FAMILY: "2",
    AppointmentOutcome.CANCELLED_BY_SERVICE: "4",
}
FACE_TO_FACE, TELEPHONE, VIDEO = "01", "02", "11"

CYP101_COLUMNS = [
    "LOCAL PATIENT IDENTIFIER (EXTENDED)",
    "NHS NUMBER",
    "SERVICE REQUEST IDENTIFIER",
    "REFERRAL REQUEST RECEIVED DATE",
    "REFERRAL REQUEST RECEIVED TIME",
    "SOURCE OF REFERRAL FOR COMMUNITY",
    "PRIORITY TYPE CODE",
    "REFERRAL REJECTION DATE",
    "REFERRAL REJECTION REASON",
    "SERVICE DISCHARGE DATE",
    "REFERRAL CLOSURE DATE",
    "REFERRAL CLOSURE REASON",
]
CYP201_COLUMNS = [
    "CARE CONTACT IDENTIFIER",
    "SERVICE REQUEST IDENTIFIER",
    "LOCAL PATIENT IDENTIFIER (EXTENDED)",
    "CARE CONTACT DATE",
    "CARE CONTACT TIME",
    "CLINICAL CONTACT DURATION OF CARE CONTACT",
    "CONSULTATION MEDIUM USED",
    "ACTIVITY LOCATION TYPE CODE",
    "ATTENDANCE STATUS",
]
CSDS_TABLES = ("CYP101", "CYP201")
CHUNK = 2000


def _month_window(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return queries.start_of(month), queries.start_of(rules.add_months(month, 1))


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LONDON)


def referrals_open_in(month: dt.date, within: QuerySet[Referral]) -> QuerySet[Referral]:
    """Referrals open at any time in the month: received by its last day and not closed before its first."""
    starts, _ = _month_window(month)
    return (
        within.filter(received_date__lte=rules.month_end(month))
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=starts))
        .select_related("child", "episode")
        .order_by("received_date", "id")
    )


def cyp101_rows(month: dt.date, *, within: QuerySet[Referral]) -> Iterator[list[str]]:
    """CYP101: the header, then a row for each referral open in the month (read in chunks, never all at once)."""
    yield CYP101_COLUMNS
    for referral in referrals_open_in(month, within).iterator(chunk_size=CHUNK):
        yield [safe_cell(value) for value in _cyp101(referral)]


def _cyp101(referral: Referral) -> list:
    closed_on = _local(referral.closed_at).date().isoformat() if referral.closed_at else ""
    declined = referral.status == Status.DECLINED
    discharged = referral.status == Status.DISCHARGED
    episode = getattr(referral, "episode", None) if discharged else None
    return [
        referral.child_id,
        referral.child.nhs_number,
        referral.reference,
        referral.received_date.isoformat(),
        _local(referral.received_at).strftime("%H:%M:%S"),
        SOURCE_OF_REFERRAL.get(referral.referrer_role, ""),
        PRIORITY_TYPE.get(referral.priority, ""),
        closed_on if declined else "",
        REJECTION_REASON_INAPPROPRIATE if declined else "",
        closed_on if discharged else "",
        closed_on if discharged else "",
        episode.discharge_reason if episode else "",
    ]


def consultation_medium(kind: str, location_kind: str) -> str:
    if kind == AppointmentKind.TELEPHONE or location_kind == LocationKind.TELEPHONE:
        return TELEPHONE
    if kind == AppointmentKind.VIDEO or location_kind == LocationKind.VIDEO:
        return VIDEO
    return FACE_TO_FACE


def cyp201_rows(month: dt.date, *, within: QuerySet[Referral]) -> Iterator[list[str]]:
    """CYP201: the header, then a row for each appointment in the month and each child's place at a group session."""
    starts, ends = _month_window(month)
    yield CYP201_COLUMNS
    appointments = (
        Appointment.objects.filter(start__gte=starts, start__lt=ends, referral__in=within)
        .select_related("referral", "location")
        .order_by("start", "id")
    )
    for appointment in appointments.iterator(chunk_size=CHUNK):
        yield [
            safe_cell(value)
            for value in _cyp201(
                identifier=f"A{appointment.pk}",
                referral=appointment.referral,
                appointment=appointment,
                outcome=appointment.outcome,
            )
        ]
    places = (
        GroupAttendance.objects.filter(appointment__start__gte=starts, appointment__start__lt=ends, referral__in=within)
        .select_related("referral", "appointment__location")
        .order_by("appointment__start", "id")
    )
    for place in places.iterator(chunk_size=CHUNK):
        # A cancelled session is the service's cancellation for every child in it.
        outcome = AppointmentOutcome.CANCELLED_BY_SERVICE if place.appointment.cancelled else place.outcome
        yield [
            safe_cell(value)
            for value in _cyp201(
                identifier=f"G{place.pk}", referral=place.referral, appointment=place.appointment, outcome=outcome
            )
        ]


def _cyp201(*, identifier: str, referral: Referral, appointment: Appointment, outcome: str) -> list:
    start = _local(appointment.start)
    attended = outcome == AppointmentOutcome.ATTENDED
    return [
        identifier,
        referral.reference,
        referral.child_id,
        start.date().isoformat(),
        start.strftime("%H:%M:%S"),
        appointment.duration_minutes if attended else "",
        consultation_medium(appointment.kind, appointment.location.kind),
        ACTIVITY_LOCATION.get(appointment.location.kind, "X01"),
        ATTENDANCE_STATUS.get(outcome, ""),
    ]


def csds_rows(month: dt.date, *, within: QuerySet[Referral], table: str = "CYP101") -> Iterator[list[str]]:
    """One CSDS table as CSV rows: CYP101 (referrals) or CYP201 (care contacts)."""
    if table == "CYP101":
        return cyp101_rows(month, within=within)
    if table == "CYP201":
        return cyp201_rows(month, within=within)
    raise ValueError("Choose the table: CYP101 or CYP201.")
