"""How the clinical work reads on a page or in a report: GAS levels and T-scores, COPM and TOMs changes, a package's
delivery and goals. Plain functions of records already fetched, so reports can use them too."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paedot.care.goal_bank import PLACEHOLDER, BankGoal
from paedot.care.models import (
    Component,
    CopmProblem,
    Delivery,
    Goal,
    Package,
    PackageSetting,
    Review,
    ReviewDecision,
    TomsRating,
)
from paedot.care.rules import COPM_IMPORTANT_CHANGE, TOMS_DOMAINS, CopmChange
from paedot.core.presenters import format_date

LEVELS = (-2, -1, 0, 1, 2)
LEVEL_LABELS = {
    -2: "much less than expected",
    -1: "somewhat less than expected",
    0: "expected outcome",
    1: "somewhat more than expected",
    2: "much more than expected",
}
MINUS = "\u2212"  # a real minus sign: screen readers say "minus", not "dash"
IMPORTANT_TAG = {"text": "Clinically important change", "classes": "nhsuk-tag--green"}
DECISION_TAGS = {
    ReviewDecision.NEW_BLOCK: "nhsuk-tag--blue",
    ReviewDecision.STEP_DOWN_TO_ADVICE: "nhsuk-tag--purple",
    ReviewDecision.DISCHARGE: "nhsuk-tag--grey",
}


# --- Numbers -------------------------------------------------------------------------------------------------------


def number(value) -> str:
    """1, 1.5, 0.1: a stored Decimal without trailing zeros ("1.00" reads as 1)."""
    if value is None:
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def signed(value) -> str:
    """+2, 0, minus 1.5: a level or a change with its sign, a minus sign where negative."""
    amount = Decimal(str(value))
    text = number(abs(amount))
    if amount > 0:
        return f"+{text}"
    if amount < 0:
        return f"{MINUS}{text}"
    return "0"


def change_text(value, places: int | None = None) -> str:
    """A change with its sign; `places` fixes the decimals (COPM means to 2)."""
    amount = Decimal(str(value))
    if places is None:
        return signed(amount)
    text = f"{abs(amount):.{places}f}"
    if amount > 0:
        return f"+{text}"
    if amount < 0:
        return f"{MINUS}{text}"
    return text


def t_score(value) -> str:
    """The GAS T-score to two decimal places (50.00 means every goal met as expected)."""
    if value is None:
        return ""
    return f"{Decimal(str(value)):.2f}"


# --- GAS levels and goals ------------------------------------------------------------------------------------------


def level_heading(level: int) -> str:
    """Level minus 2: much less than expected (with a minus sign)."""
    return f"Level {signed(level)}: {LEVEL_LABELS[level]}"


def level_name(level: int | None) -> str:
    """minus 1 (somewhat less than expected), with a minus sign."""
    if level is None:
        return "Not rated"
    return f"{signed(level)} ({LEVEL_LABELS[level]})"


def level_choice(level: int, levels: dict) -> str:
    """A level as a radio option: its number and meaning, then what it looks like for this goal."""
    return f"{signed(level)} {LEVEL_LABELS[level]}: {levels.get(str(level), '')}"


def bank_goal_text(goal: BankGoal) -> str:
    """A bank goal as it is offered, before it is written for a child."""
    return goal.description.replace(PLACEHOLDER, "the child")


@dataclass(frozen=True)
class GoalRow:
    goal: Goal
    position: int
    description: str
    area: str
    weight: str
    baseline: str
    levels: list[dict]
    attained: str
    attained_level: int | None
    carried_from: Goal | None


def goal_rows(goals, attained: dict[int, int] | None = None) -> list[GoalRow]:
    """A package's goals as the goal tables show them. `attained`: {goal id: level} once reviewed."""
    attained = attained or {}
    rows = []
    for goal in goals:
        level = attained.get(goal.pk)
        rows.append(
            GoalRow(
                goal=goal,
                position=goal.position,
                description=goal.description,
                area=goal.get_area_display(),
                weight=number(goal.weight),
                baseline=level_name(goal.baseline),
                levels=[
                    {
                        "level": signed(lvl),
                        "label": LEVEL_LABELS[lvl],
                        "text": goal.levels.get(str(lvl), ""),
                        "baseline": lvl == goal.baseline,
                        "attained": lvl == level,
                    }
                    for lvl in LEVELS
                ],
                attained=level_name(level) if goal.pk in attained else "",
                attained_level=level,
                carried_from=goal.carried_from if goal.carried_from_id else None,
            )
        )
    return rows


# --- COPM ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CopmRow:
    problem: str
    performance_before: str
    performance_after: str
    performance_change: str
    satisfaction_before: str
    satisfaction_after: str
    satisfaction_change: str
    important: bool


def copm_rows(change: CopmChange | None) -> list[CopmRow]:
    """Each problem's scores before and after, and the change; important where either changed by 2 or more."""
    if change is None:
        return []
    return [
        CopmRow(
            problem=p.problem,
            performance_before=str(p.performance_before),
            performance_after=str(p.performance_after),
            performance_change=signed(p.performance_change),
            satisfaction_before=str(p.satisfaction_before),
            satisfaction_after=str(p.satisfaction_after),
            satisfaction_change=signed(p.satisfaction_change),
            important=p.important,
        )
        for p in change.problems
    ]


def copm_totals(change: CopmChange | None) -> dict | None:
    """The COPM scores (means over problems) before and after, their change, and whether each is important."""
    if change is None:
        return None
    return {
        "performance_before": f"{change.performance_before:.2f}",
        "performance_after": f"{change.performance_after:.2f}",
        "performance_change": change_text(change.performance_change, 2),
        "performance_important": change.performance_important,
        "satisfaction_before": f"{change.satisfaction_before:.2f}",
        "satisfaction_after": f"{change.satisfaction_after:.2f}",
        "satisfaction_change": change_text(change.satisfaction_change, 2),
        "satisfaction_important": change.satisfaction_important,
    }


def important_change(value) -> bool:
    return value is not None and abs(Decimal(str(value))) >= COPM_IMPORTANT_CHANGE


def copm_problems_before(problems: list[CopmProblem], earlier_reviews: list[Review]) -> list[dict]:
    """Each COPM problem with its ratings so far (at assessment, then at each earlier review), for re-rating.

    `earlier_reviews` need `copm_reratings` prefetched."""
    rerated: dict[int, list[tuple[Review, int, int]]] = {}
    for review in earlier_reviews:
        for rerating in review.copm_reratings.all():
            rerated.setdefault(rerating.problem_id, []).append((review, rerating.performance, rerating.satisfaction))
    items = []
    for problem in problems:
        history = [
            {
                "when": f"At assessment ({format_date(problem.assessment.assessed_on)})",
                "performance": problem.performance,
                "satisfaction": problem.satisfaction,
            }
        ] + [
            {
                "when": f"At the review of block {review.package.block_number} ({format_date(review.reviewed_on)})",
                "performance": performance,
                "satisfaction": satisfaction,
            }
            for review, performance, satisfaction in rerated.get(problem.pk, [])
        ]
        latest = history[-1]
        items.append(
            {
                "problem": problem,
                "history": history,
                "performance_before_text": f"{latest['when']}: {latest['performance']}",
                "satisfaction_before_text": f"{latest['when']}: {latest['satisfaction']}",
            }
        )
    return items


# --- TOMs ----------------------------------------------------------------------------------------------------------


def toms_scores(rating: TomsRating | None) -> dict[str, Decimal] | None:
    if rating is None:
        return None
    return {domain: getattr(rating, domain) for domain in TOMS_DOMAINS}


def toms_rows(start: TomsRating | None, end: TomsRating | None) -> list[dict]:
    """Each TOMs domain at the start and now, and the change (empty when either is missing)."""
    if end is None:
        return []
    rows = []
    for domain in TOMS_DOMAINS:
        after = getattr(end, domain)
        before = getattr(start, domain) if start is not None else None
        rows.append(
            {
                "domain": domain.capitalize(),
                "before": number(before) if before is not None else "Not rated",
                "after": number(after),
                "change": signed(after - before) if before is not None else "",
            }
        )
    return rows


# --- Packages ------------------------------------------------------------------------------------------------------


def labels(codes, choices) -> str:
    """Codes as their labels, joined: "School and home"."""
    names = [choices(code).label for code in codes if code in choices.values]
    if not names:
        return "None"
    # Only the first letter is lowered after the first, so "OT" stays "OT": "School and home".
    rest = [name[0].lower() + name[1:] for name in names[1:]]
    if not rest:
        return names[0]
    return ", ".join([names[0], *rest[:-1]]) + " and " + rest[-1]


def delivery_text(package: Package) -> str:
    return labels(package.delivery, Delivery)


def places_text(package: Package) -> str:
    return labels(package.places, PackageSetting)


def components_text(package: Package) -> str:
    return labels(package.components, Component)


def package_heading(package: Package) -> str:
    """Package of care, block 2"""
    return f"{package.get_type_display()}, block {package.block_number}"


def decision_tag(review: Review) -> dict[str, str]:
    return {"text": review.get_decision_display(), "classes": DECISION_TAGS.get(review.decision, "")}


def appointment_label(appointment) -> str:
    """An appointment to link an assessment to: when, and what kind."""
    from paedot.appointments.presenters import when

    return f"{when(appointment)}: {appointment.get_kind_display()}"


def review_due_text(package: Package) -> str:
    """When the review is due: its date, or after the block's last session (`last_session`, annotated by
    reviews_due) when no date was set."""
    if package.review_due_on is not None:
        return format_date(package.review_due_on)
    last = getattr(package, "last_session", None)
    if last is not None:
        from paedot.appointments.presenters import local

        return f"After the last session, on {format_date(local(last).date())}"
    return "No date set"


def review_tag(package: Package, today) -> dict[str, str]:
    """Overdue, due today, or coming up; a block finished without a review date is due now."""
    due = package.review_due_on
    if due is None:
        return {"text": "Block finished", "classes": "nhsuk-tag--orange"}
    if due < today:
        return {"text": "Overdue", "classes": "nhsuk-tag--red"}
    if due == today:
        return {"text": "Due today", "classes": "nhsuk-tag--orange"}
    return {"text": "Coming up", "classes": "nhsuk-tag--blue"}


def recipient_words(consent) -> str:
    """The recipient as it reads inside a sentence: "family", "school or nursery", but "GP", never "gp"."""
    label = consent.get_recipient_display()
    return label if label.isupper() else label.lower()
