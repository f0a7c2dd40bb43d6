"""A diary time in the API is a real moment: an impossible UTC offset or year is refused as bad input, never a
database error."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import TypeAdapter, ValidationError

from paedot.core.api_types import DiaryTime
from paedot.referrals.tests.factories import staff
from paedot.staff.services import issue_api_token

ADAPTER = TypeAdapter(DiaryTime)


def test_a_real_offset_and_year_are_accepted():
    assert ADAPTER.validate_python("2027-01-11T09:30:00+14:00").utcoffset() == dt.timedelta(hours=14)
    assert ADAPTER.validate_python("2027-06-11T09:30:00+01:00").year == 2027


@pytest.mark.parametrize(
    "value", ["0285-01-07T11:22:57-22:52", "2027-01-11T09:30:00+14:01", "0285-01-07T11:22:57+00:00", "2027-01-11T09:30"]
)
def test_an_impossible_offset_or_year_or_no_offset_is_refused(value):
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(value)


@pytest.mark.django_db
def test_moving_an_appointment_to_an_impossible_time_is_bad_input_not_a_server_error(client):
    token = issue_api_token(user=staff("clinical_admin"), name="test")
    answer = client.post(
        "/api/appointments/1/move",
        data={"start": "0285-01-07T11:22:57-22:52"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code in (400, 422)
    assert "offset" in answer.content.decode()
