"""Everything held about one child, gathered from every app into one plain, JSON-ready dict: the data of a subject
access export. The JSON download and the PDF are both made from this dict, so they cannot differ.

The child's rows are read directly, not through a member of staff's scoped view: a subject access request is answered
for the whole service (every locality, and restricted records in full: the subject has a right to them). Only people
whose role may export subject access reach this (services.subject_access_export checks, and audits every export).

The shape (stable: keys are only ever added):
    {"format": "paedot-subject-access/1", "generated_at", "generated_by": {"name", "role"}, "reason",
     "child": {...}, "sections": {<key>: [...], ...}}
with the sections, in order, named in presenters.SECTIONS. Dates are ISO 8601 (YYYY-MM-DD), times ISO 8601 in
Birmingham time with their offset; staff are {"name", "role"}; choices are given in words.

Queries are bounded: the referrals and episodes are fetched with everything hanging from them (select_related and
prefetch_related), so the count does not grow with the size of the record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from paedot.advice.models import AdvicePack, PackSheet
from paedot.alerts.models import Alert
from paedot.appointments.models import Appointment, AppointmentSeries, AttendanceFlag
from paedot.appointments.models import Outcome as AppointmentOutcome
from paedot.care.models import (
    Assessment,
    ConsentToShare,
    CopmRerating,
    Delivery,
    Episode,
    EquipmentIssue,
    FindingArea,
    Goal,
    Package,
    PackageSetting,
    TomsRating,
)
from paedot.care.models import Component as PackageComponent
from paedot.caseloads.models import Allocation
from paedot.casenotes.models import Addendum, ClinicalNote
from paedot.children.models import Child, DetailsChange
from paedot.core.models import AuditEvent
from paedot.eligibility.codes import Difficulty, Education, ReferrerRole
from paedot.eligibility.codes import Outcome as EligibilityOutcome
from paedot.governance.presenters import (
    SECTIONS,
    html_to_text,
    iso_date,
    iso_datetime,
    mask_recipient,
    number,
    staff,
)
from paedot.groups.models import Enrolment, GroupAttendance
from paedot.letters.models import Letter
from paedot.notifications.models import Message
from paedot.referrals.models import PossibleDuplicate, Referral, ReferralAttachment, ScreeningDecision
from paedot.restricted_records.models import BreakGlass, Restriction
from paedot.triage.models import Triage
from paedot.waiting_list.models import Invitation

FORMAT = "paedot-subject-access/1"


def _words(choices, value: str) -> str:
    """A stored code in words (its label), or the code itself when the choices no longer know it."""
    return dict(choices.choices).get(value, value) if value else ""


def _words_list(choices, values) -> list[str]:
    return [_words(choices, value) for value in values or ()]


def _rows(model, *related: str, order: tuple[str, ...] = ("created_at", "id")):
    """A prefetch queryset: the people (and things) each row names joined in, oldest first."""
    return model.objects.select_related(*related).order_by(*order)


def _referrals(child: Child) -> list[Referral]:
    notes = _rows(ClinicalNote, "author", "countersigned_by", order=("contact_on", "contact_at", "id"))
    packs = _rows(AdvicePack, "given_by", order=("given_on", "id"))
    return list(
        Referral.objects.filter(child=child)
        .select_related("eligibility", "clinician", "submitted_by", "parent_carer", "previous_referral")
        .prefetch_related(
            "eligibility__reasons",
            Prefetch("screenings", _rows(ScreeningDecision, "screened_by")),
            Prefetch("triages", _rows(Triage, "triaged_by")),
            Prefetch("possible_duplicates", _rows(PossibleDuplicate, "existing_referral", "resolved_by")),
            Prefetch("allocations", _rows(Allocation, "clinician", "allocated_by")),
            Prefetch("invitations", _rows(Invitation, "invited_by", "decided_by", order=("sent_on", "id"))),
            Prefetch(
                "appointments",
                _rows(
                    Appointment,
                    "clinician",
                    "location",
                    "room",
                    "outcome_recorded_by",
                    "booked_by",
                    order=("start", "id"),
                ),
            ),
            Prefetch("blocks", AppointmentSeries.objects.only("id", "referral_id")),
            Prefetch("attendance_flags", _rows(AttendanceFlag, "reviewed_by")),
            Prefetch("group_enrolments", _rows(Enrolment, "programme", "enrolled_by")),
            Prefetch(
                "group_attendances",
                _rows(GroupAttendance, "appointment__programme", "recorded_by", order=("appointment__start", "id")),
            ),
            Prefetch("clinical_notes", notes.prefetch_related(Prefetch("addenda", _rows(Addendum, "author")))),
            Prefetch(
                "advice_packs",
                packs.prefetch_related(Prefetch("pack_sheets", _rows(PackSheet, "sheet_version", order=("position",)))),
            ),
            Prefetch("letters", _rows(Letter, "issued_by")),
            Prefetch("attachments", _rows(ReferralAttachment, "uploaded_by")),
        )
        .order_by("received_date", "id")
    )


def _episodes(child: Child) -> list[Episode]:
    return list(
        Episode.objects.filter(referral__child=child)
        .select_related("referral", "opened_by", "discharged_by")
        .prefetch_related(
            Prefetch("assessments", Assessment.objects.select_related("assessed_by").order_by("assessed_on", "id")),
            "copm_problems",
            Prefetch("toms_ratings", TomsRating.objects.select_related("rated_by").order_by("rated_on", "id")),
            Prefetch(
                "packages",
                Package.objects.select_related("created_by", "supervising_ot", "review__reviewed_by")
                .prefetch_related(
                    Prefetch("goals", Goal.objects.select_related("rating").order_by("position", "id")),
                    Prefetch("review__copm_reratings", CopmRerating.objects.select_related("problem")),
                )
                .order_by("created_at", "id"),
            ),
            Prefetch("equipment", EquipmentIssue.objects.select_related("issued_by").order_by("issued_on", "id")),
            Prefetch("consents", ConsentToShare.objects.select_related("recorded_by").order_by("created_at", "id")),
        )
        .order_by("created_at", "id")
    )


# Sections -------------------------------------------------------------------------------------------------------


def child_details(child: Child) -> dict[str, Any]:
    return {
        "id": child.pk,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth": iso_date(child.date_of_birth),
        "nhs_number": child.nhs_number,
        "address": child.address,
        "postcode": child.postcode,
        "first_recorded": iso_datetime(child.created_at),
    }


def _parent_carer(parent) -> dict[str, Any]:
    return {
        "name": parent.name,
        "relationship": parent.relationship,
        "phone": parent.phone,
        "email": parent.email,
        "language": parent.language,
        "interpreter_needed": parent.interpreter_needed,
    }


def _same_child_reference(child: Child, other: Referral | None) -> str | None:
    """Another referral's reference, only if it is about this child: nothing about anyone else leaves."""
    if other is None:
        return None
    return other.reference if other.child_id == child.pk else "A referral about another child (not shown)"


def _eligibility(referral: Referral) -> dict[str, Any] | None:
    decision = getattr(referral, "eligibility", None)
    if decision is None:
        return None
    return {
        "outcome": decision.get_outcome_display(),
        "policy": decision.policy_id,
        "decided_at": iso_datetime(decision.decided_at),
        "reasons": [
            {"code": r.code, "severity": r.severity, "message": r.message, "signposting": r.signposting}
            for r in decision.reasons.all()
        ],
    }


def _referral(child: Child, referral: Referral) -> dict[str, Any]:
    return {
        "reference": referral.reference,
        "status": referral.get_status_display(),
        "received_date": iso_date(referral.received_date),
        "source": referral.get_source_display(),
        "education": _words(Education, referral.education),
        "gp_practice_code": referral.gp_practice_code,
        "gp_practice_name": referral.gp_practice_name,
        "school_urn": referral.school_urn,
        "school_name": referral.school_name,
        "locality": referral.locality,
        "difficulties": _words_list(Difficulty, referral.difficulties),
        "description": referral.description,
        "impact_home": referral.impact_home,
        "impact_school": referral.impact_school,
        "impact_leisure": referral.impact_leisure,
        "strategies_tried": referral.strategies_tried,
        "other_professionals": referral.other_professionals,
        "previous_ot_episode": referral.previous_ot_episode,
        "consent_given": referral.consent_given,
        "parent_carer": referral.parent_carer.name,
        "referrer": {
            "name": referral.referrer_name,
            "role": _words(ReferrerRole, referral.referrer_role),
            "organisation": referral.referrer_organisation,
            "email": referral.referrer_email,
            "phone": referral.referrer_phone,
        },
        "submitted_by": staff(referral.submitted_by),
        "previous_referral": _same_child_reference(child, referral.previous_referral),
        "priority": referral.get_priority_display(),
        "pathway": referral.get_pathway_display(),
        "first_setting": referral.get_first_setting_display(),
        "clinician": staff(referral.clinician),
        "triaged_at": iso_datetime(referral.triaged_at),
        "first_attended_on": iso_date(referral.first_attended_on),
        "days_waited": referral.days_waited,
        "closed_at": iso_datetime(referral.closed_at),
        "closing_reason": referral.closing_reason,
        "restricted": referral.restricted,
        "eligibility": _eligibility(referral),
        "screenings": [
            {
                "decided_at": iso_datetime(s.created_at),
                "decision": s.get_decision_display(),
                "reason": s.reason,
                "rules_suggested": _words(EligibilityOutcome, s.automatic_outcome),
                "overrode_the_rules": s.overrides_automatic,
                "screened_by": staff(s.screened_by),
            }
            for s in referral.screenings.all()
        ],
        "triages": [
            {
                "triaged_at": iso_datetime(t.created_at),
                "priority": t.get_priority_display(),
                "pathway": t.get_pathway_display(),
                "setting": t.get_setting_display(),
                "notes": t.notes,
                "suggested_priority": t.get_suggested_priority_display(),
                "suggestion_reasons": [r.get("message", "") for r in t.suggestion_reasons or ()],
                "reason_for_difference": t.reason_for_difference,
                "triaged_by": staff(t.triaged_by),
            }
            for t in referral.triages.all()
        ],
        "possible_duplicates": [
            {
                "flagged_at": iso_datetime(d.created_at),
                "may_be_the_same_as": _same_child_reference(child, d.existing_referral),
                "strength": d.strength,
                "reasons": [r.get("message", "") for r in d.reasons or ()],
                "state": d.get_state_display(),
                "resolved_by": staff(d.resolved_by),
                "resolution_reason": d.resolution_reason,
            }
            for d in referral.possible_duplicates.all()
        ],
        "allocations": [
            {
                "allocated_at": iso_datetime(a.created_at),
                "clinician": staff(a.clinician),
                "allocated_by": staff(a.allocated_by),
                "reason": a.reason,
                "ended_at": iso_datetime(a.ended_at),
            }
            for a in referral.allocations.all()
        ],
    }


def _invitation(referral: Referral, i: Invitation) -> dict[str, Any]:
    return {
        "referral": referral.reference,
        "sent_on": iso_date(i.sent_on),
        "reply_by": iso_date(i.deadline),
        "reminder_on": iso_date(i.reminder_on),
        "reminded_on": iso_date(i.reminded_on),
        "state": i.get_state_display(),
        "invited_by": staff(i.invited_by),
        "decided_by": staff(i.decided_by),
        "decision_reason": i.decision_reason,
        "times_extended": i.times_extended,
    }


def _appointment(referral: Referral, a: Appointment) -> dict[str, Any]:
    return {
        "referral": referral.reference,
        "kind": a.get_kind_display(),
        "start": iso_datetime(a.start),
        "end": iso_datetime(a.end),
        "clinician": staff(a.clinician),
        "place": a.location.name,
        "room": a.room.name if a.room else "",
        "address": a.address,
        "cancelled": a.cancelled,
        "cancellation_reason": a.cancellation_reason,
        "outcome": a.get_outcome_display(),
        "outcome_recorded_by": staff(a.outcome_recorded_by),
        "booked_by": staff(a.booked_by),
        "booked_at": iso_datetime(a.created_at),
        "override_reason": a.override_reason,
    }


def _attendance_flag(referral: Referral, f: AttendanceFlag) -> dict[str, Any]:
    return {
        "referral": referral.reference,
        "raised_at": iso_datetime(f.created_at),
        "reason": f.reason,
        "state": f.get_state_display(),
        "reviewed_by": staff(f.reviewed_by),
        "review_note": f.review_note,
    }


def _note(referral: Referral, n: ClinicalNote) -> dict[str, Any]:
    return {
        "referral": referral.reference,
        "contact": n.get_contact_kind_display(),
        "contact_on": iso_date(n.contact_on),
        "contact_at": n.contact_at.strftime("%H:%M") if n.contact_at else None,
        "author": staff(n.author),
        "status": n.get_status_display(),
        "signed_at": iso_datetime(n.signed_at),
        "countersigned_by": staff(n.countersigned_by),
        "countersigned_at": iso_datetime(n.countersigned_at),
        "note": n.body,
        "addenda": [
            {"written_at": iso_datetime(a.created_at), "author": staff(a.author), "text": a.body}
            for a in n.addenda.all()
        ],
    }


def _advice_pack(referral: Referral, p: AdvicePack) -> dict[str, Any]:
    return {
        "referral": referral.reference,
        "given_on": iso_date(p.given_on),
        "given_by": staff(p.given_by),
        "for_home": p.for_home,
        "for_school": p.for_school,
        "home_notes": p.home_notes,
        "school_notes": p.school_notes,
        "sheets": [
            {
                "title": s.sheet_version.title,
                "version": s.sheet_version.version,
                "in_home_letter": s.in_home,
                "in_school_letter": s.in_school,
            }
            for s in p.pack_sheets.all()
        ],
    }


def _letter(referral: Referral, letter: Letter) -> dict[str, Any]:
    return {
        "referral": referral.reference,
        "kind": letter.get_kind_display(),
        "subject": letter.subject,
        "date": iso_datetime(letter.created_at),
        "issued_by": staff(letter.issued_by),
        "recipients": [
            {"role": r.get("role", ""), "name": r.get("name", ""), "address": r.get("address", "")}
            for r in letter.recipients or ()
        ],
        "text": html_to_text(letter.html),
    }


def _attachment(referral: Referral, a: ReferralAttachment) -> dict[str, Any]:
    # Details only: the file itself is sent separately if asked for, never inside the JSON.
    return {
        "referral": referral.reference,
        "name": a.original_name,
        "type": a.content_type,
        "size_bytes": a.size,
        "uploaded_at": iso_datetime(a.created_at),
        "uploaded_by": staff(a.uploaded_by),
    }


def _group_enrolment(referral: Referral, e: Enrolment) -> dict[str, Any]:
    return {
        "referral": referral.reference,
        "group": e.programme.name,
        "enrolled_at": iso_datetime(e.created_at),
        "enrolled_by": staff(e.enrolled_by),
        "withdrawn_at": iso_datetime(e.withdrawn_at),
        "withdrawal_reason": e.withdrawal_reason,
    }


def _group_attendance(referral: Referral, g: GroupAttendance) -> dict[str, Any]:
    session = g.appointment
    return {
        "referral": referral.reference,
        "group": session.programme.name if session.programme else "",
        "session": iso_datetime(session.start),
        "outcome": _words(AppointmentOutcome, g.outcome) or "Not recorded",
        "recorded_by": staff(g.recorded_by),
    }


def _review(package: Package) -> dict[str, Any] | None:
    review = getattr(package, "review", None)  # a package not yet reviewed has none
    if review is None:
        return None
    return {
        "reviewed_on": iso_date(review.reviewed_on),
        "reviewed_by": staff(review.reviewed_by),
        "gas_t_score": number(review.gas_t_score),
        "copm_performance_change": number(review.copm_performance_change),
        "copm_satisfaction_change": number(review.copm_satisfaction_change),
        "decision": review.get_decision_display(),
        "summary": review.summary,
        "goal_ratings": [
            {"goal": goal.position, "attained": goal.rating.attained}
            for goal in package.goals.all()
            if hasattr(goal, "rating")
        ],
        "copm_reratings": [
            {"problem": r.problem.problem, "performance": r.performance, "satisfaction": r.satisfaction}
            for r in review.copm_reratings.all()
        ],
    }


def _package(package: Package) -> dict[str, Any]:
    return {
        "block": package.block_number,
        "type": package.get_type_display(),
        "delivery": _words_list(Delivery, package.delivery),
        "settings": _words_list(PackageSetting, package.places),
        "components": _words_list(PackageComponent, package.components),
        "sessions": package.sessions,
        "supervising_ot": staff(package.supervising_ot),
        "review_due_on": iso_date(package.review_due_on),
        "notes": package.notes,
        "set_at": iso_datetime(package.created_at),
        "set_by": staff(package.created_by),
        "goals": [
            {
                "goal": goal.position,
                "description": goal.description,
                "area": goal.get_area_display(),
                "levels": dict(goal.levels or {}),
                "weight": number(goal.weight),
                "baseline": goal.baseline,
            }
            for goal in package.goals.all()
        ],
        "review": _review(package),
    }


def _episode(e: Episode) -> dict[str, Any]:
    return {
        "referral": e.referral.reference,
        "opened_at": iso_datetime(e.created_at),
        "opened_by": staff(e.opened_by),
        "discharged_at": iso_datetime(e.discharged_at),
        "discharged_by": staff(e.discharged_by),
        "discharge_reason": e.get_discharge_reason_display(),
        "discharge_summary": e.discharge_summary,
        "assessments": [
            {
                "assessed_on": iso_date(a.assessed_on),
                "assessed_by": staff(a.assessed_by),
                "findings": {_words(FindingArea, code): text for code, text in (a.findings or {}).items()},
                "standardised": list(a.standardised or ()),
                "clinical_impression": a.clinical_impression,
            }
            for a in e.assessments.all()
        ],
        "copm_problems": [
            {
                "problem": p.problem,
                "importance": p.importance,
                "performance": p.performance,
                "satisfaction": p.satisfaction,
            }
            for p in sorted(e.copm_problems.all(), key=lambda p: (p.position, p.pk))
        ],
        "toms_ratings": [
            {
                "stage": t.get_stage_display(),
                "rated_on": iso_date(t.rated_on),
                "impairment": number(t.impairment),
                "activity": number(t.activity),
                "participation": number(t.participation),
                "wellbeing": number(t.wellbeing),
                "rated_by": staff(t.rated_by),
            }
            for t in e.toms_ratings.all()
        ],
        "packages": [_package(p) for p in e.packages.all()],
        "equipment": [
            {
                "kind": i.get_kind_display(),
                "item": i.item,
                "issued_on": iso_date(i.issued_on),
                "review_on": iso_date(i.review_on),
                "returned_on": iso_date(i.returned_on),
                "notes": i.notes,
                "issued_by": staff(i.issued_by),
            }
            for i in e.equipment.all()
        ],
        "consents_to_share": [
            {
                "recorded_at": iso_datetime(c.created_at),
                "recipient": c.get_recipient_display(),
                "recipient_name": c.recipient_name,
                "agreed": c.given,
                "by": c.given_by,
                "note": c.note,
                "recorded_by": staff(c.recorded_by),
            }
            for c in e.consents.all()
        ],
    }


def _message_references(referrals: list[Referral], episodes: list[Episode]) -> Q | None:
    """Messages name what they are about in their reference (paedot.appointments.messages, care equipment reminders,
    restricted_records break-glass notices); these are the references about this child."""
    conditions = Q()
    any_reference = False
    for referral in referrals:
        any_reference = True
        # A group session's reminder names the family's referral at its end; the break-glass notice at its start.
        conditions |= Q(reference__endswith=f":referral:{referral.pk}")
        conditions |= Q(reference__startswith=f"break-glass:{referral.pk}:")
        for appointment in referral.appointments.all():
            conditions |= Q(reference__startswith=f"appointment:{appointment.pk}:")
        for series in referral.blocks.all():
            conditions |= Q(reference__startswith=f"series:{series.pk}:")
    for episode in episodes:
        for issue in episode.equipment.all():
            any_reference = True
            conditions |= Q(reference__startswith=f"equipment:{issue.pk}:")
    return conditions if any_reference else None


def _messages(referrals: list[Referral], episodes: list[Episode]) -> list[dict[str, Any]]:
    conditions = _message_references(referrals, episodes)
    if conditions is None:
        return []
    messages = (
        Message.objects.filter(conditions)
        .only("channel", "recipient", "subject", "status", "sent_at", "created_at")
        .order_by("created_at", "id")
    )
    return [
        {
            "channel": m.get_channel_display(),
            "date": iso_datetime(m.sent_at or m.created_at),
            "status": m.get_status_display(),
            "recipient": mask_recipient(m.recipient),
            "subject": m.subject,
        }
        for m in messages
    ]


def _restrictions(child: Child) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    restriction = (
        Restriction.objects.filter(child=child)
        .select_related("restricted_by", "lifted_by")
        .prefetch_related("named_staff")
        .first()
    )
    if restriction is not None:
        items.append(
            {
                "what": "Record restricted to named staff",
                "at": iso_datetime(restriction.created_at),
                "by": staff(restriction.restricted_by),
                "reason": restriction.reason,
                "named_staff": [staff(u) for u in restriction.named_staff.all()],
                "lifted_at": iso_datetime(restriction.lifted_at),
                "lifted_by": staff(restriction.lifted_by),
            }
        )
    for opening in BreakGlass.objects.filter(child=child).select_related("user").order_by("created_at", "id"):
        items.append(
            {
                "what": "Restricted record opened by someone not named (break the glass)",
                "at": iso_datetime(opening.created_at),
                "by": staff(opening.user),
                "reason": opening.reason,
                "until": iso_datetime(opening.expires_at),
            }
        )
    return items


def _alerts(child: Child) -> list[dict[str, Any]]:
    """Every alert on the child's record and on records merged into it (paedot/alerts), in force and ended, oldest
    first. Safeguarding alerts and contact restrictions are the kind of information the serious-harm exemption may
    apply to: whoever answers the request reviews this section before anything is released."""
    alerts = Alert.objects.of_child(child.pk).select_related("raised_by", "reviewed_by", "ended_by")
    return [
        {
            "category": a.get_category_display(),
            "text": a.text,
            "details": a.details,
            "in_force": a.in_force,
            "raised_at": iso_datetime(a.raised_at),
            "raised_by": staff(a.raised_by),
            "review_on": iso_date(a.review_on),
            "last_reviewed_at": iso_datetime(a.reviewed_at),
            "last_reviewed_by": staff(a.reviewed_by),
            "ended_at": iso_datetime(a.ended_at),
            "ended_by": staff(a.ended_by),
            "end_reason": a.end_reason,
        }
        for a in alerts.order_by("raised_at", "id")
    ]


def _merged_records(child: Child) -> list[dict[str, Any]]:
    """Records a person confirmed were this child's and merged into this one, as they were written."""
    return [
        {**child_details(merged), "merged_at": iso_datetime(merged.merged_at)}
        for merged in child.merged_records.order_by("merged_at", "id")
    ]


def _previous_details(child: Child) -> list[dict[str, Any]]:
    """Each detail changed after the referral (paedot.children), oldest first: the old address or phone is the
    child's information too, and the audit trail names only which details changed."""
    changes = DetailsChange.objects.filter(child=child).select_related("changed_by", "referral")
    return [
        {
            "changed_at": iso_datetime(c.changed_at),
            "what": f"{c.get_section_display()}: {c.field.replace('_', ' ')}",
            "before": c.before,
            "after": c.after,
            "reason": c.reason,
            "by": staff(c.changed_by),
            "referral": c.referral.reference if c.referral_id else None,
        }
        for c in changes.order_by("changed_at", "id")
    ]


def _audit_trail(child: Child, referrals: list[Referral]) -> list[dict[str, Any]]:
    child_ids = [child.pk, *child.merged_records.values_list("pk", flat=True)]
    events = (
        AuditEvent.objects.for_child(child_ids, [r.pk for r in referrals])
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    return [
        {
            "when": iso_datetime(e.occurred_at),
            "who": staff(e.actor) if e.actor is not None else e.actor_label,
            "action": e.action,
            "record": f"{e.object_type} {e.object_id}".strip(),
            "reason": e.reason,
        }
        for e in events
    ]


def gather(child: Child, *, generated_by, reason: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything held about this child, in the export's shape. Reads only: the caller checks and audits."""
    referrals = _referrals(child)
    episodes = _episodes(child)
    by_referral: dict[str, list[dict[str, Any]]] = {key: [] for key, _title, _layout in SECTIONS}
    for referral in referrals:
        by_referral["referrals"].append(_referral(child, referral))
        by_referral["invitations"] += [_invitation(referral, i) for i in referral.invitations.all()]
        by_referral["appointments"] += [_appointment(referral, a) for a in referral.appointments.all()]
        by_referral["attendance_flags"] += [_attendance_flag(referral, f) for f in referral.attendance_flags.all()]
        by_referral["group_enrolments"] += [_group_enrolment(referral, e) for e in referral.group_enrolments.all()]
        by_referral["group_attendance"] += [_group_attendance(referral, g) for g in referral.group_attendances.all()]
        by_referral["clinical_notes"] += [_note(referral, n) for n in referral.clinical_notes.all()]
        by_referral["advice_packs"] += [_advice_pack(referral, p) for p in referral.advice_packs.all()]
        by_referral["letters"] += [_letter(referral, letter) for letter in referral.letters.all()]
        by_referral["attachments"] += [_attachment(referral, a) for a in referral.attachments.all()]
    sections = {
        **by_referral,
        "parents_carers": [_parent_carer(p) for p in child.parent_carers.order_by("created_at", "id")],
        "merged_records": _merged_records(child),
        "previous_details": _previous_details(child),
        "episodes": [_episode(e) for e in episodes],
        "messages": _messages(referrals, episodes),
        "alerts": _alerts(child),
        "record_restrictions": _restrictions(child),
        "audit_trail": _audit_trail(child, referrals),
    }
    return {
        "format": FORMAT,
        "generated_at": iso_datetime(now or timezone.now()),
        "generated_by": staff(generated_by),
        "reason": reason,
        "child": child_details(child),
        "sections": {key: sections[key] for key, _title, _layout in SECTIONS},
    }


def section_counts(data: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(key, heading, how many) for each section, in order: what the page says will be exported."""
    return [(key, title, len(data["sections"][key])) for key, title, _layout in SECTIONS]
