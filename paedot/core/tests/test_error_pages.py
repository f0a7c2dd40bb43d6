"""Errors are pages of the service, saying what to do next, and giving nothing away."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_services_own_404_without_the_address_asked_for(client, settings):
    settings.DEBUG = False
    response = client.get("/staff/referrals/OT-AAAA-BBBB/no-such-page?nhs=9434765919")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "9434765919" not in body and "Traceback" not in body


def test_a_refusal_is_the_services_own_403_saying_why(client, ota_user):
    client.force_login(ota_user)
    response = client.get("/staff/audit/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "You cannot do this" in body and "auditors" in body.lower()
