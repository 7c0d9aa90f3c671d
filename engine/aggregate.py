"""Aggregate many members' assessments for a working group, without exposing any single member.

Each member is reduced to a compact `MemberSummary` (scores and one status code per rule; no names
unless asked, never any free text or evidence). The aggregate is built only from summaries:

- Members appear as pseudonyms, "Member " + the start of sha256(salt, organisation, site) in hex,
  lengthened until every member's pseudonym is distinct. Without a secret --salt anyone who knows a
  member's name can recompute its pseudonym, so a group should keep its salt private.
- No figure is computed from fewer than `min_group` members: a pillar's distribution needs that
  many scored members; a shared gap is listed only when at least that many members have it and at
  least that many were rated on the rule. A group smaller than `min_group` shows no figures at all.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .analysis import analyse
from .assessments import Assessment
from .evaluate import ROLLUP_ORDER, Evaluation, Evaluator, Finding
from .models import SEVERITY_ORDER, Status
from .rulesets import Ruleset

AGGREGATE_VERSION = "1.0"
STATUS_CODE = {
    Status.met: "M",
    Status.substantially_met: "S",
    Status.partially_met: "P",
    Status.not_met: "N",
    Status.not_applicable: "A",
    Status.unanswered: "U",
}
RATED_CODES = "MSPN"
SHARED_GAP_CODES = "PN"  # not met or only partly met
DEFAULT_MIN_GROUP = 3
PSEUDONYM_MIN_HEX = 4


@dataclass(frozen=True)
class MemberSummary:
    """What the aggregate keeps of one member: no answers, no evidence, names only for --reveal."""

    key: str
    organisation: str
    site: str
    date: str
    overall: float | None
    pillars: tuple[float | None, ...]
    maturity: int
    statuses: str  # one STATUS_CODE per rule, in ruleset order
    severities: str  # one digit per rule: the effective severity's rank (0 low .. 3 critical)


def member_key(organisation: str, site: str, salt: str) -> str:
    data = "\x1f".join([salt, organisation.strip(), site.strip()]).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def summarise(ruleset: Ruleset, evaluation: Evaluation, salt: str) -> MemberSummary:
    meta = evaluation.assessment.meta
    scores = analyse(ruleset, evaluation).scores
    by_rule = {f.rule_id: f for f in evaluation.findings}
    order = list(ruleset.rules)
    return MemberSummary(
        key=member_key(meta.organisation, meta.site, salt),
        organisation=meta.organisation,
        site=meta.site,
        date=meta.date.isoformat(),
        overall=scores["overall"]["score"],
        pillars=tuple(p["score"] for p in scores["pillars"]),
        maturity=scores["maturity"]["level"],
        statuses="".join(STATUS_CODE[by_rule[r].status] for r in order),
        severities="".join(str(by_rule[r].severity.rank) for r in order),
    )


def quick_summary(ruleset: Ruleset, evaluator: Evaluator, assessment: Assessment, salt: str) -> MemberSummary:
    """The same summary as `summarise`, from the engine's statuses alone, without explaining them.

    `Evaluator.evaluate` also works out every finding's reasons with the reference semantics, which
    an aggregate never shows and which costs most of the evaluation time.
    """
    factors, per_rule = evaluator.statuses(assessment)
    findings = []
    for rule_id, outcomes in per_rule.items():
        rule = ruleset.rules[rule_id]
        escalated = [f for f in rule.escalate_if if factors.get(f)]
        if rule.scope == "incident":
            applicable = [status for _, status in outcomes if status != Status.not_applicable]
            status = min(applicable, key=ROLLUP_ORDER.index) if applicable else Status.not_applicable
        else:
            status = outcomes[0][1]
        findings.append(
            Finding(
                rule_id=rule_id,
                status=status,
                severity=rule.severity.raised() if escalated else rule.severity,
                base_severity=rule.severity,
                escalated_by=escalated,
                exposure=[f for f in rule.exposure if factors.get(f)],
                reasons=[],
            )
        )
    return summarise(ruleset, Evaluation(assessment, findings, factors), salt)


def pseudonyms(members: Sequence[MemberSummary]) -> list[str]:
    """One distinct pseudonym per member (members sorted as `ordered` sorts them)."""
    keys = sorted({m.key for m in members})
    length = PSEUDONYM_MIN_HEX
    while len({k[:length] for k in keys}) < len(keys):
        length += 1
    names: list[str] = []
    seen: dict[str, int] = {}
    for member in members:
        base = f"Member {member.key[:length].upper()}"
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return names


def ordered(members: Iterable[MemberSummary]) -> list[MemberSummary]:
    """A fixed order that does not depend on the order members were given in."""
    return sorted(members, key=lambda m: (m.key, m.date, m.statuses, m.overall or -1.0, m.organisation, m.site))


def quartiles(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    if len(values) == 1:
        q1 = median = q3 = values[0]
    else:
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {
        "min": round(values[0], 1),
        "q1": round(q1, 1),
        "median": round(median, 1),
        "q3": round(q3, 1),
        "max": round(values[-1], 1),
    }


def _distribution(pillar_id: str, title: str, values: list[float], min_group: int, small: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": pillar_id, "title": title}
    if not values and not small:
        entry.update({"suppressed": False, "members": 0})
    elif small or len(values) < min_group:
        entry.update({"suppressed": True, "members": None})
    else:
        entry.update({"suppressed": False, "members": len(values), **quartiles(values)})
    return entry


def _shared_severity(ranks: list[int], min_group: int, base: int) -> int:
    """The highest effective severity that at least min_group of the sharing members have (or above)."""
    for rank in range(len(SEVERITY_ORDER) - 1, base, -1):
        if sum(1 for r in ranks if r >= rank) >= min_group:
            return rank
    return base


def build_aggregate(
    ruleset: Ruleset, members: Iterable[MemberSummary], min_group: int = DEFAULT_MIN_GROUP, reveal: bool = False
) -> dict[str, Any]:
    members = ordered(members)
    count = len(members)
    small = count < min_group
    rule_ids = list(ruleset.rules)
    pillars = [{"id": p.id, "title": p.title} for p in ruleset.header.pillars]
    matrix: list[dict[str, Any]] = []
    if not small:
        for name, member in zip(pseudonyms(members), members):
            row: dict[str, Any] = {"member": name}
            if reveal:
                row.update({"organisation": member.organisation, "site": member.site, "date": member.date})
            row.update({"pillars": list(member.pillars), "overall": member.overall, "maturity": member.maturity})
            matrix.append(row)
    distributions = []
    for index, pillar in enumerate(pillars):
        values = [m.pillars[index] for m in members if m.pillars[index] is not None]
        distributions.append(_distribution(pillar["id"], pillar["title"], values, min_group, small))
    overall_values = [m.overall for m in members if m.overall is not None]
    overall = _distribution("overall", "All rules", overall_values, min_group, small)
    gaps: list[dict[str, Any]] = []
    fewer = 0
    for index, rule_id in enumerate(rule_ids):
        rule = ruleset.rules[rule_id]
        rated = [m for m in members if m.statuses[index] in RATED_CODES]
        sharing = [m for m in rated if m.statuses[index] in SHARED_GAP_CODES]
        if not sharing:
            continue
        if small or len(sharing) < min_group or len(rated) < min_group:
            fewer += 1
            continue
        severity = _shared_severity([int(m.severities[index]) for m in sharing], min_group, rule.severity.rank)
        gaps.append(
            {
                "rule_id": rule_id,
                "title": rule.title,
                "pillar": rule.pillar,
                "severity": SEVERITY_ORDER[severity].value,
                "base_severity": rule.severity.value,
                "members_with_gap": len(sharing),
                "members_rated": len(rated),
                "percent": round(100 * len(sharing) / len(rated), 1),
                "finding": rule.finding,
                "recommendation": rule.recommendation.text,
                "toolkit": [_citation(ruleset, ref) for ref in rule.recommendation.toolkit],
            }
        )
    common = sorted(gaps, key=lambda g: (-g["members_with_gap"], -g["percent"], g["rule_id"]))
    workplan = [
        {"priority": rank, **g}
        for rank, g in enumerate(
            sorted(
                gaps,
                key=lambda g: (-g["members_with_gap"], -SEVERITY_ORDER.index(_severity(g["severity"])), g["rule_id"]),
            ),
            start=1,
        )
    ]
    return {
        "aggregate_version": AGGREGATE_VERSION,
        "ruleset": {"id": ruleset.id, "version": ruleset.version, "title": ruleset.header.title},
        "members": count,
        "min_group": min_group,
        "anonymised": not reveal,
        "suppressed": small,
        "pillars": pillars,
        "matrix": matrix,
        "distributions": distributions,
        "overall": overall,
        "common_gaps": common,
        "gaps_shared_by_fewer": fewer,
        "workplan": workplan,
    }


def _severity(value: str) -> Any:
    from .models import Severity

    return Severity(value)


def _citation(ruleset: Ruleset, clause_id: str) -> dict[str, Any]:
    document, clause = ruleset.clauses[clause_id]
    return {
        "id": clause.id,
        "document": document.id,
        "document_title": document.title,
        "year": document.year,
        "section": clause.section,
        "title": clause.title,
        "verified": clause.verified,
    }
