"""Every page and every API operation, asked by every role: the answer is the one route_rules.py expects.

The routes come from the URL resolver and the API's OpenAPI schema, so a new page or endpoint without a rule fails
here (test_every_page_and_api_operation_has_a_rule), and so does a rule for a route that has gone. Each is asked
as anonymous and as each role: pages with GET (POST-only ones with an empty form), the API with a bearer token and
a body that passes its schema, so the answer is about who asked. A 500 fails whoever asked.

One synthetic child's whole record is made once for the module (a referral seen, with its episode, assessment,
packages, review, notes, letters, appointments, block, group, equipment, consent, advice pack...) and each request
runs in a savepoint rolled back afterwards, so a POST that changes something never leaks into the next request.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from paedot.staff.models import Role
from paedot.tests import route_rules as rules

TODAY = "2027-01-20 12:00 +00:00"  # a Wednesday in term time, so diaries, blocks and notes all have a working day
SIGN_IN = "/staff/sign-in"

pytestmark = pytest.mark.django_db


# The routes that exist.


@dataclass(frozen=True)
class PageRoute:
    name: str
    pattern: str  # the Django path pattern, for filling its parameters


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield name, prefix + str(entry.pattern), namespace


def _openapi_path(pattern: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def url_patterns() -> list[tuple[str, str, str]]:
    return list(_walk(get_resolver()))


def page_routes() -> dict[str, PageRoute]:
    """Every named URL outside the API's operations (the API's own docs pages count as pages)."""
    operation_paths = {path for path, _ in api_operations_raw()}
    routes = {}
    for name, pattern, namespace in url_patterns():
        if namespace == "api" and _openapi_path(pattern) in operation_paths:
            continue
        routes[name] = PageRoute(name=name, pattern=pattern)
    return routes


@functools.cache
def openapi_schema() -> dict:
    from paedot.config.api import api

    return api.get_openapi_schema()


def api_operations_raw() -> list[tuple[str, str]]:
    schema = openapi_schema()
    return [(path, method.upper()) for path, methods in schema["paths"].items() for method in methods]


def api_operations() -> list[str]:
    return [f"{method} {path}" for path, method in api_operations_raw()]


# One child's whole record, made once.


@dataclass
class Record:
    users: dict[str, Any]
    tokens: dict[str, str]
    token_ids: dict[str, int]
    values: dict[str, Any]
    sessions: dict[str, str] = field(default_factory=dict)


def _pdf_bytes() -> bytes:
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _make_record() -> Record:
    """The synthetic record every route is asked about: made through the real services, as staff would."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from paedot.advice.services import give_advice_pack, load_strategy_sheets
    from paedot.appointments.models import Appointment, AttendanceFlag
    from paedot.appointments.services import plan_treatment_block
    from paedot.appointments.tests.factories import clinic, london
    from paedot.care.services.consent import record_consent
    from paedot.care.services.equipment import issue_equipment
    from paedot.care.tests.factories import assessed, episode_for, package_with_goals, reviewed
    from paedot.caseloads.services import allocate_referral
    from paedot.casenotes.services import write_note
    from paedot.diaries.models import Absence, ClosureDay, WorkingDay
    from paedot.groups.services import enrol
    from paedot.groups.tests.factories import at, handwriting_group, with_sessions
    from paedot.referrals.attachments import add_attachment
    from paedot.referrals.models import PossibleDuplicate
    from paedot.referrals.services import stop_waiting_clock
    from paedot.referrals.tests.factories import referral_in
    from paedot.staff.models import ApiToken
    from paedot.staff.services import create_staff_user, issue_api_token
    from paedot.waiting_list.services import current_invitation, invite_to_book, record_booking

    load_strategy_sheets()
    users = {}
    for role in Role.values:
        users[role] = create_staff_user(
            username=f"h9-{role}", role=role, password="a-long-test-password-1", full_name=f"Role {role.title()}"
        )
    users[Role.OTA].supervisor = users[Role.OT]
    users[Role.OTA].save(update_fields=["supervisor"])
    ot, ota, lead, admin = users[Role.OT], users[Role.OTA], users[Role.TEAM_LEAD], users[Role.CLINICAL_ADMIN]
    for clinician in (ot, ota):
        for weekday in range(5):
            WorkingDay.objects.create(clinician=clinician, weekday=weekday, starts=dt.time(9), ends=dt.time(17))
    tokens = {role: issue_api_token(user=user, name="route walk") for role, user in users.items()}
    token_ids = {role: ApiToken.objects.filter(user=user).get().pk for role, user in users.items()}

    child = referral_in("waiting", received_date=dt.date(2027, 1, 4))
    allocate_referral(referral=child, clinician=ot, allocated_by=lead)
    invite_to_book(referral=child, invited_by=admin)
    record_booking(referral=child, recorded_by=admin)
    stop_waiting_clock(referral=child, attended_on=child.received_date, recorded_by=ot)
    episode = episode_for(child, by=ot)
    assessment = assessed(child, by=ot)
    first_block = package_with_goals(child, n=2, by=ot)
    review = reviewed(first_block, [0, 1], by=ot)
    package = package_with_goals(child, n=2, by=ot, previous=first_block)
    block = plan_treatment_block(
        referral=child,
        clinician=ot,
        location=clinic(),
        first_start=london(2027, 1, 25, 10),
        sessions=3,
        override_reason="Route walk",
        planned_by=ot,
        notify=False,
    )
    # Monday's appointment has happened (its outcome and note can be recorded); the block's are to come.
    appointment = Appointment.objects.create(
        referral=child,
        clinician=ot,
        location=clinic(),
        kind="treatment",
        start=london(2027, 1, 18, 10),
        end=london(2027, 1, 18, 10, 45),
        booked_by=admin,
    )
    flag = AttendanceFlag.objects.create(referral=child, reason="Not brought twice", appointments=[appointment.pk])
    today = dt.date(2027, 1, 20)
    signed_by_assistant = write_note(
        referral=child, contact_kind="telephone", contact_on=today, body="Spoke to mum.", author=ota, sign=True
    )
    draft = write_note(referral=child, contact_kind="telephone", contact_on=today, body="Draft.", author=ot, sign=False)
    signed = write_note(
        referral=child, contact_kind="telephone", contact_on=today, body="Called school.", author=ot, sign=True
    )
    equipment = issue_equipment(
        referral=child, kind="equipment", item="Wobble cushion", issued_on=today, review_on=today, issued_by=ot
    )
    for recipient in ("family", "school"):
        record_consent(episode=episode, recipient=recipient, given=True, given_by="Mum", recorded_by=ot)
    pack = give_advice_pack(referral=child, sheets=["dressing"], for_home=True, for_school=False, given_by=ot)

    waiting = referral_in("waiting")
    invited = referral_in("invited")
    invitation = current_invitation(invited)
    newcomer = referral_in("received")
    duplicate = PossibleDuplicate.objects.create(
        referral=newcomer,
        existing_referral=waiting,
        strength="likely",
        score=0.9,
        reasons=[{"code": "same_name", "message": "The same name."}],
    )
    attachment = add_attachment(
        referral=newcomer,
        uploaded_file=SimpleUploadedFile("form.pdf", _pdf_bytes(), content_type="application/pdf"),
        uploaded_by=admin,
    )
    programme = handwriting_group(clinician=ot)
    session = with_sessions(programme, first=at(2027, 1, 26, 14), sessions=2, scheduled_by=ot)[0]
    enrolment = enrol(programme=programme, referral=waiting, enrolled_by=admin)
    closure = ClosureDay.objects.create(date=dt.date(2027, 2, 15), reason="Team training day")
    from paedot.notifications.models import Message

    failed_message = Message.objects.create(
        channel="email",
        recipient="parent@example.com",
        subject="Your appointment",
        body="We have booked an appointment.",
        reference="route-walk:failed",
        status="failed",
        attempts=5,
        error="ConnectionRefusedError: refused",
        referral=child,
        to_parent_carer=True,
    )
    absence = Absence.objects.create(clinician=ot, starts_on=today, ends_on=today, reason="Leave")
    from paedot.alerts.services import raise_alert

    alert = raise_alert(referral=child, category="risk_to_staff", text="Dog at the home", by=ot)

    from paedot.public import check
    from paedot.referrals import questions
    from paedot.referrals.paper_entry import SECTIONS as PAPER_SECTIONS

    values = {
        "child": child,
        "reference": child.reference,
        "child_id": child.child_id,
        "newcomer_reference": newcomer.reference,
        "waiting_reference": waiting.reference,
        "clinician": ot.username,
        "location_id": clinic().pk,
        "day": today.isoformat(),
        "appointment_id": appointment.pk,
        "session_id": session.pk,
        "series_id": block.series.pk,
        "flag_id": flag.pk,
        "duplicate_id": duplicate.pk,
        "invitation_id": invitation.pk,
        "invited_reference": invited.reference,
        "goal_ids": list(package.goals.order_by("position", "id").values_list("pk", flat=True)),
        "attachment_id": attachment.pk,
        "assessment_id": assessment.pk,
        "package_id": package.pk,
        "review_id": review.pk,
        "issue_id": equipment.pk,
        "pack_id": pack.pk,
        "letter_id": pack.home_letter_id,
        "programme_id": programme.pk,
        "enrolment_id": enrolment.pk,
        "closure_id": closure.pk,
        "absence_id": absence.pk,
        "message_id": failed_message.pk,
        "alert_id": alert.pk,
        "note_id": signed.pk,
        "draft_note_id": draft.pk,
        "assistant_note_id": signed_by_assistant.pk,
        "sheet": "dressing",
        "online_slug": questions.REFERRAL_FORM[0].slug,
        "paper_slug": PAPER_SECTIONS[0].slug,
        "check_slug": check.CHECK_SECTIONS[0].slug,
    }
    return Record(users=users, tokens=tokens, token_ids=token_ids, values=values)


class _QuickPdf:
    """Stands in for WeasyPrint's HTML in this walk: the walk asks who may open a document, and every PDF's own
    tests (paedot/documents, letters, advice, referrals) render it for real. Rendering each PDF once per role would
    be most of this module's time."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def write_pdf(self, **kwargs) -> bytes:
        return _pdf_bytes()


@pytest.fixture(scope="module")
def record(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole record, made once for this module and rolled back at its end; a signed-in session for each role."""
    from unittest import mock

    import time_machine
    from django.conf import settings
    from django.db import transaction
    from django.test import Client, override_settings

    from paedot.config.api import api

    media = tmp_path_factory.mktemp("media")
    schema = openapi_schema()
    with (
        django_db_blocker.unblock(),
        time_machine.travel(TODAY, tick=False),
        override_settings(MEDIA_ROOT=media, STAFF_TWO_FACTOR=False),
        # The schema is the same for every caller: worked out once, not once per request.
        mock.patch.object(api, "get_openapi_schema", lambda *args, **kwargs: schema),
        mock.patch("paedot.documents.pdf.HTML", _QuickPdf),
        transaction.atomic(),
    ):
        made = _make_record()
        for role, user in made.users.items():
            signing_in = Client()
            signing_in.force_login(user)
            made.sessions[role] = signing_in.cookies[settings.SESSION_COOKIE_NAME].value
        yield made
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def browser():
    """One test client for the module: a new one per request would load the middleware (and WhiteNoise's scan of
    the static files) every time."""
    from django.test import Client

    return Client()


@pytest.fixture
def client(browser):
    browser.cookies.clear()
    return browser


# Filling in each route's parameters from the record.

# Where a parameter's name means different things on different routes: (route, parameter) -> the record's value.
PAGE_PARAMETERS = {
    ("referrals:resolve_duplicate", "reference"): "newcomer_reference",
    ("referrals:resolve_duplicate", "flag_id"): "duplicate_id",
    ("referrals:undo_merge", "reference"): "newcomer_reference",
    ("referrals:undo_merge", "flag_id"): "duplicate_id",
    ("paper_entry:attach_to_referral", "reference"): "newcomer_reference",
    ("waiting_list:invite_to_book", "reference"): "waiting_reference",
    ("waiting_list:record_booking", "reference"): "waiting_reference",
    ("waiting_list:extend_invitation", "pk"): "invitation_id",
    ("waiting_list:discharge_for_no_reply", "pk"): "invitation_id",
    ("groups:show_register", "appointment_id"): "session_id",
    ("casenotes:countersign", "note_id"): "assistant_note_id",
    ("casenotes:edit_draft", "note_id"): "draft_note_id",
    ("refer:page", "slug"): "online_slug",
    ("paper_entry:page", "slug"): "paper_slug",
    ("public:check_question", "slug"): "check_slug",
}
PARAMETERS = {
    "pk": "programme_id",
    "enrolment_pk": "enrolment_id",
    "username": "clinician",
    "slug": "sheet",
}
FIXED = {"decision": "dismiss", "name": "outcomes", "table": "cyp101"}
# Query strings some routes need to answer at all (a search term, a month, a filter).
QUERIES = {
    "reports:download_sitrep": "?month=2027-01",
    "reports:download_csds": "?month=2027-01",
    "GET /api/directory/gp-practices": "?q=Soho",
    "GET /api/directory/schools": "?q=Primary",
    "GET /api/appointments": "?clinician=h9-ot",
    "GET /api/reports/sitrep": "?month=2027-01",
    "GET /api/reports/csds": "?month=2027-01",
}

# What an otherwise empty POST must carry for the page to know what it is about (a hidden field on its form).
PAGE_FORMS = {"governance:download_subject_access": {"child": "child_id"}}

API_PARAMETERS = {
    ("POST /api/groups/sessions/{appointment_id}/attendance", "appointment_id"): "session_id",
    ("PATCH /api/notes/{note_id}", "note_id"): "draft_note_id",
    ("POST /api/notes/{note_id}/sign", "note_id"): "draft_note_id",
    ("POST /api/notes/{note_id}/countersign", "note_id"): "assistant_note_id",
}


def _value(record: Record, caller: str, route: str, name: str, overrides: dict) -> str:
    if name == "token_id":  # one's own token: anyone else's is not found
        return str(record.token_ids.get(caller, 999_999))
    if name in FIXED:
        return FIXED[name]
    key = overrides.get((route, name)) or PARAMETERS.get(name, name)
    return str(record.values[key])


def page_url(route: PageRoute, record: Record, caller: str) -> str:
    def fill(match: re.Match) -> str:
        return _value(record, caller, route.name, match.group(1), PAGE_PARAMETERS)

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route.pattern) + QUERIES.get(route.name, "")


def api_url(operation: str, record: Record, caller: str) -> str:
    path = operation.split(" ", 1)[1]
    filled = re.sub(r"\{(\w+)\}", lambda m: _value(record, caller, operation, m.group(1), API_PARAMETERS), path)
    return filled + QUERIES.get(operation, "")


def api_body(operation: str, record: Record) -> dict[str, Any] | None:
    """A body that passes the schema, so the answer is about who asked (403) or the record's stage (409), not 400."""
    v = record.values
    goal = {
        "description": "Does up 3 buttons",
        "area": "self_care",
        "levels": {"-2": "a", "-1": "b", "0": "c", "1": "d", "2": "e"},
    }
    bodies: dict[str, dict[str, Any]] = {
        "POST /api/eligibility": {
            "date_of_birth": "2018-05-10",
            "education": "mainstream_school",
            "gp_practice_code": "M85001",
            "difficulties": ["dressing"],
            "referrer_role": "gp",
            "consent_given": True,
        },
        "POST /api/referrals": {
            "child": {"given_name": "Ria", "family_name": "Walk", "date_of_birth": "2018-05-10", "postcode": "B21 9RY"},
            "parent_carer": {"name": "Sam Walk", "relationship": "Mother"},
            "gp_practice_code": "M85001",
            "education": "mainstream_school",
            "difficulties": ["dressing"],
            "description": "Cannot do buttons.",
            "referrer": {"name": "Dr Jo Example", "role": "gp"},
            "consent_given": True,
        },
        "POST /api/referrals/{reference}/screen": {"decision": "accept", "reason": "Meets the criteria"},
        "POST /api/referrals/{reference}/information-received": {"note": "Letter from school"},
        "POST /api/referrals/{reference}/discharge": {"reason": "Family moved away"},
        "POST /api/referrals/{reference}/triage": {"priority": "routine", "pathway": "group", "setting": "clinic"},
        "POST /api/referrals/{reference}/book": {},
        "POST /api/referrals/{reference}/allocate": {"clinician": v["clinician"], "reason": "Transfer"},
        "POST /api/appointments": {
            "referral": v["reference"],
            "clinician": v["clinician"],
            "kind": "treatment",
            "location": v["location_id"],
            "start": "2027-02-01T14:00:00+00:00",
            "duration_minutes": 45,
        },
        "POST /api/appointments/{appointment_id}/outcome": {"outcome": "attended"},
        "POST /api/appointments/{appointment_id}/cancel": {"by": "family", "reason": "Poorly"},
        "POST /api/referrals/{reference}/blocks": {
            "clinician": v["clinician"],
            "location": v["location_id"],
            "first_start": "2027-03-01T14:00:00+00:00",
            "sessions": 2,
        },
        "POST /api/tokens": {"name": "walk"},
        "POST /api/groups": {
            "name": "Scissors",
            "capacity": 6,
            "clinician": v["clinician"],
            "location": v["location_id"],
        },
        "POST /api/groups/{programme_id}/sessions": {"first_start": "2027-03-01T15:00:00+00:00", "sessions": 1},
        "POST /api/groups/{programme_id}/enrolments": {"referral": v["invited_reference"]},
        "POST /api/groups/{programme_id}/enrolments/{enrolment_id}/withdraw": {"reason": "Family moved away"},
        "POST /api/groups/sessions/{appointment_id}/attendance": {
            "referral": v["waiting_reference"],
            "outcome": "attended",
        },
        "POST /api/referrals/{reference}/assessments": {"findings": {"fine_motor": "Tires quickly."}},
        "POST /api/referrals/{reference}/packages": {
            "type": "package_of_care",
            "delivery": ["direct_ot"],
            "settings": ["school"],
            "sessions": 4,
            "goals": [goal],
        },
        "POST /api/packages/{package_id}/reviews": {
            "reviewed_on": "2027-01-20",
            "decision": "new_block",
            "goals": [{"id": goal_id, "attained": 0} for goal_id in v["goal_ids"]],
        },
        "POST /api/referrals/{reference}/equipment": {
            "kind": "equipment",
            "item": "Wedge cushion",
            "issued_on": "2027-01-20",
        },
        "POST /api/equipment/{issue_id}/return": {"returned_on": "2027-01-20"},
        "POST /api/equipment/{issue_id}/review": {"note": "Still needed", "next_review_on": "2027-04-20"},
        "POST /api/referrals/{reference}/consents": {"recipient": "gp", "given": True, "given_by": "Mum"},
        "POST /api/referrals/{reference}/episode/discharge": {"reason": "goals_met", "summary": "Goals met."},
        "POST /api/referrals/{reference}/reports": {
            "kind": "assessment_report",
            "assessment": v["assessment_id"],
            "recipients": ["family"],
        },
        "POST /api/appointments/{appointment_id}/notes": {"body": "Worked on buttons."},
        "POST /api/referrals/{reference}/notes": {
            "contact_kind": "telephone",
            "contact_on": "2027-01-20",
            "body": "Called mum.",
        },
        "PATCH /api/notes/{note_id}": {"body": "Draft, changed."},
        "POST /api/notes/{note_id}/addenda": {"body": "Also: mum called back."},
        "POST /api/referrals/{reference}/advice-packs": {"sheets": ["dressing"], "for_home": True},
        "POST /api/governance/subject-access": {"reference": v["reference"], "reason": "Subject access request"},
        "POST /api/messages/{message_id}/resend": {"reason": "Address corrected"},
        "POST /api/messages/{message_id}/dealt-with": {"reason": "Phoned the family"},
        "POST /api/duplicates/{duplicate_id}/unmerge": {"reason": "Not the same child"},
        "POST /api/referrals/{reference}/possible-duplicates": {
            "other_reference": v["invited_reference"],
            "reason": "Same parent and address",
        },
        "POST /api/duplicates/{duplicate_id}/merge": {"reason": "Same child: same school and parent"},
        "POST /api/duplicates/{duplicate_id}/dismiss": {"reason": "Different children"},
        "POST /api/letters/{letter_id}/not-posted": {"reason": "Still in the post tray"},
        "POST /api/appointments/{appointment_id}/move": {"start": "2027-02-01T14:00:00+00:00"},
        "PATCH /api/referrals/{reference}/child": {
            "address": "2 Walk Road, Birmingham",
            "postcode": "B21 9RY",
            "reason": "Mum phoned",
        },
        "PATCH /api/referrals/{reference}/parent-carer": {"phone": "07700 900456", "reason": "Mum phoned"},
        "PUT /api/referrals/{reference}/gp-practice": {"gp_practice_code": "M85005", "reason": "Registered there"},
        "PUT /api/referrals/{reference}/school": {"school_urn": "103121", "reason": "Moved school"},
        "POST /api/referrals/{reference}/alerts": {"category": "communication_needs", "text": "Mum is deaf: BSL"},
        "POST /api/alerts/{alert_id}/review": {"review_on": "2027-06-01"},
        "POST /api/alerts/{alert_id}/end": {"reason": "Dog rehomed"},
    }
    return bodies.get(operation)


# Asking, and reading the answer.


def page_answer(response, method: str) -> str:
    code = response.status_code
    if code == 302 and response["Location"].startswith(SIGN_IN):
        return rules.SIGN_IN
    if code == 403:
        return rules.FORBIDDEN
    if code == 404:
        return rules.NOT_FOUND
    if 200 <= code < 400 or (code == 400 and method == "POST"):
        return rules.OK
    return f"status {code}"


API_ANSWERS = {
    400: rules.BAD_REQUEST,
    401: rules.UNAUTHORISED,
    403: rules.FORBIDDEN,
    404: rules.NOT_FOUND,
    409: rules.CONFLICT,
    422: rules.UNPROCESSABLE,
}


def api_answer(response) -> str:
    code = response.status_code
    return rules.OK if 200 <= code < 300 else API_ANSWERS.get(code, f"status {code}")


def ask_page(client, record: Record, caller: str, route: PageRoute, method: str):
    from django.conf import settings

    if caller != rules.ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = record.sessions[caller]
    url = page_url(route, record, caller)
    if method != "POST":
        return url, client.generic(method, url)
    form = {name: record.values[key] for name, key in PAGE_FORMS.get(route.name, {}).items()}
    return url, client.post(url, form)


def ask_api(client, record: Record, caller: str, operation: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    method = operation.split(" ", 1)[0]
    url = api_url(operation, record, caller)
    headers = {} if caller == rules.ANONYMOUS else {"HTTP_AUTHORIZATION": f"Bearer {record.tokens[caller]}"}
    if operation == "POST /api/referrals/{reference}/attachments":
        upload = SimpleUploadedFile("form.pdf", _pdf_bytes(), content_type="application/pdf")
        return url, client.post(url, {"file": upload}, **headers)
    body = api_body(operation, record)
    if body is None and method != "POST":
        return url, client.generic(method, url, **headers)
    return url, client.generic(method, url, json.dumps(body or {}), content_type="application/json", **headers)


# The walk.

ROUTES = page_routes()
OPERATIONS = api_operations()


def _page_id(name: str, caller: str) -> str:
    rule = rules.PAGES.get(name)
    return f"{rule.method if rule else 'GET'} {name} as {caller}"


@pytest.mark.parametrize(
    ("name", "caller"),
    [(name, caller) for name in sorted(ROUTES) for caller in rules.CALLERS],
    ids=[_page_id(name, caller) for name in sorted(ROUTES) for caller in rules.CALLERS],
)
def test_each_page_answers_each_caller_as_the_rules_say(record, client, name, caller):
    rule = rules.PAGES.get(name)
    assert rule is not None, f"{name} has no rule: add it to paedot/tests/route_rules.py"
    url, response = ask_page(client, record, caller, ROUTES[name], rule.method)
    assert response.status_code < 500, f"{rule.method} {url} as {caller}: {response.status_code}"
    answer = page_answer(response, rule.method)
    assert answer == rule.expected(caller), (
        f"{rule.method} {url} as {caller}: {response.status_code} {response.get('Location', '')}"
    )


@pytest.mark.parametrize(
    ("operation", "caller"),
    [(operation, caller) for operation in OPERATIONS for caller in rules.CALLERS],
    ids=[f"{operation} as {caller}" for operation in OPERATIONS for caller in rules.CALLERS],
)
def test_each_api_operation_answers_each_caller_as_the_rules_say(record, client, operation, caller):
    rule = rules.API.get(operation)
    assert rule is not None, f"{operation} has no rule: add it to paedot/tests/route_rules.py"
    url, response = ask_api(client, record, caller, operation)
    assert response.status_code < 500, f"{operation} ({url}) as {caller}: {response.status_code}"
    answer = api_answer(response)
    assert answer == rule.expected(caller), f"{operation} ({url}) as {caller}: {response.content[:300]!r}"


# The table covers every route, and nothing else.


def unruled(routes, rule_names) -> list[str]:
    return sorted(set(routes) - set(rule_names))


def stale(routes, rule_names) -> list[str]:
    return sorted(set(rule_names) - set(routes))


def test_every_page_and_api_operation_has_a_rule():
    assert unruled(ROUTES, rules.PAGES) == [], "add these pages to paedot/tests/route_rules.py"
    assert unruled(OPERATIONS, rules.API) == [], "add these API operations to paedot/tests/route_rules.py"


def test_every_rule_names_a_route_that_exists():
    assert stale(ROUTES, rules.PAGES) == [], "these pages have gone: remove them from paedot/tests/route_rules.py"
    assert stale(OPERATIONS, rules.API) == [], "these operations have gone: remove them from route_rules.py"


def test_a_new_route_without_a_rule_is_reported_and_a_gone_one_too():
    assert unruled([*ROUTES, "referrals:new_page"], rules.PAGES) == ["referrals:new_page"]
    assert unruled([*OPERATIONS, "GET /api/new"], rules.API) == ["GET /api/new"]
    assert stale([r for r in ROUTES if r != "referrals:inbox"], rules.PAGES) == ["referrals:inbox"]


def test_the_walk_asks_every_role_and_every_api_route_the_resolver_knows():
    assert set(rules.CALLERS) == {rules.ANONYMOUS, *Role.values}
    # Every URL in the API's namespace is either an operation in the OpenAPI schema or a page with its own rule
    # (the schema and docs pages): an endpoint hidden from the schema would show up as a page without a rule.
    api_patterns = {_openapi_path(p) for _, p, ns in url_patterns() if ns == "api"}
    operation_paths = {path for path, _ in api_operations_raw()}
    assert operation_paths <= api_patterns
    assert len(ROUTES) > 100 and len(OPERATIONS) > 60


# Bugs the walk found, kept fixed.


def test_a_role_without_referrals_reports_or_audit_lands_on_its_security_page(record, client):
    """The sign-in page sent a signed-in partner system to a page name that did not exist: a 500."""
    from django.conf import settings

    from paedot.staff.views import home_for

    assert home_for(record.users[Role.PARTNER_SYSTEM]) == "/staff/security"
    client.cookies[settings.SESSION_COOKIE_NAME] = record.sessions[Role.PARTNER_SYSTEM]
    response = client.get("/staff/sign-in")
    assert response.status_code == 302
    assert response["Location"] == "/staff/security"


def test_resolving_a_duplicate_without_a_reason_says_so_and_keeps_what_was_typed(record, client):
    """An empty reason was a 500 (the page expected the form by flag); now the page says what is missing."""
    from django.conf import settings

    from paedot.referrals.models import PossibleDuplicate

    client.cookies[settings.SESSION_COOKIE_NAME] = record.sessions[Role.CLINICAL_ADMIN]
    url = f"/staff/referrals/{record.values['newcomer_reference']}/possible-duplicates/{record.values['duplicate_id']}"
    response = client.post(f"{url}/dismiss", {"reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the reason" in page
    assert f'href="#duplicate-reason-{record.values["duplicate_id"]}"' in page
    too_long = "Not the same child " * 300
    response = client.post(f"{url}/merge", {"reason": too_long})
    assert response.status_code == 400
    assert too_long.strip() in response.content.decode()
    assert PossibleDuplicate.objects.get(pk=record.values["duplicate_id"]).state == PossibleDuplicate.State.OPEN


def test_an_auditor_prints_the_referrals_letters_but_not_its_reports(record, client):
    """Letters were printable by anyone who sees referrals, so an auditor could read an advice pack or a clinical
    report by its number, though not the clinical record it belongs to."""
    from django.conf import settings

    from paedot.letters.models import CLINICAL_KINDS, Letter

    child = record.values["child"]
    administrative = Letter.objects.filter(referral=child).exclude(kind__in=CLINICAL_KINDS).first()
    clinical = Letter.objects.get(pk=record.values["letter_id"])
    assert administrative is not None and clinical.is_clinical
    client.cookies[settings.SESSION_COOKIE_NAME] = record.sessions[Role.AUDITOR]
    assert client.get(f"/staff/letters/{administrative.pk}.pdf").status_code == 200
    assert client.get(f"/staff/letters/{clinical.pk}.pdf").status_code == 403
    page = client.get(f"/staff/referrals/{child.reference}").content.decode()
    assert f"/staff/letters/{administrative.pk}.pdf" in page
    assert f"/staff/letters/{clinical.pk}.pdf" not in page
    client.cookies[settings.SESSION_COOKIE_NAME] = record.sessions[Role.CLINICAL_ADMIN]
    assert f"/staff/letters/{clinical.pk}.pdf" in client.get(f"/staff/referrals/{child.reference}").content.decode()
