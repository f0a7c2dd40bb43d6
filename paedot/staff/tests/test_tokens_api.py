"""A user's own API tokens: listed without the secret, made with an expiry, revoked at once."""

from __future__ import annotations

import pytest

from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_user_lists_makes_and_revokes_their_own_tokens(client, partner_user):
    first = issue_api_token(user=partner_user, name="GP system")
    listed = client.get("/api/tokens", **auth(first)).json()
    assert [t["name"] for t in listed] == ["GP system"]
    assert "token" not in listed[0] and first not in str(listed)

    made = client.post(
        "/api/tokens", data={"name": "rotation", "expires_in_days": 30}, content_type="application/json", **auth(first)
    )
    assert made.status_code == 201
    second = made.json()["token"]
    assert made.json()["expires_at"]
    assert client.get("/api/tokens", **auth(second)).status_code == 200

    assert client.delete(f"/api/tokens/{listed[0]['id']}", **auth(second)).status_code == 204
    assert client.get("/api/tokens", **auth(first)).status_code == 401


def test_another_users_token_is_not_found(client, partner_user, admin_user):
    mine = issue_api_token(user=partner_user, name="mine")
    theirs = issue_api_token(user=admin_user, name="theirs")
    their_id = client.get("/api/tokens", **auth(theirs)).json()[0]["id"]
    assert client.delete(f"/api/tokens/{their_id}", **auth(mine)).status_code == 404
    assert client.get("/api/tokens", **auth(theirs)).status_code == 200


def test_a_token_lasts_at_most_a_year(client, partner_user):
    token = issue_api_token(user=partner_user, name="x")
    response = client.post(
        "/api/tokens", data={"name": "forever", "expires_in_days": 5000}, content_type="application/json", **auth(token)
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "expires_in_days"


def test_tokens_need_a_token(client):
    assert client.get("/api/tokens").status_code == 401
