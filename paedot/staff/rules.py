"""Who may do what: one table of actions and the roles allowed each, used by pages and the API alike.

Keeping it in one place means a page and its API endpoint cannot drift apart, and a test can walk every role
over every action.
"""

from __future__ import annotations

from enum import StrEnum

from paedot.staff.models import Role


class Action(StrEnum):
    VIEW_REFERRALS = "view_referrals"
    SUBMIT_REFERRAL = "submit_referral"
    ENTER_PAPER_REFERRAL = "enter_paper_referral"
    SCREEN = "screen"
    RECORD_INFORMATION_RECEIVED = "record_information_received"
    TRIAGE = "triage"
    INVITE = "invite"
    RECORD_BOOKING = "record_booking"
    DECIDE_NO_REPLY = "decide_no_reply"
    ALLOCATE = "allocate"
    DISCHARGE = "discharge"
    RESOLVE_DUPLICATE = "resolve_duplicate"
    UNDO_MERGE = "undo_merge"
    VIEW_WAITING_LIST = "view_waiting_list"
    VIEW_CASELOADS = "view_caseloads"
    VIEW_ALL_CASELOADS = "view_all_caseloads"
    VIEW_DIARIES = "view_diaries"
    MANAGE_DIARIES = "manage_diaries"
    BOOK_APPOINTMENT = "book_appointment"
    RECORD_OUTCOME = "record_outcome"
    PLAN_BLOCK = "plan_block"
    MANAGE_GROUPS = "manage_groups"
    ENROL_IN_GROUP = "enrol_in_group"
    REVIEW_ATTENDANCE = "review_attendance"
    VIEW_AUDIT = "view_audit"
    VIEW_CLINICAL_RECORD = "view_clinical_record"
    ASSESS = "assess"
    SET_PACKAGE = "set_package"
    REVIEW_PACKAGE = "review_package"
    WRITE_NOTE = "write_note"
    COUNTERSIGN = "countersign"
    GIVE_ADVICE = "give_advice"
    MANAGE_STRATEGY_SHEETS = "manage_strategy_sheets"
    ISSUE_EQUIPMENT = "issue_equipment"
    RECORD_CONSENT = "record_consent"
    ISSUE_REPORT = "issue_report"
    VIEW_SERVICE_REPORTS = "view_service_reports"
    RESTRICT_RECORD = "restrict_record"
    BREAK_GLASS = "break_glass"
    RESET_TWO_FACTOR = "reset_two_factor"
    EXPORT_SUBJECT_ACCESS = "export_subject_access"
    VIEW_RETENTION = "view_retention"
    RUN_NATIONAL_RETURNS = "run_national_returns"
    VIEW_ATTENTION = "view_attention"
    VIEW_MESSAGES = "view_messages"
    ACT_ON_MESSAGES = "act_on_messages"
    RECORD_LETTER_POSTED = "record_letter_posted"
    UPDATE_CHILD_DETAILS = "update_child_details"
    MANAGE_ALERTS = "manage_alerts"


_ADMIN, _OT, _OTA, _LEAD = Role.CLINICAL_ADMIN, Role.OT, Role.OTA, Role.TEAM_LEAD
_STAFF = frozenset({_ADMIN, _OT, _OTA, _LEAD, Role.AUDITOR})

ALLOWED: dict[Action, frozenset[str]] = {
    Action.VIEW_REFERRALS: _STAFF,
    Action.SUBMIT_REFERRAL: frozenset({Role.PARTNER_SYSTEM, _ADMIN}),
    Action.ENTER_PAPER_REFERRAL: frozenset({_ADMIN}),
    # Screening is an administrative check of the criteria that clinicians may also do.
    Action.SCREEN: frozenset({_ADMIN, _OT, _LEAD}),
    Action.RECORD_INFORMATION_RECEIVED: frozenset({_ADMIN, _OT, _LEAD}),
    # Triage is a clinical judgement: an OT's, never an assistant's or an administrator's.
    Action.TRIAGE: frozenset({_OT, _LEAD}),
    Action.INVITE: frozenset({_ADMIN, _OT, _LEAD}),
    Action.RECORD_BOOKING: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
    # Ending an episode when a family does not reply is a clinician's decision.
    Action.DECIDE_NO_REPLY: frozenset({_OT, _LEAD}),
    Action.ALLOCATE: frozenset({_ADMIN, _LEAD}),
    Action.DISCHARGE: frozenset({_OT, _LEAD}),
    Action.RESOLVE_DUPLICATE: frozenset({_ADMIN, _OT, _LEAD}),
    # Undoing a merge separates two children's records again: rarer and riskier than merging. A team lead may undo
    # any merge; admin staff and OTs only a merge they made themselves, since they know why they made it
    # (referrals.rules.may_undo_merge checks the person; this table the role).
    Action.UNDO_MERGE: frozenset({_ADMIN, _OT, _LEAD}),
    Action.VIEW_WAITING_LIST: _STAFF,
    Action.VIEW_CASELOADS: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
    Action.VIEW_ALL_CASELOADS: frozenset({_ADMIN, _LEAD, Role.AUDITOR}),
    Action.VIEW_DIARIES: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
    # Working patterns, leave and closure days: the administrators and team leads who run the rota.
    Action.MANAGE_DIARIES: frozenset({_ADMIN, _LEAD}),
    Action.BOOK_APPOINTMENT: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
    Action.RECORD_OUTCOME: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
    # A block of treatment is a package an OT sets up; an assistant may then deliver it.
    Action.PLAN_BLOCK: frozenset({_OT, _LEAD}),
    Action.MANAGE_GROUPS: frozenset({_OT, _LEAD}),
    Action.ENROL_IN_GROUP: frozenset({_ADMIN, _OT, _LEAD}),
    Action.REVIEW_ATTENDANCE: frozenset({_OT, _LEAD}),
    # The audit trail says who looked at which child: for the auditors who review it and the system admins who
    # answer for the system, not for the clinicians whose access it records.
    Action.VIEW_AUDIT: frozenset({Role.AUDITOR, Role.SYSTEM_ADMIN}),
    # The clinical record (timeline, assessments, notes, goals) is for the team caring for the child; admin staff
    # see it to send its documents and book its appointments.
    Action.VIEW_CLINICAL_RECORD: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
    # Assessing, setting goals and reviewing them are a registered OT's clinical judgements.
    Action.ASSESS: frozenset({_OT, _LEAD}),
    Action.SET_PACKAGE: frozenset({_OT, _LEAD}),
    Action.REVIEW_PACKAGE: frozenset({_OT, _LEAD}),
    # Anyone who sees the child writes the note of that contact; an assistant's waits for their OT's countersignature.
    Action.WRITE_NOTE: frozenset({_OT, _OTA, _LEAD}),
    Action.COUNTERSIGN: frozenset({_OT, _LEAD}),
    Action.GIVE_ADVICE: frozenset({_OT, _LEAD}),
    Action.MANAGE_STRATEGY_SHEETS: frozenset({_LEAD}),
    Action.ISSUE_EQUIPMENT: frozenset({_OT, _OTA, _LEAD}),
    Action.RECORD_CONSENT: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
    Action.ISSUE_REPORT: frozenset({_OT, _LEAD}),
    # Service figures are counts, not children: team leads run the service with them, commissioners read them.
    Action.VIEW_SERVICE_REPORTS: frozenset({_LEAD, Role.COMMISSIONER}),
    # The monthly returns include a patient-level extract (CSDS): team leads and the admin staff who submit them.
    Action.RUN_NATIONAL_RETURNS: frozenset({_LEAD, _ADMIN}),
    # Restricting a record (safeguarding, a child of a member of staff) is the team lead's call.
    Action.RESTRICT_RECORD: frozenset({_LEAD}),
    # Anyone caring for children may need to open a restricted record in a hurry, with a reason that is audited.
    Action.BREAK_GLASS: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
    # A lost phone: a team lead or system admin removes the colleague's authenticator (never their own).
    Action.RESET_TWO_FACTOR: frozenset({_LEAD, Role.SYSTEM_ADMIN}),
    # A subject access request is answered by the team lead (the information asset owner's delegate) with admin help.
    Action.EXPORT_SUBJECT_ACCESS: frozenset({_LEAD, _ADMIN}),
    # Which records are past their keep-until date: for the team lead and the auditors who check disposal.
    Action.VIEW_RETENTION: frozenset({_LEAD, Role.AUDITOR}),
    # The "Needs attention" worklist (missed appointments, outcomes not recorded, long waits) is for the people who
    # act on it; auditors and commissioners see the audit trail and the figures instead.
    Action.VIEW_ATTENTION: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
    # The outbox of emails and texts (failed, or kept unsent): admin staff and team leads run bookings and letters
    # and act on it (send again, or record that the family was told another way). OTs read it, so they know when
    # a family on their caseload was not told; they do not resend or close. OT assistants work through their OT.
    Action.VIEW_MESSAGES: frozenset({_ADMIN, _OT, _LEAD}),
    Action.ACT_ON_MESSAGES: frozenset({_ADMIN, _LEAD}),
    # Printing and posting letters is the admin team's work, overseen by the team leads; a clinician who prints and
    # posts a letter they issued themselves may record it too (paedot.letters.rules.posting_decision checks the
    # person; this table the role). Undoing a wrong mark follows the same rule.
    Action.RECORD_LETTER_POSTED: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
    # A family's new address, phone or GP reaches whoever they tell: the admin team on the phone, the OT or assistant
    # at a home visit. Those who book appointments and send letters keep the details those use up to date; each
    # change keeps the old value and a reason (paedot.children.services.details), so no narrower role is needed.
    Action.UPDATE_CHILD_DETAILS: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
    # Alerts on a child (paedot/alerts: safeguarding, contact restrictions, risks on home visits, communication needs)
    # record what the service has been told, not a clinical judgement: whoever hears it records it at once, the admin
    # team on the phone to social care, the OT or assistant at the door of a home visit. Each change is audited and an
    # alert is ended only with a reason; auditors and others who read the record see alerts, never change them.
    Action.MANAGE_ALERTS: frozenset({_ADMIN, _OT, _OTA, _LEAD}),
}

REFUSALS: dict[Action, str] = {
    Action.SCREEN: "Only clinical admin staff, OTs and team leads may screen referrals.",
    Action.TRIAGE: "Only OTs and team leads may triage referrals.",
    Action.ALLOCATE: "Only team leads and clinical admin staff may allocate referrals.",
    Action.DISCHARGE: "Only OTs and team leads may discharge a child.",
    Action.UNDO_MERGE: "Only team leads, or the admin staff member or OT who made the merge, may undo a merge.",
    Action.DECIDE_NO_REPLY: "Only OTs and team leads may decide what happens when a family does not reply.",
    Action.PLAN_BLOCK: "Only OTs and team leads may set up a block of treatment.",
    Action.MANAGE_DIARIES: "Only team leads and clinical admin staff may change working patterns and closures.",
    Action.VIEW_AUDIT: "Only auditors and system admins may see the audit trail.",
    Action.VIEW_CLINICAL_RECORD: "Only the clinical team and clinical admin staff may see a child's clinical record.",
    Action.ASSESS: "Only OTs and team leads may record an assessment.",
    Action.SET_PACKAGE: "Only OTs and team leads may set a package of care and its goals.",
    Action.REVIEW_PACKAGE: "Only OTs and team leads may review a package of care.",
    Action.WRITE_NOTE: "Only OTs, OT assistants and team leads may write clinical notes.",
    Action.COUNTERSIGN: "Only OTs and team leads may countersign notes.",
    Action.GIVE_ADVICE: "Only OTs and team leads may give an advice pack.",
    Action.MANAGE_STRATEGY_SHEETS: "Only team leads may change the strategy sheets.",
    Action.ISSUE_EQUIPMENT: "Only OTs, OT assistants and team leads may issue equipment.",
    Action.ISSUE_REPORT: "Only OTs and team leads may issue clinical reports.",
    Action.VIEW_SERVICE_REPORTS: "Only team leads and commissioners may see the service dashboard.",
    Action.RUN_NATIONAL_RETURNS: "Only team leads and clinical admin staff may produce the national returns.",
    Action.RESTRICT_RECORD: "Only team leads may restrict a child's record or lift a restriction.",
    Action.BREAK_GLASS: "Your role may not open a restricted record.",
    Action.RESET_TWO_FACTOR: "Only team leads and system admins may reset someone's two-factor sign-in.",
    Action.EXPORT_SUBJECT_ACCESS: "Only team leads and clinical admin staff may export everything held about a child.",
    Action.VIEW_RETENTION: "Only team leads and auditors may see the retention report.",
    Action.VIEW_ATTENTION: "Only clinical admin staff, OTs, OT assistants and team leads may see what needs attention.",
    Action.VIEW_MESSAGES: "Only clinical admin staff, OTs and team leads may see the messages sent to families.",
    Action.ACT_ON_MESSAGES: "Only clinical admin staff and team leads may send a message again or close it.",
    Action.RECORD_LETTER_POSTED: (
        "Only clinical admin staff and team leads may record that a letter was posted; OTs and OT assistants only "
        "letters they issued themselves."
    ),
    Action.UPDATE_CHILD_DETAILS: (
        "Only clinical admin staff, OTs, OT assistants and team leads may change a child's or family's details."
    ),
    Action.MANAGE_ALERTS: (
        "Only clinical admin staff, OTs, OT assistants and team leads may raise, review or end alerts."
    ),
}


def may(user, action: Action) -> bool:
    """Whether this user (None, anonymous or signed in) may take this action."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return getattr(user, "role", None) in ALLOWED[action]


def refusal(action: Action) -> str:
    return REFUSALS.get(action, "Your role does not allow this.")
