"""Synthetic demo data: made-up children and families, real Birmingham reference data.

Nothing here is about a real person. NHS numbers are in the 999 test range (never issued to patients) and pass
the Modulus 11 check; GP practices, schools and postcodes are real places from the reference data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from paedot.core.identifiers import nhs_number_check_digit
from paedot.directory.models import GPPractice, Postcode, School
from paedot.eligibility.codes import Difficulty, ReferrerRole
from paedot.referrals.models import Referral
from paedot.referrals.services import ChildDetails, ParentCarerDetails, ReferralSubmission, ReferrerDetails
from paedot.staff.models import ApiToken, Locality, Role, User
from paedot.staff.services import create_staff_user, give_demo_device, hash_token

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo on purpose; never a real account
DEMO_PARTNER_TOKEN = "pot_demo-partner-system-token-not-a-secret"  # noqa: S105

ALL_LOCALITIES = [locality.value for locality in Locality]

# (username, role, name, localities, supervising OT's username). Two OTs and one OT assistant in each locality, so
# caseloads look like a real team's; usernames stay within 10 characters for the printed sign-in table.
DEMO_STAFF = [
    ("admin", Role.CLINICAL_ADMIN, "Amira Hussain", ALL_LOCALITIES, ""),
    ("ot", Role.OT, "Olivia Turner", ["Central", "North"], ""),
    ("ota", Role.OTA, "Tomasz Nowak", ["Central", "North"], "ot"),
    ("lead", Role.TEAM_LEAD, "Grace Okafor", ALL_LOCALITIES, ""),
    ("auditor", Role.AUDITOR, "Daniel Price", ALL_LOCALITIES, ""),
    ("sysadmin", Role.SYSTEM_ADMIN, "Priya Shah", [], ""),
    ("commissioner", Role.COMMISSIONER, "Grace Obi", ALL_LOCALITIES, ""),
]
DEMO_CLINICIANS = [
    ("ot-central", Role.OT, "Hannah Brooks", ["Central"], ""),
    ("ot-north", Role.OT, "Kwame Mensah", ["North"], ""),
    ("ot-east-1", Role.OT, "Sadia Begum", ["East"], ""),
    ("ot-east-2", Role.OT, "James Whitfield", ["East"], ""),
    ("ot-south-1", Role.OT, "Fatima Zahra Ali", ["South"], ""),
    ("ot-south-2", Role.OT, "Rhys Morgan", ["South"], ""),
    ("ot-west-1", Role.OT, "Chen Wei", ["West"], ""),
    ("ot-west-2", Role.OT, "Laura Kowalczyk", ["West"], ""),
    ("ota-east", Role.OTA, "Jasmine Clarke", ["East"], "ot-east-1"),
    ("ota-south", Role.OTA, "Imran Hussain", ["South"], "ot-south-1"),
    ("ota-west", Role.OTA, "Sophie Evans", ["West"], "ot-west-1"),
    ("ota-north", Role.OTA, "Marcus Reid", ["North"], "ot-north"),
]
DEMO_PARTNER = ("gp-system", Role.PARTNER_SYSTEM, "Demo GP clinical system")

GIVEN_NAMES = [
    "Aisha",
    "Amelia",
    "Arlo",
    "Ayaan",
    "Bilal",
    "Chloe",
    "Darius",
    "Eesa",
    "Ella",
    "Faith",
    "Freddie",
    "Grace",
    "Hamza",
    "Harper",
    "Ibrahim",
    "Isla",
    "Jayden",
    "Kai",
    "Leo",
    "Lily",
    "Maryam",
    "Mason",
    "Mia",
    "Muhammad",
    "Noah",
    "Nia",
    "Oliver",
    "Oscar",
    "Poppy",
    "Reuben",
    "Riya",
    "Rosa",
    "Sami",
    "Sofia",
    "Theo",
    "Tyler",
    "Yusuf",
    "Zainab",
    "Zara",
    "Zoltan",
]
FAMILY_NAMES = [
    "Ahmed",
    "Ali",
    "Begum",
    "Bennett",
    "Campbell",
    "Chowdhury",
    "Clarke",
    "Daniels",
    "Edwards",
    "Evans",
    "Francis",
    "Green",
    "Hall",
    "Hussain",
    "Iqbal",
    "Jackson",
    "Johnson",
    "Khan",
    "Kowalski",
    "Lewis",
    "Mahmood",
    "Mensah",
    "Mirza",
    "Morris",
    "Nguyen",
    "Okoro",
    "Patel",
    "Rahman",
    "Reid",
    "Riaz",
    "Robinson",
    "Singh",
    "Smith",
    "Thomas",
    "Walker",
    "Ward",
    "Williams",
    "Wright",
    "Yilmaz",
    "Young",
]
STREETS = [
    "Soho Road",
    "Church Lane",
    "Victoria Road",
    "Park Avenue",
    "Stratford Road",
    "Coventry Road",
    "Bristol Road",
    "Kingstanding Road",
    "Slade Road",
    "Alum Rock Road",
    "Moseley Road",
    "Hagley Road",
    "Warwick Road",
    "Oak Tree Lane",
]
DESCRIPTIONS = {
    "dressing": "Cannot manage buttons or zips and needs help to dress for PE; takes much longer than classmates.",
    "washing": "Finds washing hands and face difficult because of poor grip and balance at the sink.",
    "feeding": "Struggles to use a knife and fork; often uses fingers and spills a lot at mealtimes.",
    "toileting": "Needs adult help with wiping and managing clothes after using the toilet.",
    "pencil_skills": "Handwriting is hard to read, grip is awkward and letters vary in size; tires quickly.",
    "scissor_skills": "Cannot cut along a line and holds scissors upside down; avoids craft activities.",
    "concentration": "Finds it hard to stay seated and focused on table-top tasks for more than a few minutes.",
    "accessing_environment": "Trips on stairs and struggles to carry a tray or bag around school safely.",
    "play": "Avoids construction toys and puzzles; play is limited and repetitive.",
    "leisure": "Has stopped joining in with clubs because of difficulties with coordination.",
}
# How the difficulties affect the child. None of these mention a risk of harm (see triage.rules.SAFETY_WORDS).
IMPACT_HOME = [
    "Mornings are a struggle: getting dressed takes over half an hour with a parent helping.",
    "Avoids helping at home and gets upset when asked to do things for himself.",
    "Bath time and hair washing end in tears most evenings.",
    "Cannot yet cut up food or spread butter; parents do it for her.",
    "Gets frustrated with toys that need two hands working together.",
    "",
]
IMPACT_SCHOOL = [
    "Produces far less written work than classmates and is behind in literacy.",
    "Needs an adult to help change for PE, so misses part of the lesson.",
    "Teachers report poor posture at the table and fatigue by the afternoon.",
    "Struggles with the lunch tray and cutlery in the dining hall.",
    "",
]
# A safety concern in one of triage's safety areas: the rules suggest urgent.
SAFETY_CONCERNS = {
    "feeding": "Has choked on food twice this term; parents are frightened at every mealtime.",
    "toileting": "Has sore skin from not being able to wipe properly, and the GP has treated an infection.",
    "accessing_environment": "Falls on the stairs at home several times a week and has injured his head.",
}
INITIAL_REFERRERS = [
    (ReferrerRole.GP, "Dr", "Practice"),
    (ReferrerRole.PAEDIATRICIAN, "Dr", "Birmingham Children's Hospital"),
    (ReferrerRole.HEALTH_VISITOR, "", "Health Visiting Service"),
    (ReferrerRole.EDUCATIONAL_SUPPORT_SERVICE, "", "Pupil and School Support"),
    (ReferrerRole.SCHOOL_NURSE, "", "School Nursing Service"),
    (ReferrerRole.PHYSIOTHERAPIST, "", "Children's Physiotherapy"),
    (ReferrerRole.SPEECH_AND_LANGUAGE_THERAPIST, "", "Speech and Language Therapy"),
    (ReferrerRole.SOCIAL_CARE, "", "Birmingham Children's Trust"),
]


def synthetic_nhs_number(rng: random.Random) -> str:
    """A 999-range test number that passes Modulus 11."""
    while True:
        first_nine = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        check = nhs_number_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)


@dataclass(frozen=True)
class Places:
    birmingham_practices: list[GPPractice]
    other_practices: list[GPPractice]
    schools: list[School]
    postcodes: list[str]


def load_places(rng: random.Random) -> Places:
    postcodes = list(
        Postcode.objects.filter(local_authority="Birmingham").order_by("postcode").values_list("postcode", flat=True)
    )
    return Places(
        # Active Birmingham practices in one of the five localities: every accepted child belongs to a locality.
        birmingham_practices=[
            p
            for p in GPPractice.objects.filter(in_birmingham=True).order_by("code")
            if p.is_active and p.locality in Locality.values
        ],
        other_practices=list(GPPractice.objects.filter(local_authority="Solihull").order_by("code")[:10])
        + [p for p in GPPractice.objects.filter(in_birmingham=True).order_by("code") if not p.is_active],
        schools=list(School.objects.filter(is_open=True).order_by("urn")),
        postcodes=rng.sample(postcodes, k=min(500, len(postcodes))),
    )


def make_staff(stdout=None) -> list[tuple[str, str, str]]:
    """Demo accounts of every role, with their localities (and each assistant's supervising OT); returns
    (username, role label, password) for printing. Accounts that exist already are kept, given localities if
    they have none."""
    rows = []
    made: dict[str, User] = {}
    password_hash = ""
    for username, role, name, localities, supervisor in DEMO_STAFF + DEMO_CLINICIANS:
        user = User.objects.filter(username=username).first()
        changed = []
        if user is None:
            user = create_staff_user(username=username, role=role, full_name=name)
            # One deliberately slow hash (PBKDF2) shared by every demo account, rather than a second or so each.
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user.password = password_hash
            changed.append("password")
        if localities and not user.localities:
            user.localities = list(localities)
            changed.append("localities")
        if supervisor and user.supervisor_id is None:
            user.supervisor = made[supervisor]
            changed.append("supervisor")
        if changed:
            user.save(update_fields=changed)
        made[username] = user
        give_demo_device(user)  # two-factor with the published demo key (demo_two_factor_code prints its code)
        rows.append((username, Role(role).label, DEMO_PASSWORD))
    username, role, name = DEMO_PARTNER
    partner = User.objects.filter(username=username).first() or create_staff_user(
        username=username, role=role, full_name=name
    )
    if not ApiToken.objects.filter(token_hash=hash_token(DEMO_PARTNER_TOKEN)).exists():
        ApiToken.objects.create(
            user=partner, name="demo token", token_hash=hash_token(DEMO_PARTNER_TOKEN), prefix=DEMO_PARTNER_TOKEN[:12]
        )
    return rows


def synthetic_submission(
    rng: random.Random,
    places: Places,
    today: dt.date,
    received: dt.date,
    *,
    eligible: bool | None = None,
    safety: bool = False,
) -> ReferralSubmission:
    """One synthetic referral; about one in five fails a criterion, so the inbox shows every outcome.

    eligible=True draws one that meets the criteria, False one that fails one, None either. safety=True adds a
    safety concern (choking, sore skin, falls) that triage's rules suggest is urgent.
    """
    age_days = rng.randint(2 * 365, 17 * 365)
    twist = rng.random()
    if eligible is not None:
        twist = rng.uniform(0.2, 1.0) if eligible else rng.uniform(0.0, 0.2)
    if twist < 0.03:
        age_days = rng.randint(20 * 365 + 5, 21 * 365)  # too old
    date_of_birth = received - dt.timedelta(days=age_days)
    age = age_days // 365
    education = "early_years" if age < 5 else "mainstream_school"
    if 0.03 <= twist < 0.08 and age >= 5:
        education = "special_school"
    if 0.08 <= twist < 0.10 and age >= 16:
        education = "college"
    practice = rng.choice(places.birmingham_practices)
    if 0.10 <= twist < 0.14 and places.other_practices:
        practice = rng.choice(places.other_practices)
    role, title, organisation = rng.choice(INITIAL_REFERRERS)
    previous = rng.random() < 0.12
    if 0.14 <= twist < 0.17:
        role, title, organisation = (rng.choice([ReferrerRole.TEACHER, ReferrerRole.PARENT_CARER]), "", "")
    difficulties = rng.sample(list(Difficulty.values), k=rng.choice([1, 1, 2, 2, 3]))
    if 0.17 <= twist < 0.19:
        difficulties = []
    impact_home = rng.choice(IMPACT_HOME)
    if safety:
        area = rng.choice(sorted(SAFETY_CONCERNS))
        difficulties = [area, *(d for d in difficulties if d != area)]
        impact_home = SAFETY_CONCERNS[area]
    consent = not (0.19 <= twist < 0.2)
    family = rng.choice(FAMILY_NAMES)
    given = rng.choice(GIVEN_NAMES)
    parent_given = rng.choice(GIVEN_NAMES)
    referrer_family = rng.choice(FAMILY_NAMES)
    school = rng.choice(places.schools) if education != "early_years" and places.schools else None
    description = " ".join(DESCRIPTIONS[d] for d in difficulties) or "Parent worried about general development."
    if role == ReferrerRole.GP:
        organisation = practice.name.title()
    return ReferralSubmission(
        child=ChildDetails(
            given_name=given,
            family_name=family,
            date_of_birth=date_of_birth,
            nhs_number=synthetic_nhs_number(rng) if rng.random() < 0.9 else "",
            address=f"{rng.randint(1, 240)} {rng.choice(STREETS)}, Birmingham",
            postcode=rng.choice(places.postcodes),
        ),
        parent_carer=ParentCarerDetails(
            name=f"{parent_given} {family}",
            relationship=rng.choice(["Mother", "Father", "Grandparent", "Foster carer", "Special guardian"]),
            phone=f"07700 900{rng.randint(0, 999):03d}",  # Ofcom's drama range: never a real number
            email=f"{parent_given.lower()}.{family.lower()}@example.com" if rng.random() < 0.7 else "",
            language=rng.choice(["", "", "", "", "Urdu", "Punjabi", "Polish", "Bengali", "Somali"]),
        ),
        referrer=ReferrerDetails(
            name=f"{title + ' ' if title else ''}{rng.choice(GIVEN_NAMES)} {referrer_family}",
            role=role,
            organisation=organisation,
            email=f"referrer{rng.randint(1, 999)}@example.nhs.uk",
        ),
        gp_practice_code=practice.code,
        education=education,
        difficulties=tuple(difficulties),
        description=description,
        consent_given=consent,
        previous_ot_episode=previous,
        school_urn=school.urn if school else "",
        impact_home=impact_home if difficulties else "",
        impact_school=rng.choice(IMPACT_SCHOOL) if difficulties and school else "",
    )


def demo_referrals_exist() -> bool:
    return Referral.objects.exists()
