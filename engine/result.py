"""The JSON result contract: what every report, comparison and aggregation reads.

Stable: keys are only ever added, never renamed or removed, within one `schema_version` major.
Byte-identical for identical inputs (no clock, no absolute paths, fixed key order).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import PurePath
from typing import Any

from . import __version__
from .analysis import Analysis, gap_priority
from .evaluate import Evaluation, Finding
from .rulesets import Ruleset

SCHEMA_VERSION = "1.0"


def _sources(
    ruleset: Ruleset, clause_ids: list[str], notes: dict[str, str | None] | None = None
) -> list[dict[str, Any]]:
    result = []
    for clause_id in clause_ids:
        document, clause = ruleset.clauses[clause_id]
        entry: dict[str, Any] = {
            "id": clause.id,
            "document": document.id,
            "document_title": document.title,
            "year": document.year,
            "section": clause.section,
            "title": clause.title,
            "verified": clause.verified,
        }
        if notes and notes.get(clause_id):
            entry["note"] = notes[clause_id]
        result.append(entry)
    return result


def _value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def finding_dict(ruleset: Ruleset, finding: Finding) -> dict[str, Any]:
    rule = ruleset.rules[finding.rule_id]
    data: dict[str, Any] = {
        "rule_id": rule.id,
        "title": rule.title,
        "pillar": rule.pillar,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "base_severity": finding.base_severity.value,
        "escalated_by": finding.escalated_by,
        "exposure": finding.exposure,
        "scope": rule.scope,
        "why": rule.why,
        "sources": _sources(ruleset, [s.clause for s in rule.sources], {s.clause: s.note for s in rule.sources}),
        "reasons": finding.reasons,
        "questions": ruleset.rule_questions(rule.id),
        "missing": finding.missing,
        "excluded_by": {k: _value(v) for k, v in finding.excluded_by.items()},
        "finding": rule.finding,
        "recommendation": {"text": rule.recommendation.text, "toolkit": _sources(ruleset, rule.recommendation.toolkit)},
        "evidence_expected": rule.evidence,
    }
    if rule.scope == "incident":
        data["incidents"] = [
            {"id": i.incident_id, "status": i.status.value, "reasons": i.reasons} for i in finding.incidents
        ]
    return data


def build_result(ruleset: Ruleset, evaluation: Evaluation, analysis: Analysis) -> dict[str, Any]:
    assessment = evaluation.assessment
    meta = assessment.meta
    findings = sorted(evaluation.findings, key=lambda f: list(ruleset.rules).index(f.rule_id))
    gaps = []
    for rank, gap in enumerate(sorted(analysis.gaps, key=gap_priority), start=1):
        rule = ruleset.rules[gap.rule_id]
        gaps.append(
            {
                "rank": rank,
                "rule_id": gap.rule_id,
                "title": rule.title,
                "pillar": rule.pillar,
                "status": gap.status.value,
                "severity": gap.severity.value,
                "exposure": gap.exposure,
                "finding": rule.finding,
                "evidence_expected": rule.evidence,
                "recommendation": {
                    "text": rule.recommendation.text,
                    "toolkit": _sources(ruleset, rule.recommendation.toolkit),
                },
                "sources": _sources(ruleset, [s.clause for s in rule.sources]),
            }
        )
    plan = []
    for pillar in ruleset.header.pillars:
        items = [g for g in gaps if g["pillar"] == pillar.id]
        if items:
            plan.append(
                {
                    "pillar": pillar.id,
                    "title": pillar.title,
                    "items": [
                        {
                            "rank": g["rank"],
                            "rule_id": g["rule_id"],
                            "title": g["title"],
                            "severity": g["severity"],
                            "status": g["status"],
                            "action": g["recommendation"]["text"],
                            "toolkit": g["recommendation"]["toolkit"],
                            "evidence_expected": g["evidence_expected"],
                        }
                        for g in items
                    ],
                }
            )
    answers = {}
    for question_id in ruleset.questions:
        answer = assessment.answers.get(question_id)
        if answer is None:
            continue
        value = answer.value
        answers[question_id] = {
            "value": _value(value) if not isinstance(value, list) else value,
            "evidence": answer.evidence,
            "comment": answer.comment,
        }
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "vpsa", "version": __version__},
        "ruleset": {
            "id": ruleset.id,
            "version": ruleset.version,
            "title": ruleset.header.title,
            "sha256": ruleset.sha256,
        },
        "assessment": {
            "organisation": meta.organisation,
            "site": meta.site,
            "kind": meta.kind,
            "date": meta.date.isoformat(),
            "assessor": meta.assessor,
            "file": PurePath(assessment.file).name,
            "sha256": assessment.sha256,
        },
        "profile": {k: assessment.profile[k] for k in ruleset.profile if k in assessment.profile},
        "factors": {k: v for k, v in evaluation.factors.items()},
        "answers": answers,
        "incidents": [json.loads(i.model_dump_json()) for i in assessment.incidents],
        "findings": [finding_dict(ruleset, f) for f in findings],
        "scores": analysis.scores,
        "gaps": gaps,
        "unanswered": [
            {"rule_id": f.rule_id, "title": ruleset.rules[f.rule_id].title, "missing": f.missing}
            for f in analysis.unanswered
        ],
        "action_plan": plan,
        "warnings": assessment.warnings,
    }


def dumps(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def gaps_at_or_above(result: dict[str, Any], severity: str) -> list[dict[str, Any]]:
    """Gaps whose effective severity is `severity` or higher (for --fail-on)."""
    from .models import Severity

    threshold = Severity(severity).rank
    return [gap for gap in result["gaps"] if Severity(gap["severity"]).rank >= threshold]
