"""The clinical side of the demo: for children seen and in treatment, the record a therapist would have made so far.

Everything goes through the care, notes, advice and equipment services (the same checks a person's work meets):
an assessment on the day of the attended assessment, consent to share, a package of care with goals from the goal
bank linked to the child's block of treatment (or advice and strategies with an advice pack), a note of every
attended contact (an assistant's waiting for, or carrying, their OT's countersignature), equipment on loan, and for
a few, the review of the block done today.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from paedot.advice.services import give_advice_pack
from paedot.appointments.models import Appointment, AppointmentSeries, Kind, Outcome
from paedot.appointments.services import Block
from paedot.care.goal_bank import goal_bank
from paedot.care.models import Episode, Package, PackageType
from paedot.care.rules import COPM_MAX_PROBLEMS, TOMS_DOMAINS
from paedot.care.services.assessments import record_assessment
from paedot.care.services.consent import record_consent
from paedot.care.services.equipment import issue_equipment
from paedot.care.services.packages import attach_block, record_review, set_package
from paedot.casenotes.services import countersign, write_note
from paedot.diaries.rules import LONDON
from paedot.referrals.models import Pathway, Referral, Status
from paedot.staff.models import Role, User

FINDINGS = {
    "fine_motor": [
        "Immature tripod grasp; tires after a few lines of writing. Letter formation inconsistent in size.",
        "Uses a fisted grasp on crayons; scissor snips only, cannot follow a line yet.",
        "Good pincer grip; difficulty with in-hand manipulation such as turning a pencil to use the rubber.",
    ],
    "gross_motor": [
        "Low postural tone; slumps at the table within minutes. Balance on one leg under 3 seconds.",
        "Manages stairs with a rail; bumps into furniture when moving around the classroom.",
    ],
    "sensory": [
        "Avoids messy play and some clothing textures; covers ears in the dinner hall.",
        "Seeks movement: rocks on the chair and fidgets during carpet time.",
    ],
    "self_care": [
        "Needs help with buttons, zips and shoe laces; takes 20 minutes to dress for PE.",
        "Uses a spoon well; cannot yet cut food with a knife and fork.",
        "Independent in toileting at home; needs prompting and help with wiping at school.",
    ],
    "perceptual": [
        "Reverses letters b/d; difficulty copying shapes from the board.",
        "Visual perception within the expected range for age.",
    ],
    "school_skills": [
        "Struggles to organise equipment and follow multi-step instructions.",
        "Work output limited by handwriting speed; avoids written tasks.",
    ],
    "play": [
        "Enjoys imaginative play; avoids construction toys and ball games.",
        "Plays alongside peers; finds turn-taking games hard.",
    ],
}
COPM_PROBLEMS = [
    "Getting dressed for PE on time",
    "Doing up coat zip",
    "Writing neatly enough for others to read",
    "Cutting out shapes in class",
    "Using a knife and fork at lunch",
    "Joining in with playground games",
]
ASSESSING_KINDS = (Kind.ASSESSMENT, Kind.SCHOOL_VISIT, Kind.HOME_VISIT)
EQUIPMENT = [
    ("equipment", "Triangular pencil grip"),
    ("equipment", "Writing slope"),
    ("equipment", "Move'n'sit cushion"),
    ("equipment", "Spring-loaded scissors"),
    ("splint", "Thumb abduction splint (left)"),
    ("adaptation", "Toilet step and seat reducer at school"),
]


@dataclass
class ClinicalSeeding:
    rng: random.Random
    today: dt.date
    lead: User

    def ot_for(self, referral: Referral, appointment: Appointment) -> User:
        """The registered OT responsible: the assessing clinician if an OT, else their supervisor, else the lead."""
        for person in (appointment.clinician, referral.clinician):
            if person is None:
                continue
            if person.role in (Role.OT, Role.TEAM_LEAD):
                return person
            if person.role == Role.OTA and person.supervisor_id:
                return person.supervisor
        return self.lead

    def assess(self, referral: Referral, appointment: Appointment, ot: User) -> None:
        rng = self.rng
        on = appointment.start.astimezone(LONDON).date()
        areas = rng.sample(sorted(FINDINGS), k=rng.randint(3, 5))
        problems = rng.sample(COPM_PROBLEMS, k=rng.randint(2, min(3, COPM_MAX_PROBLEMS)))
        standardised = []
        if rng.random() < 0.6:
            score = rng.randint(3, 9)
            standardised.append(
                {
                    "template": "mabc2",
                    "scores": {
                        "total_standard_score": score,
                        "traffic_light": "red" if score <= 5 else "amber" if score <= 7 else "green",
                    },
                }
            )
        record_assessment(
            referral=referral,
            assessed_by=ot,
            assessed_on=on,
            appointment=appointment,
            findings={area: rng.choice(FINDINGS[area]) for area in areas},
            standardised=standardised,
            clinical_impression=(
                "Difficulties with fine motor and self-care skills are limiting independence at school and home; "
                "a block of direct OT with a school programme is likely to help."
            ),
            copm=[
                {
                    "problem": problem,
                    "importance": rng.randint(6, 10),
                    "performance": rng.randint(2, 5),
                    "satisfaction": rng.randint(2, 5),
                }
                for problem in problems
            ],
            toms={domain: rng.choice(["1.5", "2", "2.5", "3"]) for domain in TOMS_DOMAINS},
        )
        for recipient in ("family", "gp", "school") if referral.school_name else ("family", "gp"):
            record_consent(
                episode=referral.episode,
                recipient=recipient,
                given=True,
                given_by="Parent (at the assessment)",
                recorded_by=ot,
            )

    def plan_care(self, referral: Referral, ot: User, series: AppointmentSeries | None) -> Package | None:
        rng = self.rng
        if referral.pathway == Pathway.ADVICE_AND_STRATEGIES or series is None:
            slugs = ["pencil-grip-and-handwriting", "dressing", "sensory-strategies-home", "scissor-skills"]
            give_advice_pack(
                referral=referral,
                sheets=rng.sample(slugs, k=2),
                home_notes="Practise little and often: five minutes a day is better than an hour at the weekend.",
                school_notes="",
                for_home=True,
                for_school=False,
                given_by=ot,
            )
            return None
        bank = goal_bank()
        chosen = rng.sample(list(bank.goals), k=3)
        given = referral.child.given_name
        ota = series.clinician if series.clinician.role == Role.OTA else None
        package = set_package(
            referral=referral,
            created_by=ot,
            type=PackageType.PACKAGE_OF_CARE,
            delivery=["ota"] if ota else ["direct_ot"],
            supervising_ot=ot if ota else None,
            places=["school"] if referral.first_setting == "school" else ["home"],
            components=["equipment"] if rng.random() < 0.3 else [],
            sessions=series.sessions,
            goals=[goal.for_child(given) for goal in chosen],
        )
        sessions = list(series.appointments.order_by("start"))
        review = next((a for a in sessions if a.kind == Kind.REVIEW), None)
        if review is not None:
            block = Block(series=series, sessions=[a for a in sessions if a is not review], review=review)
            attach_block(package=package, block=block, attached_by=ot)
        return package

    def note_contacts(self, referral: Referral) -> None:
        attended = (
            Appointment.objects.filter(referral=referral, outcome=Outcome.ATTENDED, cancelled=False)
            .select_related("clinician")
            .order_by("start")
        )
        for appointment in attended:
            note = write_note(
                appointment=appointment,
                body=self.rng.choice(
                    [
                        "Worked on pencil grip with a triangular grip and a sloped board; copied five letters.",
                        "Practised buttons on a dressing frame then on own school cardigan; managed 3 of 5.",
                        "Sensory circuit before table-top work; better sitting tolerance (about 10 minutes).",
                        "Discussed the home programme with mum; agreed to practise cutlery at tea time.",
                        "Assessment completed; findings and goals discussed with parent, who agreed the plan.",
                    ]
                ),
                author=appointment.clinician,
            )
            if note.status == "awaiting_countersignature" and self.rng.random() < 0.6:
                supervisor = appointment.clinician.supervisor
                if supervisor is not None:
                    countersign(note=note, by=supervisor)

    def lend_equipment(self, referral: Referral, ot: User, on: dt.date) -> None:
        kind, item = self.rng.choice(EQUIPMENT)
        issue_equipment(
            referral=referral,
            kind=kind,
            item=item,
            issued_on=on,
            review_on=on + dt.timedelta(days=self.rng.choice((28, 42, 90))),
            issued_by=ot,
        )

    def review_today(self, package: Package, ot: User) -> None:
        rng = self.rng
        problems = list(package.episode.copm_problems.all())
        record_review(
            package=package,
            reviewed_by=ot,
            reviewed_on=self.today,
            goals=[{"id": goal.pk, "attained": rng.choice((-1, 0, 0, 1, 1, 2))} for goal in package.goals.all()],
            copm=[
                {
                    "problem": p.pk,
                    "performance": min(10, p.performance + rng.randint(0, 4)),
                    "satisfaction": min(10, p.satisfaction + rng.randint(0, 4)),
                }
                for p in problems
            ],
            decision=rng.choice(("new_block", "step_down_to_advice", "discharge")),
            summary="Good progress in school; the programme continues with the class teaching assistant.",
        )


def make_clinical_records(*, rng: random.Random, today: dt.date) -> int:
    """The clinical record for the children seen and still in treatment; returns how many episodes were made."""
    lead = User.objects.filter(role=Role.TEAM_LEAD, is_active=True).order_by("pk").first()
    if lead is None:
        return 0
    seeding = ClinicalSeeding(rng=rng, today=today, lead=lead)
    seen = (
        Referral.objects.filter(status=Status.SEEN)
        .exclude(pk__in=Episode.objects.values("referral_id"))
        .select_related("child", "clinician")
        .order_by("pk")
    )
    made = 0
    for referral in seen:
        assessment = (
            Appointment.objects.filter(
                referral=referral,
                kind__in=(Kind.ASSESSMENT, Kind.SCHOOL_VISIT, Kind.HOME_VISIT),
                outcome=Outcome.ATTENDED,
            )
            .select_related("clinician", "clinician__supervisor")
            .order_by("start")
            .first()
        )
        if assessment is None:
            continue
        ot = seeding.ot_for(referral, assessment)
        seeding.assess(referral, assessment, ot)
        series = AppointmentSeries.objects.filter(referral=referral).select_related("clinician").first()
        package = seeding.plan_care(referral, ot, series)
        seeding.note_contacts(referral)
        if rng.random() < 0.25:
            seeding.lend_equipment(referral, ot, assessment.start.astimezone(LONDON).date())
        if package is not None and rng.random() < 0.15:
            seeding.review_today(package, ot)
        made += 1
    return made
