"""Applying the eligibility rules: find the policy in force and the GP practice, then decide (rules.py)."""

from __future__ import annotations

import datetime as dt
import json
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
    """No policy is loaded for the date asked about: run manage.py load_reference_data."""


@transaction.atomic
def load_policy_document(data: dict[str, Any]) -> EligibilityPolicy:
    """Check a policy document and store it (replacing an earlier version with the same id)."""
    policy = policy_from_dict(data)
    stored, created = EligibilityPolicy.objects.update_or_create(
        policy_id=policy.id,
        defaults={"name": policy.name, "effective_from": policy.effective_from, "document": data},
    )
    record_event(
        action="eligibility.policy_loaded",
        actor_label="manage.py",
        target=stored,
        detail={"policy": policy.id, "effective_from": policy.effective_from.isoformat(), "new": created},
    )
    return stored


def load_policy_file(path: Path | str) -> EligibilityPolicy:
    with open(path, encoding="utf-8") as handle:
        return load_policy_document(json.load(handle))


def load_default_policies() -> list[EligibilityPolicy]:
    """The policies the service runs on (policies/*.json; not policies/available/, which wait to be chosen)."""
    loaded = []
    for path in sorted(POLICY_DIR.glob("*.json")):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        existing = EligibilityPolicy.objects.filter(policy_id=data.get("id")).first()
        if existing is not None and existing.document == data:
            loaded.append(existing)  # unchanged: nothing to write, nothing to audit
            continue
        loaded.append(load_policy_document(data))
    return loaded


def policy_in_force(on: dt.date) -> Policy:
    """The loaded policy with the latest effective date on or before the given date."""
    stored = EligibilityPolicy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if stored is None:
        raise NoPolicyInForce(f"No eligibility policy is in force on {on.isoformat()}.")
    return policy_from_dict(stored.document)


def gp_practice_facts(code: str) -> GPPracticeFacts:
    practice = find_gp_practice(code)
    if practice is None:
        return GPPracticeFacts(code=(code or "").strip().upper(), found=False, active=False, in_birmingham=False)
    return GPPracticeFacts(
        code=practice.code,
        found=True,
        active=practice.is_active,
        in_birmingham=practice.in_birmingham,
        name=practice.name,
        local_authority=practice.local_authority,
    )


def check_eligibility(
    *,
    date_of_birth: dt.date,
    referral_date: dt.date,
    education: str,
    gp_practice_code: str,
    difficulties: tuple[str, ...] | list[str],
    referrer_role: str,
    consent_given: bool,
    previous_ot_episode: bool = False,
    settings_affected: tuple[str, ...] | None = None,
    new_or_changed_problem: bool | None = None,
) -> EligibilityDecision:
    """Decide under the policy in force on the date the referral was received."""
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
