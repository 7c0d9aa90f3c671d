"""Core commands: assess, validate, rules list/show, explain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .. import conditions as cond
from ..assessments import load_assessment
from ..errors import InputError, Problem
from ..loading import LoadError, load_document
from ..models import Severity
from ..outputs import FORMATS, format_for
from ..pipeline import assess_file, ruleset_for
from ..reference import Context, decide
from ..result import gaps_at_or_above
from ..rulesets import HEADER_FILE, load_ruleset
from .base import EXIT_GAPS, handle_errors, main, write_output

SEVERITIES = [s.value for s in Severity]
ruleset_option = click.option(
    "--ruleset",
    "ruleset_ref",
    metavar="ID|PATH",
    help="Bundled ruleset id or a ruleset folder/file (default: the one the assessment names, else vpshr).",
)


@main.command()
@click.argument("assessment", type=click.Path(path_type=Path))
@ruleset_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    help="Output format (default: from --output's extension, else markdown).",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here instead of stdout (atomically).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 if any gap has this severity or higher.")
@handle_errors
def assess(
    assessment: Path, ruleset_ref: str | None, fmt: str | None, output: Path | None, fail_on: str | None
) -> None:
    """Evaluate an assessment and report scores, gaps and an action plan.

    \b
    Example:
      vpsa assess assessments/examples/kivu-gold-self.yaml --format json -o result.json --fail-on critical
    """
    _, _, result = assess_file(assessment, ruleset_ref)
    chosen = format_for(str(output) if output else None, fmt)
    write_output(FORMATS[chosen](result), output)
    if fail_on:
        failing = gaps_at_or_above(result, fail_on)
        if failing:
            click.echo(
                f"{len(failing)} gap(s) at or above {fail_on}: "
                f"{', '.join(g['rule_id'] for g in failing[:10])}{' …' if len(failing) > 10 else ''}",
                err=True,
            )
            raise SystemExit(EXIT_GAPS)


def _is_ruleset(path: Path) -> bool:
    if path.is_dir():
        return True
    if path.name == HEADER_FILE:
        return True
    try:
        data = load_document(path).data
    except LoadError:
        return False
    return isinstance(data, dict) and ("rules" in data or "pillars" in data) and "assessment" not in data


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@ruleset_option
@handle_errors
def validate(path: Path, ruleset_ref: str | None) -> None:
    """Check a ruleset (folder or file) or an assessment, and list every problem at once.

    \b
    Examples:
      vpsa validate rulesets/vpshr
      vpsa validate assessments/examples/kivu-gold-self.yaml
    """
    if not path.exists():
        raise InputError([Problem(str(path), None, "", "the file does not exist.", "check the path and spelling.")])
    if _is_ruleset(path):
        from ..compiler import compile_ruleset

        ruleset = load_ruleset(path)
        compiled = compile_ruleset(ruleset)
        click.echo(
            f"OK: ruleset {ruleset.id} {ruleset.version}: {len(ruleset.rules)} rules, "
            f"{len(ruleset.questions)} questions, {len(ruleset.clauses)} source clauses, "
            f"{sum(len(u.rules) for u in compiled.units)} compiled engine rules."
        )
        return
    ruleset = ruleset_for(path, ruleset_ref)
    assessment = load_assessment(path, ruleset)
    answered = sum(1 for a in assessment.answers.values() if a.value is not None)
    click.echo(
        f"OK: assessment of {assessment.meta.organisation} / {assessment.meta.site} against {ruleset.id} "
        f"{ruleset.version}: {answered} of {len(ruleset.questions)} questions answered, "
        f"{len(assessment.incidents)} incident(s)."
    )
    for warning in assessment.warnings:
        click.echo(f"Warning: {warning}", err=True)


@main.group()
def rules() -> None:
    """Browse the rules of a ruleset."""


@rules.command("list")
@ruleset_option
@click.option("--pillar", help="Only this pillar (e.g. PUB).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def rules_list(ruleset_ref: str | None, pillar: str | None, fmt: str) -> None:
    """List rules with pillar, severity and title.

    \b
    Example:
      vpsa rules list --pillar PUB
    """
    ruleset = load_ruleset(ruleset_ref)
    selected = [r for r in ruleset.rules.values() if pillar is None or r.pillar == pillar]
    if pillar is not None and not selected:
        known = ", ".join(p.id for p in ruleset.header.pillars)
        raise InputError([Problem("--pillar", None, "", f"no rule is in pillar '{pillar}'.", f"use one of: {known}.")])
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "rule_id": r.id,
                        "pillar": r.pillar,
                        "severity": r.severity.value,
                        "title": r.title,
                        "scope": r.scope,
                    }
                    for r in selected
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    for rule in selected:
        click.echo(f"{rule.id:<12} {rule.pillar:<5} {rule.severity.value:<9} {rule.title}")


@rules.command("show")
@click.argument("rule_id")
@ruleset_option
@click.option("--compiled", is_flag=True, help="Also show the durable-rules conditions it compiles to.")
@handle_errors
def rules_show(rule_id: str, ruleset_ref: str | None, compiled: bool) -> None:
    """Show one rule: why it matters, its sources, conditions, recommendation and evidence.

    \b
    Example:
      vpsa rules show RA-01 --compiled
    """
    ruleset = load_ruleset(ruleset_ref)
    rule = _rule(ruleset, rule_id)
    conditions = ruleset.conditions[rule.id]
    lines = [
        f"{rule.id} — {rule.title}",
        f"Pillar: {rule.pillar}   Severity: {rule.severity.value}"
        f"{'   Raised one level when: ' + ', '.join(rule.escalate_if) if rule.escalate_if else ''}",
        f"Scope: {rule.scope}",
        "",
        f"Why it matters: {rule.why}",
        "",
        "Sources:",
    ]
    for ref in rule.sources:
        document, clause = ruleset.clauses[ref.clause]
        lines.append(
            f"  - {document.title} ({document.year}), {clause.section}"
            f"{' — ' + clause.title if clause.title else ''}{'' if clause.verified else ' [unverified]'}"
        )
    lines += ["", f"Applies when: {conditions.applies_when.render() if conditions.applies_when else 'always'}"]
    for level, condition in conditions.levels.items():
        lines.append(f"{level.value.replace('_', ' ').capitalize()} when: {condition.render()}")
    lines.append("Otherwise: not met")
    lines += ["", "Questions:"]
    for question_id in ruleset.rule_questions(rule.id):
        lines.append(f"  - {question_id}: {ruleset.questions[question_id].text}")
    lines += ["", f"Finding (if not met): {rule.finding}", f"Recommendation: {rule.recommendation.text}"]
    for ref_id in rule.recommendation.toolkit:
        document, clause = ruleset.clauses[ref_id]
        lines.append(f"  See: {document.title}, {clause.section}{' — ' + clause.title if clause.title else ''}")
    lines += ["Evidence expected:", *[f"  - {e}" for e in rule.evidence]]
    if compiled:
        from ..compiler import compile_ruleset

        unit = compile_ruleset(ruleset).unit(rule.id)
        lines += [
            "",
            "Compiled durable-rules ruleset (lower pri fires first):",
            json.dumps(unit.definition(), indent=2, ensure_ascii=False),
        ]
    click.echo("\n".join(lines))


def _rule(ruleset, rule_id: str):  # type: ignore[no-untyped-def]
    rule = ruleset.rules.get(rule_id)
    if rule is None:
        hint = cond._closest(rule_id, list(ruleset.rules))
        raise InputError(
            [
                Problem(
                    rule_id,
                    None,
                    "",
                    f"ruleset {ruleset.id} has no rule '{rule_id}'.",
                    f"did you mean '{hint}'?" if hint else "see 'vpsa rules list'.",
                )
            ]
        )
    return rule


def _raised(finding: dict[str, Any]) -> str:
    if not finding["escalated_by"]:
        return ""
    return f" (raised from {finding['base_severity']} by {', '.join(finding['escalated_by'])})"


@main.command()
@click.argument("assessment", type=click.Path(path_type=Path))
@click.argument("rule_id")
@ruleset_option
@handle_errors
def explain(assessment: Path, rule_id: str, ruleset_ref: str | None) -> None:
    """Explain one rule's status: the answers and profile facts that decided it, and its sources.

    \b
    Example:
      vpsa explain assessments/examples/kivu-gold-self.yaml PUB-02
    """
    ruleset, _, result = assess_file(assessment, ruleset_ref)
    rule = _rule(ruleset, rule_id)
    finding = next(f for f in result["findings"] if f["rule_id"] == rule.id)
    parsed = load_assessment(assessment, ruleset)
    conditions = ruleset.conditions[rule.id]
    lines = [
        f"{rule.id} — {rule.title}",
        f"Status: {finding['status'].replace('_', ' ')} (decided by durable-rules)   Severity: {finding['severity']}"
        + _raised(finding),
        "",
        "Why:",
        *[f"  - {reason}" for reason in finding["reasons"]],
        "",
        "Profile facts used:",
    ]
    profile_names = cond.referenced(conditions.applies_when, "profile")
    for question_id in ruleset.rule_questions(rule.id):
        if question_id in ruleset.relevance:
            profile_names += [
                n for n in cond.referenced(ruleset.relevance[question_id], "profile") if n not in profile_names
            ]
    for name in profile_names or []:
        lines.append(f"  - {name} = {json.dumps(parsed.profile.get(name))}")
    if not profile_names:
        lines.append("  - none (the rule applies to every profile)")
    lines += ["", "Answers used:"]
    context = Context(ruleset, parsed)
    for question_id in ruleset.rule_questions(rule.id):
        answer = parsed.answers.get(question_id)
        value = (
            "skipped for this profile"
            if not context.relevant(question_id)
            else "unanswered"
            if answer is None or answer.value is None
            else json.dumps(
                answer.value if not hasattr(answer.value, "isoformat") else answer.value.isoformat(), ensure_ascii=False
            )
        )
        extra = f" (evidence: {answer.evidence})" if answer is not None and answer.evidence else ""
        lines.append(f"  - {question_id} = {value}{extra}: {ruleset.questions[question_id].text}")
    lines += [
        "",
        "Conditions:",
        f"  applies when: {conditions.applies_when.render() if conditions.applies_when else 'always'}",
    ]
    for level, condition in conditions.levels.items():
        lines.append(f"  {level.value}: {condition.render()}")
    lines += [
        "",
        "Sources:",
        *[
            f"  - {s['document_title']} ({s['year']}), {s['section']}{' — ' + s['title'] if s['title'] else ''}"
            for s in finding["sources"]
        ],
    ]
    if finding["status"] not in ("met", "not_applicable"):
        lines += ["", f"Recommendation: {finding['recommendation']['text']}"]
    # the reference semantics must agree with the engine; decide() is what the reasons came from
    assert decide(ruleset, parsed, rule.id).status.value == finding["status"] or rule.scope == "incident"
    click.echo("\n".join(lines))
