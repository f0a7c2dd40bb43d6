"""Referrals sent as FHIR (POST /fhir/ServiceRequest, docs/fhir.md "Sending a referral"): the body parsed safely,
the Bundle read (paedot/fhir/bundle.py) into the JSON intake's own shape and checked by its own schema
(paedot.referrals.schemas.ReferralIn), handed to receive_referral as POST /api/referrals hands it, and the answer's
eligibility decision. No database, no request.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from paedot.fhir.bundle import BundleRefused, Problem, SentReferral, read_referral
from paedot.fhir.resources import Context
from paedot.referrals.schemas import ReferralIn

__all__ = ["BundleRefused", "Problem", "SentReferral", "read_referral"]

MAX_BODY_BYTES = 256 * 1024  # a referral is a few kilobytes; its longest text (the description) is 5,000 characters
MAX_DEPTH = 16  # a referral Bundle nests about 8 deep (entry, resource, extension, extension, valueCoding ...)


def outcome(problems: list[Problem], *, severity: str = "error") -> dict[str, Any]:
    """An OperationOutcome with one issue per problem, its path in `expression`."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": severity, "code": p.code, "diagnostics": f"{p.path}: {p.message}", "expression": [p.path]}
            for p in problems
        ],
    }


# --- The body: JSON, and nothing that could hurt what reads it -------------------------------------------------------


class _RepeatedKey(ValueError):
    pass


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A repeated key would be read as its last value: refused, so no two readers can see different referrals."""
    made: dict[str, Any] = {}
    for key, value in pairs:
        if key in made:
            raise _RepeatedKey(f"repeats the key {key[:40]!r} in one object")
        made[key] = value
    return made


def _bad_text(value: str) -> str | None:
    if "\x00" in value:
        return "holds a NUL character, which is never valid here"
    if any("\ud800" <= char <= "\udfff" for char in value):
        return "holds an unpaired surrogate (\\ud800-\\udfff), which is not text"
    return None


def _walk(value: Any, path: str) -> Iterator[Problem]:
    """Every string (keys too) checked for NULs and broken surrogates, without recursion, to MAX_DEPTH."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            yield Problem(where, f"is nested more than {MAX_DEPTH} deep, deeper than any referral", "too-costly")
            continue
        if isinstance(item, str):
            if (bad := _bad_text(item)) is not None:
                yield Problem(where, bad)
        elif isinstance(item, dict):
            for key, inner in item.items():
                if (bad := _bad_text(key)) is not None:
                    yield Problem(where, f"has a key that {bad}")
                    continue
                stack.append((inner, f"{where}.{key[:64]}", depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}[{index}]", depth + 1) for index, inner in enumerate(item))


def parse_body(body: bytes) -> Any:
    """The body as JSON, refused (BundleRefused) if it is too big, not UTF-8 JSON, repeats a key, nests too deep or
    holds a NUL or a lone surrogate (PostgreSQL would refuse to store either: a 500, not an answer)."""
    if len(body) > MAX_BODY_BYTES:
        raise BundleRefused([Problem("Bundle", f"is over {MAX_BODY_BYTES // 1024} KB", "too-long")], status=413)
    try:
        data = json.loads(body.decode("utf-8"), object_pairs_hook=_no_repeated_keys)
    except RecursionError:
        raise BundleRefused([Problem("Bundle", "is nested deeper than any referral", "too-costly")]) from None
    except _RepeatedKey as error:
        raise BundleRefused([Problem("Bundle", str(error), "structure")]) from None
    except ValueError:  # also UnicodeDecodeError, and an integer too long to read
        raise BundleRefused([Problem("Bundle", "is not valid JSON (UTF-8)", "structure")]) from None
    root = data.get("resourceType") if isinstance(data, dict) else None
    problems = list(itertools.islice(_walk(data, root if isinstance(root, str) and root.isalpha() else "Bundle"), 20))
    if problems:
        raise BundleRefused(problems)
    return data


# --- Checked by the JSON intake's own schema --------------------------------------------------------------------------


def _message(error: dict[str, Any]) -> str:
    return str(error.get("msg", "is not valid")).removeprefix("Value error, ")


def validate(referral: SentReferral, *, today: dt.date) -> ReferralIn:
    """The JSON intake's schema and checks (the same NHS number, postcode, email, length, code and date checks), its
    errors at the FHIR path each field was read from."""
    try:
        payload = ReferralIn.model_validate(referral.payload)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = tuple(item.get("loc", ()))
            code = "required" if item.get("type") == "missing" else "value"
            problems.append(Problem(referral.path_of(loc), _message(item), code))
        raise BundleRefused(problems) from None
    if payload.child.date_of_birth > today:
        path = referral.path_of(("child", "date_of_birth"))
        raise BundleRefused([Problem(path, "The date of birth must be on or before the date of the referral")])
    return payload


# --- The answer: the eligibility decision beside the ServiceRequest ---------------------------------------------------


def eligibility_extension(receipt: dict[str, Any], *, ctx: Context) -> dict[str, Any]:
    """The automatic eligibility decision (the JSON intake's receipt) as one complex extension: the outcome, then
    each reason with its code, the sentence a parent could read and where to go instead."""
    reasons = []
    for reason in receipt["reasons"]:
        parts: list[dict[str, Any]] = [
            {"url": "code", "valueCoding": {"system": ctx.system("eligibility-reason"), "code": reason["code"]}},
            {"url": "message", "valueString": reason["message"]},
        ]
        if reason.get("signposting"):
            parts.append({"url": "signposting", "valueString": reason["signposting"]})
        reasons.append({"url": "reason", "extension": parts})
    return {
        "url": ctx.extension("eligibility"),
        "extension": [
            {
                "url": "outcome",
                "valueCoding": {"system": ctx.system("eligibility-outcome"), "code": receipt["outcome"]},
            },
            *reasons,
        ],
    }


def received_outcome(receipt: dict[str, Any], *, location: str, ctx: Context) -> dict[str, Any]:
    """For a referral its sender may not read back (a restricted record they are not named on): what the JSON
    intake's receipt says, as information issues, and nothing about the child."""
    issues = [
        {
            "severity": "information",
            "code": "informational",
            "diagnostics": f"Referral {receipt['reference']} received ({location}). Eligibility: {receipt['outcome']}.",
        }
    ]
    issues += [
        {
            "severity": "information",
            "code": "informational",
            "details": {
                "coding": [{"system": ctx.system("eligibility-reason"), "code": reason["code"]}],
                "text": reason["message"],
            },
            "diagnostics": reason.get("signposting") or reason["message"],
        }
        for reason in receipt["reasons"]
    ]
    return {"resourceType": "OperationOutcome", "issue": issues}
