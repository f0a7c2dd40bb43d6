"""A demo service in full swing: referrals at every step of the journey, each moved there by the real services.

Every referral is received through receive_referral (with the date it arrived), then screened, triaged,
allocated, invited, booked and discharged by demo staff through the same service functions the pages and the API
call, so its history, letters and audit trail are real. The same seed makes the same service.

The diaries side (paedot.demo.diaries) is made the same way: working patterns, leave and a training day, then
appointments booked and their outcomes recorded through the appointment and group services: assessments (some
attended, so the child is seen and the clock stopped; a few not brought twice, or cancelled by the family), blocks
of treatment with their reviews, visits and calls, and two group programmes with children from the waiting list.

Two things the services cannot do for the past, done here and only here: an invitation is sent "as of" a past
day (invite_to_book takes the day), and the time a child stopped queueing (`left_queue_at`) is moved back to
when that would have happened, so the last 12 weeks' throughput, and with it the expected wait, can be estimated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from paedot.caseloads.services import allocate_referral
from paedot.children.models import Child
from paedot.demo import clinical, synthetic
from paedot.demo.diaries import DemoDiaries, make_rota
from paedot.referrals.letters import send_acknowledgement_letter
from paedot.referrals.models import Referral, Source
from paedot.referrals.services import (
    ChildDetails,
    discharge_referral,
    receive_referral,
    record_information_received,
    screen_referral,
)
from paedot.staff.models import Role, User
from paedot.triage.rules import ROUTINE, SOON, URGENT
from paedot.triage.services import suggestion_for, triage_referral
from paedot.waiting_list.models import Invitation
from paedot.waiting_list.services import (
    discharge_for_no_reply,
    extend_invitation,
    invite_to_book,
    process_invitations,
    record_booking,
)

# Where the service's referrals are now, as shares of the whole (these add up to the default, 760 referrals):
# about 475 on the waiting list (waiting, invited, booked), some seen and in treatment, the rest still at the front
# door or closed.
STAGES: dict[str, int] = {
    "received": 24,  # to screen
    "information_received": 3,  # more information was asked for and came back: to screen again
    "information_requested": 12,
    "accepted": 20,  # waiting for triage
    "declined": 55,
    "duplicate": 2,  # a second referral for a child already on the list: flagged for a person to decide
    "waiting": 390,
    "invited": 45,
    "booked": 40,
    "no_reply_discharged": 4,
    "discharged": 15,  # left the list before being seen: moved away, needs met elsewhere
    "seen": 100,  # booked and assessed: in treatment (a block of sessions, a visit or a call to follow up)
    "completed": 48,  # booked, seen and discharged
    "re_referral": 2,  # a child seen before, referred again: a new episode linked to the last
}
DEFAULT_COUNT = sum(STAGES.values())
ON_WAITING_LIST = ("waiting", "invited", "booked")
MADE_LAST = ("duplicate", "re_referral")  # they need the earlier referrals to exist

# Days since the referral was received, as (first, last, weight): the week bands of a list that has grown
# faster than the team could see children, with a few over 52 weeks.
WAITING_DAYS = ((0, 7, 2), (8, 14, 3), (15, 28, 7), (29, 84, 22), (85, 126, 14), (127, 364, 48), (365, 430, 4))
URGENT_DAYS = ((0, 7, 25), (8, 14, 25), (15, 28, 30), (29, 84, 20))  # urgent children are seen sooner
STAGE_DAYS: dict[str, tuple[int, int]] = {
    "received": (0, 6),
    "information_received": (10, 40),
    "information_requested": (4, 40),
    "accepted": (2, 14),
    "declined": (3, 400),
    "duplicate": (0, 5),
    "invited": (90, 420),
    "booked": (100, 420),
    "seen": (100, 420),
    "no_reply_discharged": (150, 400),
    "discharged": (30, 300),
    "completed": (120, 520),
    "re_referral": (0, 20),
}
SAFETY_SHARE = 0.08  # of children who reach triage, those with a safety concern (suggested urgent)

REQUESTS_FOR_INFORMATION = [
    "Please tell us how the difficulties affect the child at home and at school.",
    "Please describe the strategies school has already tried, and for how long.",
    "Please confirm the child's GP practice and that the family agree to the referral.",
]
REVIEW_ACCEPTS = [
    "Reviewed: the difficulties are functional and fit the service; accepted.",
    "Discussed with the referrer: daily living skills are affected at home and at school; accepted.",
]
OVERRIDE_ACCEPT = "Accepted after speaking to the referrer: the missing detail was confirmed by phone."
OVERRIDE_DECLINE = "Reviewed: the needs described are educational and best met by the school's SENCO; signposted."
TRIAGE_NOTES = {
    "advice_and_strategies": "Advice session with the family and school; home and classroom strategies.",
    "package_of_care": "Assessment, then a block of six sessions with goals agreed with the family.",
    "group": "Suitable for the fine motor skills group at the child development centre.",
}
PRIORITY_DIFFERENCES = {
    (ROUTINE, SOON): "School placement is at risk; seeing the child sooner may prevent exclusion.",
    (SOON, ROUTINE): "Nursery already runs a good programme with the child; routine is safe.",
}
SEEN_DISCHARGES = [
    "Assessed; advice and a home programme given. Goals met; discharged.",
    "Completed a block of six sessions; the family are confident with the strategies.",
    "Group programme completed; school is continuing the strategies.",
]
EARLY_DISCHARGES = [
    "Family moved out of Birmingham; the referral was passed to their new service.",
    "Needs are now met by the special school's own occupational therapist.",
    "Parent asked to withdraw the referral: the difficulties have resolved.",
]
NO_REPLY_DISCHARGE = "No reply to the invitation or the reminder, and two phone calls unanswered; discharged."
EXTENSION = "Mother phoned: the family are away until the end of the month and will call to book."
TRANSFER = "Rebalancing caseloads after a colleague returned from leave."


@dataclass(frozen=True)
class Planned:
    stage: str
    days_ago: int  # since the referral was received
    safety: bool = False


@dataclass
class Team:
    """The demo staff who act, and the clinicians of each locality."""

    admin: User
    lead: User
    partner: User
    ots: dict[str, list[User]] = field(default_factory=dict)
    otas: dict[str, list[User]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Team:
        users = {u.username: u for u in User.objects.filter(is_active=True)}
        team = cls(admin=users["admin"], lead=users["lead"], partner=users["gp-system"])
        names = [row[0] for row in synthetic.DEMO_STAFF + synthetic.DEMO_CLINICIANS]
        for user in (users[name] for name in names if name in users):
            mine = {Role.OT: team.ots, Role.OTA: team.otas}.get(user.role)
            if mine is not None:
                for locality in user.localities:
                    mine.setdefault(locality, []).append(user)
        return team


def plan_counts(total: int) -> dict[str, int]:
    """How many referrals end at each stage, in proportion to STAGES (largest remainders first)."""
    whole = sum(STAGES.values())
    exact = {stage: total * share / whole for stage, share in STAGES.items()}
    counts = {stage: int(value) for stage, value in exact.items()}
    largest_remainders = sorted(exact, key=lambda s: (counts[s] - exact[s], list(STAGES).index(s)))
    for stage in largest_remainders[: total - sum(counts.values())]:
        counts[stage] += 1
    return counts


def _days(rng: random.Random, ranges) -> int:
    first, last, _ = rng.choices(ranges, weights=[weight for *_, weight in ranges])[0]
    return rng.randint(first, last)


def make_plan(total: int, rng: random.Random) -> list[Planned]:
    plan = []
    for stage, count in plan_counts(total).items():
        for _ in range(count):
            safety = stage in (*ON_WAITING_LIST, "seen", "completed") and rng.random() < SAFETY_SHARE
            if stage == "waiting":
                days = _days(rng, URGENT_DAYS if safety else WAITING_DAYS)
            elif safety and stage in ("invited", "booked", "seen"):
                days = rng.randint(15, 84)
            else:
                days = rng.randint(*STAGE_DAYS[stage])
            plan.append(Planned(stage, days, safety))
    # Oldest first, as they arrived; the referrals that need earlier ones come last.
    plan.sort(key=lambda p: (p.stage in MADE_LAST, -p.days_ago))
    return plan


@dataclass
class Seeding:
    rng: random.Random
    today: dt.date
    team: Team
    places: synthetic.Places
    left_queue: dict[int, int] = field(default_factory=dict)  # referral id: days ago it left the queue
    by_stage: dict[str, list[Referral]] = field(default_factory=lambda: defaultdict(list))
    diaries: DemoDiaries | None = None

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    def at(self, days_ago: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.day(days_ago), dt.time(10, self.rng.randint(0, 59))))

    # Who acts -------------------------------------------------------------------------------------------------

    def ot_for(self, referral: Referral) -> User:
        return self.rng.choice(self.team.ots.get(referral.locality) or [self.team.lead])

    def clinician_for(self, referral: Referral) -> User:
        """An OT of the child's locality; an assistant for advice or groups when the child is not urgent."""
        roll = self.rng.random()
        if roll < 0.05:
            return self.team.lead
        assistants = self.team.otas.get(referral.locality, [])
        if assistants and roll < 0.3 and referral.priority != URGENT and referral.pathway != "package_of_care":
            return self.rng.choice(assistants)
        return self.ot_for(referral)

    def discharger_for(self, referral: Referral) -> User:
        clinician = referral.clinician
        if clinician is None:
            return self.ot_for(referral)
        if clinician.role == Role.OTA:
            return clinician.supervisor or self.team.lead
        return clinician

    # The referral's journey ------------------------------------------------------------------------------------

    def receive(self, planned: Planned, *, child: Child | None = None) -> Referral:
        rng = self.rng
        received = self.day(planned.days_ago)
        eligible = {"declined": False, "received": None, "information_requested": None}.get(planned.stage, True)
        submission = synthetic.synthetic_submission(
            rng, self.places, self.today, received, eligible=eligible, safety=planned.safety
        )
        if child is not None:  # the same child again: same NHS number, name, date of birth and address
            submission = dataclasses.replace(
                submission,
                child=ChildDetails(
                    given_name=child.given_name,
                    family_name=child.family_name,
                    date_of_birth=child.date_of_birth,
                    nhs_number=child.nhs_number,
                    address=child.address,
                    postcode=child.postcode,
                ),
                previous_ot_episode=planned.stage == "re_referral",
            )
        source = rng.choice([Source.ONLINE, Source.ONLINE, Source.API, Source.PAPER, Source.EMAIL, Source.PHONE])
        submitted_by = {Source.API: self.team.partner, Source.ONLINE: None}.get(source, self.team.admin)
        referral = receive_referral(
            submission=submission,
            source=source,
            received_date=received,
            submitted_by=submitted_by,
            acknowledge=False,  # the letter, not the emails: seeding should not fill the console with mail
        )
        send_acknowledgement_letter(referral=referral, issued_by=submitted_by)
        return referral

    def screen(self, referral: Referral, decision: str) -> None:
        rng = self.rng
        outcome = referral.eligibility.outcome
        if decision == "accept":
            reason = {
                "accept": "Meets the criteria: Birmingham GP, within the age range, functional difficulties.",
                "review": rng.choice(REVIEW_ACCEPTS),
            }.get(outcome, OVERRIDE_ACCEPT)
        elif decision == "decline":
            declines = [r.message for r in referral.eligibility.reasons.all() if r.severity == "decline"]
            reason = f"Outside the service's criteria: {declines[0]}" if declines else OVERRIDE_DECLINE
        else:
            reason = rng.choice(REQUESTS_FOR_INFORMATION)
        screener = self.team.admin if rng.random() < 0.75 else self.ot_for(referral)
        screen_referral(referral=referral, decision=decision, reason=reason, screened_by=screener)

    def triage(self, referral: Referral) -> None:
        rng = self.rng
        suggested = suggestion_for(referral).priority
        priority = suggested
        if rng.random() < 0.08:
            options = [chosen for (s, chosen) in PRIORITY_DIFFERENCES if s == suggested]
            priority = rng.choice(options) if options else suggested
        pathway = rng.choices(["advice_and_strategies", "package_of_care", "group"], weights=[35, 45, 20])[0]
        if referral.education == "early_years":
            setting = rng.choice(["nursery", "home", "cdc"])
        else:
            setting = rng.choices(["school", "clinic", "home"], weights=[50, 40, 10])[0]
        triage_referral(
            referral=referral,
            priority=priority,
            pathway=pathway,
            setting=setting,
            notes=TRIAGE_NOTES[pathway],
            reason_for_difference=PRIORITY_DIFFERENCES.get((suggested, priority), ""),
            triaged_by=self.team.lead if rng.random() < 0.1 else self.ot_for(referral),
        )

    def allocate(self, referral: Referral) -> None:
        allocated_by = self.team.lead if self.rng.random() < 0.8 else self.team.admin
        allocate_referral(referral=referral, clinician=self.clinician_for(referral), allocated_by=allocated_by)
        if self.rng.random() < 0.02:
            others = [u for u in self.team.ots.get(referral.locality, []) if u.pk != referral.clinician_id]
            if others:
                allocate_referral(referral=referral, clinician=others[0], allocated_by=self.team.lead, reason=TRANSFER)

    def advance(self, referral: Referral, planned: Planned) -> None:
        """Take a received referral as far as its planned stage, as the team would have."""
        rng, stage, team = self.rng, planned.stage, self.team
        self.by_stage[stage].append(referral)
        if stage in ("received", *MADE_LAST):
            return
        if stage in ("information_requested", "information_received"):
            self.screen(referral, "request_information")
            if stage == "information_received":
                record_information_received(
                    referral=referral,
                    note="The referrer sent the school's report and the strategies tried.",
                    recorded_by=team.admin,
                )
            return
        if stage == "declined":
            self.screen(referral, "decline")
            return
        self.screen(referral, "accept")
        if stage == "accepted":
            return
        self.triage(referral)
        if stage == "discharged":
            discharge_referral(
                referral=referral, reason=rng.choice(EARLY_DISCHARGES), discharged_by=self.ot_for(referral)
            )
            self.left_queue[referral.pk] = rng.randint(1, min(83, planned.days_ago - 7))
            return
        if stage != "waiting" or rng.random() < 0.45 + 0.4 * (planned.days_ago > 126):
            self.allocate(referral)
        if stage == "waiting":
            return
        # Invited "as of" a past day (days ago); the deadline and reminder follow from that day.
        if stage == "invited":
            sent = _days(rng, ((0, 6, 35), (7, 14, 35), (15, 35, 30)))
        elif stage == "no_reply_discharged":
            sent = rng.randint(20, 40)
        elif stage == "booked":
            sent = rng.randint(10, 40)
        elif stage == "seen":  # booked, assessed a few weeks ago, and now in treatment
            sent = rng.randint(20, 75)
        else:  # completed: most left the queue in the last 12 weeks (the throughput behind the expected wait)
            sent = (rng.randint(3, 83) if rng.random() < 0.8 else rng.randint(85, 200)) + rng.randint(3, 14)
        sent = max(min(sent, planned.days_ago - 1), 0)
        invite_to_book(referral=referral, invited_by=team.admin, today=self.day(sent))
        if stage in ("invited", "no_reply_discharged"):
            return
        booker = referral.clinician if referral.clinician and referral.clinician.role == Role.OTA else team.admin
        record_booking(referral=referral, recorded_by=booker, note="Family phoned to book the first appointment.")
        # Booked (and so off the queue) a few days after the invitation.
        booked_days_ago = self.left_queue[referral.pk] = rng.randint(max(sent - 14, 0), max(sent - 1, 0))
        if self.diaries is not None:
            if stage == "booked":
                self.diaries.booked_child(referral)
            else:  # seen or completed: the first appointment was attended, and the clock stopped that day
                assessment = self.diaries.first_assessment(referral, booked_days_ago=booked_days_ago)
                if stage == "seen" and assessment is not None:
                    self.diaries.after_assessment(referral, assessment)
        if stage == "completed":
            discharge_referral(
                referral=referral, reason=rng.choice(SEEN_DISCHARGES), discharged_by=self.discharger_for(referral)
            )

    def same_child_again(self, planned: Planned) -> None:
        """A re-referral of a child seen before, or a duplicate of a child still waiting (found by NHS number)."""
        earlier = self.by_stage["completed" if planned.stage == "re_referral" else "waiting"]
        candidates = [r for r in earlier if r.child.nhs_number]
        if not candidates:
            self.advance(self.receive(dataclasses.replace(planned, stage="received")), planned)
            return
        child = self.rng.choice(candidates).child
        self.advance(self.receive(planned, child=child), planned)

    def decide_no_replies(self) -> None:
        """The daily task as it would have run over the last weeks; then clinicians decide some of the no-replies."""
        for days_ago in range(60, -1, -1):
            process_invitations(today=self.day(days_ago))
        for referral in self.by_stage["no_reply_discharged"]:
            invitation = Invitation.objects.no_reply().filter(referral=referral).first()
            if invitation is not None:
                discharge_for_no_reply(
                    invitation=invitation, reason=NO_REPLY_DISCHARGE, decided_by=self.discharger_for(referral)
                )
        no_replies = list(
            Invitation.objects.no_reply().filter(referral__in=self.by_stage["invited"]).order_by("deadline", "id")
        )
        for invitation in no_replies[::4]:  # some families got in touch after the deadline
            extend_invitation(
                invitation=invitation,
                days=14,
                reason=EXTENSION,
                decided_by=self.discharger_for(invitation.referral),
                today=self.today,
            )

    def back_date_leaving(self) -> None:
        """Demo data only: the services stamp `left_queue_at` with the time they run; move it to when the child
        would have been booked or discharged, so the expected wait has 12 weeks' throughput to go on."""
        referrals = list(Referral.objects.filter(pk__in=self.left_queue).only("id", "left_queue_at"))
        for referral in referrals:
            referral.left_queue_at = self.at(self.left_queue[referral.pk])
        Referral.objects.bulk_update(referrals, ["left_queue_at"], batch_size=500)


def make_service(count: int, *, seed: int, today: dt.date) -> int:
    """Make `count` referrals spread over the journey, through the services; returns how many were made."""
    rng = random.Random(seed)
    seeding = Seeding(rng=rng, today=today, team=Team.load(), places=synthetic.load_places(rng))
    plan = make_plan(count, rng)
    with transaction.atomic():
        make_rota(today=today)  # idempotent: the working patterns the appointments are booked into
        seeding.diaries = DemoDiaries.load(rng=rng, today=today, admin=seeding.team.admin)
        seeding.diaries.schedule_groups()
        for planned in plan:
            if planned.stage in MADE_LAST:
                seeding.same_child_again(planned)
            else:
                seeding.advance(seeding.receive(planned), planned)
        seeding.decide_no_replies()
        seeding.diaries.fill_groups(seeding.left_queue)
        seeding.back_date_leaving()
        clinical.make_clinical_records(rng=rng, today=today)
        post_letters_of_the_past(today=today, admin=seeding.team.admin)
    return len(plan)


# The admin team posts letters within a couple of days: only the last few days' referrals' letters are still to go.
LETTERS_STILL_TO_POST_DAYS = 3


def post_letters_of_the_past(*, today: dt.date, admin) -> int:
    """The demo's letters are all issued as it is made (today), though most belong to referrals of weeks or months
    ago: those are recorded as posted by the admin team, as they would have been, so "Letters to post" shows what a
    working day would. Returns how many."""
    from paedot.letters.models import Letter

    old = Letter.objects.filter(
        posted_at__isnull=True, referral__received_date__lt=today - dt.timedelta(days=LETTERS_STILL_TO_POST_DAYS)
    )
    return old.update(posted_at=timezone.now(), posted_by=admin)
