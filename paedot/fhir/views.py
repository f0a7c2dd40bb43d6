"""The FHIR R4 read interface (docs/fhir.md): thin views over paedot/fhir/queries.py (what may be read) and
resources.py (how it looks).

The same bearer tokens, roles and scoping as the JSON API (paedot/config/api.py): a role that may not is refused
(403, before anything is looked up), a record this account may not see is not found (404), and every record read
is written to the audit trail as the JSON API writes it. Every answer is application/fhir+json; every refusal is
an OperationOutcome.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from paedot.core.audit import Actions, origin_of, record_view
from paedot.core.idempotency import MAX_KEY_LENGTH, IdempotencyConflict, run_once
from paedot.core.models import AuditEvent
from paedot.fhir import intake, queries, resources
from paedot.fhir.search import SEARCHES, SearchError, page_query, parse_search
from paedot.public.models import ServiceDetails
from paedot.referrals.api import submission_of
from paedot.referrals.models import Source
from paedot.referrals.rules import may_submit_referrals
from paedot.referrals.services import receive_referral
from paedot.staff.rules import Action, may, refusal
from paedot.staff.services import authenticate_token

INTERFACE_VERSION = "1"
CAPABILITY_DATE = "2026-11-27"  # when what this interface answers last changed

# Who may read each resource: the Action of the JSON API endpoint (or page) that shows the same record.
PERMISSIONS: dict[str, Action] = {
    "Patient": Action.VIEW_REFERRALS,  # the child's details on the referral page
    "ServiceRequest": Action.VIEW_REFERRALS,  # GET /api/referrals/{reference}
    "EpisodeOfCare": Action.VIEW_CLINICAL_RECORD,  # the episode page, /api/referrals/{reference}/timeline
    "Appointment": Action.VIEW_DIARIES,  # GET /api/appointments
    "CarePlan": Action.VIEW_CLINICAL_RECORD,  # GET /api/referrals/{reference}/packages
    "Goal": Action.VIEW_CLINICAL_RECORD,  # the packages' goals
    "Observation": Action.VIEW_CLINICAL_RECORD,  # assessments and reviews
    "Flag": Action.VIEW_REFERRALS,  # alerts: the alerts page, GET /api/referrals/{reference}/alerts
}
# What may be sent, and how (the CapabilityStatement says so): POST /api/referrals's permission, as a Bundle.
CREATES: dict[str, str] = {
    "ServiceRequest": (
        "A referral: POST a Bundle (transaction or collection) holding one ServiceRequest and its Patient, "
        "RelatedPerson, requester, Organizations and Consent, as docs/fhir.md describes. Partner systems and clinical "
        "admin accounts; send Idempotency-Key to make retries safe. The answer (201) is the ServiceRequest with the "
        "eligibility extension."
    ),
}
# A partner system reads the referrals it sent, as in the JSON API; nothing else.
PARTNER_READABLE = frozenset({"ServiceRequest"})
JSON_MEDIA_TYPES = frozenset({"json", "application/json", "application/fhir+json"})
ANY_MEDIA_TYPES = frozenset({"*/*", "application/*"})


class FhirError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def respond(data: dict[str, Any], status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type=resources.CONTENT_TYPE)
    # Children's records: no shared cache (a proxy, a browser's back button) keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


def refuse(status: int, code: str, message: str) -> HttpResponse:
    response = respond(resources.operation_outcome(code, message), status)
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


def _media_types(value: str) -> set[str]:
    return {part.split(";")[0].strip().lower() for part in value.split(",") if part.strip()}


def wants_json(request: HttpRequest) -> bool:
    """JSON is all this server writes: _format (which FHIR lets override Accept) or Accept must allow it."""
    if "_format" in request.GET:
        return bool(_media_types(request.GET["_format"]) & JSON_MEDIA_TYPES)
    accept = request.META.get("HTTP_ACCEPT", "").strip()
    return not accept or bool(_media_types(accept) & (JSON_MEDIA_TYPES | ANY_MEDIA_TYPES))


def bearer_user(request: HttpRequest):
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return authenticate_token(token.strip()) if scheme.lower() == "bearer" else None


def fhir_endpoint(*, methods: Iterable[str] = ("GET",), public: bool = False) -> Callable:
    """Only these methods, JSON only, a bearer token unless public; FhirError becomes an OperationOutcome."""
    allowed = tuple(methods)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                message = (
                    f"Use {' or '.join(allowed)} here: this interface reads, and takes referrals only as "
                    "POST /fhir/ServiceRequest."
                )
                response = refuse(405, "not-supported", message)
                response["Allow"] = ", ".join(allowed)
                return response
            if not wants_json(request):
                return refuse(406, "not-supported", "This server answers application/fhir+json only.")
            if not public:
                user = bearer_user(request)
                if user is None:
                    return refuse(401, "login", "A valid API token is needed: send Authorization: Bearer <token>.")
                request.api_user = user  # type: ignore[attr-defined]  # the audit trail's actor, as in the API
            try:
                return view(request, *args, **kwargs)
            except FhirError as error:
                return refuse(error.status, error.code, str(error))

        # Bearer tokens only: no cookie is ever read here, so there is nothing for a forged request to ride on, and a
        # POST to a read gets its 405 OperationOutcome rather than the CSRF page.
        return csrf_exempt(wrapper)

    return decorate


def context() -> resources.Context:
    return resources.Context(
        canonical=settings.PAEDOT_FHIR_CANONICAL_URL,  # the service's own code systems are named under it
        service_name=ServiceDetails.current().name,
    )


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:capability_statement")).removesuffix("metadata")


def require(user, resource_type: str) -> None:
    if resource_type in PARTNER_READABLE and user.is_partner_system:
        return
    action = PERMISSIONS[resource_type]
    if not may(user, action):
        raise FhirError(403, "forbidden", refusal(action))


def record_views(request: HttpRequest, found: list[queries.Found]) -> None:
    """One "record viewed" event per record a search returned, as record_view writes it, in one INSERT."""
    user = request.api_user  # type: ignore[attr-defined]
    origin = origin_of(request)
    seen: dict[tuple[str, Any], queries.Found] = {}
    for item in found:
        seen.setdefault((item.target._meta.label_lower, item.target.pk), item)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=Actions.RECORD_VIEWED,
            actor=user,
            actor_label=user.get_username(),
            object_type=label,
            object_id=str(pk),
            child_id=item.child_id,
            ip_address=origin.ip_address,
            user_agent=origin.user_agent,
            detail={"method": request.method, "path": request.path},
        )
        for (label, pk), item in seen.items()
    )


def read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    user = request.api_user  # type: ignore[attr-defined]
    require(user, resource_type)
    found = queries.READERS[resource_type](user, resource_id, context())
    if found is None:
        raise FhirError(404, "not-found", f"No {resource_type} with id {resource_id[:64]!r}.")
    record_view(request, found.target, child_id=found.child_id)
    return respond(found.resource)


def search(request: HttpRequest, resource_type: str, query: dict[str, list[str]]) -> HttpResponse:
    user = request.api_user  # type: ignore[attr-defined]
    require(user, resource_type)
    try:
        parsed = parse_search(resource_type, query)
    except SearchError as error:
        raise FhirError(400, error.code, str(error)) from error
    found, more = queries.SEARCHERS[resource_type](user, parsed, context())
    if found:
        record_views(request, found)
    base = base_url(request)

    def page_url(page: int) -> str:
        params = urlencode(page_query(query, page))
        return f"{base}{resource_type}" + (f"?{params}" if params else "")

    bundle = resources.searchset(
        [(f"{base}{resource_type}/{item.resource['id']}", item.resource) for item in found],
        self_url=page_url(parsed.page),
        next_url=page_url(parsed.page + 1) if more else None,
        previous_url=page_url(parsed.page - 1) if parsed.page > 1 else None,
    )
    return respond(bundle)


@fhir_endpoint(public=True)
def capability_statement(request: HttpRequest) -> HttpResponse:
    """Public, as FHIR servers' are: what may be read and searched, and how to authenticate."""
    service = ServiceDetails.current()
    return respond(
        resources.capability_statement(
            base_url=base_url(request),
            date=CAPABILITY_DATE,
            software_version=INTERFACE_VERSION,
            service_name=service.name,
            searches=SEARCHES,
            creates=CREATES,
        )
    )


def _reader(resource_type: str) -> Callable:
    @fhir_endpoint()
    def view(request: HttpRequest, pk: str) -> HttpResponse:
        return read(request, resource_type, pk)

    view.__doc__ = f"GET /fhir/{resource_type}/{{id}}"
    return view


def _searcher(resource_type: str) -> Callable:
    @fhir_endpoint()
    def view(request: HttpRequest) -> HttpResponse:
        return search(request, resource_type, {k: v for k, v in request.GET.lists() if k != "_format"})

    view.__doc__ = f"GET /fhir/{resource_type}?..."
    return view


read_patient, search_patients = _reader("Patient"), _searcher("Patient")
read_service_request = _reader("ServiceRequest")
read_episode_of_care, search_episodes_of_care = _reader("EpisodeOfCare"), _searcher("EpisodeOfCare")
read_appointment, search_appointments = _reader("Appointment"), _searcher("Appointment")
read_care_plan, search_care_plans = _reader("CarePlan"), _searcher("CarePlan")
read_goal, search_goals = _reader("Goal"), _searcher("Goal")
read_observation, search_observations = _reader("Observation"), _searcher("Observation")
read_flag, search_flags = _reader("Flag"), _searcher("Flag")


@fhir_endpoint(methods=("GET", "POST"))
def service_requests(request: HttpRequest) -> HttpResponse:
    """GET /fhir/ServiceRequest?... searches; POST /fhir/ServiceRequest sends a referral (create_service_request)."""
    if request.method == "POST":
        return create_service_request(request)
    return search(request, "ServiceRequest", {k: v for k, v in request.GET.lists() if k != "_format"})


FHIR_BODY_TYPES = frozenset({"application/fhir+json", "application/json"})


def create_service_request(request: HttpRequest) -> HttpResponse:
    """A referral as a FHIR Bundle (docs/fhir.md "Sending a referral"): read into the JSON intake's shape
    (paedot/fhir/intake.py), then stored exactly as POST /api/referrals stores it: the same permission, checks,
    service (receive_referral), Idempotency-Key handling and eligibility decision. Nothing is stored on an error."""
    user = request.api_user  # type: ignore[attr-defined]
    if not may_submit_referrals(user):
        raise FhirError(403, "forbidden", "This account may not submit referrals.")
    if "HTTP_IF_NONE_EXIST" in request.META:
        raise FhirError(400, "not-supported", "Conditional create is not supported: send an Idempotency-Key header.")
    key = request.headers.get("Idempotency-Key")
    if key is not None and (not key.strip() or len(key) > MAX_KEY_LENGTH):
        raise FhirError(400, "invalid", f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    if request.content_type not in FHIR_BODY_TYPES:
        return refuse(415, "not-supported", "Send the Bundle as application/fhir+json.")
    length = request.META.get("CONTENT_LENGTH") or "0"
    too_big = intake.BundleRefused(
        [intake.Problem("Bundle", f"is over {intake.MAX_BODY_BYTES // 1024} KB", "too-long")], 413
    )
    today, ctx = timezone.localdate(), context()
    try:
        if not length.isdigit() or int(length) > intake.MAX_BODY_BYTES:
            raise too_big  # before the body is read
        try:
            body = request.body
        except RequestDataTooBig:
            raise too_big from None
        referral = intake.read_referral(intake.parse_body(body), ctx=ctx)
        payload = intake.validate(referral, today=today)
    except intake.BundleRefused as refused:
        return respond(intake.outcome(refused.problems), refused.status)

    def create() -> tuple[int, dict[str, Any]]:
        stored = receive_referral(
            submission=submission_of(payload), source=Source.FHIR, received_date=today, submitted_by=user
        )
        decision = stored.eligibility
        reasons = [
            {"code": r.code, "message": r.message, **({"signposting": r.signposting} if r.signposting else {})}
            for r in decision.reasons.all()
        ]
        return 201, {"reference": stored.reference, "outcome": decision.outcome, "reasons": reasons}

    try:
        # The JSON intake's body for the same referral is the fingerprint: a retry is the same referral, whatever
        # the Bundle's ids, fullUrls or timestamps.
        status, receipt = (
            run_once(user=user, key=key, payload=payload.model_dump(mode="json"), action=create) if key else create()
        )
    except IdempotencyConflict as conflict:
        raise FhirError(422, "business-rule", str(conflict)) from conflict
    location = f"{base_url(request)}ServiceRequest/{receipt['reference']}"
    found = queries.READERS["ServiceRequest"](user, receipt["reference"], ctx)
    if found is None:  # a restricted record this account is not named on: the receipt, and nothing about the child
        body = intake.received_outcome(receipt, location=location, ctx=ctx)
    else:
        body = {
            **found.resource,
            "extension": [*found.resource.get("extension", []), intake.eligibility_extension(receipt, ctx=ctx)],
        }
    response = respond(body, status)
    response["Location"] = location
    return response


@fhir_endpoint(methods=("POST",))
def search_patients_by_post(request: HttpRequest) -> HttpResponse:
    """POST /fhir/Patient/_search with a form body: the NHS number stays out of the URL (and so out of access
    logs), as FHIR allows for any search."""
    query: dict[str, list[str]] = {}
    for source in (request.GET, request.POST):
        for name, values in source.lists():
            if name != "_format":
                query.setdefault(name, []).extend(values)
    return search(request, "Patient", query)


@csrf_exempt  # as fhir_endpoint: nothing here reads a cookie
def unknown(request: HttpRequest) -> HttpResponse:
    """Anything else under /fhir/: a resource type or operation this server does not have."""
    supported = ", ".join(SEARCHES)
    return refuse(404, "not-found", f"Not something this server answers. It reads and searches {supported}.")
