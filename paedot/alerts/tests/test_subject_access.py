"""A subject access export holds every alert on the child's record, in force and ended, with those of records merged
into it: what the service holds, for whoever answers the request to review before release."""

from __future__ import annotations

import pytest

from paedot.alerts.services import end_alert
from paedot.alerts.tests.factories import alert_on
from paedot.governance.presenters import SECTION_TITLES
from paedot.governance.services import subject_access_export
from paedot.referrals.tests.factories import referral_in

pytestmark = pytest.mark.django_db


def test_the_export_holds_every_alert_in_force_and_ended_with_who_and_when(ot_user, team_lead_user):
    referral = referral_in("accepted")
    in_force = alert_on(referral, category="looked_after", text="Looked after: the Trust shares PR", by=ot_user)
    end_alert(alert=alert_on(referral, by=ot_user), reason="Dog rehomed", by=ot_user)
    alert_on(referral_in("accepted"), text="Another child's alert", by=ot_user)

    export = subject_access_export(child=referral.child, requested_by=team_lead_user, reason="SAR from mum")

    first, second = export.data["sections"]["alerts"]
    assert first["category"] == "Safeguarding: looked-after child" and first["text"] == in_force.text
    assert first["in_force"] is True and first["review_on"] == "2027-09-10"
    assert first["raised_by"] == {"name": "Test User", "role": "Occupational therapist"}
    assert second["in_force"] is False and second["end_reason"] == "Dog rehomed"
    assert "Another child's alert" not in str(export.data)
    assert "Alerts on the record" in SECTION_TITLES["alerts"]
