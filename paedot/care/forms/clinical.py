"""Forms for the clinical work: an assessment, a package of care with its goals, and the review after a block.
Validation and cleaning only; the views pass what they clean to the services, which check again.

The pages work without JavaScript, so the buttons that change the form itself ("Show their score fields", "Add
another goal", "Use these goals", "Remove this goal") post the form and get it back as typed: the helpers here read
the posted rows and write them back, renumbered, into the data the form is shown with.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict

from paedot.care import presenters
from paedot.care.goal_bank import goal_bank
from paedot.care.models import (
    Area,
    Component,
    CopmProblem,
    Delivery,
    FindingArea,
    Goal,
    Package,
    PackageSetting,
    PackageType,
    ReviewDecision,
)
from paedot.care.policy import Template, check_score, standardised_templates
from paedot.care.rules import COPM_MAX_PROBLEMS, TOMS_DOMAINS, RatingError
from paedot.nhsuk_forms.fields import DateField
from paedot.staff.models import Role, User

COPM_SCALE = [("", "Choose")] + [(str(n), str(n)) for n in range(1, 11)]
TOMS_SCALE = [("", "Not rated")] + [(f"{n / 2:g}", f"{n / 2:g}") for n in range(11)]
COPM_SCORES = ("importance", "performance", "satisfaction")
# The least the goal table offers, so a clinician sees at once that a package has several goals.
MIN_GOAL_ROWS = 3
MAX_GOAL_ROWS = 12
LEVEL_SUFFIX = {-2: "minus2", -1: "minus1", 0: "expected", 1: "plus1", 2: "plus2"}
LEVEL_PARTS = tuple(f"level_{suffix}" for suffix in LEVEL_SUFFIX.values())
ROW_PARTS = ("description", "area", *LEVEL_PARTS, "weight", "baseline", "carried_from")
ROW_DEFAULTS = {"weight": "1", "baseline": "-1"}
BASELINE_CHOICES = [(str(level), presenters.level_heading(level).removeprefix("Level ")) for level in (-1, -2)]


class ShownAsTyped:
    """A form shown again exactly as posted, without complaining about what is not filled in yet (after a button
    that changes the form rather than saving it)."""

    def show_without_errors(self) -> None:
        self._errors = ErrorDict()  # type: ignore[attr-defined]
        self.cleaned_data = {}  # type: ignore[attr-defined]

    def add_service_error(self, field: str | None, message: str) -> None:
        """A service's refusal against the form field it is about (or the whole form), keeping the rest as typed."""
        fields: dict = self.fields  # type: ignore[attr-defined]
        name = field if field in fields else None
        if self._errors is None:  # type: ignore[attr-defined]
            self._errors = ErrorDict()  # type: ignore[attr-defined]
        self._errors.setdefault(name or "__all__", self.error_class(renderer=self.renderer))  # type: ignore[attr-defined]
        self._errors[name or "__all__"].append(message)  # type: ignore[attr-defined]


def _select(label: str, choices, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, required=False, **kwargs)


def _score(value: str) -> int:
    return int(value)


# --- Assessment --------------------------------------------------------------------------------------------------


def score_field_name(template_id: str, key: str) -> str:
    return f"score__{template_id}__{key}"


class AssessmentForm(ShownAsTyped, forms.Form):
    """Findings under each heading, standardised scores (for the assessments chosen), the clinical impression, COPM
    problems and TOMs at the start."""

    assessed_on = DateField(label="Date of the assessment", help_text="For example, 15 3 2027")
    appointment = forms.ChoiceField(label="Appointment (optional)", required=False)
    templates = forms.MultipleChoiceField(
        label="Standardised assessments given",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose them, then “Show their score fields” to type the scores.",
        error_messages={"invalid_choice": "Choose standardised assessments from the list"},
    )
    clinical_impression = forms.CharField(label="Clinical impression", required=False, widget=forms.Textarea)

    def __init__(self, *args, appointments: Iterable = (), copm_rows: int = COPM_MAX_PROBLEMS, **kwargs):
        super().__init__(*args, **kwargs)
        self.all_templates: dict[str, Template] = standardised_templates()
        self.fields["templates"].choices = [(t.id, t.name) for t in self.all_templates.values()]
        self.fields["appointment"].choices = [("", "Not linked to an appointment")] + [
            (str(a.pk), presenters.appointment_label(a)) for a in appointments
        ]
        self.finding_names = []
        for code, label in FindingArea.choices:
            name = f"findings_{code}"
            self.fields[name] = forms.CharField(label=label, required=False, widget=forms.Textarea)
            self.finding_names.append(name)
        self.chosen_templates = [self.all_templates[t] for t in self._chosen() if t in self.all_templates]
        for template in self.chosen_templates:
            for field in template.fields:
                name = score_field_name(template.id, field.key)
                label = f"{field.label} (optional)"
                if field.kind == "classification":
                    self.fields[name] = _select(label, [("", "Not given"), *((c, c) for c in field.choices)])
                else:
                    self.fields[name] = forms.CharField(
                        label=label,
                        required=False,
                        max_length=20,
                        help_text=f"From {presenters.number(field.min)} to {presenters.number(field.max)}",
                        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "decimal"}),
                    )
        # The COPM has at most five problems in an episode: rows for those not yet named.
        self.copm_rows = list(range(1, max(copm_rows, 0) + 1))
        for row in self.copm_rows:
            self.fields[f"copm_{row}_problem"] = forms.CharField(
                label=f"Problem {row}", required=False, max_length=300, help_text="In the family's words"
            )
            for score in COPM_SCORES:
                self.fields[f"copm_{row}_{score}"] = _select(score.capitalize(), COPM_SCALE)
        for domain in TOMS_DOMAINS:
            self.fields[f"toms_{domain}"] = _select(domain.capitalize(), TOMS_SCALE)
        # Where the last service call's rows went, to put its errors back on the right field.
        self._copm_sent: list[int] = []
        self._standardised_sent: list[str] = []

    def _chosen(self) -> list[str]:
        if self.is_bound:
            if hasattr(self.data, "getlist"):
                return self.data.getlist("templates")
            return list(self.data.get("templates", []))
        return list(self.initial.get("templates", []))

    def template_sections(self) -> list[dict]:
        """Each chosen assessment with its score fields, for the page."""
        return [
            {"template": t, "fields": [self[score_field_name(t.id, f.key)] for f in t.fields]}
            for t in self.chosen_templates
        ]

    def copm_sections(self) -> list[dict]:
        return [
            {
                "row": row,
                "problem": self[f"copm_{row}_problem"],
                "scores": [self[f"copm_{row}_{score}"] for score in COPM_SCORES],
            }
            for row in self.copm_rows
        ]

    def clean(self):
        data = super().clean()
        for template in self.chosen_templates:
            given = False
            for field in template.fields:
                name = score_field_name(template.id, field.key)
                value = (data.get(name) or "").strip()
                if not value:
                    continue
                given = True
                try:
                    check_score(field, value, name)
                except RatingError as error:
                    self.add_error(name, error.message)
            if not given:
                first = score_field_name(template.id, template.fields[0].key)
                self.add_error(first, f"Give at least one {template.name} score, or untick it")
        for row in self.copm_rows:
            values = {part: data.get(f"copm_{row}_{part}") for part in ("problem", *COPM_SCORES)}
            if not any(values.values()):
                continue
            if not (values["problem"] or "").strip():
                self.add_error(f"copm_{row}_problem", f"Describe problem {row} in the family's words")
            for score in COPM_SCORES:
                if not values[score]:
                    self.add_error(f"copm_{row}_{score}", f"Choose the {score} of problem {row}, from 1 to 10")
        _check_toms_all_or_none(self, data)
        return data

    # What the service is given, and where its errors go back to.

    def findings(self) -> dict[str, str]:
        data = self.cleaned_data
        return {code: data[f"findings_{code}"] for code in FindingArea.values if data.get(f"findings_{code}")}

    def standardised(self) -> list[dict]:
        data = self.cleaned_data
        self._standardised_sent = []
        results = []
        for template in self.chosen_templates:
            scores = {}
            for field in template.fields:
                value = (data.get(score_field_name(template.id, field.key)) or "").strip()
                if value:
                    scores[field.key] = value
            results.append({"template": template.id, "scores": scores})
            self._standardised_sent.append(template.id)
        return results

    def copm(self) -> list[dict]:
        data = self.cleaned_data
        self._copm_sent = []
        problems = []
        for row in self.copm_rows:
            if not data.get(f"copm_{row}_problem"):
                continue
            problems.append(
                {"problem": data[f"copm_{row}_problem"], **{s: _score(data[f"copm_{row}_{s}"]) for s in COPM_SCORES}}
            )
            self._copm_sent.append(row)
        return problems

    def toms(self) -> dict | None:
        return _toms(self.cleaned_data)

    def field_for(self, service_field: str) -> str | None:
        """The form field a service's RatingError names ("copm.0.importance" -> "copm_1_importance")."""
        parts = service_field.split(".")
        if parts[0] == "assessed_on" or parts[0] == "appointment":
            return parts[0]
        if parts[0] == "findings":
            return f"findings_{parts[1]}" if len(parts) > 1 else self.finding_names[0]
        if parts[0] == "toms" and len(parts) > 1:
            return f"toms_{parts[1]}"
        if parts[0] == "copm" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(self._copm_sent):
            row = self._copm_sent[int(parts[1])]
            return f"copm_{row}_{parts[2] if len(parts) > 2 else 'problem'}"
        if parts[0] == "copm":
            return f"copm_{self.copm_rows[0]}_problem" if self.copm_rows else None
        if parts[0] == "standardised" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(self._standardised_sent) and len(parts) > 3:
                return score_field_name(self._standardised_sent[index], parts[3])
            return "templates"
        return None


def _check_toms_all_or_none(form: forms.Form, data: dict) -> None:
    given = [d for d in TOMS_DOMAINS if data.get(f"toms_{d}")]
    if given and len(given) < len(TOMS_DOMAINS):
        for domain in TOMS_DOMAINS:
            if domain not in given:
                form.add_error(f"toms_{domain}", f"Rate {domain} too, or leave all four TOMs domains unrated")


def _toms(data: dict) -> dict | None:
    if not all(data.get(f"toms_{d}") for d in TOMS_DOMAINS):
        return None
    return {d: Decimal(data[f"toms_{d}"]) for d in TOMS_DOMAINS}


# --- Package of care and its goals --------------------------------------------------------------------------------


def goal_field(row: int, part: str) -> str:
    return f"goal_{row}_{part}"


def read_goal_rows(data) -> list[dict[str, str]]:
    """The goal rows as posted (raw text), in order."""
    try:
        count = int(data.get("goal_rows") or 0)
    except ValueError:
        count = 0
    count = max(0, min(count, MAX_GOAL_ROWS))
    return [{part: (data.get(goal_field(row, part)) or "") for part in ROW_PARTS} for row in range(1, count + 1)]


def write_goal_rows(data, rows: list[dict[str, str]]) -> QueryDict:
    """The posted data with its goal rows replaced by these (renumbered from 1)."""
    written = data.copy() if isinstance(data, QueryDict) else QueryDict(mutable=True)
    if not isinstance(data, QueryDict):
        for key, value in data.items():
            written[key] = value
    for key in [k for k in written if k.startswith("goal_") and k.split("_")[1].isdigit()]:
        del written[key]
    rows = rows[:MAX_GOAL_ROWS]
    for row, values in enumerate(rows, start=1):
        for part in ROW_PARTS:
            written[goal_field(row, part)] = values.get(part) or ROW_DEFAULTS.get(part, "")
    written["goal_rows"] = str(max(len(rows), MIN_GOAL_ROWS))
    return written


def row_is_blank(row: dict[str, str]) -> bool:
    """Nothing written in it (its area, weight and baseline have defaults, so they do not count)."""
    return not row.get("carried_from") and not any(
        (row.get(part) or "").strip() for part in ROW_PARTS if part.startswith(("description", "level_"))
    )


def goal_as_row(goal: dict) -> dict[str, str]:
    """A goal (from the bank, or one carried over) as the raw text of a goal row."""
    row = {
        "description": goal["description"],
        "area": goal["area"],
        "weight": presenters.number(goal.get("weight", 1)),
        "baseline": str(goal.get("baseline", -1)),
        "carried_from": str(goal.get("carried_from") or ""),
    }
    for level, suffix in LEVEL_SUFFIX.items():
        row[f"level_{suffix}"] = goal["levels"][str(level)]
    return row


def add_goal_rows(data, goals: list[dict]) -> QueryDict:
    """Put these goals in the blank rows first, then in new rows below."""
    rows = read_goal_rows(data)
    for goal in goals:
        blank = next((i for i, row in enumerate(rows) if row_is_blank(row)), None)
        if blank is None:
            rows.append(goal_as_row(goal))
        else:
            rows[blank] = goal_as_row(goal)
    return write_goal_rows(data, rows)


def add_blank_goal_row(data) -> QueryDict:
    rows = read_goal_rows(data)
    rows.extend([{}] * (max(len(rows), MIN_GOAL_ROWS - 1) + 1 - len(rows)))
    return write_goal_rows(data, rows)


def remove_goal_row(data, row: int) -> QueryDict:
    rows = read_goal_rows(data)
    if 1 <= row <= len(rows):
        del rows[row - 1]
    return write_goal_rows(data, rows)


def supervising_ots():
    """Who may supervise an OT assistant's sessions: OTs and team leads."""
    return User.objects.filter(role__in=[Role.OT, Role.TEAM_LEAD], is_active=True).order_by("last_name", "first_name")


class SupervisorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.get_role_display()})"


class PackageForm(ShownAsTyped, forms.Form):
    """How the package is delivered, where, for how many sessions, and its goals (from the bank or written here)."""

    type = forms.ChoiceField(
        label="What is offered",
        choices=PackageType.choices,
        widget=forms.RadioSelect,
        initial=PackageType.PACKAGE_OF_CARE,
        error_messages={"required": "Choose a package of care or advice and strategies"},
    )
    delivery = forms.MultipleChoiceField(
        label="How it is delivered",
        choices=Delivery.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Choose all that apply.",
    )
    supervising_ot = SupervisorField(
        label="Supervising OT",
        queryset=User.objects.none(),
        required=False,
        empty_label="Choose the OT who supervises",
        help_text="Needed when an OT assistant delivers the sessions.",
        error_messages={"invalid_choice": "Choose an OT or team lead from the list"},
    )
    places = forms.MultipleChoiceField(
        label="Where",
        choices=PackageSetting.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="At school, at home, or both.",
    )
    components = forms.MultipleChoiceField(
        label="Also includes (optional)",
        choices=Component.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    sessions = forms.IntegerField(
        label="Number of sessions in the block",
        initial=6,
        min_value=1,
        max_value=52,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-2", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of sessions",
            "invalid": "Number of sessions must be a number, like 6",
            "min_value": "A block has at least 1 session",
            "max_value": "A block has at most 52 sessions",
        },
    )
    review_due_on = DateField(
        label="Review due by (optional)",
        past_only=False,
        required=False,
        help_text="Usually after the last session of the block. For example, 28 6 2027",
    )
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)
    bank_goals = forms.MultipleChoiceField(
        label="Goals from the goal bank",
        required=False,
        error_messages={"invalid_choice": "Choose goals from the bank"},
    )

    def __init__(self, *args, previous_goals: Iterable[Goal] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervising_ot"].queryset = supervising_ots()
        bank = goal_bank()
        self.fields["bank_goals"].choices = [(g.id, g.description) for g in bank.goals]
        self.previous_goals = {str(goal.pk): goal for goal in previous_goals}
        source = self.data if self.is_bound else self.initial
        self.goal_rows = list(range(1, max(len(read_goal_rows(source)), MIN_GOAL_ROWS) + 1))
        for row in self.goal_rows:
            self._add_goal_fields(row)

    def _add_goal_fields(self, row: int) -> None:
        self.fields[goal_field(row, "description")] = forms.CharField(
            label="The goal",
            required=False,
            widget=forms.Textarea,
            help_text="What the child will do, how well or how often, by the end of the block",
        )
        self.fields[goal_field(row, "area")] = forms.ChoiceField(
            label="Area", choices=[("", "Choose an area"), *Area.choices], required=False
        )
        for level, suffix in LEVEL_SUFFIX.items():
            self.fields[goal_field(row, f"level_{suffix}")] = forms.CharField(
                label=presenters.level_heading(level), required=False, widget=forms.Textarea
            )
        self.fields[goal_field(row, "weight")] = forms.DecimalField(
            label="Weight",
            required=False,
            initial=1,
            min_value=Decimal("0.01"),
            max_value=Decimal(100),
            decimal_places=2,
            help_text="1 unless this goal matters more than the others",
            widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "decimal"}),
            error_messages={
                "invalid": f"The weight of goal {row} must be a number, like 1 or 2",
                "min_value": f"The weight of goal {row} must be more than 0",
                "max_value": f"The weight of goal {row} must be 100 or less",
                "max_decimal_places": f"The weight of goal {row} has at most 2 decimal places",
            },
        )
        self.fields[goal_field(row, "baseline")] = forms.ChoiceField(
            label="Baseline: where the child is now",
            choices=BASELINE_CHOICES,
            required=False,
            initial="-1",
            widget=forms.RadioSelect(attrs={"data-inline": "true"}),
            help_text=f"{presenters.signed(-2)} only if nothing worse is possible",
        )
        self.fields[goal_field(row, "carried_from")] = forms.CharField(
            required=False, widget=forms.HiddenInput, label="Carried from"
        )

    def goal_sections(self) -> list[dict]:
        """Each goal row's fields, for the page."""
        sections = []
        for row in self.goal_rows:
            carried = self[goal_field(row, "carried_from")].value() or ""
            previous = self.previous_goals.get(str(carried))
            sections.append(
                {
                    "row": row,
                    "description": self[goal_field(row, "description")],
                    "area": self[goal_field(row, "area")],
                    "levels": [self[goal_field(row, f"level_{s}")] for s in LEVEL_SUFFIX.values()],
                    "weight": self[goal_field(row, "weight")],
                    "baseline": self[goal_field(row, "baseline")],
                    "carried_from": self[goal_field(row, "carried_from")],
                    "carried": previous,
                }
            )
        return sections

    def bank_sections(self) -> list[dict]:
        """The goal bank by topic, as checkbox items with what was chosen kept ticked."""
        value = self["bank_goals"].value() or []
        chosen = {str(v) for v in value}
        bank = goal_bank()
        return [
            {
                "topic": topic,
                "items": [
                    {"value": g.id, "text": presenters.bank_goal_text(g), "checked": g.id in chosen}
                    for g in bank.in_topic(topic.id)
                ],
            }
            for topic in bank.topics
        ]

    def clean(self):
        data = super().clean()
        # Advice and strategies may be given without sessions at a place; a package of care says how and where.
        if data.get("type") == PackageType.PACKAGE_OF_CARE:
            if not data.get("delivery"):
                self.add_error("delivery", "Choose how the package of care is delivered")
            if not data.get("places"):
                self.add_error("places", "Choose where the package of care is delivered: school, home or both")
        if Delivery.OTA in (data.get("delivery") or []) and not data.get("supervising_ot"):
            self.add_error("supervising_ot", "Choose the OT who supervises the OT assistant's sessions")
        written = 0
        for row in self.goal_rows:
            if self._clean_goal_row(row, data):
                written += 1
        if data.get("type") == PackageType.PACKAGE_OF_CARE and written == 0 and not self.errors:
            self.add_error(goal_field(1, "description"), "Write at least one goal: every package of care has goals")
        return data

    def _clean_goal_row(self, row: int, data: dict) -> bool:
        """Check one goal row; returns whether it holds a goal (a row left blank is skipped)."""
        texts = {part: str(data.get(goal_field(row, part)) or "").strip() for part in ROW_PARTS}
        if row_is_blank(texts):
            return False
        if not texts["description"]:
            self.add_error(goal_field(row, "description"), f"Write goal {row}, or remove it")
        if not texts["area"]:
            self.add_error(goal_field(row, "area"), f"Choose the area of goal {row}")
        for level, suffix in LEVEL_SUFFIX.items():
            if not texts[f"level_{suffix}"]:
                self.add_error(
                    goal_field(row, f"level_{suffix}"),
                    f"Describe level {presenters.signed(level)} of goal {row} ({presenters.LEVEL_LABELS[level]})",
                )
        if texts["carried_from"] and texts["carried_from"] not in self.previous_goals:
            self.add_error(goal_field(row, "description"), f"Goal {row} was carried from a goal of another package")
        return True

    def goals(self) -> list[dict]:
        """The goals written, as the service takes them (rows left blank are skipped)."""
        data = self.cleaned_data
        self._goals_sent: list[int] = []
        goals = []
        for row in self.goal_rows:
            texts = {part: str(data.get(goal_field(row, part)) or "") for part in ROW_PARTS}
            if row_is_blank(texts):
                continue
            weight = data.get(goal_field(row, "weight"))
            goals.append(
                {
                    "description": texts["description"].strip(),
                    "area": texts["area"],
                    "levels": {str(level): texts[f"level_{s}"].strip() for level, s in LEVEL_SUFFIX.items()},
                    "weight": weight if weight is not None else Decimal(1),
                    "baseline": int(texts["baseline"] or -1),
                    "carried_from": int(texts["carried_from"]) if texts["carried_from"] else None,
                }
            )
            self._goals_sent.append(row)
        return goals

    def field_for(self, service_field: str) -> str | None:
        """The form field a service's RatingError names ("goals.1.levels.-2" -> "goal_2_level_minus2")."""
        parts = service_field.split(".")
        if parts[0] == "settings":
            return "places"
        if parts[0] in self.fields:
            return parts[0]
        if parts[0] == "goals":
            sent = getattr(self, "_goals_sent", [])
            if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(sent):
                row = sent[int(parts[1])]
                part = parts[2] if len(parts) > 2 else "description"
                if part == "levels":
                    level = int(parts[3]) if len(parts) > 3 and parts[3].lstrip("-").isdigit() else -2
                    return goal_field(row, f"level_{LEVEL_SUFFIX.get(level, 'minus2')}")
                return goal_field(row, part if part in ROW_PARTS else "description")
            return goal_field(1, "description")
        return None


# --- Review after a block -----------------------------------------------------------------------------------------


def goal_rating_field(goal: Goal) -> str:
    return f"goal_{goal.pk}_attained"


def copm_field(problem: CopmProblem, score: str) -> str:
    return f"copm_{problem.pk}_{score}"


class ReviewForm(ShownAsTyped, forms.Form):
    """Each goal's attained level, the COPM problems re-rated, TOMs, and what happens next."""

    reviewed_on = DateField(label="Date of the review", help_text="For example, 28 6 2027")
    decision = forms.ChoiceField(
        label="What happens next",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens next"},
    )
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea)

    def __init__(self, *args, package: Package, goals: list[Goal], problems: list[dict], **kwargs):
        """`problems`: each COPM problem with its earlier ratings, as presenters.copm_problems_before gives them."""
        super().__init__(*args, **kwargs)
        self.package = package
        self.review_goals = goals
        self.problems = problems
        for goal in goals:
            field = forms.ChoiceField(
                label=f"Goal {goal.position}: {goal.description}",
                choices=[(str(level), presenters.level_choice(level, goal.levels)) for level in presenters.LEVELS],
                widget=forms.RadioSelect,
                help_text=f"Weight {presenters.number(goal.weight)}. {goal.get_area_display()}.",
                error_messages={"required": f"Choose the level goal {goal.position} reached"},
            )
            field.choice_hints = {str(goal.baseline): "Baseline: where the child started this block"}  # type: ignore[attr-defined]
            self.fields[goal_rating_field(goal)] = field
        for item in problems:
            problem = item["problem"]
            for score in ("performance", "satisfaction"):
                self.fields[copm_field(problem, score)] = _select(
                    score.capitalize(), COPM_SCALE, help_text=item[f"{score}_before_text"]
                )
        for domain in TOMS_DOMAINS:
            self.fields[f"toms_{domain}"] = _select(domain.capitalize(), TOMS_SCALE)
        self._copm_sent: list[CopmProblem] = []

    def goal_sections(self) -> list[dict]:
        return [{"goal": goal, "field": self[goal_rating_field(goal)]} for goal in self.review_goals]

    def copm_sections(self) -> list[dict]:
        return [
            {
                **item,
                "performance": self[copm_field(item["problem"], "performance")],
                "satisfaction": self[copm_field(item["problem"], "satisfaction")],
            }
            for item in self.problems
        ]

    def clean(self):
        data = super().clean()
        for item in self.problems:
            problem = item["problem"]
            performance, satisfaction = (
                data.get(copm_field(problem, "performance")),
                data.get(copm_field(problem, "satisfaction")),
            )
            if bool(performance) != bool(satisfaction):
                missing = "satisfaction" if performance else "performance"
                self.add_error(
                    copm_field(problem, missing),
                    f"Rate {missing} for “{problem.problem}” too, or leave both unrated",
                )
        _check_toms_all_or_none(self, data)
        return data

    def goals(self) -> list[dict]:
        data = self.cleaned_data
        return [{"id": goal.pk, "attained": int(data[goal_rating_field(goal)])} for goal in self.review_goals]

    def copm(self) -> list[dict]:
        data = self.cleaned_data
        self._copm_sent = []
        rated = []
        for item in self.problems:
            problem = item["problem"]
            performance = data.get(copm_field(problem, "performance"))
            if not performance:
                continue
            rated.append(
                {
                    "problem": problem.pk,
                    "performance": _score(performance),
                    "satisfaction": _score(data[copm_field(problem, "satisfaction")]),
                }
            )
            self._copm_sent.append(problem)
        return rated

    def toms(self) -> dict | None:
        return _toms(self.cleaned_data)

    def field_for(self, service_field: str) -> str | None:
        """The form field a service's RatingError names ("goals.0.attained", "copm.1.performance", "toms.activity")."""
        parts = service_field.split(".")
        if parts[0] in ("reviewed_on", "decision", "summary"):
            return parts[0]
        if parts[0] == "toms" and len(parts) > 1:
            return f"toms_{parts[1]}"
        if parts[0] == "goals" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(self.review_goals):
            return goal_rating_field(self.review_goals[int(parts[1])])
        if parts[0] == "goals" and self.review_goals:
            return goal_rating_field(self.review_goals[0])
        if parts[0] == "copm" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(self._copm_sent):
            score = parts[2] if len(parts) > 2 and parts[2] in ("performance", "satisfaction") else "performance"
            return copm_field(self._copm_sent[int(parts[1])], score)
        return None


class ReviewsDueForm(forms.Form):
    """A team lead's choice of whose reviews to see."""

    clinician = forms.ModelChoiceField(
        label="Clinician",
        queryset=User.objects.none(),
        required=False,
        empty_label="Me",
        error_messages={"invalid_choice": "Choose a clinician from the list"},
    )
    within_days = forms.TypedChoiceField(
        label="Due within",
        choices=[("14", "2 weeks"), ("28", "4 weeks"), ("56", "8 weeks")],
        coerce=int,
        required=False,
        empty_value=14,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = User.objects.clinicians().order_by("last_name", "first_name", "username")
        self.fields["clinician"].label_from_instance = lambda u: f"{u.display_name} ({u.get_role_display()})"
