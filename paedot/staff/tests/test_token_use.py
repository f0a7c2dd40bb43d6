"""A token's "last used" time is kept to the minute: written at most once a minute, not on every request."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from paedot.staff.models import ApiToken
from paedot.staff.services import authenticate_token, issue_api_token

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_a_tokens_first_use_is_recorded(partner_user):
    token = issue_api_token(user=partner_user, name="GP system")

    with time_machine.travel(NOON, tick=False):
        assert authenticate_token(token) == partner_user

    assert ApiToken.objects.get().last_used_at == NOON


def test_last_used_is_written_at_most_once_a_minute(partner_user, django_assert_num_queries):
    token = issue_api_token(user=partner_user, name="GP system")
    with time_machine.travel(NOON, tick=False):
        authenticate_token(token)

    with time_machine.travel(NOON + dt.timedelta(seconds=59), tick=False), django_assert_num_queries(1):
        assert authenticate_token(token) == partner_user  # the look-up only: no write
    assert ApiToken.objects.get().last_used_at == NOON

    with time_machine.travel(NOON + dt.timedelta(seconds=61), tick=False), django_assert_num_queries(2):
        authenticate_token(token)
    assert ApiToken.objects.get().last_used_at == NOON + dt.timedelta(seconds=61)


def test_a_request_that_read_an_old_time_does_not_move_it_back(partner_user):
    """Two requests read the stored time at once; the later write must not overwrite the newer one."""
    token = issue_api_token(user=partner_user, name="GP system")
    with time_machine.travel(NOON, tick=False):
        authenticate_token(token)
    ApiToken.objects.update(last_used_at=NOON + dt.timedelta(minutes=5))  # another request got there first

    from paedot.staff.services import _note_token_used

    stale_copy = ApiToken.objects.get()
    stale_copy.last_used_at = NOON
    with time_machine.travel(NOON + dt.timedelta(minutes=5, seconds=30), tick=False):
        _note_token_used(stale_copy)

    assert ApiToken.objects.get().last_used_at == NOON + dt.timedelta(minutes=5)
