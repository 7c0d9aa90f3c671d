"""Compile a validated ruleset into durable-rules rulesets (plain data; no engine import here).

Each source rule becomes one small durable-rules ruleset holding one prioritised rule per possible
status. durable-rules fires the lowest `pri` first, so the first action for a fact is its status:

    1 not_applicable (profile)   2 not_applicable (every question skipped)   3 unanswered
    4 met   5 substantially_met   6 partially_met   7 not_met

Questions skipped by the profile (`relevant`) are neutral: an atom over a skipped question neither
helps nor hurts. That three-valued logic is compiled to two-valued durable conditions by computing,
for every sub-condition, when it is definitely true (T), definitely false (F) and neutral (N).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from . import conditions as cond
from .boolexpr import FALSE, TRUE, Expr, Lit, conj, disj, expression_count, to_durable
from .errors import InputError, Problem
from .models import CONDITION_LEVELS, Status
from .rulesets import Ruleset

# durable-rules' MAX_SEQUENCE_EXPRESSIONS is 32 and create_ruleset fails (error 113) once a rule's
# expression sequence reaches it, so a rule may use at most 31 entries.
MAX_EXPRESSIONS = 31
TAG = "k"  # every fact carries k=1; the engine's own state fact does not, so it never matches


@dataclass(frozen=True)
class StatusRule:
    name: str
    status: Status
    priority: int
    condition: Any  # durable-rules condition (JSON-able)
    reason: str  # why this compiled rule exists: "profile", "skipped", "unanswered", or the level


@dataclass
class Unit:
    """One durable-rules ruleset: the statuses of one source rule, or the truth of one factor."""

    key: str  # rule id or "factor:<id>"
    scope: str  # "assessment", "incident" or "factor"
    rules: list[StatusRule]
    fields: list[str]

    def definition(self) -> dict[str, Any]:
        return {r.name: {"all": [{"m": r.condition}], "pri": r.priority} for r in self.rules}


@dataclass
class FieldSpec:
    """How a fact field is computed from an assessment."""

    kind: str  # profile | question | flag | count | threshold | incident
    name: str
    extra: Any = None


@dataclass
class CompiledRuleset:
    ruleset_id: str
    version: str
    units: list[Unit]
    fields: dict[str, FieldSpec] = field(default_factory=dict)

    def unit(self, key: str) -> Unit:
        for unit in self.units:
            if unit.key == key:
                return unit
        raise KeyError(key)


class _Fields:
    def __init__(self) -> None:
        self.specs: dict[str, FieldSpec] = {}
        self.by_subject: dict[tuple[str, str, Any], str] = {}

    def get(self, kind: str, name: str, extra: Any = None) -> str:
        key = (kind, name, extra)
        if key not in self.by_subject:
            safe = re.sub(r"[^A-Za-z0-9_]", "_", name)
            prefix = {"profile": "p", "question": "q", "flag": "f", "count": "n", "threshold": "t", "incident": "i"}[
                kind
            ]
            suffix = f"__{extra}" if extra is not None else ""
            field_name = f"{prefix}{len(self.specs)}_{safe}{suffix}"
            self.by_subject[key] = field_name
            self.specs[field_name] = FieldSpec(kind, name, extra)
        return self.by_subject[key]


class _Compiler:
    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.fields = _Fields()
        self.used: list[str] = []
        self.vocab = cond.Vocabulary(ruleset.questions, ruleset.profile, [t.id for t in ruleset.header.incident_types])

    # --- literals --------------------------------------------------------------------------------
    def _field(self, atom: cond.Atom) -> str:
        name = self.fields.get(atom.subject, atom.name)
        self.used.append(name)
        return name

    def _domain(self, atom: cond.Atom) -> list[str] | None:
        kind, choices = cond._subject_kind(atom.subject, atom.name, self.vocab)
        return choices if kind == "choice" else None

    def _kind(self, atom: cond.Atom) -> str:
        kind, _ = cond._subject_kind(atom.subject, atom.name, self.vocab)
        assert kind is not None
        return kind

    def literal(self, atom: cond.Atom, positive: bool) -> Expr:
        """The durable condition for `atom` (or its negation), matching the reference evaluator."""
        op, value = atom.op, atom.value
        if op == "answered":
            present = self._presence(atom)
            return present if value == positive else self._absence(atom)
        if op == "within_months":
            threshold = self.fields.get("threshold", "asof", value)
            self.used.append(threshold)
            field_name = self._field(atom)
            compared = Lit.of({("$gte" if positive else "$lt"): {field_name: {"$m": threshold}}})
            if atom.subject == "incident" and not positive:  # a date never given is not within N months
                return disj(self._absence(atom), compared)
            return compared
        effective = op if positive else cond.COMPLEMENT[op]
        optional = atom.subject == "incident"
        true_when_missing = effective in ("not_equals", "not_in", "excludes") or (
            not positive and op not in ("not_equals", "not_in", "excludes")
        )
        base = self._plain(atom, effective)
        if optional and true_when_missing:
            return disj(self._absence(atom), base)
        return base

    def _presence(self, atom: cond.Atom) -> Expr:
        return Lit.of({"$ex": {self._value_field(atom): 1}})

    def _absence(self, atom: cond.Atom) -> Expr:
        return Lit.of({"$nex": {self._value_field(atom): 1}})

    def _value_field(self, atom: cond.Atom) -> str:
        if atom.subject == "question" and self._kind(atom) == "multiple":
            name = self.fields.get("count", atom.name)
            self.used.append(name)
            return name
        return self._field(atom)

    def _plain(self, atom: cond.Atom, op: str) -> Expr:
        value = atom.value
        kind = self._kind(atom)
        if kind == "multiple":
            if op in ("includes", "excludes"):
                flag = self.fields.get("flag", atom.name, value)
                self.used.append(flag)
                return Lit.of({flag: op == "includes"})
            count = self.fields.get("count", atom.name)
            self.used.append(count)
            return Lit.of({("$gte" if op == "count_gte" else "$lte"): {count: value}})
        field_name = self._field(atom)
        domain = self._domain(atom)
        if op in ("in", "not_in", "equals", "not_equals") and domain is not None:
            chosen = [value] if op in ("equals", "not_equals") else list(value)
            if op in ("not_equals", "not_in"):
                chosen = [v for v in domain if v not in chosen]
            chosen = [v for v in domain if v in chosen]
            if not chosen:
                return FALSE
            if len(chosen) == 1:
                return Lit.of({field_name: chosen[0]})
            return Lit.of({"$mt": {field_name: "|".join(chosen)}})
        if op == "equals":
            return Lit.of({field_name: value})
        if op == "not_equals":
            if kind == "boolean":
                return Lit.of({field_name: not value})
            return Lit.of({"$neq": {field_name: value}})
        symbol = {"gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}[op]
        return Lit.of({symbol: {field_name: value}})

    # --- conditions ------------------------------------------------------------------------------
    def nnf(self, condition: cond.Condition | None, positive: bool = True) -> Expr:
        """Two-valued translation (profile and incident conditions, which have no skipped parts)."""
        if condition is None:
            return TRUE if positive else FALSE
        if isinstance(condition, cond.Atom):
            return self.literal(condition, positive)
        if isinstance(condition, cond.Not):
            return self.nnf(condition.item, not positive)
        parts = [self.nnf(item, positive) for item in condition.items]
        is_all = isinstance(condition, cond.All)
        return conj(*parts) if is_all == positive else disj(*parts)

    def relevant(self, question_id: str) -> Expr:
        return self.nnf(self.ruleset.relevance.get(question_id))

    def neutral(self, condition: cond.Condition) -> Expr:
        if isinstance(condition, cond.Atom):
            if condition.subject != "question":
                return FALSE
            return self.nnf(self.ruleset.relevance.get(condition.name), positive=False)
        if isinstance(condition, cond.Not):
            return self.neutral(condition.item)
        return conj(*[self.neutral(item) for item in condition.items])

    def definitely(self, condition: cond.Condition, truth: bool) -> Expr:
        """When `condition` is definitely `truth` under the neutral-skipped-question semantics."""
        if isinstance(condition, cond.Atom):
            if condition.subject != "question":
                return self.literal(condition, truth)
            return conj(self.relevant(condition.name), self.literal(condition, truth))
        if isinstance(condition, cond.Not):
            return self.definitely(condition.item, not truth)
        is_all = isinstance(condition, cond.All)
        if is_all == truth:  # every known part must agree, and at least one part must be known
            not_all_neutral = self._not_neutral(condition)
            return conj(not_all_neutral, *[disj(self.definitely(i, truth), self.neutral(i)) for i in condition.items])
        return disj(*[self.definitely(i, truth) for i in condition.items])

    def _not_neutral(self, condition: cond.Condition) -> Expr:
        if isinstance(condition, cond.Atom):
            return TRUE if condition.subject != "question" else self.relevant(condition.name)
        if isinstance(condition, cond.Not):
            return self._not_neutral(condition.item)
        return disj(*[self._not_neutral(item) for item in condition.items])

    # --- units -----------------------------------------------------------------------------------
    def rule_unit(self, rule_id: str, problems: list[Problem]) -> Unit:
        rule = self.ruleset.rules[rule_id]
        compiled = self.ruleset.conditions[rule_id]
        self.used = []
        applies = self.nnf(compiled.applies_when)
        questions = self.ruleset.rule_questions(rule_id)
        relevance = {q: self.relevant(q) for q in questions}
        candidates: list[tuple[Status, str, Expr]] = []
        if compiled.applies_when is not None:
            candidates.append((Status.not_applicable, "profile", self.nnf(compiled.applies_when, positive=False)))
        if questions and all(q in self.ruleset.relevance for q in questions):
            skipped = conj(applies, *[self.nnf(self.ruleset.relevance[q], positive=False) for q in questions])
            candidates.append((Status.not_applicable, "skipped", skipped))
        missing = disj(
            *[conj(relevance[q], self._absence(cond.Atom("question", q, "answered", True))) for q in questions]
        )
        candidates.append((Status.unanswered, "unanswered", conj(applies, missing)))
        for level in CONDITION_LEVELS:
            if level in compiled.levels:
                candidates.append((level, level.value, conj(applies, self.definitely(compiled.levels[level], True))))
        candidates.append((Status.not_met, "not_met", applies))
        rules = []
        for priority, (status, reason, expr) in enumerate(candidates, start=1):
            if expr == FALSE:
                continue
            full = conj(Lit.of({TAG: 1}), expr)
            size = expression_count(full)
            if size > MAX_EXPRESSIONS:
                file, line = self.ruleset.origins.get(f"rule:{rule_id}", (self.ruleset.path, None))
                problems.append(
                    Problem(
                        file,
                        line,
                        f"rule {rule_id}",
                        f"the '{reason}' condition compiles to {size} "
                        f"engine expressions; durable-rules accepts at most {MAX_EXPRESSIONS}.",
                        "split the rule into two rules, or simplify its conditions.",
                    )
                )
            rules.append(StatusRule(f"{priority}_{reason}", status, priority, to_durable(full), reason))
        fields = sorted(set(self.used), key=self._field_order)
        return Unit(rule_id, rule.scope, rules, fields)

    def factor_unit(self, factor_id: str) -> Unit:
        _, condition = self.ruleset.factors[factor_id]
        self.used = []
        holds = conj(Lit.of({TAG: 1}), self.nnf(condition))
        rules = [
            StatusRule("1_holds", Status.met, 1, to_durable(holds), "holds"),
            StatusRule("2_does_not_hold", Status.not_met, 2, {TAG: 1}, "does_not_hold"),
        ]
        return Unit(f"factor:{factor_id}", "factor", rules, sorted(set(self.used), key=self._field_order))

    def _field_order(self, name: str) -> int:
        return list(self.fields.specs).index(name)


def compile_ruleset(ruleset: Ruleset) -> CompiledRuleset:
    compiler = _Compiler(ruleset)
    problems: list[Problem] = []
    units = [compiler.factor_unit(factor_id) for factor_id in ruleset.factors]
    units += [compiler.rule_unit(rule_id, problems) for rule_id in ruleset.rules]
    if problems:
        raise InputError(problems)
    return CompiledRuleset(ruleset.id, ruleset.version, units, compiler.fields.specs)


# --- facts ---------------------------------------------------------------------------------------


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day-of-month `months` earlier, clamped to the month's end (31 Mar - 1 month = 28/29 Feb)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    import calendar

    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))
