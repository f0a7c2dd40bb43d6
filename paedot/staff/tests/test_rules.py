"""The permission table: every action has its roles, and the lines that must never move hold."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from paedot.staff.models import Role
from paedot.staff.rules import ALLOWED, Action, may


def person(role: str, *, active: bool = True, signed_in: bool = True):
    return SimpleNamespace(role=role, is_active=active, is_authenticated=signed_in)


def test_every_action_lists_the_roles_allowed():
    assert set(ALLOWED) == set(Action)


@pytest.mark.parametrize("action", list(Action))
def test_nobody_signed_out_or_inactive_may_do_anything(action):
    assert not may(None, action)
    assert not may(person(Role.TEAM_LEAD, signed_in=False), action)
    assert not may(person(Role.TEAM_LEAD, active=False), action)


def test_an_assistant_never_triages_discharges_or_plans_a_block():
    assert not may(person(Role.OTA), Action.TRIAGE)
    assert not may(person(Role.OTA), Action.DISCHARGE)
    assert not may(person(Role.OTA), Action.PLAN_BLOCK)


def test_an_auditor_only_reads():
    allowed = {action for action in Action if may(person(Role.AUDITOR), action)}
    assert allowed == {
        Action.VIEW_REFERRALS,
        Action.VIEW_WAITING_LIST,
        Action.VIEW_ALL_CASELOADS,
        Action.VIEW_AUDIT,
        Action.VIEW_RETENTION,
    }


def test_a_partner_system_only_submits_referrals():
    assert {action for action in Action if may(person(Role.PARTNER_SYSTEM), action)} == {Action.SUBMIT_REFERRAL}


def test_a_system_admin_has_no_clinical_powers_reads_only_the_audit_trail_and_resets_lost_two_factor():
    allowed = {action for action in Action if may(person(Role.SYSTEM_ADMIN), action)}
    assert allowed == {Action.VIEW_AUDIT, Action.RESET_TWO_FACTOR}
