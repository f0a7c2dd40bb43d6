"""What the "Needs attention" page shows: each section's limit in words, and each item as a table row."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html

from paedot.attention.policy import AttentionPolicy
from paedot.attention.rules import TRIAGE_OVERDUE
from paedot.attention.services import (
    ALERTS,
    FLAGS,
    LETTERS,
    MESSAGES,
    OUTCOMES,
    SCHOOL_CALENDAR,
    SCREENING,
    TRIAGE,
    WAITING,
    Item,
    Section,
)
from paedot.referrals.models import Priority
from paedot.referrals.presenters import status_label
from paedot.triage.presenters import priority_tag


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def limit_text(code: str, policy: AttentionPolicy) -> str:
    """Why a section's items are on the list, from the policy in force."""
    if code == FLAGS.code:
        return (
            "Open \u201cwas not brought\u201d flags: two or more missed appointments in a row that a clinician has "
            "not yet reviewed. Missed appointments can be a safeguarding signal."
        )
    if code == OUTCOMES.code:
        return (
            "One-to-one appointments that ended before today with no outcome, and past group sessions whose "
            "register is not complete. A missed appointment never recorded raises no flag."
        )
    if code == SCREENING.code:
        return (
            f"Received (or back with the information asked for) and not screened within "
            f"{_days(policy.screening_days)}, or waiting more than {_days(policy.information_requested_days)} for "
            "information asked for."
        )
    if code == TRIAGE.code:
        return f"Accepted and not triaged within {_days(policy.triage_days)}."
    if code == WAITING.code:
        targets = ", ".join(f"{Priority(p).label.lower()} {_days(policy.target_for(p))}" for p in Priority.values)
        return f"On the waiting list (not yet seen) longer than their priority's target since received: {targets}."
    if code == ALERTS.code:
        return (
            "Alerts on a child (safeguarding, contact restrictions, risks on visits, communication needs) still in "
            "force after their review date: check each still holds, then review it or end it. For team leads and "
            "admin staff, every child they can see; for clinicians, the children allocated to them."
        )
    if code == MESSAGES.code:
        return (
            "Emails and text messages to a child's parent or carer that failed after every try and nobody has yet "
            "dealt with: the family has not been told of an appointment or a change."
        )
    if code == LETTERS.code:
        limit = policy.letters_to_post_working_days
        return (
            f"Letters issued more than {limit} working day{'s' if limit != 1 else ''} ago (Monday to Friday, not "
            "counting bank holidays and closure days) and not yet recorded as posted: the family, referrer or GP may "
            "not have them. Letters issued before posting was recorded are counted as posted."
        )
    if code == SCHOOL_CALENDAR.code:
        ahead = policy.school_calendar_warning_days
        weeks = f"{ahead // 7} weeks" if ahead % 7 == 0 else _days(ahead)
        return (
            f"The school holidays held (for the whole service, not one child), from {weeks} before their last day: "
            "after it, blocks of treatment and group sessions at schools and nurseries cannot skip holidays."
        )
    raise ValueError(f"Unknown section {code!r}")


def limit_rows(policy: AttentionPolicy) -> dict:
    return {"confirmed": policy.confirmed_by_service, "effective_from": policy.effective_from}


def item_row(item: Item, *, may_triage: bool = True) -> dict:
    """`may_triage`: someone who may not triage (admin staff) is sent to the referral page, not the triage form."""
    link, action = item.link, item.action
    if item.code == TRIAGE_OVERDUE and not may_triage and item.reference:
        link, action = reverse("referrals:show_referral", args=[item.reference]), "Open the referral"
    return {
        "item": item,
        "link": link,
        "action": action,
        "since": item.finding.since,
        "days": item.finding.days,
        "day_words": ("working day" if item.finding.working_days else "day") + ("" if item.finding.days == 1 else "s"),
        "why": item.finding.why,
        "priority_tag": priority_tag(item.priority) if item.priority else None,
        "status": status_label(item.status) if item.status else "",
        "clinician": item.clinician.display_name if item.clinician else ("Not allocated" if item.reference else ""),
    }


def section_view(section: Section, policy: AttentionPolicy, *, may_triage: bool = True) -> dict:
    return {
        "code": section.code,
        "title": section.info.title,
        "summary_key": format_html('<a href="#{}">{}</a>', section.code, section.info.title),
        "summary_value": format_html('<strong id="count-{}">{}</strong>', section.code, section.count),
        "empty": section.info.empty,
        "count": section.count,
        "more": section.more,
        "shown": len(section.items),
        "limit": limit_text(section.code, policy),
        "rows": [item_row(item, may_triage=may_triage) for item in section.items],
    }
