"""Applying the eligibility rules: find the policy in force and the GP practice, then decide (rules.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction

from paedot.core.audit import record_event
from paedot.directory.services import find_gp_practice
from paedot.eligibility.models import EligibilityPolicy
from paedot.eligibility.rules import (
    EligibilityDecision,
    GPPracticeFacts,
    Policy,
    ReferralFacts,
    decide_eligibility,
    policy_from_dict,
)

POLICY_DIR = Path(__file__).resolve().parent / "policies"


class NoPolicyInForce(LookupError):
    """No policy is loaded for the date asked about (run manage.py load_reference_data)."""

    def __init__(self, on: dt.date) -> None:
        self.on = on
        super().__init__(
            f"No eligibility policy is in force on {on.isoformat()}: none loaded takes effect on or before it "
            "(manage.py load_reference_data loads the default policies)."
        )


@transaction.atomic
def load_policy_document(data: dict[str, Any], *, actor_label: str = "manage.py") -> EligibilityPolicy:
    """Check a policy document and store it, replacing an earlier version with the same id.

    Idempotent: the same document again changes nothing and audits nothing. A ValueError names the key at fault.
    """
    policy = policy_from_dict(data)
    existing = EligibilityPolicy.objects.select_for_update().filter(policy_id=policy.id).first()
    if existing is not None and existing.document == data:
        return existing
    clash = EligibilityPolicy.objects.filter(effective_from=policy.effective_from).exclude(policy_id=policy.id).first()
    if clash is not None:
        raise ValueError(
            f"Policy document key 'effective_from': policy {clash.policy_id!r} already takes effect on "
            f"{policy.effective_from.isoformat()}."
        )
    stored, created = EligibilityPolicy.objects.update_or_create(
        policy_id=policy.id,
        defaults={"name": policy.name, "effective_from": policy.effective_from, "document": data},
    )
    record_event(
        action="eligibility.policy_loaded",
        actor_label=actor_label,
        target=stored,
        detail={"policy": policy.id, "effective_from": policy.effective_from.isoformat(), "new": created},
    )
    return stored


def read_policy_file(path: Path | str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError("Policy document as a whole must be a JSON object.")
    return data


def load_policy_file(path: Path | str) -> EligibilityPolicy:
    return load_policy_document(read_policy_file(path))


def default_policy_paths() -> Iterable[Path]:
    """policies/*.json: the policies the service runs on (not policies/available/, which wait to be chosen)."""
    return sorted(POLICY_DIR.glob("*.json"))


@transaction.atomic
def load_default_policies() -> list[EligibilityPolicy]:
    """Load every default policy; the reference-data loader calls this. Safe to run again."""
    return [load_policy_file(path) for path in default_policy_paths()]


def policy_in_force(on: dt.date) -> Policy:
    """The loaded policy with the latest effective date on or before the given date."""
    stored = EligibilityPolicy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if stored is None:
        raise NoPolicyInForce(on)
    return policy_from_dict(stored.document)


def gp_practice_facts(code: str) -> GPPracticeFacts:
    """What the rules need to know about a GP practice, from the directory."""
    practice = find_gp_practice(code)
    if practice is None:
        return GPPracticeFacts(code=(code or "").strip().upper(), found=False, active=False, in_birmingham=False)
    return GPPracticeFacts(
        code=practice.code,
        found=True,
        active=bool(practice.is_active),
        in_birmingham=bool(practice.in_birmingham),
        name=practice.name,
        local_authority=practice.local_authority or "",
    )


def check_eligibility(
    *,
    date_of_birth: dt.date,
    referral_date: dt.date,
    education: str,
    gp_practice_code: str,
    difficulties: Iterable[str],
    referrer_role: str,
    consent_given: bool,
    previous_ot_episode: bool = False,
    settings_affected: Iterable[str] | None = None,
    new_or_changed_problem: bool | None = None,
) -> EligibilityDecision:
    """Decide under the policy in force on the date the referral was received.

    Raises ValueError when the date of birth is after the referral date, NoPolicyInForce before the first policy.
    """
    facts = ReferralFacts(
        date_of_birth=date_of_birth,
        referral_date=referral_date,
        education=education,
        gp_practice=gp_practice_facts(gp_practice_code),
        difficulties=tuple(difficulties),
        referrer_role=referrer_role,
        previous_ot_episode=previous_ot_episode,
        consent_given=consent_given,
        settings_affected=tuple(settings_affected) if settings_affected is not None else None,
        new_or_changed_problem=new_or_changed_problem,
    )
    return decide_eligibility(facts, policy_in_force(referral_date))
