"""The validated shapes of rulesets, assessments and incidents (pydantic)."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]
ChoiceValue = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,64}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Severity(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER.index(self)

    def raised(self) -> Severity:
        return SEVERITY_ORDER[min(self.rank + 1, len(SEVERITY_ORDER) - 1)]


SEVERITY_ORDER = [Severity.low, Severity.medium, Severity.high, Severity.critical]
SEVERITY_WEIGHT = {Severity.low: 1, Severity.medium: 2, Severity.high: 3, Severity.critical: 4}


class Status(str, Enum):
    met = "met"
    substantially_met = "substantially_met"
    partially_met = "partially_met"
    not_met = "not_met"
    not_applicable = "not_applicable"
    unanswered = "unanswered"


RATED_STATUSES = [Status.met, Status.substantially_met, Status.partially_met, Status.not_met]
STATUS_POINTS = {Status.met: 1.0, Status.substantially_met: 0.75, Status.partially_met: 0.5, Status.not_met: 0.0}
CONDITION_LEVELS = [Status.met, Status.substantially_met, Status.partially_met]


class AnswerType(str, Enum):
    yes_no = "yes_no"
    yes_no_partial = "yes_no_partial"
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    number = "number"
    date = "date"
    text = "text"


BUILTIN_CHOICES: dict[AnswerType, list[str]] = {
    AnswerType.yes_no: ["no", "yes"],
    AnswerType.yes_no_partial: ["no", "partial", "yes"],
}


class Choice(Strict):
    value: ChoiceValue
    label: Text


# How a critical rule that blocks the next maturity level is written in the result; reports parse it back.
CRITICAL_BLOCKER_TEXT = "critical rule {rule_id} is {status}"
CRITICAL_BLOCKER = re.compile(r"^critical rule (\S+) is (.+)$")

NONE_CHOICE = "none"
"""In a multiple-choice question, the choice `none` ("none of these") stands alone and selects nothing."""


def selected_count(values: list[str]) -> int:
    """How many choices a multiple-choice answer selects (`none` counts as zero)."""
    return sum(1 for v in values if v != NONE_CHOICE)


class Clause(Strict):
    """One citable section or clause of a source document."""

    id: Identifier
    section: Text
    title: Text | None = None
    verified: bool = False
    note: Text | None = None


class SourceDocument(Strict):
    id: Identifier
    title: Text
    publisher: Text | None = None
    year: int | None = None
    edition: Text | None = None
    clauses: list[Clause] = Field(min_length=1)


class Pillar(Strict):
    id: Identifier
    title: Text
    description: Text | None = None


class ProfileFact(Strict):
    """A fact about the company or site that decides which rules apply (skip logic)."""

    id: Identifier
    text: Text
    help: Text | None = None
    type: Literal["boolean", "single_choice", "number"] = "boolean"
    choices: list[Choice] | None = None


class Factor(Strict):
    """A named condition on the profile: raises severities or marks exposure."""

    id: Identifier
    title: Text
    when: Any


class MaturityLevel(Strict):
    level: int = Field(ge=1, le=9)
    name: Text
    description: Text
    min_overall: float = Field(default=0, ge=0, le=100)
    min_pillar: float = Field(default=0, ge=0, le=100)
    critical_at_least: Status | None = None


class IncidentType(Strict):
    id: ChoiceValue
    title: Text
    serious: bool = True


class Question(Strict):
    id: Identifier
    pillar: Identifier
    section: Text | None = None
    text: Text
    help: Text | None = None
    type: AnswerType
    choices: list[Choice] | None = None
    order: list[ChoiceValue] | None = None
    better: Literal["higher", "lower", "later", "more", "none"] | None = None
    min: float | None = None
    max: float | None = None
    relevant: Any = None


class SourceRef(Strict):
    clause: Identifier
    note: Text | None = None


class Recommendation(Strict):
    text: Text
    toolkit: list[Identifier] = Field(default_factory=list)


class Rule(Strict):
    id: Identifier
    title: Text
    pillar: Identifier
    severity: Severity
    why: Text
    sources: list[SourceRef] = Field(min_length=1)
    scope: Literal["assessment", "incident"] = "assessment"
    applies_when: Any = None
    escalate_if: list[Identifier] = Field(default_factory=list)
    exposure: list[Identifier] = Field(default_factory=list)
    met: Any
    substantially_met: Any = None
    partially_met: Any = None
    finding: Text
    recommendation: Recommendation
    evidence: list[Text] = Field(min_length=1)


class RulesetHeader(Strict):
    id: Identifier
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    title: Text
    description: Text | None = None
    pillars: list[Pillar] = Field(min_length=1)
    profile: list[ProfileFact] = Field(default_factory=list)
    factors: list[Factor] = Field(default_factory=list)
    maturity: list[MaturityLevel] = Field(min_length=1)
    incident_types: list[IncidentType] = Field(default_factory=list)


class RulesetPart(Strict):
    """What one file of a ruleset may hold besides the header."""

    sources: list[SourceDocument] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)


# --- assessments -----------------------------------------------------------------------------

AnswerValue = str | int | float | bool | dt.date | list[str] | None


class Answer(Strict):
    value: AnswerValue = None
    evidence: Annotated[str, StringConstraints(max_length=20000)] | None = None
    comment: Annotated[str, StringConstraints(max_length=20000)] | None = None


class SecurityActor(str, Enum):
    public_security = "public_security"
    private_security = "private_security"
    in_house_security = "in_house_security"
    company_staff = "company_staff"
    other = "other"
    unknown = "unknown"


class Incident(Strict):
    """A security and human rights incident, evaluated as a fact of its own."""

    id: Identifier
    date: dt.date
    type: ChoiceValue
    actor: SecurityActor
    description: Annotated[str, StringConstraints(max_length=20000)] | None = None
    victims: int = Field(default=0, ge=0)
    injuries: int = Field(default=0, ge=0)
    fatalities: int = Field(default=0, ge=0)
    medical_aid_given: bool | None = None
    reported_internally: dt.date | None = None
    reported_to_authorities: dt.date | None = None
    investigation_opened: dt.date | None = None
    investigation_closed: dt.date | None = None
    personnel_withdrawn: bool | None = None
    outcome: Annotated[str, StringConstraints(max_length=20000)] | None = None
    remedy: Literal["none", "offered", "provided"] | None = None
    shared_with_working_group: bool | None = None


INCIDENT_STEP_DATES = ["reported_internally", "reported_to_authorities", "investigation_opened", "investigation_closed"]


class AssessmentMeta(Strict):
    organisation: Text
    site: Text
    kind: Literal["self", "audit"]
    date: dt.date
    assessor: Text | None = None
    ruleset: Identifier | None = None
    ruleset_version: str | None = None
    notes: Annotated[str, StringConstraints(max_length=20000)] | None = None


class AssessmentFile(Strict):
    assessment: AssessmentMeta
    profile: dict[str, Any] = Field(default_factory=dict)
    answers: dict[str, Any] = Field(default_factory=dict)
    incidents: list[Incident] = Field(default_factory=list)
