"""From findings to scores, a maturity level, a prioritised gap list and an action plan.

Conventions (documented in README "Scoring"): points met 1.0, substantially met 0.75, partially met
0.5, not met 0 (IRMA's four ratings; the points are this engine's convention). Rules are weighted by
effective severity (critical 4, high 3, medium 2, low 1). Not-applicable rules are left out;
unanswered rules are counted apart and never scored as met.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .evaluate import Evaluation, Finding
from .models import CRITICAL_BLOCKER_TEXT, RATED_STATUSES, SEVERITY_WEIGHT, STATUS_POINTS, Severity, Status
from .rulesets import Ruleset

GAP_STATUSES = [Status.not_met, Status.partially_met, Status.substantially_met]
STATUS_ORDER = [s.value for s in Status]


def score_of(findings: list[Finding]) -> dict[str, Any]:
    counts = {status.value: 0 for status in Status}
    weight = earned = 0.0
    for finding in findings:
        counts[finding.status.value] += 1
        if finding.status in RATED_STATUSES:
            w = SEVERITY_WEIGHT[finding.severity]
            weight += w
            earned += w * STATUS_POINTS[finding.status]
    rated = sum(counts[s.value] for s in RATED_STATUSES)
    answerable = rated + counts[Status.unanswered.value]
    return {
        "score": round(100 * earned / weight, 1) if weight else None,
        "rated": rated,
        "completeness": round(100 * rated / answerable, 1) if answerable else None,
        "counts": counts,
    }


def maturity(
    ruleset: Ruleset, overall: dict[str, Any], pillars: list[dict[str, Any]], findings: list[Finding]
) -> dict[str, Any]:
    critical = [f for f in findings if f.severity == Severity.critical and f.status != Status.not_applicable]
    reached = ruleset.header.maturity[0]
    blockers: list[str] = []
    for level in ruleset.header.maturity[1:]:
        blockers = _blockers(level, overall, pillars, critical)
        if blockers:
            break
        reached = level
    else:
        blockers = []
    capped = [f.rule_id for f in critical if f.status not in (Status.met, Status.substantially_met)]
    result: dict[str, Any] = {
        "level": reached.level,
        "name": reached.name,
        "description": reached.description,
        "critical_below_substantially_met": capped,
    }
    following = [lvl for lvl in ruleset.header.maturity if lvl.level == reached.level + 1]
    if following:
        result["next"] = {"level": following[0].level, "name": following[0].name, "blockers": blockers}
    return result


def _blockers(level: Any, overall: dict[str, Any], pillars: list[dict[str, Any]], critical: list[Finding]) -> list[str]:
    found = []
    if (overall["score"] or 0) < level.min_overall:
        found.append(f"overall score {overall['score'] or 0} is below {level.min_overall:g}")
    for pillar in pillars:
        if pillar["score"] is not None and pillar["score"] < level.min_pillar:
            found.append(f"pillar {pillar['id']} scores {pillar['score']}, below {level.min_pillar:g}")
    if level.critical_at_least is not None:
        needed = RATED_STATUSES[: RATED_STATUSES.index(level.critical_at_least) + 1]
        for finding in critical:
            if finding.status not in needed:
                found.append(
                    CRITICAL_BLOCKER_TEXT.format(rule_id=finding.rule_id, status=finding.status.value.replace("_", " "))
                )
    return found


@dataclass
class Analysis:
    scores: dict[str, Any]
    gaps: list[Finding]
    unanswered: list[Finding]


def analyse(ruleset: Ruleset, evaluation: Evaluation) -> Analysis:
    by_pillar: dict[str, list[Finding]] = {p.id: [] for p in ruleset.header.pillars}
    for finding in evaluation.findings:
        by_pillar[ruleset.rules[finding.rule_id].pillar].append(finding)
    pillars = [{"id": p.id, "title": p.title, **score_of(by_pillar[p.id])} for p in ruleset.header.pillars]
    overall = score_of(evaluation.findings)
    scores = {
        "overall": overall,
        "pillars": pillars,
        "maturity": maturity(ruleset, overall, pillars, evaluation.findings),
    }
    gaps = sorted((f for f in evaluation.findings if f.status in GAP_STATUSES), key=gap_priority)
    unanswered = [f for f in evaluation.findings if f.status == Status.unanswered]
    return Analysis(scores, gaps, unanswered)


def gap_priority(finding: Finding) -> tuple[int, int, int, str]:
    """Severity first, then how far from met, then how exposed the profile is, then the id (stable)."""
    return (-finding.severity.rank, GAP_STATUSES.index(finding.status), -len(finding.exposure), finding.rule_id)
