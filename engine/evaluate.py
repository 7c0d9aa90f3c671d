"""Evaluate assessments: durable-rules decides every status; the reference semantics explains it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import reference
from .assessments import Assessment
from .compiler import CompiledRuleset, compile_ruleset
from .durable_backend import DurableEvaluator
from .errors import EngineError
from .facts import FactEncoder
from .models import Severity, Status
from .rulesets import Ruleset

# worst first: how incident-level statuses roll up into one status for the rule
ROLLUP_ORDER = [
    Status.not_met,
    Status.partially_met,
    Status.substantially_met,
    Status.met,
    Status.unanswered,
    Status.not_applicable,
]


@dataclass
class IncidentOutcome:
    incident_id: str
    status: Status
    reasons: list[str]


@dataclass
class Finding:
    rule_id: str
    status: Status
    severity: Severity
    base_severity: Severity
    escalated_by: list[str]
    exposure: list[str]
    reasons: list[str]
    missing: list[str] = field(default_factory=list)
    excluded_by: dict[str, Any] = field(default_factory=dict)
    incidents: list[IncidentOutcome] = field(default_factory=list)


@dataclass
class Evaluation:
    assessment: Assessment
    findings: list[Finding]
    factors: dict[str, bool]


class Evaluator:
    """Compiles a ruleset once and evaluates any number of assessments against it, each in isolation."""

    def __init__(self, ruleset: Ruleset, compiled: CompiledRuleset | None = None) -> None:
        self.ruleset = ruleset
        self.compiled = compiled or compile_ruleset(ruleset)
        self.encoder = FactEncoder(ruleset, self.compiled)
        self.engine = DurableEvaluator(self.compiled)
        self._status_of = [{r.name: r.status for r in unit.rules} for unit in self.compiled.units]

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def statuses(self, assessment: Assessment) -> tuple[dict[str, bool], dict[str, list[tuple[str | None, Status]]]]:
        """The engine's decisions: factor truths, and per rule the (incident id, status) pairs."""
        facts = self.encoder.facts(assessment)
        names = self.engine.decide(facts)
        factors: dict[str, bool] = {}
        per_rule: dict[str, list[tuple[str | None, Status]]] = {
            u.key: [] for u in self.compiled.units if u.scope != "factor"
        }
        for fact, name in zip(facts, names):
            unit = self.compiled.units[fact.unit_index]
            if name is None:
                raise EngineError(f"durable-rules decided nothing for {unit.key}; every fact must meet a status rule.")
            status = self._status_of[fact.unit_index][name]
            if unit.scope == "factor":
                factors[unit.key.removeprefix("factor:")] = status == Status.met
            else:
                per_rule[unit.key].append((fact.incident_id, status))
        return factors, per_rule

    def evaluate(self, assessment: Assessment, check: bool = True) -> Evaluation:
        factors, per_rule = self.statuses(assessment)
        findings = [
            self._finding(rule_id, outcomes, factors, assessment, check) for rule_id, outcomes in per_rule.items()
        ]
        if check:
            for factor_id, holds in factors.items():
                if reference.factor_holds(self.ruleset, assessment, factor_id) != holds:
                    raise EngineError(f"durable-rules and the reference semantics disagree on factor {factor_id}.")
        return Evaluation(assessment, findings, factors)

    def evaluate_many(self, assessments: Iterable[Assessment], check: bool = False) -> Iterator[Evaluation]:
        for assessment in assessments:
            yield self.evaluate(assessment, check=check)

    def _finding(
        self,
        rule_id: str,
        outcomes: list[tuple[str | None, Status]],
        factors: dict[str, bool],
        assessment: Assessment,
        check: bool,
    ) -> Finding:
        rule = self.ruleset.rules[rule_id]
        # A critical rule cannot be raised further, so no factor is said to have raised it.
        raisable = rule.severity.raised() != rule.severity
        escalated_by = [f for f in rule.escalate_if if factors.get(f)] if raisable else []
        severity = rule.severity.raised() if escalated_by else rule.severity
        exposure = [f for f in rule.exposure if factors.get(f)]
        base = dict(
            rule_id=rule_id,
            severity=severity,
            base_severity=rule.severity,
            escalated_by=escalated_by,
            exposure=exposure,
        )
        if rule.scope == "incident":
            return self._incident_finding(rule_id, outcomes, assessment, check, base)
        status = outcomes[0][1]
        decision = reference.decide(self.ruleset, assessment, rule_id)
        if check and decision.status != status:
            raise EngineError(
                f"durable-rules decided {status.value} for {rule_id} but the reference semantics "
                f"say {decision.status.value}; please report this with the input files."
            )
        return Finding(
            status=status, reasons=decision.reasons, missing=decision.missing, excluded_by=decision.excluded_by, **base
        )

    def _incident_finding(
        self,
        rule_id: str,
        outcomes: list[tuple[str | None, Status]],
        assessment: Assessment,
        check: bool,
        base: dict[str, Any],
    ) -> Finding:
        incidents = {i.id: i for i in assessment.incidents}
        results: list[IncidentOutcome] = []
        missing: list[str] = []
        for incident_id, status in outcomes:
            assert incident_id is not None
            decision = reference.decide(self.ruleset, assessment, rule_id, incidents[incident_id])
            if check and decision.status != status:
                raise EngineError(
                    f"durable-rules decided {status.value} for {rule_id} / incident {incident_id} but "
                    f"the reference semantics say {decision.status.value}."
                )
            results.append(IncidentOutcome(incident_id, status, decision.reasons))
            missing += [m for m in decision.missing if m not in missing]
        applicable = [r for r in results if r.status != Status.not_applicable]
        if not applicable:
            reason = (
                "No incident is recorded in this assessment."
                if not results
                else "No recorded incident is of a kind this rule covers."
            )
            return Finding(status=Status.not_applicable, reasons=[reason], incidents=results, **base)
        worst = min(applicable, key=lambda r: ROLLUP_ORDER.index(r.status)).status
        reasons = [
            f"Incident {r.incident_id}: {r.status.value.replace('_', ' ')} — {' '.join(r.reasons)}" for r in applicable
        ]
        return Finding(status=worst, reasons=reasons, missing=missing, incidents=results, **base)
