"""The waiting list (who waits, in what order, how long), the expected wait, and invitations to book."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from paedot.core.audit import record_event
from paedot.letters.models import Kind
from paedot.letters.services import family_recipient, issue_letter
from paedot.referrals.models import PRIORITY_RANK, Priority, Referral, Status
from paedot.referrals.services.journey import TransitionRefused, discharge_referral, move_referral, require
from paedot.staff.rules import Action
from paedot.waiting_list import rules
from paedot.waiting_list.models import Invitation, InvitationPolicy


@dataclass(frozen=True)
class WaitingListFilters:
    locality: str = ""
    priority: str = ""
    pathway: str = ""
    age_band: str = ""
    setting: str = ""
    band: str = ""


def waiting_list(filters: WaitingListFilters, *, today: dt.date | None = None, within=None):
    """Every triaged referral whose clock is running, in waiting-list order, filtered.

    `within` is the referrals the caller may see (a page passes Referral.objects.visible_to(user)).
    """
    today = today or timezone.localdate()
    base = within if within is not None else Referral.objects.all()
    queryset = base.on_waiting_list().select_related("child", "clinician")
    if filters.locality:
        queryset = queryset.filter(locality=filters.locality)
    if filters.priority in Priority.values:
        # By rank, so the filter rides the waiting list's index (priority_rank, received_date, id).
        queryset = queryset.filter(priority_rank=PRIORITY_RANK[Priority(filters.priority)])
    if filters.pathway:
        queryset = queryset.filter(pathway=filters.pathway)
    if filters.setting:
        queryset = queryset.filter(first_setting=filters.setting)
    if filters.age_band:
        earliest, latest = rules.date_of_birth_range(filters.age_band, today)
        queryset = queryset.filter(child__date_of_birth__lte=latest)
        if earliest:
            queryset = queryset.filter(child__date_of_birth__gte=earliest)
    if filters.band:
        first = rules.first_day_of_band(filters.band)
        last = rules.last_day_of_band(filters.band)
        queryset = queryset.filter(received_date__lte=today - dt.timedelta(days=first))
        if last is not None:
            queryset = queryset.filter(received_date__gte=today - dt.timedelta(days=last))
    return queryset


def page_of(queryset: QuerySet[Referral], start: int, size: int) -> list[Referral]:
    """The `size` rows from `start` of the (ordered) list. Deep in the list, the page's ids come first, read from the
    waiting list's index alone past the rows before it, then only those rows are read whole: OFFSET over whole rows
    read and joined every row it skipped (344 ms for the last page at a million referrals)."""
    if start <= 0:
        return list(queryset[:size])
    ids = list(queryset.values_list("pk", flat=True)[start : start + size])
    return list(queryset.filter(pk__in=ids)) if ids else []


def left_queue_recently(today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(weeks=rules.THROUGHPUT_WEEKS), dt.time()))
    return Referral.objects.filter(left_queue_at__gte=since).count()


def queue_ahead_of(priority: str, received_date: dt.date) -> int:
    """Children still queueing (waiting or invited) who would be reached first."""
    rank = PRIORITY_RANK[Priority(priority)]
    return (
        Referral.objects.filter(status__in=(Status.WAITING, Status.INVITED))
        .filter(Q(priority_rank__lt=rank) | Q(priority_rank=rank, received_date__lte=received_date))
        .count()
    )


def expected_wait_for_new_referral(today: dt.date | None = None) -> rules.ExpectedWait:
    """A routine referral received today joins the end of the queue."""
    today = today or timezone.localdate()
    return rules.expected_wait(
        ahead=queue_ahead_of(Priority.ROUTINE, today), left_queue_last_12_weeks=left_queue_recently(today)
    )


# The expected wait moves by a child or two a day; every acknowledgement letter quotes it, and counting the queue
# for each one cost 6 ms of a referral's intake at a million referrals (two counts over the waiting list).
EXPECTED_WAIT_CACHE_SECONDS = 60


def recent_expected_wait_for_new_referral(today: dt.date | None = None) -> rules.ExpectedWait:
    """expected_wait_for_new_referral as counted within the last minute (for letters; pages count it afresh)."""
    today = today or timezone.localdate()
    key = f"waiting_list:expected_wait:{today.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = expected_wait_for_new_referral(today)
        cache.set(key, found, EXPECTED_WAIT_CACHE_SECONDS)
    return found


def expected_wait_for(referral: Referral, today: dt.date | None = None) -> rules.ExpectedWait:
    ahead = queue_ahead_of(referral.priority or Priority.ROUTINE, referral.received_date)
    if referral.status in (Status.WAITING, Status.INVITED):
        ahead -= 1  # the referral itself
    return rules.expected_wait(ahead=max(ahead, 0), left_queue_last_12_weeks=left_queue_recently(today))


# Invitations ---------------------------------------------------------------------------------------------------


def invite_to_book(*, referral: Referral, invited_by, today: dt.date | None = None) -> Invitation:
    """Invite the family to call or reply to book, by a deadline from the invitation policy."""
    require(invited_by, Action.INVITE)
    today = today or timezone.localdate()
    policy = InvitationPolicy.in_force(today)
    times = rules.invitation_times(today, policy.reply_days)
    with transaction.atomic():
        moved = move_referral(
            referral=referral,
            to=Status.INVITED,
            actor=invited_by,
            action="referral.invited",
            detail={"deadline": times.deadline.isoformat()},
        )
        invitation = Invitation.objects.create(
            referral=moved,
            sent_on=today,
            deadline=times.deadline,
            reminder_on=times.reminder_on,
            reply_days=policy.reply_days,
            invited_by=invited_by,
        )
        issue_letter(
            referral=moved,
            kind=Kind.INVITATION,
            template="waiting_list/letters/invitation.jinja",
            subject="Please contact us to book an appointment",
            recipients=[family_recipient(moved)],
            context={"invitation": invitation},
            issued_by=invited_by,
        )
    return invitation


def current_invitation(referral: Referral) -> Invitation | None:
    return referral.invitations.exclude(state=Invitation.State.CLOSED).order_by("-sent_on", "-id").first()


def record_booking(*, referral: Referral, recorded_by, note: str = "") -> Referral:
    """The family replied and an appointment was booked. The clock runs on until the first appointment is attended."""
    require(recorded_by, Action.RECORD_BOOKING)
    with transaction.atomic():
        moved = move_referral(
            referral=referral, to=Status.BOOKED, actor=recorded_by, action="referral.booked", reason=note.strip()
        )
        Invitation.objects.filter(referral=moved, state__in=(Invitation.State.OPEN, Invitation.State.NO_REPLY)).update(
            state=Invitation.State.REPLIED, updated_at=timezone.now()
        )
    return moved


def extend_invitation(*, invitation: Invitation, days: int, reason: str, decided_by, today: dt.date | None = None):
    """A clinician gives the family longer to reply."""
    require(decided_by, Action.DECIDE_NO_REPLY)
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Give the reason for extending the deadline.")
    if not 1 <= days <= 90:
        raise ValueError("Extend by 1 to 90 days.")
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state not in (Invitation.State.OPEN, Invitation.State.NO_REPLY):
            raise TransitionRefused("This invitation is closed: the family replied or the child was discharged.")
        invitation.deadline = max(invitation.deadline, today) + dt.timedelta(days=days)
        invitation.state = Invitation.State.OPEN
        invitation.times_extended += 1
        invitation.decided_by = decided_by
        invitation.decision_reason = reason
        invitation.save()
        record_event(
            action="invitation.extended",
            actor=decided_by,
            target=invitation.referral,
            reason=reason,
            detail={"invitation": invitation.pk, "deadline": invitation.deadline.isoformat()},
        )
    return invitation


def discharge_for_no_reply(*, invitation: Invitation, reason: str, decided_by) -> Referral:
    """A clinician discharges a child whose family did not reply; family, referrer and GP get a letter."""
    require(decided_by, Action.DECIDE_NO_REPLY)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("referral").get(pk=invitation.pk)
        if invitation.state != Invitation.State.NO_REPLY:
            raise TransitionRefused("Only an invitation with no reply by its deadline can lead to this discharge.")
        referral = discharge_referral(referral=invitation.referral, reason=reason, discharged_by=decided_by)
        invitation.state = Invitation.State.CLOSED
        invitation.decided_by = decided_by
        invitation.decision_reason = reason.strip()
        invitation.save()
    return referral


@dataclass(frozen=True)
class InvitationRun:
    reminders_sent: int
    marked_no_reply: int


def process_invitations(*, today: dt.date | None = None) -> InvitationRun:
    """The daily timing: reminders at half time, and no reply after the deadline. Safe to run more than once a day."""
    today = today or timezone.localdate()
    # A child discharged (from the referral's page) while invited needs no reminder and is no one's decision on the
    # no-reply list: close those invitations first.
    Invitation.objects.filter(
        state__in=(Invitation.State.OPEN, Invitation.State.NO_REPLY), referral__status=Status.DISCHARGED
    ).update(state=Invitation.State.CLOSED, updated_at=timezone.now())
    reminders = 0
    for invitation in Invitation.objects.open().filter(
        referral__status=Status.INVITED, reminded_on__isnull=True, reminder_on__lte=today, deadline__gte=today
    ):
        with transaction.atomic():
            locked = Invitation.objects.select_for_update().select_related("referral").get(pk=invitation.pk)
            if not rules.reminder_due(
                reminder_on=locked.reminder_on, today=today, reminded=locked.reminded_on is not None
            ):
                continue
            if locked.state != Invitation.State.OPEN:
                continue
            locked.reminded_on = today
            locked.save(update_fields=["reminded_on", "updated_at"])
            issue_letter(
                referral=locked.referral,
                kind=Kind.INVITATION_REMINDER,
                template="waiting_list/letters/reminder.jinja",
                subject="Reminder: please contact us to book an appointment",
                recipients=[family_recipient(locked.referral)],
                context={"invitation": locked},
            )
            reminders += 1
    overdue = 0
    for invitation in Invitation.objects.open().filter(referral__status=Status.INVITED, deadline__lt=today):
        with transaction.atomic():
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.state != Invitation.State.OPEN or not rules.reply_overdue(deadline=locked.deadline, today=today):
                continue
            locked.state = Invitation.State.NO_REPLY
            locked.save(update_fields=["state", "updated_at"])
            record_event(
                action="invitation.no_reply",
                actor_label="process_invitations",
                target=locked.referral,
                detail={"invitation": locked.pk, "deadline": locked.deadline.isoformat()},
            )
            overdue += 1
    return InvitationRun(reminders_sent=reminders, marked_no_reply=overdue)
