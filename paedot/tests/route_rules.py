"""What every caller should get from every page and API operation: the table test_routes_by_role.py walks.

A page is named by its URL name ("referrals:show_referral"), an API operation by its method and OpenAPI path
("POST /api/referrals/{reference}/screen"). Each is tied to the Action (paedot/staff/rules.py) or the rule module
that decides who may use it, so the expected answers follow ALLOWED rather than a copy of it; `exceptions` list the
callers whose answer differs from that, each with the reason. A route missing here fails the walk, and so does an
entry here for a route that has gone.

Pages answer "ok" (2xx, a redirect other than to sign-in, or 400 for an empty POST), "forbidden" (403), "sign_in"
(302 to /staff/sign-in) or "not_found" (404). The API answers by status class: "ok" (2xx), "bad_request" (400),
"unauthorised" (401), "forbidden" (403), "not_found" (404), "conflict" (409), "unprocessable" (422).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from paedot.advice.rules import LIBRARY_ROLES
from paedot.public.rules import EDITING_ROLES
from paedot.referrals.rules import SUBMITTING_ROLES
from paedot.staff.models import Role
from paedot.staff.rules import ALLOWED, Action

ANONYMOUS = "anonymous"
CALLERS: tuple[str, ...] = (ANONYMOUS, *Role.values)

OK, FORBIDDEN, SIGN_IN, NOT_FOUND = "ok", "forbidden", "sign_in", "not_found"
BAD_REQUEST, UNAUTHORISED, CONFLICT, UNPROCESSABLE = "bad_request", "unauthorised", "conflict", "unprocessable"

OT, PARTNER = Role.OT, Role.PARTNER_SYSTEM

Roles = frozenset[str]


def _roles(who: Action | Roles | None) -> Roles | None:
    return ALLOWED[who] if isinstance(who, Action) else who


@dataclass(frozen=True)
class Page:
    """A page: who may open it (an Action's roles, a rule module's roles, or None for anyone signed in)."""

    method: str = "GET"
    allowed: Roles | None = None
    public: bool = False
    answer: str = OK
    exceptions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def expected(self, caller: str) -> str:
        if caller in self.exceptions:
            return self.exceptions[caller]
        if self.public:
            return self.answer
        if caller == ANONYMOUS:
            return SIGN_IN
        return self.answer if self.allowed is None or caller in self.allowed else FORBIDDEN


def public(method: str = "GET", *, answer: str = OK, **exceptions: str) -> Page:
    return Page(method=method, public=True, answer=answer, exceptions=MappingProxyType(exceptions))


def signed_in(method: str = "GET", *, answer: str = OK, **exceptions: str) -> Page:
    return Page(method=method, answer=answer, exceptions=MappingProxyType(exceptions))


def needs(who: Action | Roles, method: str = "GET", **exceptions: str) -> Page:
    return Page(method=method, allowed=_roles(who), exceptions=MappingProxyType(exceptions))


@dataclass(frozen=True)
class Operation:
    """An API operation: who may call it, what they get (`answer`: the record's stage may refuse a move, 409), and
    whether it is about one referral (`scoped`: a partner system sees only the referrals it sent, so 404)."""

    allowed: Roles | None = None
    public: bool = False
    answer: str = OK
    scoped: bool = False
    exceptions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def expected(self, caller: str) -> str:
        if caller in self.exceptions:
            return self.exceptions[caller]
        if self.public:
            return self.answer
        if caller == ANONYMOUS:
            return UNAUTHORISED
        if self.scoped and caller == PARTNER:
            return NOT_FOUND
        return self.answer if self.allowed is None or caller in self.allowed else FORBIDDEN


def op(who: Action | Roles | None, *, answer: str = OK, scoped: bool = False, **exceptions: str) -> Operation:
    return Operation(allowed=_roles(who), answer=answer, scoped=scoped, exceptions=MappingProxyType(exceptions))


def about_referral(who: Action | Roles | None, *, answer: str = OK, **exceptions: str) -> Operation:
    return op(who, answer=answer, scoped=True, **exceptions)


A = Action
# The SitRep is counts only: whoever may see the dashboard or make the returns (paedot/reports).
SITREP_ROLES = ALLOWED[A.VIEW_SERVICE_REPORTS] | ALLOWED[A.RUN_NATIONAL_RETURNS]
# "My caseload": a clinician's own; someone who sees every caseload is sent to the team's.
CASELOAD_ROLES = ALLOWED[A.VIEW_CASELOADS] | ALLOWED[A.VIEW_ALL_CASELOADS]
# Callers for whom a referral-scoped page looks the record up before checking the action: a partner system sees
# only the referrals it sent, so the page is not found rather than forbidden.
SCOPED_FIRST = {PARTNER: NOT_FOUND}
# A draft note is its author's alone (the OT here): anyone else is told it does not exist.
DRAFT_HIDDEN = dict.fromkeys(set(Role.values) - {OT}, NOT_FOUND)

PAGES: dict[str, Page] = {
    # Public: the service's front door, the eligibility checker, the online referral form, health and API docs.
    "healthz": public(),
    "public:service_page": public(),
    "public:check_start": public(),
    "public:check_result": public(),
    "public:refer_from_check": public("POST"),
    "public:check_question": public(),
    "public:referral_form_pdf": public(),
    "public:referral_form_docx": public(),
    "refer:start": public(),
    "refer:page": public(),
    "refer:check_answers": public(),
    "refer:confirmation": public(),
    "api:openapi-json": public(),
    "api:openapi-view": public(),
    # Ninja's name for the API's root, so reverse() can find /api/: nothing is served there.
    "api:api-root": public(answer=NOT_FOUND),
    "staff:sign_in": public(),
    # Signing out (from one session or every one) ends on the sign-in page.
    "staff:sign_out": public("POST", answer=SIGN_IN),
    # Signing in and one's own security: anyone signed in.
    "staff:set_up_two_factor": signed_in(),
    "staff:show_recovery_codes": signed_in(),
    "staff:verify_two_factor": signed_in(),
    "staff:show_recovery_code_used": signed_in(),
    "staff:show_security": signed_in(),
    "staff:make_recovery_codes": signed_in("POST"),
    "staff:sign_out_everywhere": signed_in("POST", answer=SIGN_IN),
    "staff:revoke_token": signed_in("POST"),
    "staff:show_permissions": signed_in(),
    "staff:find_colleague": needs(A.RESET_TWO_FACTOR),
    "staff:reset_two_factor": needs(A.RESET_TWO_FACTOR),
    "public:edit_service_details": needs(EDITING_ROLES),
    # Referrals.
    "paper_entry:start": needs(A.ENTER_PAPER_REFERRAL),
    "paper_entry:start_again": needs(A.ENTER_PAPER_REFERRAL, "POST"),
    "paper_entry:check_answers": needs(A.ENTER_PAPER_REFERRAL),
    "paper_entry:attach_scan": needs(A.ENTER_PAPER_REFERRAL),
    "paper_entry:download_attachment": needs(A.VIEW_REFERRALS),
    "paper_entry:attach_to_referral": needs(A.ENTER_PAPER_REFERRAL),
    "paper_entry:page": needs(A.ENTER_PAPER_REFERRAL),
    "referrals:inbox": needs(A.VIEW_REFERRALS),
    "referrals:screening_queue": needs(A.VIEW_REFERRALS),
    "referrals:show_referral": needs(A.VIEW_REFERRALS),
    "referrals:screen": needs(A.SCREEN, "POST"),
    "referrals:information_received": needs(A.RECORD_INFORMATION_RECEIVED, "POST"),
    "referrals:discharge": needs(A.DISCHARGE, "POST"),
    "referrals:resolve_duplicate": needs(A.RESOLVE_DUPLICATE, "POST"),
    "referrals:flag_duplicate": needs(A.RESOLVE_DUPLICATE),
    # Undoing a merge: the roles that merge (the service then lets only a team lead or the one who merged).
    "referrals:undo_merge": needs(A.UNDO_MERGE, "POST"),
    # The queue is for reading by all staff; only the triage itself is an OT's.
    "triage:show_queue": needs(A.VIEW_REFERRALS),
    "triage:triage_referral": needs(A.TRIAGE),
    # The waiting list and caseloads.
    "waiting_list:show_waiting_list": needs(A.VIEW_WAITING_LIST),
    "waiting_list:export_csv": needs(A.VIEW_WAITING_LIST),
    "waiting_list:show_invitations": needs(A.VIEW_WAITING_LIST),
    "waiting_list:show_no_reply": needs(A.VIEW_WAITING_LIST),
    "waiting_list:extend_invitation": needs(A.DECIDE_NO_REPLY, "POST", **SCOPED_FIRST),
    "waiting_list:discharge_for_no_reply": needs(A.DECIDE_NO_REPLY, "POST", **SCOPED_FIRST),
    "waiting_list:invite_to_book": needs(A.INVITE, "POST", **SCOPED_FIRST),
    "waiting_list:record_booking": needs(A.RECORD_BOOKING, "POST", **SCOPED_FIRST),
    "caseloads:team_caseloads": needs(A.VIEW_ALL_CASELOADS),
    "caseloads:my_caseload": needs(CASELOAD_ROLES),
    "caseloads:allocate_referral": needs(A.ALLOCATE),
    # The OT's caseload: anyone's for those who see all, and the OT's own for the OT.
    "caseloads:show_caseload": needs(A.VIEW_ALL_CASELOADS, ot=OK),
    # Diaries, appointments and groups.
    "diaries:choose_diary": needs(A.VIEW_DIARIES),
    "diaries:manage_closures": needs(A.MANAGE_DIARIES),
    "diaries:remove_closure": needs(A.MANAGE_DIARIES, "POST"),
    "diaries:clinician_week": needs(A.VIEW_DIARIES),
    "diaries:clinician_day": needs(A.VIEW_DIARIES),
    "diaries:print_day_list": needs(A.VIEW_DIARIES),
    "diaries:edit_working_pattern": needs(A.MANAGE_DIARIES),
    "diaries:manage_absences": needs(A.MANAGE_DIARIES),
    "diaries:remove_absence": needs(A.MANAGE_DIARIES, "POST"),
    "diaries:location_week": needs(A.VIEW_DIARIES),
    "diaries:location_day": needs(A.VIEW_DIARIES),
    "appointments:download_calendar_file": needs(A.VIEW_DIARIES),
    "appointments:book_appointment": needs(A.BOOK_APPOINTMENT),
    "appointments:plan_block": needs(A.PLAN_BLOCK),
    "appointments:show_block": needs(A.VIEW_DIARIES),
    "appointments:show_appointment": needs(A.VIEW_DIARIES),
    "appointments:record_outcome": needs(A.RECORD_OUTCOME, "POST"),
    "appointments:cancel_appointment": needs(A.RECORD_OUTCOME, "POST"),
    "appointments:move_appointment": needs(A.BOOK_APPOINTMENT, "POST"),
    "appointments:review_attendance_flag": needs(A.REVIEW_ATTENDANCE, "POST"),
    "groups:list_programmes": needs(A.VIEW_DIARIES),
    "groups:create_programme": needs(A.MANAGE_GROUPS),
    "groups:show_programme": needs(A.VIEW_DIARIES),
    "groups:schedule_sessions": needs(A.MANAGE_GROUPS),
    "groups:show_register": needs(A.VIEW_DIARIES),
    "groups:enrol_from_waiting_list": needs(A.ENROL_IN_GROUP),
    "groups:enrol": needs(A.ENROL_IN_GROUP, "POST"),
    "groups:withdraw": needs(A.ENROL_IN_GROUP),
    # The clinical record.
    "care:reviews_due": needs(A.VIEW_CLINICAL_RECORD),
    "care:show_goal_bank": needs(A.VIEW_CLINICAL_RECORD),
    "care:show_assessment": needs(A.VIEW_CLINICAL_RECORD),
    "care:show_package": needs(A.VIEW_CLINICAL_RECORD),
    "care:review_package": needs(A.REVIEW_PACKAGE),
    "care:show_review": needs(A.VIEW_CLINICAL_RECORD),
    "care:record_assessment": needs(A.ASSESS),
    "care:set_package": needs(A.SET_PACKAGE),
    "care:equipment_due": needs(A.VIEW_CLINICAL_RECORD),
    "care:show_episode": needs(A.VIEW_CLINICAL_RECORD),
    "care:timeline": needs(A.VIEW_CLINICAL_RECORD),
    "care:issue_equipment": needs(A.ISSUE_EQUIPMENT),
    "care:review_equipment": needs(A.ISSUE_EQUIPMENT),
    "care:return_equipment": needs(A.ISSUE_EQUIPMENT),
    "care:record_consent": needs(A.RECORD_CONSENT),
    "care:discharge_episode": needs(A.DISCHARGE),
    "care:issue_report": needs(A.ISSUE_REPORT),
    "care:documents": needs(A.VIEW_CLINICAL_RECORD),
    "casenotes:countersignature_queue": needs(A.COUNTERSIGN),
    "casenotes:countersign": needs(A.COUNTERSIGN, "POST"),
    "casenotes:referral_notes": needs(A.VIEW_CLINICAL_RECORD),
    "casenotes:write_note": needs(A.WRITE_NOTE),
    # A draft is its author's (the OT's): the other note writers are told it does not exist.
    "casenotes:edit_draft": needs(A.WRITE_NOTE, **dict.fromkeys(ALLOWED[A.WRITE_NOTE] - {OT}, NOT_FOUND)),
    "casenotes:add_addendum": needs(A.WRITE_NOTE, "POST"),
    "advice:library": needs(LIBRARY_ROLES),
    "advice:show_sheet": needs(LIBRARY_ROLES),
    "advice:preview_sheet_pdf": needs(LIBRARY_ROLES),
    "advice:edit_sheet": needs(A.MANAGE_STRATEGY_SHEETS),
    "advice:show_pack": needs(A.VIEW_CLINICAL_RECORD),
    "advice:build_pack": needs(A.GIVE_ADVICE),
    "advice:referral_packs": needs(A.VIEW_CLINICAL_RECORD),
    # The walk's letter is an advice pack: the clinical record. (The referral's other letters are for anyone who
    # sees referrals: test_an_auditor_prints_the_referrals_letters_but_not_its_reports.)
    "letters:download_letter": needs(A.VIEW_CLINICAL_RECORD),
    # Letters to post (paedot/letters/posting.py): admin staff and team leads record any letter they may open; OTs and
    # assistants only letters they issued. The walk's letter is the OT's advice pack, so the assistant is refused.
    "letters:list_letters": needs(A.RECORD_LETTER_POSTED),
    "letters:record_posted": needs(A.RECORD_LETTER_POSTED, "POST"),
    "letters:record_not_posted": needs(A.RECORD_LETTER_POSTED, ota=FORBIDDEN),
    # Service figures, restricted records and the audit trail.
    "reports:show_dashboard": needs(A.VIEW_SERVICE_REPORTS),
    "reports:download_table": needs(A.VIEW_SERVICE_REPORTS),
    "reports:show_returns": needs(SITREP_ROLES),
    "reports:download_sitrep": needs(SITREP_ROLES),
    "reports:download_csds": needs(A.RUN_NATIONAL_RETURNS),
    "restricted_records:break_glass": needs(A.BREAK_GLASS),
    "restricted_records:restrict": needs(A.RESTRICT_RECORD),
    "audit:search_audit_trail": needs(A.VIEW_AUDIT),
    "audit:export_audit_trail": needs(A.VIEW_AUDIT),
    "governance:subject_access": needs(A.EXPORT_SUBJECT_ACCESS),
    "governance:download_subject_access": needs(A.EXPORT_SUBJECT_ACCESS, "POST"),
    "governance:show_retention": needs(A.VIEW_RETENTION),
    "governance:download_retention": needs(A.VIEW_RETENTION),
    # What has waited past the service's limits (paedot/attention).
    "attention:show_attention": needs(A.VIEW_ATTENTION),
    # The outbox of messages to families (paedot/notifications): OTs read it; admin staff and team leads act on it.
    "notifications:list_messages": needs(A.VIEW_MESSAGES),
    "notifications:show_message": needs(A.VIEW_MESSAGES),
    "notifications:resend_message": needs(A.ACT_ON_MESSAGES, "POST"),
    "notifications:mark_dealt_with": needs(A.ACT_ON_MESSAGES, "POST"),
    # A child's and family's details after the referral (paedot/children): changed by those who book and write to
    # families; the previous details are read by whoever reads referrals.
    "children:change_child_details": needs(A.UPDATE_CHILD_DETAILS),
    "children:change_parent_carer": needs(A.UPDATE_CHILD_DETAILS),
    "children:change_gp_practice": needs(A.UPDATE_CHILD_DETAILS),
    "children:change_school": needs(A.UPDATE_CHILD_DETAILS),
    "children:previous_details": needs(A.VIEW_REFERRALS),
}

API: dict[str, Operation] = {
    # Public: anyone may look up GP practices and schools and check eligibility.
    "GET /api/directory/gp-practices": Operation(public=True),
    "GET /api/directory/schools": Operation(public=True),
    "POST /api/eligibility": Operation(public=True),
    "POST /api/referrals": op(SUBMITTING_ROLES),
    "GET /api/referrals/{reference}": about_referral(A.VIEW_REFERRALS),
    "POST /api/referrals/{reference}/screen": about_referral(A.SCREEN, answer=CONFLICT),
    "POST /api/referrals/{reference}/information-received": about_referral(
        A.RECORD_INFORMATION_RECEIVED, answer=CONFLICT
    ),
    "POST /api/referrals/{reference}/discharge": about_referral(A.DISCHARGE),
    "GET /api/referrals/{reference}/triage-suggestion": about_referral(A.TRIAGE),
    "POST /api/referrals/{reference}/triage": about_referral(A.TRIAGE, answer=CONFLICT),
    "GET /api/waiting-list": op(A.VIEW_WAITING_LIST),
    "POST /api/referrals/{reference}/invite": about_referral(A.INVITE, answer=CONFLICT),
    "POST /api/referrals/{reference}/book": about_referral(A.RECORD_BOOKING, answer=CONFLICT),
    # Seen already: only an accepted, open referral can be allocated.
    "POST /api/referrals/{reference}/allocate": about_referral(A.ALLOCATE, answer=CONFLICT),
    "GET /api/caseloads": op(CASELOAD_ROLES),
    "POST /api/referrals/{reference}/attachments": about_referral(A.ENTER_PAPER_REFERRAL),
    "GET /api/locations": op(A.VIEW_DIARIES),
    "GET /api/appointments": op(A.VIEW_DIARIES),
    "POST /api/appointments": about_referral(A.BOOK_APPOINTMENT),
    "POST /api/appointments/{appointment_id}/outcome": op(A.RECORD_OUTCOME),
    "POST /api/appointments/{appointment_id}/cancel": op(A.RECORD_OUTCOME),
    "POST /api/appointments/{appointment_id}/move": op(A.BOOK_APPOINTMENT),
    "POST /api/referrals/{reference}/blocks": about_referral(A.PLAN_BLOCK),
    "GET /api/tokens": op(None),
    "POST /api/tokens": op(None),
    "DELETE /api/tokens/{token_id}": op(None),
    "GET /api/groups": op(A.VIEW_DIARIES),
    "POST /api/groups": op(A.MANAGE_GROUPS),
    "POST /api/groups/{programme_id}/sessions": op(A.MANAGE_GROUPS),
    "POST /api/groups/{programme_id}/enrolments": op(A.ENROL_IN_GROUP),
    "POST /api/groups/{programme_id}/enrolments/{enrolment_id}/withdraw": op(A.ENROL_IN_GROUP),
    # The session is next week: attendance is recorded once it has happened.
    "POST /api/groups/sessions/{appointment_id}/attendance": op(A.RECORD_OUTCOME, answer=CONFLICT),
    "GET /api/audit": op(A.VIEW_AUDIT),
    "GET /api/standardised-assessments": op(A.VIEW_CLINICAL_RECORD),
    "POST /api/referrals/{reference}/assessments": about_referral(A.ASSESS),
    "GET /api/referrals/{reference}/assessments": about_referral(A.VIEW_CLINICAL_RECORD),
    "POST /api/referrals/{reference}/packages": about_referral(A.SET_PACKAGE),
    "GET /api/referrals/{reference}/packages": about_referral(A.VIEW_CLINICAL_RECORD),
    "GET /api/packages/{package_id}": about_referral(A.VIEW_CLINICAL_RECORD),
    "POST /api/packages/{package_id}/reviews": about_referral(A.REVIEW_PACKAGE),
    "GET /api/referrals/{reference}/timeline": about_referral(A.VIEW_CLINICAL_RECORD),
    "GET /api/referrals/{reference}/equipment": about_referral(A.VIEW_CLINICAL_RECORD),
    "POST /api/referrals/{reference}/equipment": about_referral(A.ISSUE_EQUIPMENT),
    "POST /api/equipment/{issue_id}/return": op(A.ISSUE_EQUIPMENT),
    "POST /api/equipment/{issue_id}/review": op(A.ISSUE_EQUIPMENT),
    "GET /api/referrals/{reference}/consents": about_referral(A.VIEW_CLINICAL_RECORD),
    "POST /api/referrals/{reference}/consents": about_referral(A.RECORD_CONSENT),
    "POST /api/referrals/{reference}/episode/discharge": about_referral(A.DISCHARGE),
    "POST /api/referrals/{reference}/reports": about_referral(A.ISSUE_REPORT),
    "GET /api/referrals/{reference}/documents": about_referral(A.VIEW_CLINICAL_RECORD),
    "POST /api/appointments/{appointment_id}/notes": about_referral(A.WRITE_NOTE),
    "POST /api/referrals/{reference}/notes": about_referral(A.WRITE_NOTE),
    "GET /api/referrals/{reference}/notes": about_referral(A.VIEW_CLINICAL_RECORD),
    "GET /api/notes/countersignature-queue": op(A.COUNTERSIGN),
    "GET /api/notes/{note_id}": about_referral(A.VIEW_CLINICAL_RECORD),
    "PATCH /api/notes/{note_id}": op(A.WRITE_NOTE, **DRAFT_HIDDEN),
    "POST /api/notes/{note_id}/sign": op(A.WRITE_NOTE, **DRAFT_HIDDEN),
    "POST /api/notes/{note_id}/countersign": about_referral(A.COUNTERSIGN),
    "POST /api/notes/{note_id}/addenda": about_referral(A.WRITE_NOTE),
    "GET /api/strategy-sheets": op(LIBRARY_ROLES),
    "GET /api/strategy-sheets/{slug}": op(LIBRARY_ROLES),
    "POST /api/referrals/{reference}/advice-packs": about_referral(A.GIVE_ADVICE),
    "GET /api/referrals/{reference}/advice-packs": about_referral(A.VIEW_CLINICAL_RECORD),
    "GET /api/reports/summary": op(A.VIEW_SERVICE_REPORTS),
    "GET /api/reports/sitrep": op(SITREP_ROLES),
    "GET /api/reports/csds": op(A.RUN_NATIONAL_RETURNS),
    "POST /api/governance/subject-access": op(A.EXPORT_SUBJECT_ACCESS),
    "GET /api/governance/retention": op(A.VIEW_RETENTION),
    "GET /api/attention": op(A.VIEW_ATTENTION),
    # The walk's message failed after its last try, so it may be sent again or closed as dealt with.
    "GET /api/messages": op(A.VIEW_MESSAGES),
    "GET /api/messages/{message_id}": op(A.VIEW_MESSAGES),
    "POST /api/messages/{message_id}/resend": op(A.ACT_ON_MESSAGES),
    "POST /api/messages/{message_id}/dealt-with": op(A.ACT_ON_MESSAGES),
    # Letters to post: as the pages. The walk's letter is not yet posted, so there is no mark to undo (409).
    "GET /api/letters": op(A.RECORD_LETTER_POSTED),
    "POST /api/letters/{letter_id}/posted": op(A.RECORD_LETTER_POSTED, ota=FORBIDDEN),
    "POST /api/letters/{letter_id}/not-posted": op(A.RECORD_LETTER_POSTED, answer=CONFLICT, ota=FORBIDDEN),
    # Possible duplicates: read by whoever reads referrals; decided by those who resolve duplicates.
    "POST /api/referrals/{reference}/possible-duplicates": about_referral(A.RESOLVE_DUPLICATE),
    "GET /api/duplicates": op(A.VIEW_REFERRALS),
    "GET /api/duplicates/{duplicate_id}": op(A.VIEW_REFERRALS),
    "POST /api/duplicates/{duplicate_id}/merge": op(A.RESOLVE_DUPLICATE),
    "POST /api/duplicates/{duplicate_id}/dismiss": op(A.RESOLVE_DUPLICATE),
    # The walk's possible duplicate is still open, so there is no merge to undo.
    "POST /api/duplicates/{duplicate_id}/unmerge": about_referral(A.UNDO_MERGE, answer=CONFLICT),
    # A child's and family's details (paedot/children): as the pages.
    "PATCH /api/referrals/{reference}/child": about_referral(A.UPDATE_CHILD_DETAILS),
    "PATCH /api/referrals/{reference}/parent-carer": about_referral(A.UPDATE_CHILD_DETAILS),
    "PUT /api/referrals/{reference}/gp-practice": about_referral(A.UPDATE_CHILD_DETAILS),
    "PUT /api/referrals/{reference}/school": about_referral(A.UPDATE_CHILD_DETAILS),
    "GET /api/referrals/{reference}/details-history": about_referral(A.VIEW_REFERRALS),
}

# The FHIR R4 read interface (paedot/fhir, docs/fhir.md): bearer tokens only, like the JSON API. This walk asks pages
# with a signed-in session and no token, so every FHIR route but the public capability statement answers 401 to
# everyone; paedot/fhir/tests/test_access.py walks every role with its own token instead. Anything else under /fhir/
# is an OperationOutcome 404 for anyone.
FHIR_TOKEN_ONLY = "status 401"
PAGES.update(
    {
        "fhir:capability_statement": public(),
        **{
            f"fhir:{name}": public(answer=FHIR_TOKEN_ONLY)
            for name in (
                "search_patients",
                "read_patient",
                "search_service_requests",
                "read_service_request",
                "search_episodes_of_care",
                "read_episode_of_care",
                "search_appointments",
                "read_appointment",
                "search_care_plans",
                "read_care_plan",
                "search_goals",
                "read_goal",
                "search_observations",
                "read_observation",
            )
        },
        "fhir:search_patients_by_post": public("POST", answer=FHIR_TOKEN_ONLY),
        # A referral sent as FHIR: POST /api/referrals's permission (paedot/fhir/tests/test_intake_access.py walks it).
        "fhir:create_service_request": public("POST", answer=FHIR_TOKEN_ONLY),
        "fhir:unknown": public(answer=NOT_FOUND),
    }
)

# Alerts on a child (paedot/alerts): read by whoever may open the record, raised, reviewed and ended by the roles that
# manage them. A partner system sees only the referrals it sent, so the walk's child is not found for it in the API.
# The FHIR Flag is read with a token only, as the other FHIR reads.
PAGES.update(
    {
        "alerts:referral_alerts": needs(A.VIEW_REFERRALS),
        "alerts:raise_alert": needs(A.MANAGE_ALERTS, "POST"),
        "alerts:review_alert": needs(A.MANAGE_ALERTS, "POST"),
        "alerts:end_alert": needs(A.MANAGE_ALERTS, "POST"),
        "fhir:search_flags": public(answer=FHIR_TOKEN_ONLY),
        "fhir:read_flag": public(answer=FHIR_TOKEN_ONLY),
    }
)
API.update(
    {
        "GET /api/referrals/{reference}/alerts": about_referral(A.VIEW_REFERRALS),
        "POST /api/referrals/{reference}/alerts": about_referral(A.MANAGE_ALERTS),
        "POST /api/alerts/{alert_id}/review": about_referral(A.MANAGE_ALERTS),
        "POST /api/alerts/{alert_id}/end": about_referral(A.MANAGE_ALERTS),
    }
)
