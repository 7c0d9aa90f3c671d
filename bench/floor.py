"""The speed floor: the same compiled durable-rules conditions, interpreted in plain Python.

Used only by the benchmark (and checked against durable-rules there and in the tests): it reads the
JSON conditions the compiler emits, with durable-rules' meaning (a comparison on a missing property
is false; `$mt` is a full-match regular expression; `{"$m": name}` on the right names another
property of the same fact; durable-rules' answer when that one is missing varies (true or false
depending on the shape of its network), so the compiler never lets it be missing), and picks the
lowest-`pri` rule that holds, as durable-rules fires it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine.assessments import Assessment
from engine.compiler import TAG, CompiledRuleset
from engine.facts import FactEncoder, incident_values
from engine.models import Status

_MISSING = object()
_COMPARE = {
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$neq": lambda a, b: a != b,
}


def holds(condition: dict[str, Any], fact: dict[str, Any]) -> bool:
    """Whether a durable-rules condition (one mapping of the compiled form) matches `fact`."""
    for key, operand in condition.items():
        if key == "$and":
            if not all(holds(item, fact) for item in operand):
                return False
        elif key == "$or":
            if not any(holds(item, fact) for item in operand):
                return False
        elif key == "$ex":
            if not all(name in fact for name in operand):
                return False
        elif key == "$nex":
            if any(name in fact for name in operand):
                return False
        elif key == "$mt":
            for name, pattern in operand.items():
                value = fact.get(name, _MISSING)
                if not isinstance(value, str) or re.fullmatch(pattern, value) is None:
                    return False
        elif key in _COMPARE:
            for name, expected in operand.items():
                value = fact.get(name, _MISSING)
                if isinstance(expected, dict):
                    expected = fact.get(expected["$m"], _MISSING)
                if value is _MISSING or expected is _MISSING or not _COMPARE[key](value, expected):
                    return False
        else:  # plain equality
            value = fact.get(key, _MISSING)
            if value is _MISSING or value != operand or isinstance(value, bool) != isinstance(operand, bool):
                return False
    return True


def predicate(condition: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """`holds` for one condition, translated once into nested Python closures (the floor's fast form)."""
    tests = [_predicate(key, operand) for key, operand in condition.items()]
    if len(tests) == 1:
        return tests[0]
    return lambda fact: all(test(fact) for test in tests)


def _predicate(key: str, operand: Any) -> Callable[[dict[str, Any]], bool]:
    if key == "$and":
        parts = [predicate(item) for item in operand]
        return lambda fact: all(part(fact) for part in parts)
    if key == "$or":
        parts = [predicate(item) for item in operand]
        return lambda fact: any(part(fact) for part in parts)
    if key in ("$ex", "$nex"):
        names = list(operand)
        if key == "$ex":
            return lambda fact: all(name in fact for name in names)
        return lambda fact: not any(name in fact for name in names)
    if key == "$mt":
        ((name, pattern),) = operand.items()
        compiled = re.compile(pattern)
        return lambda fact: isinstance(fact.get(name), str) and compiled.fullmatch(fact[name]) is not None
    if key in _COMPARE:
        ((name, expected),) = operand.items()
        compare = _COMPARE[key]
        if isinstance(expected, dict):
            other = expected["$m"]
            return lambda fact: name in fact and other in fact and compare(fact[name], fact[other])
        return lambda fact: name in fact and compare(fact[name], expected)
    is_bool = isinstance(operand, bool)
    return lambda fact: key in fact and fact[key] == operand and isinstance(fact[key], bool) == is_bool


class FloorEvaluator:
    """Decides statuses like `Evaluator.statuses`, without durable-rules."""

    def __init__(self, encoder: FactEncoder) -> None:
        self.compiled: CompiledRuleset = encoder.compiled
        self.encoder = encoder
        self.specs = [(name, spec) for name, spec in self.compiled.fields.items() if spec.kind != "incident"]
        self.units = [
            (unit, [(predicate(r.condition), r.status) for r in sorted(unit.rules, key=lambda r: r.priority)])
            for unit in self.compiled.units
        ]

    def shared(self, assessment: Assessment) -> dict[str, Any]:
        asof = assessment.meta.date
        values = {}
        for name, spec in self.specs:
            value = self.encoder._value(spec, assessment, asof)
            if value is not None:
                values[name] = value
        return values

    def statuses(self, assessment: Assessment) -> tuple[dict[str, bool], dict[str, list[tuple[str | None, Status]]]]:
        shared = self.shared(assessment)
        asof = assessment.meta.date.toordinal()
        incidents = [(i.id, incident_values(i, asof)) for i in assessment.incidents]
        factors: dict[str, bool] = {}
        per_rule: dict[str, list[tuple[str | None, Status]]] = {}
        for unit, rules in self.units:
            if unit.scope == "incident":
                outcomes = []
                for incident_id, values in incidents:
                    fact: dict[str, Any] = {TAG: 1}
                    for name in unit.fields:
                        spec = self.compiled.fields[name]
                        value = values.get(spec.name) if spec.kind == "incident" else shared.get(name)
                        if value is not None:
                            fact[name] = value
                    outcomes.append((incident_id, _first(rules, fact)))
                per_rule[unit.key] = outcomes
                continue
            fact = {TAG: 1, **{name: shared[name] for name in unit.fields if name in shared}}
            status = _first(rules, fact)
            if unit.scope == "factor":
                factors[unit.key.removeprefix("factor:")] = status == Status.met
            else:
                per_rule[unit.key] = [(None, status)]
        return factors, per_rule


def _first(rules: list[tuple[Callable[[dict[str, Any]], bool], Status]], fact: dict[str, Any]) -> Status:
    for test, status in rules:
        if test(fact):
            return status
    raise AssertionError("every fact meets the last status rule (not met / does not hold)")
