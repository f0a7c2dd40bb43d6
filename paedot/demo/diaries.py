"""The diaries side of the demo service: where the team works and when, and what is in their diaries.

Working patterns, leave and a closure day go through paedot.diaries.rota; appointments, outcomes, cancellations and
blocks of treatment through paedot.appointments.services; group programmes through paedot.groups.services. So the
audit trail, letters and messages are real, as they are for the referrals.

A planner keeps the team's diaries in memory while the seed runs and only ever asks the services for slots that fit:
inside the clinician's working pattern, not on leave, a closure day or a bank holiday, and free (the clinician's and
the room's). Nothing in the demo is booked with an override. The planner decides from the same facts the services
check (the working days, absences, closure days, bank holidays and school holidays in the database), and a block's
dates come from the same plan_block the services use.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from paedot.appointments.models import Appointment, AttendanceFlag, Kind, Outcome
from paedot.appointments.services import (
    book_appointment,
    cancel_appointment,
    plan_treatment_block,
    record_outcome,
    review_attendance_flag,
)
from paedot.diaries import rota
from paedot.diaries.models import SCHOOL_KINDS, Absence, ClosureDay, Location, LocationKind, Room, WorkingDay
from paedot.diaries.rules import LONDON, plan_block
from paedot.diaries.services import excluded_dates, load_default_locations, location_for_school
from paedot.directory.models import BankHoliday, Postcode
from paedot.groups import services as groups
from paedot.groups.models import GroupProgramme
from paedot.referrals.models import Priority, Referral, Status
from paedot.staff.models import Role, User

SOHO = "Soho Health Centre"
CDC = "Demo Child Development Centre (synthetic)"
CDC_ADDRESS = "1 Example Road\nBordesley Green\nBirmingham"  # made up, like everything at this centre
CDC_DISTRICT = "B9"  # a real Birmingham postcode in this district, so the day list can order visits
THERAPY_ROOMS = ("Therapy room 1", "Therapy room 2")
GROUP_ROOM = "Group room"

WEEK = (0, 1, 2, 3, 4)
# username: (weekdays, starts, ends, base). Most work Monday to Friday 9 to 5; some part-time. Every assistant's
# supervising OT works the full week, so the review after an assistant's block always has its OT.
PATTERNS: dict[str, tuple[tuple[int, ...], str, str, str]] = {
    "lead": (WEEK, "09:00", "17:00", SOHO),
    "ot": (WEEK, "09:00", "17:00", SOHO),
    "ota": ((0, 1, 2), "09:00", "17:00", SOHO),
    "ot-central": (WEEK, "08:30", "16:30", SOHO),
    "ot-north": (WEEK, "09:00", "17:00", SOHO),
    "ot-east-1": (WEEK, "09:00", "17:00", CDC),
    "ot-east-2": ((0, 1, 2), "09:00", "17:00", CDC),
    "ot-south-1": (WEEK, "09:00", "17:00", CDC),
    "ot-south-2": ((1, 2, 3), "09:30", "15:00", CDC),
    "ot-west-1": (WEEK, "09:00", "17:00", SOHO),
    "ot-west-2": ((0, 1, 3, 4), "09:00", "17:00", SOHO),
    "ota-east": (WEEK, "09:00", "17:00", CDC),
    "ota-south": ((0, 1, 2, 3), "09:00", "15:00", CDC),
    "ota-west": (WEEK, "09:00", "17:00", SOHO),
    "ota-north": ((0, 2, 4), "09:00", "17:00", SOHO),
}
# (username, first day, last day, reason): days counted from this week's Monday.
ABSENCES = [
    ("ot-east-2", 1, 1, "Study day"),
    ("ota-east", 10, 11, "Annual leave"),
    ("ot-west-2", 14, 18, "Annual leave"),
    ("ot-north", 22, 22, "Training: sensory integration course"),
]
# The Wednesday of the week after next (or the next working day after it).
CLOSURE = (16, "Team training day: the service is closed")

LUNCH = (12 * 60 + 30, 13 * 60 + 30)
STEP = 30  # appointments start on the hour or the half hour
ASSESSMENT_MINUTES, SESSION_MINUTES, VISIT_MINUTES = 60, 45, 30

WHY_NOT_BROUGHT_REVIEWED = (
    "Spoke to the mother: the letters went to an old address. Address checked with the GP record and a new "
    "appointment booked. No safeguarding concerns; the health visitor agrees."
)
FAMILY_CANCELLED = [
    "Mother phoned: the child is unwell and asked for another date.",
    "Father phoned: a family funeral that day; they will take the next appointment offered.",
    "Family on holiday that week; they will phone to rebook.",
]
SESSION_CANCELLED = "Child unwell; parent phoned in the morning."


@dataclass(frozen=True)
class Group:
    name: str
    description: str
    audience: str
    capacity: int
    clinician: str
    created_by: str
    weekday: int
    starts: dt.time
    minutes: int
    sessions: int
    weeks_before: int  # the first session this many weeks before this week
    places_taken: int
    for_school_children: bool


GROUPS = [
    Group(
        name="Handwriting group",
        description="Pencil grip, letter formation and sitting well at the table, for children in Years 2 to 4. "
        "Each week brings a few minutes' practice to do at home.",
        audience=GroupProgramme.Audience.CHILDREN,
        capacity=8,
        clinician="ota-east",
        created_by="ot-east-1",
        weekday=2,
        starts=dt.time(16, 0),
        minutes=60,
        sessions=8,
        weeks_before=4,
        places_taken=7,
        for_school_children=True,
    ),
    Group(
        name="Sensory strategies: a workshop for parents",
        description="Four mornings for parents and carers: what sensory differences look like, calming and "
        "alerting strategies, and building them into the day at home.",
        audience=GroupProgramme.Audience.PARENTS,
        capacity=12,
        clinician="ot-south-1",
        created_by="ot-south-1",
        weekday=1,
        starts=dt.time(10, 0),
        minutes=120,
        sessions=4,
        weeks_before=2,
        places_taken=10,
        for_school_children=False,
    ),
]


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def _at(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=LONDON)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


# The rota ---------------------------------------------------------------------------------------------------------


def make_places() -> dict[str, Location]:
    """Soho Health Centre (seeded), a synthetic child development centre with its rooms, and the places that are not
    buildings; idempotent."""
    load_default_locations()
    district = Postcode.objects.filter(district=CDC_DISTRICT).order_by("postcode").first()
    cdc, _ = Location.objects.get_or_create(
        kind=LocationKind.CDC,
        name=CDC,
        defaults={"address": CDC_ADDRESS, "postcode": district.postcode if district else ""},
    )
    for name in (*THERAPY_ROOMS, GROUP_ROOM):
        Room.objects.get_or_create(location=cdc, name=name)
    return {
        SOHO: Location.objects.get(kind=LocationKind.CLINIC, name=SOHO),
        CDC: cdc,
        LocationKind.HOME: Location.objects.filter(kind=LocationKind.HOME).order_by("id").first(),
        LocationKind.TELEPHONE: Location.objects.filter(kind=LocationKind.TELEPHONE).order_by("id").first(),
        LocationKind.VIDEO: Location.objects.filter(kind=LocationKind.VIDEO).order_by("id").first(),
    }


def _closure_date(today: dt.date) -> dt.date:
    day = monday_of(today) + dt.timedelta(days=CLOSURE[0])
    holidays = set(BankHoliday.objects.filter(date__gte=day).values_list("date", flat=True)[:20])
    while day.weekday() > 4 or day in holidays:
        day += dt.timedelta(days=1)
    return day


def make_rota(*, today: dt.date) -> int:
    """Working patterns for the demo clinicians who have none, a few absences for those with none, and a training
    day when the service has no closure day; through the rota services, as the team lead. Idempotent: returns how
    many changes it made."""
    lead = User.objects.filter(username="lead").first()
    if lead is None:
        return 0
    places = make_places()
    people = {u.username: u for u in User.objects.filter(username__in=PATTERNS, is_active=True)}
    with_pattern = set(WorkingDay.objects.values_list("clinician_id", flat=True))
    with_absence = set(Absence.objects.values_list("clinician_id", flat=True))
    changes = 0
    for username, (weekdays, starts, ends, base) in PATTERNS.items():
        person = people.get(username)
        if person is None or person.pk in with_pattern:
            continue
        days = [
            rota.PatternDay(
                weekday=weekday,
                starts=dt.time.fromisoformat(starts),
                ends=dt.time.fromisoformat(ends),
                base=places[base],
            )
            for weekday in weekdays
        ]
        rota.set_working_pattern(clinician=person, days=days, changed_by=lead)
        changes += 1
    monday = monday_of(today)
    for username, first, last, reason in ABSENCES:
        person = people.get(username)
        if person is None or person.pk in with_absence:
            continue
        rota.add_absence(
            clinician=person,
            starts_on=monday + dt.timedelta(days=first),
            ends_on=monday + dt.timedelta(days=last),
            reason=reason,
            added_by=lead,
        )
        changes += 1
    if not ClosureDay.objects.exists():
        rota.add_closure_day(date=_closure_date(today), reason=CLOSURE[1], added_by=lead)
        changes += 1
    return changes


# The planner ------------------------------------------------------------------------------------------------------


@dataclass
class Planner:
    """The team's diaries in memory: who works when, who is away, which days are closed, and what is booked."""

    today: dt.date
    hours: dict[int, dict[int, tuple[int, int]]]  # clinician id: weekday: (first minute, last minute)
    bases: dict[int, Location]
    absent: set[tuple[int, dt.date]]
    excluded: dict[bool, dict[dt.date, str]]  # school setting or not: the days a block skips
    busy: dict[tuple[str, int, dt.date], list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, today: dt.date) -> Planner:
        first, last = today - dt.timedelta(days=800), today + dt.timedelta(days=800)
        hours: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
        bases: dict[int, Location] = {}
        for day in WorkingDay.objects.select_related("base").order_by("clinician_id", "weekday"):
            hours[day.clinician_id][day.weekday] = (_minutes(day.starts), _minutes(day.ends))
            if day.base is not None:
                bases.setdefault(day.clinician_id, day.base)
        absent = set()
        for absence in Absence.objects.all():
            absent |= {(absence.clinician_id, d) for d in _days(absence.starts_on, absence.ends_on)}
        planner = cls(
            today=today,
            hours=hours,
            bases=bases,
            absent=absent,
            excluded={school: excluded_dates(first, last, school_setting=school) for school in (False, True)},
        )
        for appointment in Appointment.objects.live():
            planner.take(appointment.clinician_id, appointment.start, appointment.duration_minutes, appointment.room)
        return planner

    def works(self, clinician_id: int, day: dt.date) -> bool:
        return (
            day.weekday() in self.hours.get(clinician_id, {})
            and day not in self.excluded[False]
            and (clinician_id, day) not in self.absent
        )

    def _free(self, key: tuple[str, int, dt.date], first: int, last: int) -> bool:
        return all(last <= start or first >= end for start, end in self.busy.get(key, ()))

    def fits(self, clinician_id: int, start: dt.datetime, minutes: int, room: Room | None = None) -> bool:
        local = start.astimezone(LONDON)
        day, first = local.date(), _minutes(local.time())
        last = first + minutes
        if not self.works(clinician_id, day):
            return False
        starts, ends = self.hours[clinician_id][day.weekday()]
        if first < starts or last > ends or not self._free(("clinician", clinician_id, day), first, last):
            return False
        return room is None or self._free(("room", room.pk, day), first, last)

    def take(self, clinician_id: int, start: dt.datetime, minutes: int, room: Room | None = None) -> None:
        local = start.astimezone(LONDON)
        day, first = local.date(), _minutes(local.time())
        self.busy[("clinician", clinician_id, day)].append((first, first + minutes))
        if room is not None:
            self.busy[("room", room.pk, day)].append((first, first + minutes))

    def starts_on(self, clinician_id: int, day: dt.date, minutes: int) -> list[dt.datetime]:
        """Free starts on the hour or half hour, clear of lunch."""
        if not self.works(clinician_id, day):
            return []
        starts, ends = self.hours[clinician_id][day.weekday()]
        first = -(-starts // STEP) * STEP
        return [
            _at(day, minute)
            for minute in range(first, ends - minutes + 1, STEP)
            if (minute + minutes <= LUNCH[0] or minute >= LUNCH[1])
            and self._free(("clinician", clinician_id, day), minute, minute + minutes)
        ]

    def find(self, rng: random.Random, clinician_id: int, days: list[dt.date], minutes: int) -> dt.datetime | None:
        """A free slot on one of these days (in random order), or None."""
        days = [day for day in days if self.works(clinician_id, day)]
        rng.shuffle(days)
        for day in days:
            starts = self.starts_on(clinician_id, day, minutes)
            if starts:
                return rng.choice(starts)
        return None

    def room_for(self, rooms: list[Room], starts: list[dt.datetime], minutes: int) -> Room | None:
        """The first room free at all these times, or none (the appointment is booked without a room)."""
        for room in rooms:
            if all(self._free(("room", room.pk, s.astimezone(LONDON).date()), *self._span(s, minutes)) for s in starts):
                return room
        return None

    @staticmethod
    def _span(start: dt.datetime, minutes: int) -> tuple[int, int]:
        first = _minutes(start.astimezone(LONDON).time())
        return first, first + minutes


# The diaries ------------------------------------------------------------------------------------------------------


@dataclass
class DemoDiaries:
    rng: random.Random
    today: dt.date
    planner: Planner
    users: dict[int, User]
    by_name: dict[str, User]
    assistants: dict[int, list[User]]  # supervising OT's id: their assistants
    places: dict[str, Location]
    rooms: dict[int, list[Room]]  # for one-to-one appointments, by location
    group_room: Room
    admin: User
    counts: Counter = field(default_factory=Counter)
    programmes: list[tuple[Group, GroupProgramme, list[Appointment]]] = field(default_factory=list)

    @classmethod
    def load(cls, *, rng: random.Random, today: dt.date, admin: User) -> DemoDiaries:
        places = make_places()
        users = {u.pk: u for u in User.objects.clinicians().order_by("id")}
        assistants: dict[int, list[User]] = defaultdict(list)
        for user in users.values():
            if user.role == Role.OTA and user.supervisor_id in users:
                assistants[user.supervisor_id].append(user)
        cdc_rooms = {room.name: room for room in Room.objects.filter(location=places[CDC])}
        return cls(
            rng=rng,
            today=today,
            planner=Planner.load(today),
            users=users,
            by_name={u.username: u for u in users.values()},
            assistants=assistants,
            places=places,
            rooms={places[CDC].pk: [cdc_rooms[name] for name in THERAPY_ROOMS]},
            group_room=cdc_rooms[GROUP_ROOM],
            admin=admin,
        )

    def day(self, days_from_today: int) -> dt.date:
        return self.today + dt.timedelta(days=days_from_today)

    def window(self, first: int, last: int, *, not_before: dt.date | None = None) -> list[dt.date]:
        """The days from `first` to `last` days from today (negative: in the past), none before `not_before`."""
        days = _days(self.day(first), self.day(last))
        return [d for d in days if not_before is None or d >= not_before]

    # Who and where ----------------------------------------------------------------------------------------------

    def ot_for(self, referral: Referral) -> User:
        """An OT for what an assistant may not do alone (assessments, reviews): the assistant's supervisor."""
        clinician = self.users.get(referral.clinician_id) or self.by_name["lead"]
        if clinician.role == Role.OTA:
            return self.users.get(clinician.supervisor_id) or self.by_name["lead"]
        return clinician

    def base_of(self, clinician: User) -> Location:
        return self.planner.bases.get(clinician.pk) or self.places[SOHO]

    def place_for(self, referral: Referral, clinician: User, *, assessment: bool = False) -> Location:
        setting = referral.first_setting
        if setting == "school" and referral.school_urn and not (assessment and self.rng.random() < 0.5):
            return location_for_school(referral.school_urn)
        if setting in ("nursery", "cdc"):
            return self.places[CDC]
        if setting == "home":
            return self.places[LocationKind.HOME]
        return self.base_of(clinician)

    def book(
        self,
        *,
        referral: Referral | None,
        clinician: User,
        kind: str,
        location: Location,
        start: dt.datetime,
        minutes: int,
        room: Room | None = None,
        notify: bool = False,
    ) -> Appointment:
        appointment = book_appointment(
            referral=referral,
            clinician=clinician,
            kind=kind,
            location=location,
            room=room,
            start=start,
            duration_minutes=minutes,
            booked_by=self.admin,
            notify=notify,
        )
        self.planner.take(clinician.pk, start, minutes, room)
        return appointment

    def book_in(
        self,
        referral: Referral,
        clinician: User,
        kind: str,
        location: Location,
        days: list[dt.date],
        minutes: int,
        *,
        notify: bool = False,
    ) -> Appointment | None:
        """Book on the first free slot found on one of these days (with a free room, where the place has rooms)."""
        start = self.planner.find(self.rng, clinician.pk, days, minutes)
        if start is None:
            return None
        room = self.planner.room_for(self.rooms.get(location.pk, []), [start], minutes)
        return self.book(
            referral=referral,
            clinician=clinician,
            kind=kind,
            location=location,
            start=start,
            minutes=minutes,
            room=room,
            notify=notify,
        )

    def outcome(self, appointment: Appointment, outcome: str, by: User) -> None:
        if outcome == Outcome.CANCELLED_BY_FAMILY:
            cancel_appointment(appointment=appointment, by="family", reason=SESSION_CANCELLED, cancelled_by=by)
        else:
            record_outcome(appointment=appointment, outcome=outcome, recorded_by=by)
        self.counts[outcome] += 1

    # A child's first appointment ---------------------------------------------------------------------------------

    def first_assessment(self, referral: Referral, *, booked_days_ago: int) -> Appointment | None:
        """An assessment some days after the family booked, attended: the child has been seen and the waiting-time
        clock stopped on that day."""
        assessor = self.ot_for(referral)
        location = self.place_for(referral, assessor, assessment=True)
        after_booking = self.day(-max(booked_days_ago - 1, 1))
        days = self.window(-400, -1, not_before=referral.received_date)
        recent = [d for d in days if after_booking <= d <= after_booking + dt.timedelta(days=27)]
        kind = Kind.ASSESSMENT
        appointment = self.book_in(referral, assessor, kind, location, recent, ASSESSMENT_MINUTES)
        # Rarely (a part-timer, leave), nothing fits those four weeks: any day since the referral arrived.
        appointment = appointment or self.book_in(referral, assessor, kind, location, days, ASSESSMENT_MINUTES)
        if appointment is None:
            return None
        self.outcome(appointment, Outcome.ATTENDED, assessor)
        return appointment

    def booked_child(self, referral: Referral) -> None:
        """A child whose family booked: most have their assessment in the next weeks; a few were not brought twice
        (a flag for the clinician to review), and a few families cancelled."""
        self.counts["booked children"] += 1
        turn = self.counts["booked children"] % 10
        assessor = self.ot_for(referral)
        location = self.place_for(referral, assessor, assessment=True)
        soon = self.window(0, 13) if self.rng.random() < 0.8 else self.window(14, 27)
        if turn == 3 and self.not_brought_twice(referral, assessor, location):
            return
        if turn == 6:
            self.cancelled_by_family(referral, assessor, location)
            return
        # A handful tell the family now (letter, email with a calendar file, text): the outbox has messages to show.
        notify = turn == 1
        self.book_in(referral, assessor, Kind.ASSESSMENT, location, soon, ASSESSMENT_MINUTES, notify=notify)

    def not_brought_twice(self, referral: Referral, assessor: User, location: Location) -> bool:
        first = self.book_in(
            referral,
            assessor,
            Kind.ASSESSMENT,
            location,
            self.window(-35, -10, not_before=referral.received_date),
            ASSESSMENT_MINUTES,
        )
        if first is None:
            return False
        self.outcome(first, Outcome.WAS_NOT_BROUGHT, assessor)
        after = first.start.astimezone(LONDON).date() + dt.timedelta(days=5)
        second = self.book_in(
            referral, assessor, Kind.ASSESSMENT, location, _days(after, self.day(-1)), ASSESSMENT_MINUTES
        )
        if second is None:
            return True
        self.outcome(second, Outcome.WAS_NOT_BROUGHT, assessor)
        flag = AttendanceFlag.objects.filter(referral=referral, state=AttendanceFlag.State.OPEN).first()
        if flag is not None and self.counts["not brought twice"] % 2 == 1:
            review_attendance_flag(flag=flag, note=WHY_NOT_BROUGHT_REVIEWED, reviewed_by=assessor)
            self.book_in(referral, assessor, Kind.ASSESSMENT, location, self.window(1, 13), ASSESSMENT_MINUTES)
        self.counts["not brought twice"] += 1
        return True

    def cancelled_by_family(self, referral: Referral, assessor: User, location: Location) -> None:
        booked = self.book_in(referral, assessor, Kind.ASSESSMENT, location, self.window(1, 10), ASSESSMENT_MINUTES)
        if booked is None:
            return
        reason = FAMILY_CANCELLED[self.counts["cancelled by family"] % len(FAMILY_CANCELLED)]
        cancel_appointment(appointment=booked, by="family", reason=reason, cancelled_by=self.admin)
        self.counts["cancelled by family"] += 1
        if "rebook" not in reason:
            after = booked.start.astimezone(LONDON).date() + dt.timedelta(days=7)
            self.book_in(referral, assessor, Kind.ASSESSMENT, location, _days(after, self.day(28)), ASSESSMENT_MINUTES)

    # After the assessment ----------------------------------------------------------------------------------------

    def after_assessment(self, referral: Referral, assessment: Appointment) -> None:
        """Most children on a package of care have a block of treatment; others a visit or a call to follow up."""
        clinician = self.users.get(referral.clinician_id) or self.ot_for(referral)
        at_home = referral.first_setting == "home"
        if at_home:  # to see the routines (and the stairs, the bathroom) where the difficulties are
            home = self.places[LocationKind.HOME]
            self.book_in(referral, clinician, Kind.HOME_VISIT, home, self.window(1, 20), ASSESSMENT_MINUTES)
        share = {"package_of_care": 0.9}.get(referral.pathway, 0.5)
        if (self.rng.random() < share and self.block(referral, assessment)) or at_home:
            return
        if referral.first_setting == "school" and referral.school_urn:
            kind, location = Kind.SCHOOL_VISIT, location_for_school(referral.school_urn)
        elif self.rng.random() < 0.7:
            kind, location = Kind.TELEPHONE, self.places[LocationKind.TELEPHONE]
        else:
            kind, location = Kind.VIDEO, self.places[LocationKind.VIDEO]
        self.book_in(referral, clinician, kind, location, self.window(1, 20), VISIT_MINUTES)

    def block(self, referral: Referral, assessment: Appointment) -> bool:
        """A block of weekly sessions from a week or more after the assessment, running into the coming weeks, and
        the review after the last (with the supervising OT when an assistant delivers the sessions)."""
        rng, planner = self.rng, self.planner
        clinician = self.users.get(referral.clinician_id) or self.ot_for(referral)
        assistants = self.assistants.get(clinician.pk, [])
        if assistants and rng.random() < 0.5:  # the OT sets up the block, their assistant delivers the sessions
            clinician = assistants[0]
        # The review is the OT's, as the service books it: the assistant's supervisor, or the clinician.
        reviewer = self.users[clinician.supervisor_id] if clinician.role == Role.OTA else clinician
        # Children seen at home have their sessions at the clinician's base (the home visit is separate).
        location = self.base_of(clinician) if referral.first_setting == "home" else self.place_for(referral, clinician)
        school = location.kind in SCHOOL_KINDS
        rooms = self.rooms.get(location.pk, [])
        sessions = rng.choice((6, 6, 6, 4, 8))
        assessed = assessment.start.astimezone(LONDON).date()
        first_days = [
            d
            for d in _days(max(assessed + dt.timedelta(days=7), self.day(-35)), self.day(10))
            if planner.works(clinician.pk, d)
        ]
        for _ in range(30 if first_days else 0):
            day = rng.choice(first_days)
            starts = planner.starts_on(clinician.pk, day, SESSION_MINUTES)
            if not starts:
                continue
            plan = plan_block(
                first_start=rng.choice(starts), sessions=sessions, interval_days=7, excluded=planner.excluded[school]
            )
            if not all(planner.fits(clinician.pk, s, SESSION_MINUTES) for s in plan.sessions):
                continue
            if not planner.fits(reviewer.pk, plan.review, SESSION_MINUTES):
                continue
            room = planner.room_for(rooms, [*plan.sessions, plan.review], SESSION_MINUTES)
            break
        else:
            return False
        block = plan_treatment_block(
            referral=referral,
            clinician=clinician,
            location=location,
            room=room,
            first_start=plan.sessions[0],
            sessions=sessions,
            interval_days=7,
            duration_minutes=SESSION_MINUTES,
            planned_by=reviewer,
            notify=False,  # a handful of bookings show the outbox; a letter per demo block would swamp it
        )
        for appointment in block.sessions:
            planner.take(clinician.pk, appointment.start, SESSION_MINUTES, room)
        planner.take(reviewer.pk, block.review.start, SESSION_MINUTES, room)
        for appointment in block.sessions:
            if appointment.start.astimezone(LONDON).date() < self.today:
                outcome = rng.choices(
                    [Outcome.ATTENDED, Outcome.WAS_NOT_BROUGHT, Outcome.CANCELLED_BY_FAMILY], weights=[88, 6, 6]
                )[0]
                self.outcome(appointment, outcome, clinician)
        if block.review.start.astimezone(LONDON).date() < self.today:
            self.outcome(block.review, Outcome.ATTENDED, reviewer)
        self.counts["blocks"] += 1
        return True

    # Groups -----------------------------------------------------------------------------------------------------

    def schedule_groups(self) -> None:
        """The group programmes and their sessions, some already run; before the one-to-one appointments, as a
        group's regular slot is fixed first."""
        for group in GROUPS:
            clinician = self.by_name.get(group.clinician)
            created_by = self.by_name.get(group.created_by)
            if clinician is None or created_by is None:
                continue
            location = self.places[CDC]
            first_day = monday_of(self.today) - dt.timedelta(weeks=group.weeks_before) + dt.timedelta(group.weekday)
            first_start = dt.datetime.combine(first_day, group.starts, tzinfo=LONDON)
            plan = plan_block(
                first_start=first_start, sessions=group.sessions, interval_days=7, excluded=self.planner.excluded[False]
            )
            if not all(self.planner.fits(clinician.pk, s, group.minutes, self.group_room) for s in plan.sessions):
                continue
            programme = groups.create_programme(
                name=group.name,
                description=group.description,
                audience=group.audience,
                capacity=group.capacity,
                clinician=clinician,
                location=location,
                room=self.group_room,
                created_by=created_by,
            )
            scheduled = groups.schedule_sessions(
                programme=programme,
                first_start=first_start,
                sessions=group.sessions,
                duration_minutes=group.minutes,
                scheduled_by=created_by,
            )
            for session in scheduled.sessions:
                self.planner.take(clinician.pk, session.start, group.minutes, self.group_room)
            self.programmes.append((group, programme, scheduled.sessions))

    def fill_groups(self, left_queue: dict[int, int]) -> None:
        """Children from the waiting list (longest waiting first, those triaged for a group before others) take
        places, and the registers of the sessions already run are recorded. `left_queue` learns when each child left
        the queue (a few days before the first session), for the expected wait."""
        taken: set[int] = set()
        for group, programme, sessions in self.programmes:
            first_day = sessions[0].start.astimezone(LONDON).date()
            waiting = (
                Referral.objects.filter(status=Status.WAITING, received_date__lt=first_day - dt.timedelta(days=7))
                .exclude(priority=Priority.URGENT)
                .order_by("id")
            )
            if group.for_school_children:
                waiting = waiting.exclude(education="early_years")
            interest = "pencil_skills" if group.for_school_children else "concentration"
            chosen = sorted(
                (r for r in waiting if r.pk not in taken),
                key=lambda r: (r.pathway != "group", interest not in r.difficulties, r.priority_rank, r.received_date),
            )[: group.places_taken]
            for referral in chosen:
                groups.enrol(programme=programme, referral=referral, enrolled_by=self.admin)
                left_queue[referral.pk] = (self.today - first_day).days + self.rng.randint(3, 7)
                taken.add(referral.pk)
            clinician = self.by_name[group.clinician]
            for session in sessions:
                if session.start.astimezone(LONDON).date() >= self.today:
                    continue
                for referral in chosen:
                    outcome = self.rng.choices(
                        ["attended", "was_not_brought", "cancelled_by_family"], weights=[85, 8, 7]
                    )[0]
                    groups.record_attendance(
                        appointment=session, referral=referral, outcome=outcome, recorded_by=clinician
                    )
                    self.counts[f"group {outcome}"] += 1
