"""Workloads shared by the scale tests and the benchmark: scaled rulesets and random assessments.

`scale_ruleset` copies every question and rule of a ruleset folder under suffixed ids (conditions are
rewritten to the copied questions), so the result is a valid ruleset N times the size that goes
through the normal loader. `random_assessment` draws a valid assessment for any ruleset.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import yaml

from engine.assessments import Assessment, parse_assessment
from engine.loading import Document
from engine.models import NONE_CHOICE, AnswerType, SecurityActor
from engine.rulesets import HEADER_FILE, Ruleset, ruleset_files


def _rename_questions(condition: Any, suffix: str) -> Any:
    if isinstance(condition, dict):
        renamed = {}
        for key, value in condition.items():
            is_question = key == "question" and isinstance(value, str)
            renamed[key] = f"{value}{suffix}" if is_question else _rename_questions(value, suffix)
        return renamed
    if isinstance(condition, list):
        return [_rename_questions(item, suffix) for item in condition]
    return condition


def _copy_part(data: dict[str, Any], suffix: str) -> dict[str, Any]:
    questions = []
    for question in data.get("questions") or []:
        question = copy.deepcopy(question)
        question["id"] = f"{question['id']}{suffix}"
        questions.append(question)
    rules = []
    for rule in data.get("rules") or []:
        rule = copy.deepcopy(rule)
        rule["id"] = f"{rule['id']}{suffix}"
        for level in ("met", "substantially_met", "partially_met"):
            if rule.get(level) is not None:
                rule[level] = _rename_questions(rule[level], suffix)
        rules.append(rule)
    return {"questions": questions, "rules": rules}


def scale_ruleset(source: Path, dest: Path, copies: int) -> Path:
    """Write a ruleset folder holding `copies` copies of every question and rule of `source`.

    Copy 0 keeps the original ids; copy k > 0 appends `-xk` to every question and rule id.
    Sources, profile facts, factors and pillars are shared.
    """
    dest.mkdir(parents=True, exist_ok=True)
    files = ruleset_files(source)
    for index, file in enumerate(files):
        relative = HEADER_FILE if index == 0 else f"original/{index:03d}-{file.name}"
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.read_bytes())
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for k in range(1, copies):
            part = _copy_part(data, f"-x{k}")
            if part["questions"] or part["rules"]:
                out = dest / f"copy{k}" / f"{index:03d}-{file.stem}.yaml"
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(yaml.safe_dump(part, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def copies_needed(rule_count: int, at_least_rules: int) -> int:
    return max(1, -(-at_least_rules // max(rule_count, 1)))


# --- random assessments ---------------------------------------------------------------------------

ASOF = dt.date(2026, 6, 30)


def valid_selection(picked: list[str]) -> list[str]:
    """A random multiple-choice selection made valid: 'none' is dropped when other choices are picked."""
    return [v for v in picked if v != NONE_CHOICE] or picked


def _answer(question: Any, rng: random.Random, asof: dt.date) -> Any:
    kind = question.type
    if kind == AnswerType.yes_no:
        return rng.choice(["yes", "no"])
    if kind == AnswerType.yes_no_partial:
        return rng.choice(["yes", "partial", "no"])
    if kind == AnswerType.single_choice:
        return rng.choice([c.value for c in question.choices])
    if kind == AnswerType.multiple_choice:
        values = [c.value for c in question.choices]
        return valid_selection(rng.sample(values, rng.randint(1, len(values))))
    if kind == AnswerType.number:
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else max(low, 0) + 100
        value = rng.uniform(low, high)
        return int(value) if rng.random() < 0.7 else round(value, 2)
    if kind == AnswerType.date:
        if rng.random() < 0.1:
            return "never"
        return (asof - dt.timedelta(days=rng.randint(0, 5 * 365))).isoformat()
    return rng.choice(["Kept in the site office.", "<script>alert(1)</script> {{ x }}", "سجل 📋"])


def _incident(number: int, types: list[str], rng: random.Random, asof: dt.date) -> dict[str, Any]:
    day = asof - dt.timedelta(days=rng.randint(0, 700))

    def later(after: dt.date) -> str:
        return (after + dt.timedelta(days=rng.randint(0, (asof - after).days))).isoformat()

    incident: dict[str, Any] = {
        "id": f"I-{number}",
        "date": day.isoformat(),
        "type": rng.choice(types),
        "actor": rng.choice([a.value for a in SecurityActor]),
        "victims": rng.randint(0, 5),
        "injuries": rng.randint(0, 3),
        "fatalities": rng.choice([0, 0, 0, 1]),
    }
    for step in ("reported_internally", "reported_to_authorities"):
        if rng.random() < 0.6:
            incident[step] = later(day)
    if rng.random() < 0.6:
        opened = dt.date.fromisoformat(later(day))
        incident["investigation_opened"] = opened.isoformat()
        if rng.random() < 0.5:
            incident["investigation_closed"] = later(opened)
    for name in ("medical_aid_given", "personnel_withdrawn", "shared_with_working_group"):
        if rng.random() < 0.6:
            incident[name] = rng.random() < 0.5
    if rng.random() < 0.6:
        incident["remedy"] = rng.choice(["none", "offered", "provided"])
    return incident


def random_assessment_data(
    ruleset: Ruleset, rng: random.Random, asof: dt.date = ASOF, unanswered: float = 0.1
) -> dict[str, Any]:
    """The raw data of a valid assessment file with random answers (some left out)."""
    profile: dict[str, Any] = {}
    for fact in ruleset.header.profile:
        if fact.type == "boolean":
            profile[fact.id] = rng.random() < 0.5
        elif fact.type == "single_choice":
            profile[fact.id] = rng.choice([c.value for c in fact.choices or []])
        else:
            profile[fact.id] = rng.randint(0, 1000)
    answers = {q.id: _answer(q, rng, asof) for q in ruleset.questions.values() if rng.random() >= unanswered}
    types = [t.id for t in ruleset.header.incident_types]
    incidents = [_incident(i, types, rng, asof) for i in range(1, rng.randint(0, 3) + 1)] if types else []
    return {
        "assessment": {"organisation": "Test Co (fictional)", "site": "Site", "kind": "self", "date": asof.isoformat()},
        "profile": profile,
        "answers": answers,
        "incidents": incidents,
    }


def to_assessment(ruleset: Ruleset, data: dict[str, Any], name: str = "generated.yaml") -> Assessment:
    """Validate raw assessment data exactly as a file would be (without a file)."""
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    return parse_assessment(Document(name, data, {}), raw, ruleset)


def random_assessments(ruleset: Ruleset, count: int, seed: int = 0, start: int = 0) -> list[Assessment]:
    """Assessments number start .. start+count-1 of a seeded series; each depends only on (seed, number),
    so any slice can be made on its own (a benchmark worker makes its own share instead of inheriting it)."""
    return [
        to_assessment(ruleset, random_assessment_data(ruleset, random.Random(f"{seed}:{i}")), f"a{i}.yaml")
        for i in range(start, start + count)
    ]
