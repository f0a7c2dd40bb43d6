from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paedot.staff.models import ApiToken, User
from paedot.staff.services import authenticate_token, hash_token

pytestmark = pytest.mark.django_db


def test_create_user_makes_a_user_with_the_role():
    call_command("create_user", "gp-emis", "--role", "partner_system", stdout=StringIO())
    user = User.objects.get(username="gp-emis")
    assert user.role == "partner_system"
    assert not user.has_usable_password()


def test_create_user_refuses_a_weak_password():
    with pytest.raises(CommandError, match="too short"):
        call_command("create_user", "weak", "--role", "clinical_admin", "--password", "abc", stdout=StringIO())
    assert not User.objects.filter(username="weak").exists()


def test_create_user_refuses_an_unknown_role():
    with pytest.raises(CommandError):
        call_command("create_user", "x", "--role", "wizard", stdout=StringIO())


def test_create_api_token_prints_a_token_once_and_keeps_only_its_hash():
    call_command("create_user", "gp-emis", "--role", "partner_system", stdout=StringIO())
    out = StringIO()
    call_command("create_api_token", "gp-emis", stdout=out)
    token = out.getvalue().strip()

    stored = ApiToken.objects.get()
    assert stored.token_hash == hash_token(token)
    assert token not in {stored.token_hash, stored.name}
    assert len(stored.prefix) < len(token)
    assert authenticate_token(token).username == "gp-emis"


def test_a_token_for_a_deactivated_user_does_not_authenticate():
    call_command("create_user", "gp-emis", "--role", "partner_system", stdout=StringIO())
    out = StringIO()
    call_command("create_api_token", "gp-emis", stdout=out)
    User.objects.filter(username="gp-emis").update(is_active=False)
    assert authenticate_token(out.getvalue().strip()) is None


def test_create_api_token_for_an_unknown_user_fails():
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=StringIO())


def test_create_user_records_localities_and_an_assistants_supervisor(db):
    from django.core.management import call_command

    from paedot.staff.models import User

    call_command(
        "create_user",
        "ot-north",
        "--role",
        "ot",
        "--password",
        "a-long-test-password-1",
        "--locality",
        "North",
        "--locality",
        "East",
    )
    call_command(
        "create_user", "ota-north", "--role", "ota", "--password", "a-long-test-password-1", "--supervisor", "ot-north"
    )
    assert User.objects.get(username="ot-north").localities == ["North", "East"]
    assert User.objects.get(username="ota-north").supervisor.username == "ot-north"


def test_an_assistant_without_a_supervisor_is_refused(db):
    import pytest
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="supervising OT"):
        call_command("create_user", "ota-alone", "--role", "ota", "--password", "a-long-test-password-1")
