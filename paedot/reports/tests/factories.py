"""A small, hand-built service whose every figure is worked out by hand below. All synthetic.

Today is 15 June 2025; the period is 1 January to 15 June 2025. Referrals (received, referrer, status, locality):

    W1  12 Jun 2025  gp                 waiting   North  urgent   triaged  allocated to Ada
    W2   5 Jun 2025  school_nurse       invited   North  routine  triaged
    W3  25 May 2025  gp                 booked    South  routine  triaged  allocated to Ada
    W4   1 Apr 2025  paediatrician      waiting   North  soon     triaged
    W5   1 Feb 2025  gp                 waiting   North  routine  triaged
    W6   1 May 2024  gp                 waiting   South  routine  triaged  (before the period)
    W7   1 Jun 2024  gp                 waiting   North  routine  triaged  (before the period)
    S1  10 Jan 2025  health_visitor     seen      North  first attended 20 Feb 2025 (41 days), Ada
    S2   3 Feb 2025  gp                 seen      South  first attended 24 Feb 2025 (21 days), Ben
    S3   1 Mar 2025  paediatrician      discharged 1 Jun 2025 (goals met), North, first attended 10 May (70 days), Ada
    X1   5 Jan 2025  social_care        discharged 10 Mar 2025 while waiting, North
    D1  20 Jan 2025  other              declined: referrer_not_accepted and age_out_of_range
    D2  15 Mar 2025  parent_carer       declined: referrer_not_accepted
    D3   2 Apr 2025  gp                 declined with no rule failing (the screener's decision)
    R1  14 Jun 2025  gp                 received, not yet screened

Triaged referrals were triaged two days after they were received; declined ones closed the day after.

Appointments (Ada; 10:00 London): S1 assessment at the clinic 20 Feb attended (60 min); S1 treatment at school
6 Mar attended (45 min); S1 treatment at school 13 Mar was not brought; S2 home visit at home 24 Feb attended
(60 min); S2 treatment at the clinic 10 Apr was not brought; S3 assessment at the clinic 10 May attended; S1
treatment at the clinic 20 May cancelled by the family; S2 treatment at the clinic 10 Dec 2024 attended (before the
period); a group session at the clinic 15 Apr: S1 attended, S2 was not brought.

Reviews: S1 on 1 May 2025 (T 50.00; goals at 0 and +1; COPM performance +2.50, satisfaction +1.00); S2 on 15 May
(T 37.60; goals at -1 and -1; COPM +1.00, +3.00); S3 on 1 Nov 2024 (before the period: T 70.00, a goal at +2);
S3 on 1 Jun 2025 (T 61.02; goals at +2, 0 and -1; COPM not rated again).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from paedot.appointments.models import Appointment
from paedot.care.models import Episode, Goal, GoalRating, Package, Review
from paedot.diaries.models import Location, LocationKind
from paedot.diaries.rules import LONDON
from paedot.diaries.services import load_default_locations
from paedot.groups.models import GroupAttendance
from paedot.referrals.models import PRIORITY_RANK, EligibilityReason, Referral
from paedot.referrals.tests.factories import make_referral
from paedot.reports.queries import Filters
from paedot.staff.services import create_staff_user

TODAY = dt.date(2025, 6, 15)
NOW = dt.datetime(2025, 6, 15, 12, 0, tzinfo=LONDON)
PERIOD = Filters(date_from=dt.date(2025, 1, 1), date_to=TODAY)
D = dt.date


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def referral(
    received: dt.date,
    *,
    status: str,
    referrer: str = "gp",
    locality: str = "North",
    priority: str = "",
    pathway: str = "",
    triaged: bool = False,
    first_attended: dt.date | None = None,
    closed: dt.date | None = None,
    clinician=None,
    nhs_number: str = "",
) -> Referral:
    """A referral set straight to where the table above says it is (the journey's services are tested elsewhere)."""
    made = make_referral(received_date=received, referrer={"role": referrer}, child={"nhs_number": nhs_number})
    fields = {
        "status": status,
        "received_at": at(received, 11, 30),
        "locality": locality,
        "priority": priority,
        "priority_rank": PRIORITY_RANK.get(priority) if priority else None,
        "pathway": pathway,
        "triaged_at": at(received + dt.timedelta(days=2)) if triaged else None,
        "first_attended_on": first_attended,
        "days_waited": (first_attended - received).days if first_attended else None,
        "closed_at": at(closed, 16) if closed else None,
        "clinician": clinician,
    }
    Referral.objects.filter(pk=made.pk).update(**fields)
    made.refresh_from_db()
    return made


def declined_for(referral_: Referral, *codes: str) -> None:
    """Exactly these eligibility rules failed (decline), whatever the rules said when it arrived."""
    decision = referral_.eligibility
    decision.reasons.all().delete()
    for position, code in enumerate(codes):
        EligibilityReason.objects.create(
            decision=decision, position=position, code=code, severity="decline", message=f"Test reason {code}"
        )


@dataclass
class KnownService:
    ada: object
    ben: object
    referrals: dict[str, Referral]
    appointments: dict[str, Appointment]
    group_places: dict[str, GroupAttendance]


def known_service() -> KnownService:
    load_default_locations()
    ada = create_staff_user(username="ada", role="ot", password="a-long-test-password-1", full_name="Ada Therapist")
    ben = create_staff_user(username="ben", role="ot", password="a-long-test-password-1", full_name="Ben Therapist")
    triaged = {"triaged": True, "pathway": "package_of_care"}
    r = {
        "W1": referral(D(2025, 6, 12), status="waiting", priority="urgent", clinician=ada, **triaged),
        "W2": referral(D(2025, 6, 5), status="invited", referrer="school_nurse", priority="routine", **triaged),
        "W3": referral(D(2025, 5, 25), status="booked", locality="South", priority="routine", clinician=ada, **triaged),
        "W4": referral(D(2025, 4, 1), status="waiting", referrer="paediatrician", priority="soon", **triaged),
        "W5": referral(D(2025, 2, 1), status="waiting", priority="routine", **triaged),
        "W6": referral(D(2024, 5, 1), status="waiting", locality="South", priority="routine", **triaged),
        "W7": referral(D(2024, 6, 1), status="waiting", priority="routine", **triaged),
        "S1": referral(
            D(2025, 1, 10),
            status="seen",
            referrer="health_visitor",
            priority="routine",
            first_attended=D(2025, 2, 20),
            clinician=ada,
            nhs_number="9434765919",
            **triaged,
        ),
        "S2": referral(
            D(2025, 2, 3),
            status="seen",
            locality="South",
            priority="routine",
            first_attended=D(2025, 2, 24),
            clinician=ben,
            **triaged,
        ),
        "S3": referral(
            D(2025, 3, 1),
            status="discharged",
            referrer="paediatrician",
            priority="routine",
            first_attended=D(2025, 5, 10),
            closed=D(2025, 6, 1),
            clinician=ada,
            **triaged,
        ),
        "X1": referral(
            D(2025, 1, 5),
            status="discharged",
            referrer="social_care",
            priority="routine",
            closed=D(2025, 3, 10),
            **triaged,
        ),
        "D1": referral(D(2025, 1, 20), status="declined", referrer="other", closed=D(2025, 1, 21)),
        "D2": referral(D(2025, 3, 15), status="declined", referrer="parent_carer", closed=D(2025, 3, 16)),
        "D3": referral(D(2025, 4, 2), status="declined", closed=D(2025, 4, 3)),
        "R1": referral(D(2025, 6, 14), status="received"),
    }
    declined_for(r["D1"], "referrer_not_accepted", "age_out_of_range")
    declined_for(r["D2"], "referrer_not_accepted")
    declined_for(r["D3"])

    clinic = Location.objects.get(kind=LocationKind.CLINIC, name="Soho Health Centre")
    home = Location.objects.get(kind=LocationKind.HOME)
    school, _ = Location.objects.get_or_create(kind=LocationKind.SCHOOL, name="Soho Road Primary (test)")

    def appointment(ref, day, kind, place, *, minutes=60, outcome="", cancelled=False):
        return Appointment.objects.create(
            referral=ref,
            kind=kind,
            clinician=ada,
            location=place,
            start=at(day),
            end=at(day) + dt.timedelta(minutes=minutes),
            outcome=outcome,
            cancelled=cancelled,
            booked_by=ada,
        )

    a = {
        "A1": appointment(r["S1"], D(2025, 2, 20), "assessment", clinic, outcome="attended"),
        "A2": appointment(r["S1"], D(2025, 3, 6), "treatment", school, minutes=45, outcome="attended"),
        "A3": appointment(r["S1"], D(2025, 3, 13), "treatment", school, minutes=45, outcome="was_not_brought"),
        "A4": appointment(r["S2"], D(2025, 2, 24), "home_visit", home, outcome="attended"),
        "A5": appointment(r["S2"], D(2025, 4, 10), "treatment", clinic, outcome="was_not_brought"),
        "A6": appointment(r["S3"], D(2025, 5, 10), "assessment", clinic, outcome="attended"),
        "A7": appointment(r["S1"], D(2025, 5, 20), "treatment", clinic, outcome="cancelled_by_family", cancelled=True),
        "A8": appointment(r["S2"], D(2024, 12, 10), "treatment", clinic, outcome="attended"),
        "G": appointment(None, D(2025, 4, 15), "group", clinic, minutes=90),
    }
    places = {
        "S1": GroupAttendance.objects.create(appointment=a["G"], referral=r["S1"], outcome="attended"),
        "S2": GroupAttendance.objects.create(appointment=a["G"], referral=r["S2"], outcome="was_not_brought"),
    }

    episodes = {key: Episode.objects.create(referral=r[key], opened_by=ada) for key in ("S1", "S2", "S3")}
    Episode.objects.filter(pk=episodes["S3"].pk).update(discharge_reason="goals_met", discharged_at=at(D(2025, 6, 1)))

    def review(key, on, t_score, attained, *, performance=None, satisfaction=None, block=1):
        package = Package.objects.create(
            episode=episodes[key], type="package_of_care", sessions=6, block_number=block, created_by=ada
        )
        done = Review.objects.create(
            package=package,
            reviewed_on=on,
            reviewed_by=ada,
            gas_t_score=Decimal(t_score),
            copm_performance_change=Decimal(performance) if performance else None,
            copm_satisfaction_change=Decimal(satisfaction) if satisfaction else None,
            decision="new_block",
        )
        for position, level in enumerate(attained, start=1):
            goal = Goal.objects.create(
                package=package,
                position=position,
                description=f"Goal {position}",
                area="self_care",
                levels={str(x): f"Level {x}" for x in range(-2, 3)},
            )
            GoalRating.objects.create(review=done, goal=goal, attained=level)
        return done

    review("S1", D(2025, 5, 1), "50.00", [0, 1], performance="2.50", satisfaction="1.00")
    review("S2", D(2025, 5, 15), "37.60", [-1, -1], performance="1.00", satisfaction="3.00")
    review("S3", D(2024, 11, 1), "70.00", [2])
    review("S3", D(2025, 6, 1), "61.02", [2, 0, -1], block=2)
    return KnownService(ada=ada, ben=ben, referrals=r, appointments=a, group_places=places)
