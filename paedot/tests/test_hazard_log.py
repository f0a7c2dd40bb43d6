"""The clinical safety hazard log stays true to the code: every control names a test that exists, and every risk is
scored on the DCB0129 matrix. Renaming or deleting a test that controls a hazard breaks the build."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HAZARD_LOG = ROOT / "docs" / "clinical-safety" / "hazard-log.md"

SEVERITIES = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
LIKELIHOODS = ("Very low", "Low", "Medium", "High", "Very high")
# DCB0129 matrix: rows are likelihood (Very low .. Very high), columns severity (Minor .. Catastrophic).
MATRIX = (
    (1, 1, 2, 2, 3),
    (1, 2, 2, 3, 4),
    (2, 2, 3, 3, 4),
    (2, 3, 3, 4, 5),
    (3, 4, 4, 5, 5),
)
STATUSES = ("Controlled", "Partly controlled", "Open", "Closed")
FIELDS = ("Hazard", "Causes", "Effect", "Harm", "Initial risk", "Controls", "Residual risk", "Status")

HEADING = re.compile(r"^## (H\d{2}): (.+)$", re.MULTILINE)
NODE_ID = re.compile(r"`(paedot/[\w/]+\.py)((?:::\w+)+)`")
RISK = re.compile(
    r"^- \*\*(Initial|Residual) risk:\*\* severity (\w+), likelihood ([A-Za-z ]+?) -> risk (\d)$", re.MULTILINE
)
STATUS = re.compile(r"^- \*\*Status:\*\* (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Hazard:
    id: str
    title: str
    text: str

    def risk(self, which: str) -> tuple[str, str, int]:
        found = [m for m in RISK.finditer(self.text) if m.group(1) == which]
        assert len(found) == 1, f"{self.id} needs exactly one '{which} risk' line"
        _, severity, likelihood, risk = found[0].groups()
        return severity, likelihood, int(risk)

    @property
    def status(self) -> str:
        found = STATUS.findall(self.text)
        assert len(found) == 1, f"{self.id} needs exactly one Status line"
        return found[0].strip()


@cache
def log_text() -> str:
    return HAZARD_LOG.read_text(encoding="utf-8")


def hazards() -> list[Hazard]:
    text = log_text()
    headings = list(HEADING.finditer(text))
    return [
        Hazard(
            id=h.group(1),
            title=h.group(2),
            text=text[h.end() : headings[i + 1].start() if i + 1 < len(headings) else len(text)],
        )
        for i, h in enumerate(headings)
    ]


def open_hazards_section() -> str:
    text = log_text()
    start = text.index("## Open hazards")
    return text[start : HEADING.search(text, start).start()]


def node_ids() -> list[str]:
    return sorted({path + rest for path, rest in NODE_ID.findall(log_text())})


@cache
def defined_names(path: str) -> dict[str, set[str]]:
    """Top-level test functions under "", and each top-level class's methods under its name."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
    names: dict[str, set[str]] = {"": set()}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names[""].add(node.name)
        elif isinstance(node, ast.ClassDef):
            names[node.name] = {
                item.name for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            }
    return names


def test_the_log_has_hazards_with_unique_ids():
    ids = [hazard.id for hazard in hazards()]
    assert len(ids) >= 10
    assert len(ids) == len(set(ids))


def test_the_log_names_tests_as_controls():
    """Guards the parser: if the node-id pattern stopped matching, every other check would pass with nothing."""
    assert len(node_ids()) >= 50


@pytest.mark.parametrize("node_id", node_ids())
def test_every_test_named_as_a_control_exists(node_id):
    path, *parts = node_id.split("::")
    assert (ROOT / path).is_file(), f"{path} is named in the hazard log but does not exist"
    names = defined_names(path)
    if len(parts) == 1:
        assert parts[0] in names[""], f"{parts[0]} is not a test function in {path}: update the hazard log"
    else:
        assert len(parts) == 2, f"{node_id}: nested classes are not expected"
        cls, function = parts
        assert cls in names, f"class {cls} is not in {path}: update the hazard log"
        assert function in names[cls], f"{function} is not in {path}::{cls}: update the hazard log"


@pytest.mark.parametrize("hazard", hazards(), ids=lambda hazard: hazard.id)
def test_every_hazard_has_each_dcb0129_field(hazard):
    for field in FIELDS:
        assert f"- **{field}:**" in hazard.text, f"{hazard.id} lacks '{field}'"
    assert hazard.status in STATUSES, f"{hazard.id} status {hazard.status!r} is not one of {STATUSES}"


@pytest.mark.parametrize("hazard", hazards(), ids=lambda hazard: hazard.id)
def test_every_risk_is_scored_on_the_matrix_and_controls_never_raise_it(hazard):
    scores = {}
    for which in ("Initial", "Residual"):
        severity, likelihood, risk = hazard.risk(which)
        assert severity in SEVERITIES, f"{hazard.id}: unknown severity {severity!r}"
        assert likelihood in LIKELIHOODS, f"{hazard.id}: unknown likelihood {likelihood!r}"
        expected = MATRIX[LIKELIHOODS.index(likelihood)][SEVERITIES.index(severity)]
        assert risk == expected, f"{hazard.id} {which.lower()} risk: {severity} x {likelihood} is {expected}"
        scores[which] = risk
    assert scores["Residual"] <= scores["Initial"], f"{hazard.id}: controls cannot raise the risk"


@pytest.mark.parametrize("hazard", hazards(), ids=lambda hazard: hazard.id)
def test_a_hazard_not_fully_controlled_is_listed_as_open(hazard):
    _, _, residual = hazard.risk("Residual")
    if residual >= 3:
        assert hazard.status != "Controlled", f"{hazard.id}: a residual risk of 3 or more is not controlled"
    listed = f"**{hazard.id}**" in open_hazards_section()
    needs_listing = hazard.status in ("Open", "Partly controlled")
    assert listed == needs_listing, f"{hazard.id} ({hazard.status}) and the Open hazards list disagree"


def test_every_control_list_names_a_test_or_says_there_is_none():
    for hazard in hazards():
        controls = hazard.text.split("- **Controls:**", 1)[1].split("- **Residual risk:**", 1)[0]
        assert NODE_ID.search(controls) or "Not yet controlled" in controls, hazard.id
