"""The service's records as FHIR R4 (UK Core) resources: plain dicts, no database, no request.

Each function takes records already loaded (with the related records it reads fetched alongside them) and a
Context naming where the service's own code systems live. Who may see what is decided before anything reaches
here (paedot/fhir/queries.py); these functions only say how a record looks. docs/fhir.md lists the mappings.

Codes: NHS numbers and ODS codes use the NHS's systems. Where no SNOMED CT or LOINC code is known for certain
(the service's difficulties, appointment kinds, GAS, COPM, TOMs), the coding is the service's own code under its
canonical base (Context.system) with a plain-English display: a wrong SNOMED code is worse than none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from paedot.alerts.models import Category as AlertCategory
from paedot.appointments.models import CANCELLED, Kind, Outcome
from paedot.care.models import Area, Component, Delivery, PackageSetting, PackageType, TomsStage
from paedot.care.rules import TOMS_DOMAINS, copm_mean
from paedot.eligibility.codes import Difficulty, ReferrerRole
from paedot.referrals.models import CLOSED_STATUSES, Priority, Status

FHIR_VERSION = "4.0.1"
CONTENT_TYPE = "application/fhir+json; fhirVersion=4.0"

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/"
# The UK Core profile each resource claims. Goal has none in UK Core: it is base R4, with no meta.profile.
PROFILES: dict[str, str] = {
    "Patient": UK_CORE + "UKCore-Patient",
    "ServiceRequest": UK_CORE + "UKCore-ServiceRequest",
    "EpisodeOfCare": UK_CORE + "UKCore-EpisodeOfCare",
    "Appointment": UK_CORE + "UKCore-Appointment",
    "CarePlan": UK_CORE + "UKCore-CarePlan",
    "Observation": UK_CORE + "UKCore-Observation",
    "Flag": UK_CORE + "UKCore-Flag",
}
SOURCE_OF_SERVICE_REQUEST = UK_CORE + "Extension-UKCore-SourceOfServiceRequest"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
UCUM = "http://unitsofmeasure.org"

SERVICE_TYPE = "Paediatric occupational therapy"


@dataclass(frozen=True)
class Context:
    """Where the service's own code systems, identifiers and extensions are named (a stable canonical URL, not the
    address a request came to), and the service's name as other systems show it."""

    canonical: str
    service_name: str

    def system(self, name: str) -> str:
        return f"{self.canonical}/CodeSystem/{name}"

    def identifier_system(self, name: str) -> str:
        return f"{self.canonical}/Id/{name}"

    def extension(self, name: str) -> str:
        return f"{self.canonical}/StructureDefinition/{name}"


# --- Statuses ---------------------------------------------------------------------------------------------------------

# The referral's journey as a FHIR request status. Waiting, invited, booked and seen are all "active": the service's
# own status travels beside it in the referral-status extension.
REFERRAL_STATUS: dict[str, str] = {
    Status.RECEIVED: "active",
    Status.INFORMATION_REQUESTED: "on-hold",
    Status.ACCEPTED: "active",
    Status.WAITING: "active",
    Status.INVITED: "active",
    Status.BOOKED: "active",
    Status.SEEN: "active",
    Status.DECLINED: "revoked",
    Status.DISCHARGED: "completed",
}

# FHIR's request priorities are routine < urgent < asap < stat; the service's are routine < soon < urgent. Mapped in
# order, so sorting by the FHIR priority sorts as the waiting list does; the service's own word travels beside it
# in the triage-priority extension.
PRIORITY: dict[str, str] = {Priority.ROUTINE: "routine", Priority.SOON: "urgent", Priority.URGENT: "asap"}

GAS_LEVEL_WORDS: dict[int, str] = {
    -2: "much less than expected",
    -1: "less than expected",
    0: "the expected outcome",
    1: "more than expected",
    2: "much more than expected",
}


def service_request_status(status: str, first_attended_on: dt.date | None) -> str:
    """A discharge after the child was seen completes the request; one before (no reply, moved away) ends it."""
    if status == Status.DISCHARGED and first_attended_on is None:
        return "revoked"
    return REFERRAL_STATUS[status]


def appointment_status(*, cancelled: bool, outcome: str) -> str:
    if cancelled or outcome in CANCELLED:
        return "cancelled"
    if outcome == Outcome.ATTENDED:
        return "fulfilled"
    if outcome == Outcome.WAS_NOT_BROUGHT:
        return "noshow"
    return "booked"


def episode_status(*, discharged_at: dt.datetime | None, referral_status: str) -> str:
    return "finished" if discharged_at is not None or referral_status in CLOSED_STATUSES else "active"


def care_plan_status(*, reviewed: bool, episode_closed: bool) -> str:
    """Reviewed: the block is over. Not reviewed and the episode ended: the block was stopped short."""
    if reviewed:
        return "completed"
    return "revoked" if episode_closed else "active"


def goal_lifecycle_status(*, rated: bool, episode_closed: bool) -> str:
    if rated:
        return "completed"
    return "cancelled" if episode_closed else "active"


def goal_achievement(*, attained: int | None, baseline: int, active: bool) -> str | None:
    """From the latest GAS rating: at or above the expected outcome (0) is achieved; below it, the change from the
    baseline says improving, no change or worsening. Not yet rated: in progress while the goal is active."""
    if attained is None:
        return "in-progress" if active else None
    if attained >= 0:
        return "achieved"
    if attained > baseline:
        return "improving"
    if attained == baseline:
        return "no-change"
    return "worsening"


# --- Small pieces -----------------------------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """Drop what FHIR forbids: keys with no value, empty lists and empty objects (ele-1)."""
    if isinstance(value, dict):
        cleaned = {key: _clean(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [item for item in (_clean(item) for item in value) if item not in (None, "", [], {})]
    return value


def _instant(value: dt.datetime | None) -> str | None:
    """An aware datetime in UK time, as FHIR's dateTime and instant want it (with its offset)."""
    return timezone.localtime(value).isoformat() if value is not None else None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | float | int) -> int | float:
    """A JSON number (a Decimal would be written as a string): whole numbers stay whole."""
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def _ref(resource_type: str, resource_id: object) -> dict[str, str]:
    return {"reference": f"{resource_type}/{resource_id}"}


def _coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": display}


def _concept(system: str, code: str, display: str, text: str | None = None) -> dict[str, Any]:
    return {"coding": [_coding(system, code, display)], "text": text or display}


def _label(choices, code: str) -> str:
    """A TextChoices label, or the code itself for one the choices no longer hold."""
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _meta(resource_type: str, updated_at: dt.datetime | None) -> dict[str, Any]:
    profile = PROFILES.get(resource_type)
    return {"profile": [profile] if profile else [], "lastUpdated": _instant(updated_at)}


def _person(user) -> str:
    return user.display_name if user is not None else ""


def _score(value: Decimal | float | int) -> dict[str, Any]:
    """A unitless score (GAS T, COPM, TOMs) as a UCUM quantity."""
    return {"value": _number(value), "system": UCUM, "code": "{score}", "unit": "score"}


def address_lines(text: str) -> list[str]:
    """The address as typed: one line each, or split at commas when it was typed on one line."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) == 1:
        lines = [part.strip() for part in lines[0].split(",") if part.strip()]
    return lines


# --- Patient ----------------------------------------------------------------------------------------------------------


def patient(
    child, *, gp_practice_code: str = "", gp_practice_name: str = "", replaces: Iterable[int] = ()
) -> dict[str, Any]:
    """A child. Their GP practice is their latest referral's (the caller passes it). A record merged into another
    is inactive and points at the surviving record (link replaced-by); the survivor points back (replaces).

    The NHS number carries no verification-status extension: the service does not record whether it was traced."""
    links = []
    if child.merged_into_id is not None:
        links.append({"other": _ref("Patient", child.merged_into_id), "type": "replaced-by"})
    links += [{"other": _ref("Patient", merged_id), "type": "replaces"} for merged_id in replaces]
    return _clean(
        {
            "resourceType": "Patient",
            "id": str(child.pk),
            "meta": _meta("Patient", child.updated_at),
            "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": child.nhs_number}] if child.nhs_number else [],
            "active": child.merged_into_id is None,
            "name": [{"use": "official", "family": child.family_name, "given": child.given_name.split()}],
            "birthDate": _date(child.date_of_birth),
            "address": [{"use": "home", "line": address_lines(child.address), "postalCode": child.postcode}],
            "generalPractitioner": [
                {
                    "type": "Organization",
                    "identifier": {"system": ODS_SYSTEM, "value": gp_practice_code},
                    "display": gp_practice_name,
                }
            ]
            if gp_practice_code
            else [],
            "link": links,
        }
    )


# --- ServiceRequest (the referral) ------------------------------------------------------------------------------------


def requester_display(referral) -> str:
    """Who referred, with their role: "Dr Jo Example (GP), Example Surgery"."""
    display = f"{referral.referrer_name} ({_label(ReferrerRole, referral.referrer_role)})"
    return f"{display}, {referral.referrer_organisation}" if referral.referrer_organisation else display


def service_request(referral, *, ctx: Context) -> dict[str, Any]:
    """The referral. Needs referral.child loaded (for the NHS number beside the subject's reference)."""
    subject: dict[str, Any] = _ref("Patient", referral.child_id)
    if referral.child.nhs_number:
        subject["identifier"] = {"system": NHS_NUMBER_SYSTEM, "value": referral.child.nhs_number}
    role = _label(ReferrerRole, referral.referrer_role)
    extensions: list[dict[str, Any]] = [
        {
            "url": SOURCE_OF_SERVICE_REQUEST,
            "valueCodeableConcept": _concept(ctx.system("referrer-role"), referral.referrer_role, role),
        },
        {
            "url": ctx.extension("referral-status"),
            "valueCoding": _coding(ctx.system("referral-status"), referral.status, _label(Status, referral.status)),
        },
    ]
    if referral.priority:
        extensions.append(
            {
                "url": ctx.extension("triage-priority"),
                "valueCoding": _coding(
                    ctx.system("triage-priority"), referral.priority, _label(Priority, referral.priority)
                ),
            }
        )
    return _clean(
        {
            "resourceType": "ServiceRequest",
            "id": referral.reference,
            "meta": _meta("ServiceRequest", referral.updated_at),
            "extension": extensions,
            "identifier": [{"system": ctx.identifier_system("referral-reference"), "value": referral.reference}],
            "status": service_request_status(referral.status, referral.first_attended_on),
            "intent": "order",
            "priority": PRIORITY.get(referral.priority),
            "code": {"text": SERVICE_TYPE},
            "subject": subject,
            "authoredOn": _date(referral.received_date),
            "requester": {"display": requester_display(referral)},
            "performer": [{"type": "HealthcareService", "display": ctx.service_name}],
            "reasonCode": [
                _concept(ctx.system("difficulty"), code, _label(Difficulty, code)) for code in referral.difficulties
            ],
            "note": [{"text": referral.description}],
        }
    )


# --- EpisodeOfCare ----------------------------------------------------------------------------------------------------


def episode_of_care(episode, *, ctx: Context) -> dict[str, Any]:
    """An episode of care. Needs episode.referral and its clinician loaded."""
    referral = episode.referral
    return _clean(
        {
            "resourceType": "EpisodeOfCare",
            "id": str(episode.pk),
            "meta": _meta("EpisodeOfCare", episode.updated_at),
            "status": episode_status(discharged_at=episode.discharged_at, referral_status=referral.status),
            "type": [{"text": SERVICE_TYPE}],
            "patient": _ref("Patient", referral.child_id),
            "managingOrganization": {"display": ctx.service_name},
            "period": {"start": _instant(episode.created_at), "end": _instant(episode.discharged_at)},
            "referralRequest": [_ref("ServiceRequest", referral.reference)],
            "careManager": {"type": "Practitioner", "display": _person(referral.clinician)}
            if referral.clinician_id
            else None,
        }
    )


# --- Appointment ------------------------------------------------------------------------------------------------------


def appointment(appt, *, ctx: Context) -> dict[str, Any]:
    """A one-to-one appointment (it has a referral). Needs appt.referral, clinician and location loaded."""
    status = appointment_status(cancelled=appt.cancelled, outcome=appt.outcome)
    kind = _label(Kind, appt.kind)
    cancellation = None
    if status == "cancelled":
        if appt.outcome in CANCELLED:
            label = _label(Outcome, appt.outcome)
            cancellation = _concept(ctx.system("appointment-outcome"), appt.outcome, label, appt.cancellation_reason)
        else:
            cancellation = {"text": appt.cancellation_reason or "Cancelled"}
    return _clean(
        {
            "resourceType": "Appointment",
            "id": str(appt.pk),
            "meta": _meta("Appointment", appt.updated_at),
            "status": status,
            "cancelationReason": cancellation,
            "appointmentType": _concept(ctx.system("appointment-kind"), appt.kind, kind),
            "description": kind,
            "start": _instant(appt.start),
            "end": _instant(appt.end),
            "minutesDuration": appt.duration_minutes,
            "created": _instant(appt.created_at),
            "basedOn": [_ref("ServiceRequest", appt.referral.reference)],
            "participant": [
                {"actor": _ref("Patient", appt.referral.child_id), "required": "required", "status": "accepted"},
                {
                    "actor": {"type": "Practitioner", "display": _person(appt.clinician)},
                    "required": "required",
                    "status": "accepted",
                },
                {
                    "actor": {"type": "Location", "display": appt.location.name},
                    "required": "required",
                    "status": "accepted",
                },
            ],
        }
    )


# --- CarePlan (a package of care) and Goal ----------------------------------------------------------------------------


def _episode_closed(episode) -> bool:
    return episode.discharged_at is not None or episode.referral.status in CLOSED_STATUSES


def package_description(package) -> str:
    """For example: 6 sessions. Direct sessions with an OT. At school. Includes equipment."""
    parts = [f"{package.sessions} session{'s' if package.sessions != 1 else ''}."]
    parts += [f"{_label(Delivery, code)}." for code in package.delivery]
    if package.places:
        parts.append("At " + " and ".join(_label(PackageSetting, code).lower() for code in package.places) + ".")
    if package.components:
        parts.append("Includes " + ", ".join(_label(Component, code).lower() for code in package.components) + ".")
    return " ".join(parts)


def care_plan(package, *, ctx: Context, goal_ids: Sequence[int], reviewed_on: dt.date | None = None) -> dict[str, Any]:
    """A package of care (one block). Needs package.episode, its referral and created_by loaded; the caller passes
    the ids of its goals and the date of its review, if it was reviewed."""
    episode = package.episode
    kind = _label(PackageType, package.type)
    return _clean(
        {
            "resourceType": "CarePlan",
            "id": str(package.pk),
            "meta": _meta("CarePlan", package.updated_at),
            "status": care_plan_status(reviewed=reviewed_on is not None, episode_closed=_episode_closed(episode)),
            "intent": "plan",
            "category": [_concept(ctx.system("package-type"), package.type, kind)],
            "title": f"{kind} (block {package.block_number})",
            "description": package_description(package),
            "subject": _ref("Patient", episode.referral.child_id),
            "period": {"start": _instant(package.created_at), "end": _date(reviewed_on)},
            "created": _instant(package.created_at),
            "author": {"type": "Practitioner", "display": _person(package.created_by)},
            "replaces": [_ref("CarePlan", package.previous_id)] if package.previous_id else [],
            "supportingInfo": [_ref("EpisodeOfCare", episode.pk)],
            "goal": [_ref("Goal", goal_id) for goal_id in goal_ids],
            "note": [{"text": package.notes}],
        }
    )


@dataclass(frozen=True)
class LatestRating:
    """A goal's latest GAS rating: from its own block's review, or (for a goal carried into the next block and not
    yet reviewed again) from the review of the block it was carried from."""

    attained: int
    baseline: int
    reviewed_on: dt.date
    own: bool
    level_description: str = ""


def _level_text(level: int, description: str) -> str:
    sign = f"+{level}" if level > 0 else str(level)
    text = f"GAS level {sign} ({GAS_LEVEL_WORDS.get(level, 'unknown')})"
    return f"{text}: {description}" if description else text


def goal(goal_record, *, ctx: Context, latest: LatestRating | None) -> dict[str, Any]:
    """A goal as base R4 Goal (UK Core has no Goal profile). Needs goal.package, its episode and referral loaded."""
    package = goal_record.package
    episode_closed = _episode_closed(package.episode)
    rated = latest is not None and latest.own
    lifecycle = goal_lifecycle_status(rated=rated, episode_closed=episode_closed)
    achievement = goal_achievement(
        attained=latest.attained if latest else None,
        baseline=latest.baseline if latest else goal_record.baseline,
        active=lifecycle == "active",
    )
    achievement_status = None
    if achievement is not None:
        text = None
        if latest is not None:
            when = "Rated" if latest.own else "Rated in the block before"
            on = f"{latest.reviewed_on.day} {latest.reviewed_on:%B %Y}"
            text = f"{when} on {on}: {_level_text(latest.attained, latest.level_description)}"
        achievement_status = {
            "coding": [{"system": GOAL_ACHIEVEMENT, "code": achievement}],
            "text": text or achievement.replace("-", " ").capitalize(),
        }
    levels = goal_record.levels or {}
    notes = [{"text": _level_text(level, levels.get(str(level), ""))} for level in sorted(GAS_LEVEL_WORDS)]
    notes.append({"text": f"Baseline: GAS level {goal_record.baseline}; weight {_number(goal_record.weight)}."})
    return _clean(
        {
            "resourceType": "Goal",
            "id": str(goal_record.pk),
            "meta": {"lastUpdated": _instant(goal_record.updated_at)},
            "lifecycleStatus": lifecycle,
            "achievementStatus": achievement_status,
            "category": [_concept(ctx.system("goal-area"), goal_record.area, _label(Area, goal_record.area))],
            "description": {"text": goal_record.description},
            "subject": _ref("Patient", package.episode.referral.child_id),
            "startDate": _date(timezone.localdate(package.created_at)),
            "target": [
                {
                    "measure": _concept(ctx.system("outcome-measure"), "gas-level", "Goal Attainment Scaling level"),
                    "detailInteger": 0,
                }
            ],
            "statusDate": _date(latest.reviewed_on) if rated and latest else None,
            "note": notes,
        }
    )


# --- Observation (GAS T-scores, COPM, TOMs) ---------------------------------------------------------------------------

OUTCOME_MEASURES: dict[str, str] = {
    "gas-t-score": "Goal Attainment Scaling T-score",
    "copm-performance": "Canadian Occupational Performance Measure: performance score",
    "copm-satisfaction": "Canadian Occupational Performance Measure: satisfaction score",
    "copm-problem": "COPM problem rating",
    "toms": "Therapy Outcome Measures",
    **{f"toms-{domain}": f"Therapy Outcome Measures: {domain}" for domain in TOMS_DOMAINS},
}


def _measure(ctx: Context, code: str) -> dict[str, Any]:
    return _concept(ctx.system("outcome-measure"), code, OUTCOME_MEASURES[code])


def _observation(
    *,
    ctx: Context,
    observation_id: str,
    code: str,
    patient_id: int,
    effective: dt.date,
    performer,
    updated_at: dt.datetime | None,
    **fields: Any,
) -> dict[str, Any]:
    return _clean(
        {
            "resourceType": "Observation",
            "id": observation_id,
            "meta": _meta("Observation", updated_at),
            "status": "final",
            "category": [
                {"coding": [{"system": OBSERVATION_CATEGORY, "code": "therapy", "display": "Therapy"}]},
            ],
            "code": _measure(ctx, code),
            "subject": _ref("Patient", patient_id),
            "effectiveDateTime": _date(effective),
            "performer": [{"type": "Practitioner", "display": _person(performer)}],
            **fields,
        }
    )


def gas_t_observation(review, *, ctx: Context, patient_id: int, goal_ids: Sequence[int]) -> dict[str, Any]:
    """The block's GAS T-score (50 = every goal at its expected outcome), about the goals it rated."""
    return _observation(
        ctx=ctx,
        observation_id=f"gas-t-{review.pk}",
        code="gas-t-score",
        patient_id=patient_id,
        effective=review.reviewed_on,
        performer=review.reviewed_by,
        updated_at=review.updated_at,
        focus=[_ref("Goal", goal_id) for goal_id in goal_ids],
        valueQuantity=_score(review.gas_t_score),
    )


def copm_observation(
    *,
    ctx: Context,
    measure: str,
    occasion: str,
    source,
    patient_id: int,
    effective: dt.date,
    performer,
    ratings: Sequence[tuple[str, int]],
) -> dict[str, Any]:
    """The COPM performance or satisfaction score (the mean over problems, 1-10) at an assessment or a review, with
    each problem's own rating as a component. `ratings` is [(problem, rating)] and must not be empty."""
    return _observation(
        ctx=ctx,
        observation_id=f"copm-{measure}-{occasion}-{source.pk}",
        code=f"copm-{measure}",
        patient_id=patient_id,
        effective=effective,
        performer=performer,
        updated_at=source.updated_at,
        valueQuantity=_score(copm_mean([rating for _, rating in ratings])),
        component=[
            {
                "code": {"coding": [_coding(ctx.system("outcome-measure"), "copm-problem", "COPM problem")], "text": p},
                "valueInteger": rating,
            }
            for p, rating in ratings
        ],
    )


def toms_observation(rating, *, ctx: Context, patient_id: int) -> dict[str, Any]:
    """The four TOMs domain scores (0-5 in half points) rated at the start, a review or the end of the episode."""
    return _observation(
        ctx=ctx,
        observation_id=f"toms-{rating.pk}",
        code="toms",
        patient_id=patient_id,
        effective=rating.rated_on,
        performer=rating.rated_by,
        updated_at=rating.updated_at,
        note=[{"text": _label(TomsStage, rating.stage)}],
        component=[
            {"code": _measure(ctx, f"toms-{domain}"), "valueQuantity": _score(getattr(rating, domain))}
            for domain in TOMS_DOMAINS
        ],
    )


# --- Flag (an alert on a child) ---------------------------------------------------------------------------------------


def flag(alert, *, ctx: Context, patient_id: int) -> dict[str, Any]:
    """An alert on a child (paedot/alerts) as a UK Core Flag: active while in force, inactive once ended. The category
    is the service's own code with its words; the code is the alert's short text alone (no SNOMED CT code is claimed:
    the service does not code its alerts). `patient_id`: the child as this interface serves them (the surviving
    record, for an alert raised on a record since merged). Needs alert.raised_by loaded."""
    return _clean(
        {
            "resourceType": "Flag",
            "id": str(alert.pk),
            "meta": _meta("Flag", alert.updated_at),
            "status": "active" if alert.ended_at is None else "inactive",
            "category": [_concept(ctx.system("alert-category"), alert.category, _label(AlertCategory, alert.category))],
            "code": {"text": alert.text},
            "subject": _ref("Patient", patient_id),
            "period": {"start": _instant(alert.raised_at), "end": _instant(alert.ended_at)},
            "author": {"type": "Practitioner", "display": _person(alert.raised_by)},
        }
    )


# --- Bundles, errors and the capability statement ---------------------------------------------------------------------


def searchset(
    entries: Sequence[tuple[str, dict[str, Any]]], *, self_url: str, next_url: str | None, previous_url: str | None
) -> dict[str, Any]:
    """A page of search results: [(full URL, resource)], with links to this page and the pages either side."""
    links = [{"relation": "self", "url": self_url}]
    if previous_url:
        links.append({"relation": "previous", "url": previous_url})
    if next_url:
        links.append({"relation": "next", "url": next_url})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "link": links,
        "entry": [{"fullUrl": url, "resource": resource, "search": {"mode": "match"}} for url, resource in entries],
    }


def operation_outcome(code: str, message: str, *, severity: str = "error") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": message}],
    }


@dataclass(frozen=True)
class SearchParameter:
    name: str
    type: str  # FHIR search parameter type: token, reference, date
    documentation: str


def capability_statement(
    *,
    base_url: str,
    date: str,
    software_version: str,
    service_name: str,
    searches: Mapping[str, Sequence[SearchParameter]],
    creates: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What this server answers: exactly the resources and search parameters in `searches` (read and search), and
    the resource types in `creates` (with how to send one) that may be created."""
    creates = creates or {}
    resources = []
    for resource_type, parameters in searches.items():
        entry: dict[str, Any] = {"type": resource_type}
        if resource_type in PROFILES:
            entry["profile"] = PROFILES[resource_type]
        entry["interaction"] = [{"code": "read"}, {"code": "search-type"}]
        if resource_type in creates:
            entry["interaction"].append({"code": "create", "documentation": creates[resource_type]})
            entry["conditionalCreate"] = False  # Idempotency-Key instead of If-None-Exist
        entry["searchParam"] = [{"name": p.name, "type": p.type, "documentation": p.documentation} for p in parameters]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": service_name,
        "kind": "instance",
        "software": {"name": "paedot", "version": software_version},
        "implementation": {
            "description": f"{service_name}: FHIR R4 (UK Core) interface"
            + (" (read, and referrals received)" if creates else " (read-only)"),
            "url": base_url,
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    ("Read and search, and create where listed. " if creates else "Read and search only. ")
                    + "Every search is paged: _count (1-100, default 50) and the Bundle's next link. Parameters not "
                    "listed here are refused with 400."
                ),
                "security": {
                    "cors": False,
                    "description": (
                        "Send Authorization: Bearer <token> (an API token issued by the service). Records are "
                        "those the token's account may see in the service; others are not found (404)."
                    ),
                },
                "resource": resources,
            }
        ],
    }
