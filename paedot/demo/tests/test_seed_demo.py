import datetime as dt
from collections import Counter, defaultdict
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.utils import timezone

from paedot.appointments.models import Appointment, AppointmentSeries, AttendanceFlag, Kind, Outcome
from paedot.core.identifiers import is_valid_nhs_number
from paedot.demo.diaries import CDC
from paedot.demo.journeys import DEFAULT_COUNT, STAGES, plan_counts
from paedot.diaries.models import SCHOOL_KINDS, Absence, ClosureDay, Location, LocationKind, Room, WorkingDay
from paedot.diaries.rules import LONDON
from paedot.directory.models import BankHoliday
from paedot.groups.models import Enrolment, GroupAttendance, GroupProgramme
from paedot.notifications.models import Message
from paedot.referrals.models import Priority, Referral, Status
from paedot.staff.models import Locality, Role, User
from paedot.staff.services import authenticate_token
from paedot.waiting_list import rules
from paedot.waiting_list.models import Invitation
from paedot.waiting_list.services import expected_wait_for_new_referral

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_service(django_db_setup, django_db_blocker):
    """The whole default demo, made once for this module (it takes a while) and removed afterwards."""
    with django_db_blocker.unblock():
        from django.db import transaction

        out = StringIO()
        with transaction.atomic():
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)


def test_every_role_has_a_demo_account_and_the_sign_ins_are_printed(demo_service):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert "demo-password-2026" in demo_service
    for username in ("admin", "ot", "ota", "lead", "auditor", "sysadmin", "ot-east-1", "ota-west"):
        assert f"  {username:<10} " in demo_service
    assert User.objects.get(username="admin").check_password("demo-password-2026")
    assert User.objects.get(username="ot-west-2").check_password("demo-password-2026")
    assert authenticate_token("pot_demo-partner-system-token-not-a-secret").role == Role.PARTNER_SYSTEM


def test_clinicians_cover_every_locality_and_assistants_have_a_supervising_ot(demo_service):
    for locality in Locality.values:
        ots = [u for u in User.objects.filter(role=Role.OT) if locality in u.localities]
        assert len(ots) >= 2, locality
    assistants = list(User.objects.filter(role=Role.OTA))
    assert len(assistants) >= 4
    assert all(a.supervisor is not None and a.supervisor.role == Role.OT for a in assistants)


def test_the_waiting_list_has_several_hundred_children_across_localities_priorities_and_bands(demo_service):
    today = timezone.localdate()
    waiting = list(Referral.objects.on_waiting_list())
    assert 400 <= len(waiting) <= 600
    assert {r.locality for r in waiting} == set(Locality.values)
    assert {r.priority for r in waiting} == set(Priority.values)
    bands = Counter(rules.band_for(rules.days_waiting(r.received_date, today)) for r in waiting)
    assert set(bands) == set(rules.BAND_LABELS)
    assert 3 <= bands["52+"] <= 50  # a few over a year, not many
    assert sum(1 for r in waiting if r.clinician_id) > len(waiting) / 2


def test_every_step_of_the_journey_has_referrals_and_the_no_reply_list_is_not_empty(demo_service):
    assert Referral.objects.count() == DEFAULT_COUNT
    journey = {Status.RECEIVED, Status.INFORMATION_REQUESTED, Status.ACCEPTED, Status.DECLINED, Status.WAITING}
    journey |= {Status.INVITED, Status.BOOKED, Status.SEEN, Status.DISCHARGED}
    assert journey <= set(Referral.objects.values_list("status", flat=True))
    assert Invitation.objects.no_reply().exists()
    assert Invitation.objects.filter(reminded_on__isnull=False).exists()
    assert Referral.objects.filter(previous_referral__isnull=False).exists()
    assert Referral.objects.filter(possible_duplicates__state="open").exists()
    assert expected_wait_for_new_referral().weeks is not None  # children left the queue in the last 12 weeks
    outcomes = set(Referral.objects.values_list("eligibility__outcome", flat=True))
    assert outcomes == {"accept", "review", "decline"}
    assert len({tuple(d) for d in Referral.objects.values_list("difficulties", flat=True)}) >= 10
    numbers = [n for n in Referral.objects.values_list("child__nhs_number", flat=True) if n]
    assert numbers and all(n.startswith("999") and is_valid_nhs_number(n) for n in numbers)


def test_the_plan_divides_any_number_of_referrals_among_the_stages():
    assert plan_counts(DEFAULT_COUNT) == STAGES
    for total in (0, 1, 5, 61, 1000):
        assert sum(plan_counts(total).values()) == total


def _london_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON)


def _week(monday: dt.date):
    return Appointment.objects.filter(
        start__gte=_london_midnight(monday), start__lt=_london_midnight(monday + dt.timedelta(days=7))
    )


def test_every_clinician_has_a_working_pattern_with_a_base_and_the_rota_has_leave_and_a_training_day(demo_service):
    today = timezone.localdate()
    for clinician in User.objects.clinicians():
        days = list(WorkingDay.objects.filter(clinician=clinician))
        assert days and all(d.base is not None and d.weekday <= 4 for d in days), clinician.username
    days_worked = Counter(WorkingDay.objects.values_list("clinician_id", flat=True))
    assert max(days_worked.values()) == 5 and min(days_worked.values()) < 5  # some work part-time
    cdc = Location.objects.get(name=CDC)
    assert cdc.kind == LocationKind.CDC and Room.objects.filter(location=cdc).count() >= 2
    assert {d.base.name for d in WorkingDay.objects.select_related("base")} == {"Soho Health Centre", CDC}
    assert Absence.objects.filter(ends_on__gte=today).count() >= 3
    closure = ClosureDay.objects.get()
    assert closure.date > today and closure.date.weekday() <= 4
    assert not BankHoliday.objects.filter(date=closure.date).exists()
    closed_day = Appointment.objects.live().filter(
        start__gte=_london_midnight(closure.date), start__lt=_london_midnight(closure.date + dt.timedelta(days=1))
    )
    assert not closed_day.exists()


def test_the_diaries_have_appointments_this_week_and_next_all_inside_the_rota_and_none_double_booked(
    demo_service,
):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    assert _week(monday).count() >= 20
    assert _week(monday + dt.timedelta(days=7)).count() >= 20
    assert not Appointment.objects.exclude(override_reason="").exists()  # nothing needed an override
    assert set(Appointment.objects.values_list("kind", flat=True)) >= {
        Kind.ASSESSMENT,
        Kind.TREATMENT,
        Kind.REVIEW,
        Kind.GROUP,
        Kind.HOME_VISIT,
    }
    booked: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for clinician, start, end in Appointment.objects.live().values_list("clinician_id", "start", "end"):
        booked[clinician].append((start, end))
    for times in booked.values():
        times.sort()
        assert all(earlier_end <= start for (_, earlier_end), (start, _) in pairwise(times))
    # What happened is recorded for every one-to-one appointment before today.
    before_today = Appointment.objects.filter(referral__isnull=False, start__lt=_london_midnight(today))
    assert before_today.exists() and not before_today.filter(outcome="").exists()


def test_seen_children_have_their_days_waited_and_missed_appointments_raise_a_flag(demo_service):
    seen = list(Referral.objects.filter(status=Status.SEEN))
    assert len(seen) >= 40
    assert all(r.days_waited == (r.first_attended_on - r.received_date).days for r in seen)
    assert Referral.objects.filter(status=Status.DISCHARGED, days_waited__isnull=False).exists()
    not_brought = Appointment.objects.filter(kind=Kind.ASSESSMENT, outcome=Outcome.WAS_NOT_BROUGHT)
    flagged = AttendanceFlag.objects.filter(referral__in=not_brought.values("referral"))
    assert flagged.filter(state=AttendanceFlag.State.OPEN).exists()
    assert flagged.filter(state=AttendanceFlag.State.REVIEWED).exists()
    assert Appointment.objects.filter(outcome=Outcome.CANCELLED_BY_FAMILY, kind=Kind.ASSESSMENT).exists()
    assert Message.objects.exists()  # a handful of bookings told the family: the outbox has messages


def test_blocks_of_treatment_run_into_the_coming_weeks_with_a_review_some_at_school_some_by_an_assistant(
    demo_service,
):
    today = timezone.localdate()
    blocks = AppointmentSeries.objects.all()
    assert blocks.count() >= 20
    for block in blocks.prefetch_related("appointments"):
        kinds = Counter(a.kind for a in block.appointments.all())
        assert kinds == {Kind.TREATMENT: block.sessions, Kind.REVIEW: 1}
    assert blocks.filter(location__kind__in=SCHOOL_KINDS).exists()
    by_assistant = Appointment.objects.filter(series__isnull=False, kind=Kind.TREATMENT, clinician__role=Role.OTA)
    assert by_assistant.exists()
    reviews = Appointment.objects.filter(kind=Kind.REVIEW, series__in=by_assistant.values("series"))
    assert not reviews.filter(clinician__role=Role.OTA).exists()
    assert Appointment.objects.filter(series__isnull=False, start__gte=_london_midnight(today)).exists()
    assert Appointment.objects.filter(series__isnull=False, outcome=Outcome.ATTENDED).exists()


def test_group_programmes_have_children_from_the_waiting_list_and_registers_for_past_sessions(demo_service):
    programmes = GroupProgramme.objects.all()
    assert {p.audience for p in programmes} == {"children", "parents"}
    for programme in programmes:
        assert Enrolment.objects.filter(programme=programme).count() >= 5
        past = Appointment.objects.filter(programme=programme, start__lt=timezone.now())
        assert past.exists()
        assert GroupAttendance.objects.filter(appointment__in=past).exists()
    assert Referral.objects.filter(group_enrolments__isnull=False, status=Status.SEEN).exists()


def test_the_summary_mentions_the_appointments(demo_service):
    summary = next(line for line in demo_service.splitlines() if line.startswith("Made "))
    assert "appointments" in summary and "blocks of treatment" in summary


def test_seed_demo_twice_adds_nothing_the_second_time(demo_service):
    def counts():
        models = (User, Referral, Appointment, WorkingDay, Absence, ClosureDay, Location, Room, GroupProgramme)
        return {model.__name__: model.objects.count() for model in models}

    before = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Referral.objects.count() == DEFAULT_COUNT
    assert counts() == before
    assert "no demo referrals added" in out.getvalue()


def test_children_in_treatment_have_a_clinical_record_made_through_the_services(demo_service):
    from paedot.advice.models import AdvicePack
    from paedot.care.models import Assessment, ConsentToShare, Episode, Package, Review
    from paedot.casenotes.models import ClinicalNote

    seen = Referral.objects.filter(status=Status.SEEN)
    # Every child assessed in an appointment has an episode (children first seen in a group have none yet).
    assessed = seen.filter(
        appointments__kind__in=("assessment", "school_visit", "home_visit"), appointments__outcome="attended"
    )
    assert Episode.objects.filter(referral__in=seen).count() == assessed.distinct().count() > 0
    assert Assessment.objects.filter(episode__referral__in=seen).exclude(copm_problems=None).exists()
    packages = Package.objects.filter(episode__referral__in=seen)
    assert packages.exists() and all(p.goals.count() == 3 for p in packages)
    assert packages.filter(series__isnull=False, review_due_on__isnull=False).exists()
    assert AdvicePack.objects.exists()
    assert ConsentToShare.objects.filter(recipient="family", given=True).exists()
    statuses = set(ClinicalNote.objects.values_list("status", flat=True))
    assert {"signed", "awaiting_countersignature", "countersigned"} <= statuses
    assert Review.objects.exists()


def test_only_the_last_few_days_letters_are_still_to_post(demo_service):
    from paedot.demo.journeys import LETTERS_STILL_TO_POST_DAYS
    from paedot.letters.models import Letter

    to_post = Letter.objects.filter(posted_at__isnull=True)
    from django.utils import timezone

    cutoff = timezone.localdate() - dt.timedelta(days=LETTERS_STILL_TO_POST_DAYS)
    assert to_post.exists() and Letter.objects.filter(posted_at__isnull=False, posted_by__isnull=False).exists()
    assert not to_post.filter(referral__received_date__lt=cutoff).exists()
