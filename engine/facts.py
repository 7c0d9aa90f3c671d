"""Encode an assessment as durable-rules facts: one JSON fact per compiled unit (and per incident)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from .assessments import Assessment
from .compiler import TAG, CompiledRuleset, FieldSpec, months_before
from .models import INCIDENT_STEP_DATES, AnswerType, Incident
from .rulesets import Ruleset


@dataclass(frozen=True)
class Fact:
    unit_index: int
    incident_id: str | None
    body: str  # JSON object text without its opening brace: the backend adds sid and id


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
        # per unit: its scope, and per field (its name, its incident field name or None)
        self._plan = [
            (
                unit.scope,
                [
                    (name, compiled.fields[name].name if compiled.fields[name].kind == "incident" else None)
                    for name in unit.fields
                ],
            )
            for unit in compiled.units
        ]

    def shared_fields(self, assessment: Assessment) -> dict[str, str]:
        """JSON text of every assessment-level field (profile, answers, thresholds)."""
        encoded: dict[str, str] = {}
        asof = assessment.meta.date
        for name, spec in self._shared_specs:
            value = self._value(spec, assessment, asof)
            if value is not None:
                encoded[name] = _json(value)
        return encoded

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
            return len(value)
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
        for index, (scope, fields) in enumerate(self._plan):
            if scope != "incident":
                parts = [head]
                parts += [shared[name] for name, _ in fields if name in shared]
                result.append(Fact(index, None, ",".join(parts) + "}"))
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
                result.append(Fact(index, incident_id, ",".join(parts) + "}"))
        return result
