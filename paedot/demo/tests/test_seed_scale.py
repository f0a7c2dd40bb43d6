from collections import defaultdict
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from paedot.appointments.models import Appointment, AppointmentSeries
from paedot.care.models import Episode, Goal, GoalRating, Package, Review
from paedot.care.rules import gas_t_score
from paedot.care.timeline_sources import timeline_for
from paedot.children.models import Child
from paedot.core.identifiers import is_valid_nhs_number
from paedot.demo.scale import load_history, scale_reference
from paedot.referrals.models import CLOSED_STATUSES, EligibilityDecision, Referral, Status
from paedot.staff.models import Locality, User

pytestmark = pytest.mark.django_db

REFERRALS = 300


@pytest.fixture
def history():
    return load_history(REFERRALS, seed=7, years=3, progress=lambda line: None)


def assert_no_clinician_is_double_booked():
    by_clinician = defaultdict(list)
    for clinician, start, end in Appointment.objects.live().values_list("clinician_id", "start", "end"):
        by_clinician[clinician].append((start, end))
    for times in by_clinician.values():
        for (_, end), (next_start, _) in pairwise(sorted(times)):
            assert end <= next_start


def test_each_referral_comes_with_its_child_parent_and_eligibility_decision(history):
    assert Referral.objects.count() == REFERRALS
    assert Child.objects.count() == REFERRALS
    assert EligibilityDecision.objects.count() == REFERRALS
    assert Referral.objects.filter(parent_carer__child=F("child")).count() == REFERRALS
    assert history.rows["Referral"] == REFERRALS


def test_referrals_are_spread_over_the_years_and_every_locality(history):
    years = {day.year for day in Referral.objects.values_list("received_date", flat=True)}
    assert len(years) >= 3
    assert set(Referral.objects.values_list("locality", flat=True)) == set(Locality.values)


def test_the_history_has_every_stage_of_the_journey(history):
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {Status.DISCHARGED, Status.DECLINED, Status.WAITING, Status.BOOKED, Status.SEEN} <= statuses
    assert Referral.objects.on_waiting_list().exists()


def test_there_are_about_ten_appointments_a_referral_and_no_clinician_is_double_booked(history):
    assert 7 <= Appointment.objects.count() / REFERRALS <= 14
    assert_no_clinician_is_double_booked()


def test_past_appointments_have_outcomes_and_future_ones_are_only_booked(history):
    now = timezone.now()
    assert not Appointment.objects.filter(start__lt=now, outcome="").exists()
    assert not Appointment.objects.filter(start__gt=now).exclude(outcome="").exists()
    assert Appointment.objects.filter(start__gt=now).exists()


def test_the_waiting_time_clock_stops_at_the_first_attended_appointment(history):
    seen = Referral.objects.filter(first_attended_on__isnull=False)
    assert seen.exists()
    for referral in seen:
        assert referral.days_waited == (referral.first_attended_on - referral.received_date).days
        assert referral.appointments.filter(outcome="attended", kind="assessment").exists()
    assert not Referral.objects.on_waiting_list().filter(first_attended_on__isnull=False).exists()
    assert not Referral.objects.filter(status__in=CLOSED_STATUSES, closed_at__isnull=True).exists()


def test_reviews_hold_the_t_score_of_their_goals_ratings(history):
    reviews = Review.objects.prefetch_related("goal_ratings__goal")[:50]
    assert reviews
    for review in reviews:
        ratings = list(review.goal_ratings.all())
        assert ratings
        assert review.gas_t_score == gas_t_score((r.goal.weight, r.attained) for r in ratings)
    assert GoalRating.objects.count() <= Goal.objects.count()
    assert Package.objects.filter(block_number=2, previous__isnull=False).exists()


def test_discharged_episodes_match_their_referrals(history):
    for episode in Episode.objects.filter(discharged_at__isnull=False).select_related("referral")[:50]:
        assert episode.referral.status == Status.DISCHARGED
        assert episode.referral.closed_at == episode.discharged_at


def test_children_have_distinct_valid_synthetic_nhs_numbers(history):
    numbers = [n for n in Child.objects.values_list("nhs_number", flat=True) if n]
    assert len(numbers) == len(set(numbers)) > REFERRALS * 0.8
    assert all(is_valid_nhs_number(n) and n.startswith("999") for n in numbers)


def test_a_treated_childs_timeline_shows_their_appointments_and_reviews(history):
    referral = Referral.objects.filter(status=Status.DISCHARGED, episode__isnull=False).first()
    kinds = {entry.kind for entry in timeline_for(referral)}
    assert {"appointment", "assessment", "package", "review", "discharge"} <= kinds


def test_running_it_again_adds_more_history_without_double_booking_anyone(history):
    out = StringIO()
    call_command("seed_scale", referrals=100, years=3, seed=8, stdout=out)
    assert "Done in" in out.getvalue()
    assert Referral.objects.count() == REFERRALS + 100
    assert Referral.objects.filter(reference=scale_reference(REFERRALS + 100)).exists()
    assert AppointmentSeries.objects.exists()
    assert_no_clinician_is_double_booked()
    assert User.objects.filter(username__startswith="scale-ot-").count() >= len(Locality.values)


def test_the_indexes_and_constraints_dropped_for_loading_are_made_again(history):
    # SQLite loads without dropping anything (no COPY, no exclusion constraint): nothing to make again there.
    if connection.vendor != "postgresql":
        assert not history.deferred_indexes
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conname = 'appointment_no_overlap_clinician'")
        assert cursor.fetchone()
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = 'referral_waiting_list_idx'")
        assert cursor.fetchone()
    assert history.deferred_indexes
