"""The referral form's questions: one definition for the online form, the fillable PDF and the Word form.

Each Section is a page of the online form and a section of the paper forms; each Question has a stable key that is
the online form's field name, the PDF's form-field name and the Word form's label. Add a question here and it
appears in all three (tests fail if one of them misses it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paedot.eligibility.codes import DIFFICULTY_AREAS, Area, Difficulty, Education, ReferrerRole

# Kinds of question, and how each door renders them.
TEXT = "text"  # one line
TEXTAREA = "textarea"  # several lines
DATE = "date"  # day, month, year
NHS_NUMBER = "nhs_number"
POSTCODE = "postcode"
EMAIL = "email"
PHONE = "phone"
RADIOS = "radios"  # one of several choices
CHECKBOXES = "checkboxes"  # any of several choices
YES_NO = "yes_no"
GP_PRACTICE = "gp_practice"  # found by name, code or postcode in the directory
SCHOOL = "school"  # found by name in the directory, or typed
CONSENT = "consent"  # a single box to tick

KINDS = (
    TEXT,
    TEXTAREA,
    DATE,
    NHS_NUMBER,
    POSTCODE,
    EMAIL,
    PHONE,
    RADIOS,
    CHECKBOXES,
    YES_NO,
    GP_PRACTICE,
    SCHOOL,
    CONSENT,
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    hint: str = ""
    group: str = ""  # heading for a group of choices (difficulties by area)


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str
    hint: str = ""
    required: bool = True
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None
    autocomplete: str = ""
    width: int | None = None  # NHS input width class (2, 3, 4, 5, 10, 20, 30)
    paper_lines: int = 1  # lines to leave on the paper forms

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown question kind {self.kind!r} for {self.key}.")
        if self.kind in (RADIOS, CHECKBOXES) and not self.choices:
            raise ValueError(f"Question {self.key} needs choices.")


@dataclass(frozen=True)
class Section:
    slug: str  # the online page's URL part
    title: str
    questions: tuple[Question, ...]
    intro: str = ""
    staff_only: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _choices(text_choices, hints: dict[str, str] | None = None) -> tuple[Choice, ...]:
    hints = hints or {}
    return tuple(Choice(value=value, label=label, hint=hints.get(value, "")) for value, label in text_choices.choices)


EDUCATION_HINTS = {
    Education.EARLY_YEARS: "Nursery, pre-school, playgroup or a childminder",
    Education.MAINSTREAM_SCHOOL: "Including academies, free schools and resource bases in mainstream schools",
    Education.COLLEGE: "Sixth-form college or further education college",
}

REFERRER_ROLE_HINTS = {
    ReferrerRole.EDUCATIONAL_SUPPORT_SERVICE: (
        "For example Pupil and School Support, or the Communication and Autism Team"
    ),
    ReferrerRole.TEACHER: "Only if the child has had occupational therapy from us before",
    ReferrerRole.PARENT_CARER: "Only if the child has had occupational therapy from us before",
}

DIFFICULTY_CHOICES = tuple(
    Choice(value=value, label=label, group=Area(DIFFICULTY_AREAS[value]).label) for value, label in Difficulty.choices
)

RELATIONSHIP_HINT = "For example mother, father, grandparent, foster carer or special guardian"

REFERRAL_FORM: tuple[Section, ...] = (
    Section(
        slug="child",
        title="About the child",
        intro="The child or young person you are referring.",
        questions=(
            Question("child_given_name", "First name", TEXT, max_length=100, autocomplete="off", width=20),
            Question("child_family_name", "Last name", TEXT, max_length=100, autocomplete="off", width=20),
            Question("child_date_of_birth", "Date of birth", DATE, hint="For example, 15 3 2019"),
            Question(
                "child_nhs_number",
                "NHS number (if you know it)",
                NHS_NUMBER,
                hint="This is a 10 digit number, like 485 777 3456. You can find it on any letter the NHS has sent.",
                required=False,
                width=10,
            ),
            Question(
                "child_address",
                "Address",
                TEXTAREA,
                hint="House number and street, and town",
                max_length=500,
                paper_lines=3,
            ),
            Question("child_postcode", "Postcode", POSTCODE, max_length=10, width=10),
        ),
    ),
    Section(
        slug="parent-carer",
        title="Parent or carer",
        intro="Someone with parental responsibility for the child. We will contact them about the referral.",
        questions=(
            Question("parent_name", "Full name", TEXT, max_length=200, width=30),
            Question(
                "parent_relationship",
                "Relationship to the child",
                TEXT,
                hint=RELATIONSHIP_HINT,
                max_length=100,
                width=20,
            ),
            Question(
                "parent_phone",
                "Phone number",
                PHONE,
                hint="For international numbers include the country code",
                max_length=30,
                width=20,
            ),
            Question("parent_email", "Email address (optional)", EMAIL, required=False, max_length=254, width=30),
            Question(
                "parent_language", "Preferred language (if not English)", TEXT, required=False, max_length=100, width=20
            ),
            Question("parent_interpreter_needed", "Do they need an interpreter?", YES_NO),
        ),
    ),
    Section(
        slug="gp-practice",
        title="GP practice",
        intro="We can only see children registered with a Birmingham GP.",
        questions=(
            Question(
                "gp_practice",
                "The child's GP practice",
                GP_PRACTICE,
                hint="Search by the practice's name, code (for example M85001) or postcode",
                max_length=10,
            ),
        ),
    ),
    Section(
        slug="education",
        title="Education",
        questions=(
            Question(
                "education",
                "Where does the child spend their day?",
                RADIOS,
                choices=_choices(Education, EDUCATION_HINTS),
            ),
            Question(
                "school",
                "Name of the school or nursery (if they go to one)",
                SCHOOL,
                hint="Start typing the name and choose it from the list, or type it in full",
                required=False,
                max_length=200,
            ),
        ),
    ),
    Section(
        slug="difficulties",
        title="The child's difficulties",
        intro="Tell us what the child finds hard in everyday life, and where it shows.",
        questions=(
            Question(
                "difficulties",
                "What does the child have difficulty with?",
                CHECKBOXES,
                hint="Select all that apply",
                choices=DIFFICULTY_CHOICES,
            ),
            Question(
                "description",
                "Describe the difficulties",
                TEXTAREA,
                hint="What the child finds hard, and for how long",
                max_length=3000,
                paper_lines=5,
            ),
            Question(
                "impact_home",
                "How do they affect the child at home?",
                TEXTAREA,
                hint="Leave blank if they do not",
                required=False,
                max_length=2000,
                paper_lines=3,
            ),
            Question(
                "impact_school",
                "How do they affect the child at school or nursery?",
                TEXTAREA,
                hint="Leave blank if they do not",
                required=False,
                max_length=2000,
                paper_lines=3,
            ),
            Question(
                "impact_leisure",
                "How do they affect play and leisure?",
                TEXTAREA,
                hint="Leave blank if they do not",
                required=False,
                max_length=2000,
                paper_lines=3,
            ),
        ),
    ),
    Section(
        slug="support",
        title="Support so far",
        questions=(
            Question(
                "strategies_tried",
                "What has been tried already, and did it help?",
                TEXTAREA,
                hint="For example advice from a health visitor, or support at school",
                max_length=2000,
                paper_lines=4,
            ),
            Question(
                "other_professionals",
                "Other professionals involved (optional)",
                TEXTAREA,
                hint="Names, roles and services, for example a paediatrician or speech and language therapist",
                required=False,
                max_length=2000,
                paper_lines=3,
            ),
            Question("previous_ot_episode", "Has the child had occupational therapy from this service before?", YES_NO),
        ),
    ),
    Section(
        slug="referrer",
        title="About you, the referrer",
        questions=(
            Question("referrer_name", "Your full name", TEXT, max_length=200, autocomplete="name", width=30),
            Question("referrer_role", "Your role", RADIOS, choices=_choices(ReferrerRole, REFERRER_ROLE_HINTS)),
            Question(
                "referrer_organisation",
                "Your organisation (optional)",
                TEXT,
                required=False,
                max_length=200,
                autocomplete="organization",
                width=30,
            ),
            Question(
                "referrer_email",
                "Your email address",
                EMAIL,
                max_length=254,
                autocomplete="email",
                width=30,
                hint="We will send the referral reference here",
            ),
            Question(
                "referrer_phone",
                "Your phone number (optional)",
                PHONE,
                required=False,
                max_length=30,
                autocomplete="tel",
                width=20,
            ),
        ),
    ),
    Section(
        slug="consent",
        title="Consent",
        intro=(
            "We need the agreement of someone with parental responsibility for the child (or of the young person, "
            "if they are able to decide for themselves) before we accept a referral."
        ),
        questions=(
            Question(
                "consent_given",
                "The parent or carer (or the young person) agrees to this referral and to the service contacting "
                "the people named in it",
                CONSENT,
            ),
        ),
    ),
)


def all_questions() -> list[Question]:
    return [question for section in REFERRAL_FORM for question in section.questions]


def section(slug: str) -> Section:
    for candidate in REFERRAL_FORM:
        if candidate.slug == slug:
            return candidate
    raise KeyError(slug)
