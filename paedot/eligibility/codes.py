"""The stable codes of the eligibility rules, as the API and the forms use them (DOMAIN.md)."""

from __future__ import annotations

from django.db import models


class Education(models.TextChoices):
    NONE = "none", "Not in education"
    EARLY_YEARS = "early_years", "Early years (nursery or pre-school)"
    MAINSTREAM_SCHOOL = "mainstream_school", "Mainstream school"
    SPECIAL_SCHOOL = "special_school", "Special school"
    COLLEGE = "college", "College or further education"
    HOME_EDUCATED = "home_educated", "Educated at home"


class Area(models.TextChoices):
    SELF_CARE = "self_care", "Self care"
    SCHOOL = "school", "School activities"
    PLAY_LEISURE = "play_leisure", "Play and leisure"


class Difficulty(models.TextChoices):
    DRESSING = "dressing", "Dressing"
    WASHING = "washing", "Washing"
    FEEDING = "feeding", "Feeding"
    TOILETING = "toileting", "Toileting"
    PENCIL_SKILLS = "pencil_skills", "Pencil skills"
    SCISSOR_SKILLS = "scissor_skills", "Scissor skills"
    CONCENTRATION = "concentration", "Concentration"
    ACCESSING_ENVIRONMENT = "accessing_environment", "Getting around school"
    PLAY = "play", "Play"
    LEISURE = "leisure", "Leisure"


DIFFICULTY_AREAS: dict[str, str] = {
    Difficulty.DRESSING: Area.SELF_CARE,
    Difficulty.WASHING: Area.SELF_CARE,
    Difficulty.FEEDING: Area.SELF_CARE,
    Difficulty.TOILETING: Area.SELF_CARE,
    Difficulty.PENCIL_SKILLS: Area.SCHOOL,
    Difficulty.SCISSOR_SKILLS: Area.SCHOOL,
    Difficulty.CONCENTRATION: Area.SCHOOL,
    Difficulty.ACCESSING_ENVIRONMENT: Area.SCHOOL,
    Difficulty.PLAY: Area.PLAY_LEISURE,
    Difficulty.LEISURE: Area.PLAY_LEISURE,
}


class ReferrerRole(models.TextChoices):
    GP = "gp", "GP"
    PAEDIATRICIAN = "paediatrician", "Paediatrician"
    OTHER_DOCTOR = "other_doctor", "Other doctor"
    EDUCATIONAL_SUPPORT_SERVICE = "educational_support_service", "Educational Support Service"
    SOCIAL_CARE = "social_care", "Social care"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    SPEECH_AND_LANGUAGE_THERAPIST = "speech_and_language_therapist", "Speech and language therapist"
    SCHOOL_NURSE = "school_nurse", "School nurse"
    OTHER_HEALTH_PROFESSIONAL = "other_health_professional", "Other health professional"
    TEACHER = "teacher", "Teacher or SENCO"
    PARENT_CARER = "parent_carer", "Parent or carer"
    OTHER = "other", "Someone else"


# Who refers, in the groups the service page names; the rules word their messages from these.
REFERRER_GROUPS: dict[str, str] = {
    ReferrerRole.GP: "doctors",
    ReferrerRole.PAEDIATRICIAN: "doctors",
    ReferrerRole.OTHER_DOCTOR: "doctors",
    ReferrerRole.EDUCATIONAL_SUPPORT_SERVICE: "Educational Support Services",
    ReferrerRole.SOCIAL_CARE: "social care",
    ReferrerRole.HEALTH_VISITOR: "health professionals",
    ReferrerRole.PHYSIOTHERAPIST: "health professionals",
    ReferrerRole.SPEECH_AND_LANGUAGE_THERAPIST: "health professionals",
    ReferrerRole.SCHOOL_NURSE: "health professionals",
    ReferrerRole.OTHER_HEALTH_PROFESSIONAL: "health professionals",
    ReferrerRole.TEACHER: "teachers",
    ReferrerRole.PARENT_CARER: "parents or carers",
    ReferrerRole.OTHER: "others",
}


class Setting(models.TextChoices):
    HOME = "home", "At home"
    SCHOOL = "school", "At school or nursery"
    LEISURE = "leisure", "In play or leisure time"


class Outcome(models.TextChoices):
    ACCEPT = "accept", "Meets the criteria"
    REVIEW = "review", "Needs a person to review"
    DECLINE = "decline", "Does not meet the criteria"


class Severity(models.TextChoices):
    DECLINE = "decline", "Decline"
    REVIEW = "review", "Review"


# Reason codes (stable: the API returns them and reports count them).
AGE_OUT_OF_RANGE = "age_out_of_range"
NOT_IN_SCHOOL_BASED_EDUCATION = "not_in_school_based_education"
SPECIAL_SCHOOL_CASE_BY_CASE = "special_school_case_by_case"
GP_PRACTICE_UNKNOWN = "gp_practice_unknown"
GP_PRACTICE_CLOSED = "gp_practice_closed"
GP_OUTSIDE_BIRMINGHAM = "gp_outside_birmingham"
NO_FUNCTIONAL_DIFFICULTY = "no_functional_difficulty"
REFERRER_NOT_ACCEPTED = "referrer_not_accepted"
NO_CONSENT = "no_consent"
# Only under policies that ask for them (the newer 0-18 criteria):
DIFFICULTY_IN_ONE_SETTING_ONLY = "difficulty_in_one_setting_only"
SETTINGS_NOT_KNOWN = "settings_not_known"
NO_NEW_OR_CHANGED_PROBLEM = "no_new_or_changed_problem"
NEW_PROBLEM_NOT_KNOWN = "new_problem_not_known"

# What each reason does to the outcome. Fixed per code, so a policy cannot turn a decline into a review.
REASON_SEVERITY: dict[str, str] = {
    AGE_OUT_OF_RANGE: Severity.DECLINE.value,
    NOT_IN_SCHOOL_BASED_EDUCATION: Severity.DECLINE.value,
    SPECIAL_SCHOOL_CASE_BY_CASE: Severity.REVIEW.value,
    GP_PRACTICE_UNKNOWN: Severity.DECLINE.value,
    GP_PRACTICE_CLOSED: Severity.DECLINE.value,
    GP_OUTSIDE_BIRMINGHAM: Severity.DECLINE.value,
    NO_FUNCTIONAL_DIFFICULTY: Severity.DECLINE.value,
    DIFFICULTY_IN_ONE_SETTING_ONLY: Severity.DECLINE.value,
    SETTINGS_NOT_KNOWN: Severity.REVIEW.value,
    REFERRER_NOT_ACCEPTED: Severity.DECLINE.value,
    NO_NEW_OR_CHANGED_PROBLEM: Severity.DECLINE.value,
    NEW_PROBLEM_NOT_KNOWN: Severity.REVIEW.value,
    NO_CONSENT: Severity.DECLINE.value,
}

# Every reason code, in the order a decision reports them.
REASON_CODES = (
    AGE_OUT_OF_RANGE,
    NOT_IN_SCHOOL_BASED_EDUCATION,
    SPECIAL_SCHOOL_CASE_BY_CASE,
    GP_PRACTICE_UNKNOWN,
    GP_PRACTICE_CLOSED,
    GP_OUTSIDE_BIRMINGHAM,
    NO_FUNCTIONAL_DIFFICULTY,
    DIFFICULTY_IN_ONE_SETTING_ONLY,
    SETTINGS_NOT_KNOWN,
    REFERRER_NOT_ACCEPTED,
    NO_NEW_OR_CHANGED_PROBLEM,
    NEW_PROBLEM_NOT_KNOWN,
    NO_CONSENT,
)

DECLINE_REASON_CODES = tuple(code for code in REASON_CODES if REASON_SEVERITY[code] == Severity.DECLINE)
REVIEW_REASON_CODES = tuple(code for code in REASON_CODES if REASON_SEVERITY[code] == Severity.REVIEW)

AREA_LABELS: dict[str, str] = dict(Area.choices)
