"""Reference semantics of a rule, evaluated in plain Python: explains decisions and checks the engine.

The status a user sees is always the one durable-rules decided; this module says *why* (which
answers and profile facts made each condition hold or fail) and raises if the two ever disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import conditions as cond
from .assessments import Assessment
from .compiler import months_before
from .facts import incident_values
from .models import CONDITION_LEVELS, Incident, Status
from .rulesets import Ruleset


@dataclass
class Decision:
    status: Status
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    excluded_by: dict[str, Any] = field(default_factory=dict)


class Context:
    def __init__(self, ruleset: Ruleset, assessment: Assessment, incident: Incident | None = None) -> None:
        self.ruleset, self.assessment = ruleset, assessment
        asof = assessment.meta.date
        self.months = _MonthsBack(asof)
        self.incident = incident_values(incident, asof.toordinal()) if incident else {}
        if incident is not None:
            for step in (
                "reported_internally",
                "reported_to_authorities",
                "investigation_opened",
                "investigation_closed",
            ):
                if getattr(incident, step) is not None:
                    self.incident[step] = getattr(incident, step)

    def relevant(self, question_id: str) -> bool:
        relevance = self.ruleset.relevance.get(question_id)
        if relevance is None:
            return True
        return cond.evaluate(relevance, self.lookup_plain, self.months) is True

    def lookup_plain(self, atom: cond.Atom) -> Any:
        if atom.subject == "profile":
            return self.assessment.profile[atom.name]
        if atom.subject == "incident":
            return self.incident.get(atom.name)
        value = self.assessment.value(atom.name)
        return cond.MISSING if value is None else value

    def lookup(self, atom: cond.Atom) -> Any:
        if atom.subject == "question" and not self.relevant(atom.name):
            return cond.IRRELEVANT
        return self.lookup_plain(atom)


class _MonthsBack(dict):  # type: ignore[type-arg]
    def __init__(self, asof: Any) -> None:
        super().__init__()
        self.asof = asof

    def __missing__(self, months: int) -> Any:
        value = months_before(self.asof, months)
        self[months] = value
        return value


def decide(ruleset: Ruleset, assessment: Assessment, rule_id: str, incident: Incident | None = None) -> Decision:
    compiled = ruleset.conditions[rule_id]
    ctx = Context(ruleset, assessment, incident)
    if (
        compiled.applies_when is not None
        and cond.evaluate(compiled.applies_when, ctx.lookup_plain, ctx.months) is not True
    ):
        reason = f"Applies only when {_plain(compiled.applies_when.render())}"
        facts = _profile_excludes(compiled.applies_when, ctx)
        if facts:
            reason += f"; this profile has {', '.join(f'{k} = {_value(v)}' for k, v in facts.items())}"
        if incident is not None and cond.referenced(compiled.applies_when, "incident"):
            reason += f"; incident {incident.id} is of type '{incident.type}' by {incident.actor.value}"
        return Decision(Status.not_applicable, [f"{reason}."], [], facts)
    questions = ruleset.rule_questions(rule_id)
    relevant = [q for q in questions if ctx.relevant(q)]
    if questions and not relevant:
        facts: dict[str, Any] = {}
        for q in questions:
            for name in cond.referenced(ruleset.relevance[q], "profile"):
                facts[name] = assessment.profile[name]
        return Decision(
            Status.not_applicable,
            [f"Every question this rule uses is skipped for this profile ({', '.join(questions)})."],
            [],
            facts,
        )
    missing = [q for q in relevant if assessment.value(q) is None]
    if missing:
        return Decision(Status.unanswered, [f"Unanswered: {', '.join(missing)}."], missing)
    reasons: list[str] = []
    for level in CONDITION_LEVELS:
        condition = compiled.levels.get(level)
        if condition is None:
            continue
        if cond.evaluate(condition, ctx.lookup, ctx.months) is True:
            reasons.insert(0, f"{_label(level)}: {_explain_true(condition, ctx)}.")
            return Decision(level, reasons)
        reasons.append(f"{_label(level)} not reached: {_explain_false(condition, ctx)}.")
    return Decision(Status.not_met, reasons)


def _profile_excludes(applies_when: cond.Condition, ctx: Context) -> dict[str, Any]:
    """The profile facts that rule the rule out on their own (incident conditions left aside); empty when
    the profile allows the rule and only the incident does not."""

    def profile_only(atom: cond.Atom) -> Any:
        return cond.IRRELEVANT if atom.subject == "incident" else ctx.lookup_plain(atom)

    names = _false_facts(applies_when, profile_only, ctx.months)
    return {name: ctx.assessment.profile[name] for name in dict.fromkeys(names)}


def _false_facts(condition: cond.Condition, lookup: Any, months: Any) -> list[str]:
    """Profile facts of the parts that make a false condition false (not every fact it mentions)."""
    if cond.evaluate(condition, lookup, months) is not False:
        return []
    if isinstance(condition, cond.Atom):
        return [condition.name] if condition.subject == "profile" else []
    if isinstance(condition, cond.Not):
        return cond.referenced(condition.item, "profile")
    return [name for item in condition.items for name in _false_facts(item, lookup, months)]


def _label(status: Status) -> str:
    return status.value.replace("_", " ").capitalize()


def _plain(text: str) -> str:
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]" if value else "nothing selected"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _atom_with_value(atom: cond.Atom, ctx: Context) -> str:
    value = ctx.lookup(atom)
    if value is cond.IRRELEVANT:
        return f"{atom.render()} [skipped for this profile]"
    if value is cond.MISSING or value is None:
        return f"{atom.render()} [no value]"
    if (
        atom.subject == "question"
        and atom.name in ctx.ruleset.questions
        and ctx.ruleset.questions[atom.name].type.value == "text"
    ):
        return f"{atom.render()} [answered]"
    if (
        atom.subject == "incident"
        and isinstance(value, int)
        and atom.name
        in ("reported_internally", "reported_to_authorities", "investigation_opened", "investigation_closed")
    ):
        return f"{atom.render()} [given]"
    return f"{atom.render()} [answer: {_value(value)}]"


def _explain_true(condition: cond.Condition, ctx: Context) -> str:
    parts = [a for a in cond.atoms(condition)]
    shown = [_atom_with_value(a, ctx) for a in parts if _atom_true(a, ctx) is not False]
    return "; ".join(shown) if shown else condition.render()


def _explain_false(condition: cond.Condition, ctx: Context) -> str:
    failing = [
        (atom, positive)
        for atom, positive in cond.polarised_atoms(condition)
        if _atom_true(atom, ctx) is (not positive)
    ]
    if not failing:
        return _plain(condition.render())
    return "; ".join(f"needs {'' if positive else 'not '}{_atom_with_value(atom, ctx)}" for atom, positive in failing)


def _atom_true(atom: cond.Atom, ctx: Context) -> bool | None:
    return cond.evaluate(atom, ctx.lookup, ctx.months)


def factor_holds(ruleset: Ruleset, assessment: Assessment, factor_id: str) -> bool:
    _, condition = ruleset.factors[factor_id]
    ctx = Context(ruleset, assessment)
    return cond.evaluate(condition, ctx.lookup_plain, ctx.months) is True
