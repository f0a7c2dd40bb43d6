"""How referrals read on staff pages."""

from __future__ import annotations

from paedot.eligibility.codes import Difficulty, Education, ReferrerRole
from paedot.referrals.models import Referral

OUTCOME_TAGS = {
    "accept": ("Meets criteria", "nhsuk-tag--green"),
    "review": ("Needs review", "nhsuk-tag--yellow"),
    "decline": ("Does not meet criteria", "nhsuk-tag--red"),
}


def outcome_tag(outcome: str) -> dict[str, str]:
    text, classes = OUTCOME_TAGS.get(outcome, (outcome, ""))
    return {"text": text, "classes": classes}


def difficulty_labels(referral: Referral) -> list[str]:
    return [Difficulty(code).label if code in Difficulty.values else code for code in referral.difficulties]


def education_label(code: str) -> str:
    return Education(code).label if code in Education.values else code


def referrer_role_label(code: str) -> str:
    return ReferrerRole(code).label if code in ReferrerRole.values else code


ACTION_LABELS = {
    "referral.received": "Referral received",
    "referral.screened.accept": "Screened: accepted",
    "referral.screened.decline": "Screened: declined",
    "referral.screened.request_information": "Screened: information requested",
    "referral.information_received": "Requested information received",
    "referral.triaged": "Triaged",
    "referral.invited": "Invited to book",
    "referral.booked": "Booked",
    "referral.discharged": "Discharged",
    "referral.allocated": "Allocated",
    "referral.transferred": "Transferred",
    "referral.merged_as_duplicate": "Closed as a duplicate",
    "referral.duplicate_merged_in": "A duplicate referral was merged into this one",
    "referral.possible_duplicate_flagged": "Flagged as a possible duplicate",
    "referral.possible_duplicate_merged": "Possible duplicate: same child",
    "referral.possible_duplicate_dismissed": "Possible duplicate: different child",
    "referral.duplicate_merge_undone": "Merge undone: not the same child",
    "invitation.extended": "Invitation deadline extended",
    "invitation.no_reply": "No reply to the invitation by the deadline",
    "letter.issued": "Letter issued",
    "referral.attachment_added": "Scanned form attached",
    "record.restriction_covers_new_referral": "Restricted: the child's record is restricted",
    "child.details_changed": "Child's details changed",
    "parent_carer.details_changed": "Parent or carer's details changed",
    "referral.gp_practice_changed": "GP practice changed",
    "referral.school_changed": "School changed",
}


def history_events(referral: Referral):
    from paedot.core.audit import Actions
    from paedot.core.models import AuditEvent

    return (
        AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk))
        .exclude(action=Actions.RECORD_VIEWED)
        .order_by("occurred_at", "id")
    )


def referral_history(referral: Referral) -> list[dict]:
    """Every recorded step, oldest first: what happened, who did it, and why."""
    return [
        {
            "at": event.occurred_at.isoformat(),
            "action": event.action,
            "by": event.actor_label,
            "from_status": event.detail.get("from"),
            "to_status": event.detail.get("to"),
            "reason": event.reason,
        }
        for event in history_events(referral)
    ]


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " ").replace(".", ": "))


def history_rows(referral: Referral) -> list[dict]:
    """The history as the referral page shows it: when, what, who, and the reason."""
    rows = []
    for event in history_events(referral).select_related("actor"):
        actor = event.actor
        rows.append(
            {
                "at": event.occurred_at,
                "what": action_label(event.action),
                "who": (actor.get_full_name() or actor.username) if actor else event.actor_label,
                "reason": event.reason,
                "change": (
                    f"{status_label(event.detail['from'])} → {status_label(event.detail['to'])}"
                    if event.detail.get("from") and event.detail.get("to")
                    else ""
                ),
            }
        )
    return rows


def status_label(code: str) -> str:
    from paedot.referrals.models import Status

    return Status(code).label if code in Status.values else code


STATUS_TAG_CLASSES = {
    "received": "nhsuk-tag--blue",
    "information_requested": "nhsuk-tag--yellow",
    "accepted": "nhsuk-tag--aqua-green",
    "declined": "nhsuk-tag--red",
    "waiting": "nhsuk-tag--purple",
    "invited": "nhsuk-tag--orange",
    "booked": "nhsuk-tag--green",
    "seen": "nhsuk-tag--green",
    "discharged": "nhsuk-tag--grey",
}


def status_tag(code: str) -> dict[str, str]:
    return {"text": status_label(code), "classes": STATUS_TAG_CLASSES.get(code, "")}


def expected_wait(referral: Referral):
    """How long this child may still wait, for referrals still queueing."""
    if referral.status not in ("waiting", "invited"):
        return None
    from paedot.waiting_list.services import expected_wait_for

    return expected_wait_for(referral)


def duplicate_heading(strength: str) -> str:
    """How a possible duplicate is named on the referral page: how sure the match is, and who found it."""
    return {
        "certain": "Same child (same NHS number)",
        "manual": "Flagged by staff as possibly the same child",
    }.get(strength, "Possibly the same child")
