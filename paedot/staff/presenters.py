"""What the staff account pages show: the two-factor QR code and key, recovery codes, and the permission table."""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass

import segno

from paedot.staff.models import Role
from paedot.staff.rules import ALLOWED, REFUSALS, Action

# Each action as a member of staff would say it. A new Action needs words here (a test checks every one has).
ACTION_WORDS: dict[Action, str] = {
    Action.VIEW_REFERRALS: "See referrals",
    Action.SUBMIT_REFERRAL: "Submit a referral through the API",
    Action.ENTER_PAPER_REFERRAL: "Enter a paper referral",
    Action.SCREEN: "Screen a referral against the criteria",
    Action.RECORD_INFORMATION_RECEIVED: "Record information received for a referral",
    Action.TRIAGE: "Triage a referral",
    Action.INVITE: "Invite a family to book",
    Action.RECORD_BOOKING: "Record that a family booked",
    Action.DECIDE_NO_REPLY: "Decide what happens when a family does not reply",
    Action.ALLOCATE: "Allocate a referral to a clinician",
    Action.DISCHARGE: "Discharge a child",
    Action.RESOLVE_DUPLICATE: "Resolve a possible duplicate referral",
    Action.UNDO_MERGE: "Undo a wrong merge of two children's records (team leads any merge, others only their own)",
    Action.VIEW_WAITING_LIST: "See the waiting list",
    Action.VIEW_CASELOADS: "See their own caseload",
    Action.VIEW_ALL_CASELOADS: "See every clinician's caseload",
    Action.VIEW_DIARIES: "See diaries",
    Action.MANAGE_DIARIES: "Change working patterns, leave and closures",
    Action.BOOK_APPOINTMENT: "Book an appointment",
    Action.RECORD_OUTCOME: "Record what happened at an appointment",
    Action.PLAN_BLOCK: "Set up a block of treatment",
    Action.MANAGE_GROUPS: "Set up and run group programmes",
    Action.ENROL_IN_GROUP: "Enrol a child in a group",
    Action.REVIEW_ATTENDANCE: "Review missed appointments",
    Action.VIEW_AUDIT: "See the audit trail",
    Action.VIEW_CLINICAL_RECORD: "See a child's clinical record",
    Action.ASSESS: "Record an assessment",
    Action.SET_PACKAGE: "Set a package of care and its goals",
    Action.REVIEW_PACKAGE: "Review a package of care",
    Action.WRITE_NOTE: "Write a clinical note",
    Action.COUNTERSIGN: "Countersign an assistant's note",
    Action.GIVE_ADVICE: "Give an advice pack",
    Action.MANAGE_STRATEGY_SHEETS: "Change the strategy sheets",
    Action.ISSUE_EQUIPMENT: "Issue equipment",
    Action.RECORD_CONSENT: "Record consent to share",
    Action.ISSUE_REPORT: "Issue a clinical report",
    Action.VIEW_SERVICE_REPORTS: "See the service dashboard",
    Action.RUN_NATIONAL_RETURNS: "Produce the national returns",
    Action.RESTRICT_RECORD: "Restrict a child's record to named staff, or lift it",
    Action.BREAK_GLASS: "Open a restricted record with a reason (break the glass)",
    Action.RESET_TWO_FACTOR: "Reset a colleague's two-factor sign-in",
    Action.EXPORT_SUBJECT_ACCESS: "Export everything held about a child (subject access)",
    Action.VIEW_RETENTION: "See records past their keep-until date",
    Action.VIEW_ATTENTION: "See what needs attention (missed appointments, missing outcomes, long waits)",
    Action.VIEW_MESSAGES: "See the emails and texts sent to families, and those that failed",
    Action.ACT_ON_MESSAGES: "Send a failed message again, or record that the family was told another way",
    Action.RECORD_LETTER_POSTED: "See the letters still to post, and record that a letter was printed and posted",
    Action.UPDATE_CHILD_DETAILS: (
        "Change a child's and family's details after the referral (name, address, NHS number, contacts, GP, school)"
    ),
    Action.MANAGE_ALERTS: (
        "Raise, review or end alerts on a child (safeguarding, contact restrictions, risks on visits, communication)"
    ),
}


@dataclass(frozen=True)
class PermissionRow:
    action: Action
    words: str
    refusal: str  # what someone not allowed is told, when the table has a sentence for it
    allowed: tuple[bool, ...]  # one per role, in ROLE_COLUMNS order


# Every role is a column, partner systems included: the table is the whole truth, not just the page users.
ROLE_COLUMNS: tuple[Role, ...] = tuple(Role)


def action_words(action: Action) -> str:
    return ACTION_WORDS.get(action) or action.value.replace("_", " ").capitalize()


def permission_rows() -> list[PermissionRow]:
    """The role-by-action table from staff/rules.py, in the order the actions are declared."""
    return [
        PermissionRow(
            action=action,
            words=action_words(action),
            refusal=REFUSALS.get(action, ""),
            allowed=tuple(role in ALLOWED[action] for role in ROLE_COLUMNS),
        )
        for action in Action
    ]


def grouped(text: str, size: int = 4) -> str:
    """Long keys in groups of four, easier to read and type: ABCD EFGH ..."""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def typed_key(device) -> str:
    """The authenticator key as people type it into an app (base32, grouped)."""
    return grouped(b32encode(device.bin_key).decode())


def recovery_code(token: str) -> str:
    """abcdefgh shown as abcd-efgh; either is accepted when typed."""
    return f"{token[:4]}-{token[4:]}"


def qr_code_data_uri(device) -> str:
    """The device's otpauth:// address as a QR code, an SVG data: URI for an <img> (the Content Security Policy
    allows data: images; an inline <svg> would have to be checked for style attributes on every segno upgrade)."""
    url = device.config_url
    return segno.make(url, error="m").svg_data_uri(scale=5, border=4, dark="#000000", light="#ffffff")
