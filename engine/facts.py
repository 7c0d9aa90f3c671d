"""Encode an assessment as durable-rules facts.

Compiled units are packed into engine groups (see `engine_groups`); one JSON fact per group (and per
incident, for incident rules) carries every field its units read. A `Fact` is still one per unit,
so callers see one decision per unit; facts of one group share the same body, asserted once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from .assessments import Assessment
from .compiler import TAG, CompiledRuleset, FieldSpec, months_before
from .models import INCIDENT_STEP_DATES, AnswerType, Incident, selected_count
from .rulesets import Ruleset


@dataclass(frozen=True)
class Fact:
    unit_index: int
    incident_id: str | None
    body: str  # JSON object text without its opening brace: the backend adds sid and id


# durable-rules' alpha network is walked with a stack of 64 nodes (error 303 beyond it, after which the
# process may later abort); a group is kept well below that by the bound of `alpha_stack_bound`.
ALPHA_STACK_BUDGET = 48  # of 64; the bound was checked against the engine in tests/test_durable_backend.py
MAX_GROUP_FIELDS = 200  # a fact holds at most 255 properties (error 302)


class _Alpha:
    __slots__ = ("children",)

    def __init__(self) -> None:
        self.children: dict[Any, _Alpha] = {}


def _add(condition: dict[str, Any], parent: _Alpha) -> _Alpha:
    """Mirror how durable-rules builds alpha nodes (rete.c createAlpha): an $and is a chain, an $or hangs
    its branches off the same parent and joins them in a forward node. The engine reuses some equal
    literals under one parent (findAlpha), but not all (a 303 was seen with equality-sharing assumed),
    so every literal counts as a node of its own: an upper bound."""
    if "$and" in condition:
        node = parent
        for item in condition["$and"]:
            node = _add(item, node)
        return node
    if "$or" in condition:
        forward = _Alpha()
        for item in condition["$or"]:
            _add(item, parent).children[("forward", id(forward))] = forward
        return forward
    child = parent.children[("literal", len(parent.children))] = _Alpha()
    return child


def alpha_stack_bound(conditions: list[dict[str, Any]]) -> int:
    """An upper bound of the engine's alpha stack for any fact: the walk is depth first, so the stack
    never holds more than the out-degrees summed along one path of the network (plus the root)."""
    root = _Alpha()
    for condition in conditions:
        _add(condition, root)
    memo: dict[int, int] = {}

    def deepest(node: _Alpha) -> int:
        if id(node) not in memo:
            memo[id(node)] = len(node.children) + max((deepest(c) for c in node.children.values()), default=0)
        return memo[id(node)]

    return 1 + deepest(root)


def engine_groups(compiled: CompiledRuleset) -> list[list[int]]:
    """Consecutive units packed into engine rulesets: fewer facts to assert, within the engine's limits.

    Incident units (one fact per incident) are never grouped with assessment-level ones.
    """
    groups: list[list[int]] = []
    conditions: list[dict[str, Any]] = []
    fields: set[str] = set()
    for index, unit in enumerate(compiled.units):
        own = [r.condition for r in unit.rules]
        if groups:
            last = compiled.units[groups[-1][-1]]
            same_kind = (last.scope == "incident") == (unit.scope == "incident")
            if (
                same_kind
                and len(fields | set(unit.fields)) <= MAX_GROUP_FIELDS
                and alpha_stack_bound(conditions + own) <= ALPHA_STACK_BUDGET
            ):
                groups[-1].append(index)
                conditions += own
                fields |= set(unit.fields)
                continue
        groups.append([index])
        conditions, fields = list(own), set(unit.fields)
    return groups


def number_json(value: float) -> str:
    """A float as JSON durable-rules can read: its parser refuses an exponent without a decimal point."""
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            text = f"{mantissa}.0e{exponent}"
    return text


_PLAIN = re.compile(r"[A-Za-z0-9_]*")


def _json(value: Any) -> str:
    """JSON text of one fact value; the common cases skip json.dumps (this runs for every field)."""
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return number_json(value)  # durable-rules cannot read 1e-07, only 1.0e-07
    if kind is str and _PLAIN.fullmatch(value):
        return f'"{value}"'
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def incident_values(incident: Incident, asof_ordinal: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "type": incident.type,
        "actor": incident.actor.value,
        "victims": incident.victims,
        "injuries": incident.injuries,
        "fatalities": incident.fatalities,
        "age_days": asof_ordinal - incident.date.toordinal(),
        "investigation_open": incident.investigation_opened is not None and incident.investigation_closed is None,
    }
    for name in ("medical_aid_given", "personnel_withdrawn", "shared_with_working_group", "remedy"):
        if getattr(incident, name) is not None:
            values[name] = getattr(incident, name)
    for step in INCIDENT_STEP_DATES:
        when = getattr(incident, step)
        if when is not None:
            values[step] = when.toordinal()
            values[f"days_to_{step}"] = (when - incident.date).days
    return values


class FactEncoder:
    """Precomputes, per compiled ruleset, which fields each unit needs; encodes assessments fast."""

    def __init__(self, ruleset: Ruleset, compiled: CompiledRuleset) -> None:
        self.ruleset = ruleset
        self.compiled = compiled
        self.kinds = {q.id: q.type for q in ruleset.questions.values()}
        self._shared_specs = [(name, spec) for name, spec in compiled.fields.items() if spec.kind != "incident"]
        self._head = f'"{TAG}":1'
        self._thresholds: dict[tuple[dt.date, int], str] = {}
        self._profile_fields = [(n, spec.name) for n, spec in self._shared_specs if spec.kind == "profile"]
        self._threshold_fields = [(n, spec.extra) for n, spec in self._shared_specs if spec.kind == "threshold"]
        self._answer_fields = [
            (n, spec.name, self._mode(spec), spec.extra)
            for n, spec in self._shared_specs
            if spec.kind in ("question", "flag", "count")
        ]
        self.groups = engine_groups(compiled)
        order = {name: position for position, name in enumerate(compiled.fields)}
        # per group: whether it is per incident, its units, and per field (its name, its incident field or None)
        self._plan = []
        for group in self.groups:
            names = sorted({name for i in group for name in compiled.units[i].fields}, key=order.__getitem__)
            fields = [
                (name, compiled.fields[name].name if compiled.fields[name].kind == "incident" else None)
                for name in names
            ]
            self._plan.append((compiled.units[group[0]].scope == "incident", group, fields))

    def shared_fields(self, assessment: Assessment) -> dict[str, str]:
        """JSON text of every assessment-level field (profile, answers, thresholds).

        The same values as `_value`, computed inline by kind of field: this runs for every field of
        every assessment.
        """
        encoded: dict[str, str] = {}
        profile, answers = assessment.profile, assessment.answers
        for name, fact in self._profile_fields:
            value = profile.get(fact)
            if value is not None:
                encoded[name] = _json(value)
        asof = assessment.meta.date
        for name, months in self._threshold_fields:
            encoded[name] = self._threshold(asof, months)
        for name, question, mode, extra in self._answer_fields:
            answer = answers.get(question)
            if answer is None:
                continue
            value = answer.value
            if value is None:
                continue
            if mode == "plain":
                encoded[name] = _json(value)
            elif mode == "flag":
                encoded[name] = "true" if extra in value else "false"
            elif mode == "count":
                encoded[name] = str(selected_count(value))
            elif mode == "date":
                encoded[name] = str(value.toordinal()) if isinstance(value, dt.date) else "0"  # 'never': before all
            else:  # free text never enters the engine; only whether it was given
                encoded[name] = "true"
        return encoded

    def _mode(self, spec: FieldSpec) -> str:
        if spec.kind != "question":
            return spec.kind
        kind = self.kinds[spec.name]
        return "text" if kind == AnswerType.text else "date" if kind == AnswerType.date else "plain"

    def _threshold(self, asof: dt.date, months: int) -> str:
        key = (asof, months)
        text = self._thresholds.get(key)
        if text is None:
            text = self._thresholds[key] = str(months_before(asof, months).toordinal())
        return text

    def _value(self, spec: FieldSpec, assessment: Assessment, asof: Any) -> Any:
        if spec.kind == "profile":
            return assessment.profile.get(spec.name)
        if spec.kind == "threshold":
            return months_before(asof, spec.extra).toordinal()
        if spec.kind == "incident":
            return None
        value = assessment.value(spec.name)
        if value is None:
            return None
        if spec.kind == "flag":
            return spec.extra in value
        if spec.kind == "count":
            return selected_count(value)
        kind = self.kinds[spec.name]
        if kind == AnswerType.text:
            return True  # free text never enters the engine; only whether it was given
        if kind == AnswerType.date:
            return value.toordinal() if isinstance(value, dt.date) else 0  # 'never': before any threshold
        return value

    def facts(self, assessment: Assessment) -> list[Fact]:
        shared = {name: f'"{name}":{text}' for name, text in self.shared_fields(assessment).items()}
        asof = assessment.meta.date.toordinal()
        per_incident = [
            (incident.id, {n: _json(v) for n, v in incident_values(incident, asof).items()})
            for incident in assessment.incidents
        ]
        head = self._head
        result: list[Fact] = []
        for per_incident_group, units, fields in self._plan:
            if not per_incident_group:
                parts = [head]
                parts += [shared[name] for name, _ in fields if name in shared]
                body = ",".join(parts) + "}"
                result += [Fact(index, None, body) for index in units]
                continue
            for incident_id, values in per_incident:
                parts = [head]
                for name, incident_field in fields:
                    if incident_field is None:
                        text = shared.get(name)
                        if text is not None:
                            parts.append(text)
                    else:
                        value = values.get(incident_field)
                        if value is not None:
                            parts.append(f'"{name}":{value}')
                body = ",".join(parts) + "}"
                result += [Fact(index, incident_id, body) for index in units]
        return result
