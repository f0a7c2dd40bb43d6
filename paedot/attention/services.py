"""The "Needs attention" worklist: what has waited past the service's limits, so nothing clinically important waits
unseen (hazards H06 and H11), and the team leads' daily digest of it.

Everything is read through Referral.objects.visible_to(user): another locality's child or a restricted record is
never listed, nor counted, for someone who may not open it. Each section costs a fixed number of queries (a count
and the oldest SHOWN rows, with what the table shows joined in), however long the list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction
from django.db.models import Count, DateField, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone

from paedot.alerts.models import Alert
from paedot.alerts.presenters import category_words
from paedot.appointments.models import Appointment, AttendanceFlag, Kind
from paedot.attention import rules
from paedot.attention.policy import AttentionPolicy, policy_on
from paedot.core.presenters import format_date
from paedot.diaries.models import ClosureDay
from paedot.diaries.rules import LONDON
from paedot.diaries.services import school_calendar_known_until
from paedot.directory.models import BankHoliday
from paedot.groups.models import Enrolment, GroupAttendance
from paedot.letters.models import CLINICAL_KINDS, Letter
from paedot.letters.rules import posts_any_letter
from paedot.notifications.models import Message, MessageStatus
from paedot.referrals.models import Priority, Referral, Status
from paedot.staff.models import Role, User
from paedot.staff.rules import Action, may

OUTCOME_CAP = 5000  # past appointments with no outcome are checked referral by referral up to this many
SHOWN = 100  # each section lists its oldest SHOWN items and says how many more there are


class Scope(StrEnum):
    MINE = "mine"  # a clinician's caseload, diary and allocated children
    ALL = "all"  # everyone this person may see


@dataclass(frozen=True)
class SectionInfo:
    code: str
    title: str
    empty: str


FLAGS = SectionInfo("was_not_brought", "Missed appointments to review", "No open \u201cwas not brought\u201d flags.")
OUTCOMES = SectionInfo(
    "outcomes_not_recorded",
    "Appointments with no outcome recorded",
    "Every past appointment and group register has its outcomes.",
)
SCREENING = SectionInfo(
    "screening", "Referrals waiting too long for screening", "No referral has waited past the screening limit."
)
TRIAGE = SectionInfo("triage", "Referrals waiting too long for triage", "No referral has waited past the triage limit.")
WAITING = SectionInfo(
    "waiting_over_target", "Children waiting longer than their priority's target", "No child is over their target."
)
# Alerts on a child (paedot/alerts) past their review date: for the child's clinician, admin staff and team leads.
ALERTS = SectionInfo(
    "alerts_to_review",
    "Alerts past their review date",
    "No alert in force is past its review date.",
)
MESSAGES = SectionInfo(
    "messages_failed",
    "Messages to families that failed",
    "No email or text message to a family has failed.",
)
# About the service, not a child: for the team leads and admin staff who run the rota (Action.MANAGE_DIARIES).
SCHOOL_CALENDAR = SectionInfo(
    "school_calendar",
    "School holidays held running out",
    "The school holidays held run far enough ahead.",
)
# For the admin staff and team leads who post the service's letters (paedot/letters/posting.py).
LETTERS = SectionInfo(
    "letters_not_posted",
    "Letters not yet posted",
    "Every letter issued has been posted within the limit.",
)
SECTIONS = (FLAGS, OUTCOMES, SCREENING, TRIAGE, WAITING, ALERTS, MESSAGES, LETTERS, SCHOOL_CALENDAR)
# Who sees every child's alerts due for review (among those they may see); others only their own children's.
ALERT_REVIEWERS_OF_ANY_CHILD = frozenset({Role.TEAM_LEAD, Role.CLINICAL_ADMIN})


@dataclass(frozen=True)
class Item:
    finding: rules.Finding
    link: str  # where the thing is put right: the flag on the referral page, the appointment, the register...
    action: str  # the link's words
    reference: str | None = None  # none for a group session: its children are on its register
    child_name: str = ""
    what: str = ""  # a group session's programme, or an appointment's kind
    clinician: User | None = None
    priority: str = ""
    status: str = ""

    @property
    def code(self) -> str:
        return self.finding.code


@dataclass(frozen=True)
class Section:
    info: SectionInfo
    count: int
    items: list[Item] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.info.code

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


def default_scope(user) -> Scope:
    """OTs and assistants start with their own work; team leads and admin staff with everyone they can see."""
    return Scope.MINE if getattr(user, "role", None) in (Role.OT, Role.OTA) else Scope.ALL


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)


# When a referral started waiting where it is now: the status change (screening's acceptance, information coming
# back), or the day it was received when it has not moved since.
WAITING_SINCE = Coalesce(TruncDate("status_changed_at", tzinfo=LONDON), F("received_date"), output_field=DateField())


@dataclass(frozen=True)
class _Lists:
    """Each section's rows, as querysets in the order they are listed."""

    user: User
    scope: Scope
    today: dt.date
    policy: AttentionPolicy

    @property
    def visible(self) -> QuerySet[Referral]:
        visible = Referral.objects.visible_to(self.user)
        return visible.filter(clinician=self.user) if self.scope == Scope.MINE else visible

    def flags(self) -> QuerySet[AttendanceFlag]:
        return (
            AttendanceFlag.objects.filter(state=AttendanceFlag.State.OPEN, referral__in=self.visible)
            .select_related("referral__child", "referral__clinician")
            .order_by("created_at", "id")
        )

    def _past_appointments(self) -> QuerySet[Appointment]:
        # Started before today too (as anything that ended before today did): the bound the appointments' partial
        # index of those still needing an outcome is read by, so only past ones are read, oldest first.
        midnight = start_of(self.today)
        diary = Appointment.objects.filter(cancelled=False, start__lt=midnight, end__lt=midnight)
        return diary.filter(clinician=self.user) if self.scope == Scope.MINE else diary

    def appointments(self) -> QuerySet[Appointment]:
        """One-to-one appointments that ended before today and have no outcome."""
        visible = Referral.objects.visible_to(self.user)
        # Few past appointments lack an outcome, but the planner cannot know it (every future booking has none yet)
        # and joined every referral this person may see: 300 ms at a million referrals. Their referrals are read
        # first (the partial index of appointments needing an outcome), and only those are checked.
        waiting_for_outcome = self._past_appointments().filter(outcome="", referral__isnull=False)
        # Oldest first, as that index is ordered (DISTINCT would have walked every appointment by referral instead).
        found = list(waiting_for_outcome.order_by("start").values_list("referral_id", flat=True)[: OUTCOME_CAP + 1])
        if len(found) <= OUTCOME_CAP:
            visible = visible.filter(pk__in=set(found))
        return (
            self._past_appointments()
            .filter(outcome="", referral__in=visible)
            .select_related("referral__child", "clinician")
            .order_by("start", "id")
        )

    def registers(self) -> QuerySet[Appointment]:
        """Group sessions that ended before today where a child on the register (one this person may see, with a
        place before the session ended) has no outcome; annotated with how many."""
        recorded = GroupAttendance.objects.filter(
            appointment=OuterRef(OuterRef("pk")), referral=OuterRef("referral")
        ).exclude(outcome="")
        missing = (
            Enrolment.objects.filter(
                programme=OuterRef("programme"),
                referral__in=Referral.objects.visible_to(self.user),
                created_at__lt=OuterRef("end"),
            )
            .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=OuterRef("start")))
            .filter(~Exists(recorded))
            .order_by()
            .values("programme")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self._past_appointments()
            .filter(kind=Kind.GROUP, programme__isnull=False)
            .annotate(missing=Coalesce(Subquery(missing[:1], output_field=IntegerField()), Value(0)))
            .filter(missing__gt=0)
            .select_related("programme", "clinician")
            .order_by("start", "id")
        )

    def screening(self) -> QuerySet[Referral]:
        policy = self.policy
        return (
            self.visible.filter(status__in=(Status.RECEIVED, Status.INFORMATION_REQUESTED))
            .annotate(waiting_since=WAITING_SINCE)
            .filter(
                Q(
                    status=Status.RECEIVED,
                    waiting_since__lte=rules.latest_date_over(self.today, policy.screening_days),
                )
                | Q(
                    status=Status.INFORMATION_REQUESTED,
                    waiting_since__lte=rules.latest_date_over(self.today, policy.information_requested_days),
                )
            )
            .select_related("child", "clinician")
            .order_by("waiting_since", "received_date", "id")
        )

    def triage(self) -> QuerySet[Referral]:
        return (
            self.visible.filter(status=Status.ACCEPTED)
            .annotate(waiting_since=WAITING_SINCE)
            .filter(waiting_since__lte=rules.latest_date_over(self.today, self.policy.triage_days))
            .select_related("child", "clinician")
            .order_by("waiting_since", "received_date", "id")
        )

    def failed_messages(self) -> QuerySet[Message]:
        """Emails and texts to a child's family that failed after their last try and nobody has dealt with: the
        family has not been told (hazard H12). Only for those who may see the outbox (paedot/notifications)."""
        if not may(self.user, Action.VIEW_MESSAGES):
            return Message.objects.none()
        return (
            Message.objects.filter(status=MessageStatus.FAILED, to_parent_carer=True, referral__in=self.visible)
            .select_related("referral__child", "referral__clinician")
            .defer("body", "attachment")
            .order_by("created_at", "id")
        )

    def waiting(self) -> QuerySet[Referral]:
        """Over their priority's target, in waiting-list order (urgent first, then the longest wait)."""
        over = Q()
        for priority in Priority.values:
            latest = rules.latest_date_over(self.today, self.policy.target_for(priority))
            over |= Q(priority=priority, received_date__lte=latest)
        return self.visible.on_waiting_list().filter(over).select_related("child", "clinician")

    def alerts_to_review(self) -> QuerySet[Alert]:
        """Alerts in force past their review date (from the day after it) on children with an open referral: a
        team lead's or admin's for every child they may see (or their own, asked for theirs), a clinician's for the
        children allocated to them. Each carries the referral it is reached through (the latest such)."""
        if not may(self.user, Action.MANAGE_ALERTS):
            return Alert.objects.none()
        referrals = self.visible
        if getattr(self.user, "role", None) not in ALERT_REVIEWERS_OF_ANY_CHILD:
            referrals = Referral.objects.visible_to(self.user).filter(clinician=self.user)
        referrals = referrals.open()
        children = referrals.values("child_id")
        through = referrals.filter(
            Q(child_id=OuterRef("child_id")) | Q(child_id=OuterRef("child__merged_into_id"))
        ).order_by("-received_at", "-id")
        return (
            Alert.objects.in_force()
            .filter(review_on__lt=self.today)
            .filter(Q(child_id__in=children) | Q(child__merged_into_id__in=children))
            .annotate(referral_pk=Subquery(through.values("pk")[:1]))
            .order_by("review_on", "id")
        )

    def alerts(self, shown: int) -> tuple[int, list[Item]]:
        """The count and the oldest `shown` alerts due for review, each with its child's referral: a count, then
        (when there are any) the rows and their referrals, whatever the length."""
        found = self.alerts_to_review()
        count = found.count()
        if not count:
            return 0, []
        alerts = list(found[:shown])
        referrals = Referral.objects.select_related("child", "clinician").in_bulk(
            {alert.referral_pk for alert in alerts}
        )
        return count, [_alert_item(alert, referrals[alert.referral_pk], self.today) for alert in alerts]

    def closed_days(self, since: dt.date) -> frozenset[dt.date]:
        """Bank holidays and service closure days from `since` to today, in one query: the days no letter is posted."""
        holidays = BankHoliday.objects.filter(date__range=(since, self.today)).order_by().values_list("date", flat=True)
        closures = ClosureDay.objects.filter(date__range=(since, self.today)).order_by().values_list("date", flat=True)
        return frozenset(holidays.union(closures))

    def letters_not_posted(self, closed: frozenset[dt.date]) -> QuerySet[Letter]:
        """Letters issued more than the policy's working days ago and still not posted, oldest first: for those who
        post any letter (admin staff and team leads), of the referrals they may see. `closed`: the bank holidays and
        closure days back to closed_days_window, enough to find the cut-off."""
        if not posts_any_letter(getattr(self.user, "role", None)):
            return Letter.objects.none()
        latest = rules.latest_issue_date_over(self.today, self.policy.letters_to_post_working_days, closed)
        letters = Letter.objects.filter(referral__in=self.visible)
        if not may(self.user, Action.VIEW_CLINICAL_RECORD):
            letters = letters.exclude(kind__in=CLINICAL_KINDS)
        return (
            letters.filter(posted_at__isnull=True, created_at__lt=start_of(latest + dt.timedelta(days=1)))
            .select_related("referral__child", "referral__clinician")
            .defer("html")
            .order_by("created_at", "id")
        )

    def letters(self, shown: int) -> tuple[int, list[Item]]:
        """The count and the oldest `shown` letters not posted, each with its working days: the closure days back to
        the oldest shown are read once more only when it is older than the window read for the cut-off."""
        window = rules.closed_days_window(self.today, self.policy.letters_to_post_working_days)
        closed = self.closed_days(window)
        found = self.letters_not_posted(closed)
        count = found.count()
        letters = list(found[:shown]) if count else []
        oldest = timezone.localdate(letters[0].created_at) if letters else window
        if oldest < window:
            closed = self.closed_days(oldest)
        return count, [_letter_item(letter, self.today, self.policy, closed) for letter in letters]

    def school_calendar(self) -> list[Item]:
        """The school holidays held, when they run out within the policy's warning time (hazard H16): one item or
        none, in one query. Whoever's work is shown: it is the service's, not a caseload's."""
        if not may(self.user, Action.MANAGE_DIARIES):
            return []
        finding = rules.school_calendar_finding(
            known_until=school_calendar_known_until(), today=self.today, ahead=self.policy.school_calendar_warning_days
        )
        if finding is None:
            return []
        return [
            Item(
                finding=finding,
                link=reverse("diaries:manage_closures") + "#school-holidays",
                action="See the school holidays held",
                what="School holidays (the whole service)",
            )
        ]


# Turning rows into items ---------------------------------------------------------------------------------------


def _referral_link(referral: Referral, anchor: str = "") -> str:
    return reverse("referrals:show_referral", args=[referral.reference]) + anchor


def _flag_item(flag: AttendanceFlag, today: dt.date) -> Item:
    referral = flag.referral
    return Item(
        finding=rules.flag_finding(raised_on=timezone.localdate(flag.created_at), reason=flag.reason, today=today),
        link=_referral_link(referral, f"#attendance-flag-{flag.pk}"),
        action="Review the missed appointments",
        reference=referral.reference,
        child_name=referral.child.full_name,
        clinician=referral.clinician,
    )


def _appointment_item(appointment: Appointment, today: dt.date) -> Item:
    referral = appointment.referral
    what = appointment.get_kind_display()
    return Item(
        finding=rules.outcome_finding(what=what, starts=appointment.start.astimezone(LONDON), today=today),
        link=reverse("appointments:show_appointment", args=[appointment.pk]),
        action="Record the outcome",
        reference=referral.reference,
        child_name=referral.child.full_name,
        what=what,
        clinician=appointment.clinician,
    )


def _register_item(session: Appointment, today: dt.date) -> Item:
    name = session.programme.name
    return Item(
        finding=rules.register_finding(
            programme=name, starts=session.start.astimezone(LONDON), missing=session.missing, today=today
        ),
        link=reverse("groups:show_register", args=[session.programme_id, session.pk]),
        action="Complete the register",
        what=name,
        clinician=session.clinician,
    )


def _screening_item(referral: Referral, today: dt.date, policy: AttentionPolicy) -> Item:
    if referral.status == Status.INFORMATION_REQUESTED:
        finding = rules.information_finding(
            requested_on=referral.waiting_since, today=today, limit=policy.information_requested_days
        )
    else:
        finding = rules.screening_finding(
            since=referral.waiting_since,
            came_back=referral.status_changed_at is not None,
            today=today,
            limit=policy.screening_days,
        )
    return _referral_item(referral, finding, action="Open the referral")


def _referral_item(referral: Referral, finding: rules.Finding, *, action: str, link: str = "") -> Item:
    return Item(
        finding=finding,
        link=link or _referral_link(referral),
        action=action,
        reference=referral.reference,
        child_name=referral.child.full_name,
        clinician=referral.clinician,
        priority=referral.priority,
        status=referral.status,
    )


def _triage_item(referral: Referral, today: dt.date, policy: AttentionPolicy) -> Item:
    finding = rules.triage_finding(accepted_on=referral.waiting_since, today=today, limit=policy.triage_days)
    return _referral_item(
        referral, finding, action="Triage", link=reverse("triage:triage_referral", args=[referral.reference])
    )


def _waiting_item(referral: Referral, today: dt.date, policy: AttentionPolicy) -> Item:
    finding = rules.wait_finding(
        priority_label=referral.get_priority_display(),
        received_on=referral.received_date,
        today=today,
        target=policy.target_for(referral.priority),
    )
    return _referral_item(referral, finding, action="Open the referral")


def _alert_item(alert: Alert, referral: Referral, today: dt.date) -> Item:
    what = category_words(alert.category)
    return Item(
        finding=rules.alert_review_finding(what=what, review_on=alert.review_on, today=today),
        link=reverse("alerts:referral_alerts", args=[referral.reference]) + f"#alert-{alert.pk}",
        action="Review the alert",
        reference=referral.reference,
        child_name=referral.child.full_name,
        what=what,
        clinician=referral.clinician,
        status=referral.status,
    )


def _message_item(message: Message, today: dt.date) -> Item:
    referral = message.referral
    what = message.get_channel_display()
    finding = rules.message_finding(
        what=what, queued_on=timezone.localdate(message.created_at), attempts=message.attempts, today=today
    )
    return Item(
        finding=finding,
        link=reverse("notifications:show_message", args=[message.pk]),
        action="Open the message",
        reference=referral.reference,
        child_name=referral.child.full_name,
        what=what,
        clinician=referral.clinician,
        status=referral.status,
    )


def _letter_item(letter: Letter, today: dt.date, policy: AttentionPolicy, closed: frozenset[dt.date]) -> Item:
    referral = letter.referral
    what = letter.get_kind_display()
    finding = rules.letter_finding(
        what=f"{what} letter",
        issued_on=timezone.localdate(letter.created_at),
        today=today,
        limit=policy.letters_to_post_working_days,
        closed=closed,
    )
    return Item(
        finding=finding,
        link=reverse("letters:list_letters") + f"#letter-{letter.pk}",
        action="Post the letter",
        reference=referral.reference,
        child_name=referral.child.full_name,
        what=what,
        clinician=referral.clinician,
        status=referral.status,
    )


def _oldest_first(*items: list[Item], shown: int) -> list[Item]:
    return sorted((i for group in items for i in group), key=lambda i: i.finding.since)[:shown]


@dataclass(frozen=True)
class Worklist:
    scope: Scope
    today: dt.date
    policy: AttentionPolicy
    sections: list[Section]

    @property
    def total(self) -> int:
        return sum(section.count for section in self.sections)


def needs_attention(user, *, scope: Scope | None = None, today: dt.date | None = None, shown: int = SHOWN) -> Worklist:
    """Every section for this person, in order, each with its count and its oldest `shown` items."""
    today = today or timezone.localdate()
    policy = policy_on(today)
    scope = scope or default_scope(user)
    lists = _Lists(user=user, scope=scope, today=today, policy=policy)
    appointments = lists.appointments()
    registers = lists.registers()
    sections = [
        Section(FLAGS, lists.flags().count(), [_flag_item(f, today) for f in lists.flags()[:shown]]),
        Section(
            OUTCOMES,
            appointments.count() + registers.count(),
            _oldest_first(
                [_appointment_item(a, today) for a in appointments[:shown]],
                [_register_item(s, today) for s in registers[:shown]],
                shown=shown,
            ),
        ),
        Section(
            SCREENING, lists.screening().count(), [_screening_item(r, today, policy) for r in lists.screening()[:shown]]
        ),
        Section(TRIAGE, lists.triage().count(), [_triage_item(r, today, policy) for r in lists.triage()[:shown]]),
        Section(WAITING, lists.waiting().count(), [_waiting_item(r, today, policy) for r in lists.waiting()[:shown]]),
    ]
    if may(user, Action.MANAGE_ALERTS):
        count, alerts = lists.alerts(shown)
        sections.append(Section(ALERTS, count, alerts))
    if may(user, Action.VIEW_MESSAGES):
        failed = lists.failed_messages()
        sections.append(Section(MESSAGES, failed.count(), [_message_item(m, today) for m in failed[:shown]]))
    if posts_any_letter(getattr(user, "role", None)) and may(user, Action.RECORD_LETTER_POSTED):
        count, letters = lists.letters(shown)
        sections.append(Section(LETTERS, count, letters))
    if may(user, Action.MANAGE_DIARIES):
        calendar = lists.school_calendar()
        sections.append(Section(SCHOOL_CALENDAR, len(calendar), calendar[:shown]))
    return Worklist(scope=scope, today=today, policy=policy, sections=sections)


def section_counts(user, *, scope: Scope = Scope.ALL, today: dt.date | None = None) -> dict[str, int]:
    """How many items each section has: counts only, for the digest."""
    today = today or timezone.localdate()
    policy = policy_on(today)
    lists = _Lists(user=user, scope=scope, today=today, policy=policy)
    posts_letters = posts_any_letter(getattr(user, "role", None)) and may(user, Action.RECORD_LETTER_POSTED)
    return {
        FLAGS.code: lists.flags().count(),
        OUTCOMES.code: lists.appointments().count() + lists.registers().count(),
        SCREENING.code: lists.screening().count(),
        TRIAGE.code: lists.triage().count(),
        WAITING.code: lists.waiting().count(),
        **({ALERTS.code: lists.alerts_to_review().count()} if may(user, Action.MANAGE_ALERTS) else {}),
        **({MESSAGES.code: lists.failed_messages().count()} if may(user, Action.VIEW_MESSAGES) else {}),
        **(
            {
                LETTERS.code: lists.letters_not_posted(
                    lists.closed_days(rules.closed_days_window(today, policy.letters_to_post_working_days))
                ).count()
            }
            if posts_letters
            else {}
        ),
        **({SCHOOL_CALENDAR.code: len(lists.school_calendar())} if may(user, Action.MANAGE_DIARIES) else {}),
    }


# The team leads' daily digest ----------------------------------------------------------------------------------


def digest_reference(lead: User, today: dt.date) -> str:
    return f"attention-digest:{lead.pk}:{today.isoformat()}"


def digest_body(counts: dict[str, int], today: dt.date) -> str:
    """Counts and a link only: no child's name or reference leaves the system in an email."""
    lines = [
        f"On {format_date(today)}, these are over the service's limits for the children you can see:",
        "",
        *(f"- {info.title}: {counts[info.code]}" for info in SECTIONS if info.code in counts),
        "",
        f"See the list: {reverse('attention:show_attention')}?scope=all",
    ]
    return "\n".join(lines)


def send_attention_digests(today: dt.date | None = None) -> int:
    """The daily job: each active team lead with an email address, and something over its limit among the children
    they can see, is emailed the counts. One message per lead per day, however often it runs. Returns how many."""
    from paedot.notifications.models import Message
    from paedot.notifications.services import queue_message

    today = today or timezone.localdate()
    queued = 0
    for lead in User.objects.filter(role=Role.TEAM_LEAD, is_active=True).exclude(email="").order_by("pk"):
        reference = digest_reference(lead, today)
        if Message.objects.filter(reference=reference, channel="email").exists():
            continue  # sent already today
        counts = section_counts(lead, scope=Scope.ALL, today=today)
        total = sum(counts.values())
        if not total:
            continue
        with transaction.atomic():
            queue_message(
                channel="email",
                recipient=lead.email,
                subject=f"Needs attention: {total} {'item' if total == 1 else 'items'} over the service's limits",
                body=digest_body(counts, today),
                reference=reference,
            )
        queued += 1
    return queued
