"""Realistic synthetic member assessments for any ruleset: for examples, tests and benchmarks.

Each member draws a maturity (most sites are developing, few are very weak or very strong), then a
maturity per pillar near it, and answers every question from its pillar's maturity: a mature pillar
gives better answers (yes rather than no, more sources, recent dates, higher percentages) and leaves
fewer questions unanswered. Answers to one pillar's questions therefore move together, as they do
in real assessments. Fully deterministic: member i of seed s is the same whatever the count.
All names are fictional ("Synthetic member 0001").
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from .conditions import evaluate
from .models import NONE_CHOICE, AnswerType, Question, SecurityActor
from .rulesets import Ruleset, answer_order

BASE_DATE = dt.date(2026, 6, 30)
PROFILES = ((0.25, 0.15), (0.5, 0.15), (0.75, 0.12))  # weak, developing, strong: (mean, spread)
PROFILE_WEIGHTS = (0.3, 0.45, 0.25)
TEXT_ANSWERS = (
    "Recorded in the site security file.",
    "Kept by the security manager; copies sent to head office.",
    "Described in the annual security plan.",
)


def _clip(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def _months_ago(date: dt.date, months: float) -> dt.date:
    return date - dt.timedelta(days=int(months * 30.4))


def _answer(question: Question, level: float, rng: random.Random, date: dt.date) -> Any:
    kind = question.type
    if kind == AnswerType.yes_no:
        return "yes" if rng.random() < level else "no"
    if kind in (AnswerType.yes_no_partial, AnswerType.single_choice):
        values = answer_order(question) if question.better != "none" else None
        if kind == AnswerType.single_choice and not values:
            return rng.choice([c.value for c in question.choices or []])
        values = values or ["no", "partial", "yes"]
        index = round(_clip(level + rng.gauss(0, 0.2)) * (len(values) - 1))
        return values[index]
    if kind == AnswerType.multiple_choice:
        real = [c.value for c in question.choices or [] if c.value != NONE_CHOICE]
        picked = [v for v in real if rng.random() < level]
        if question.better == "lower":
            picked = [v for v in real if v not in picked]
        has_none = any(c.value == NONE_CHOICE for c in question.choices or [])
        return picked or ([NONE_CHOICE] if has_none else [])
    if kind == AnswerType.number:
        low = question.min if question.min is not None else 0.0
        high = question.max if question.max is not None else 100.0
        # mature sites reach the top of the range (all guards vetted), weak ones stay low
        share = _clip(1.3 * level - 0.1 + rng.gauss(0, 0.12))
        if question.better == "lower":
            share = 1 - share
        value = low + share * (high - low)
        return int(round(value)) if float(low).is_integer() and float(high).is_integer() else round(value, 1)
    if kind == AnswerType.date:
        if rng.random() < (1 - level) * 0.3:
            return "never"
        months = _clip((1 - level) + rng.gauss(0, 0.2), 0, 1.5) * 36
        if question.better == "lower":  # earlier is better: rare, but keep the direction
            months = 48 - months
        return _months_ago(date, months).isoformat()
    return rng.choice(TEXT_ANSWERS)


def _profile(ruleset: Ruleset, rng: random.Random) -> dict[str, Any]:
    profile: dict[str, Any] = {}
    for fact in ruleset.header.profile:
        if fact.type == "boolean":
            profile[fact.id] = rng.random() < 0.55
        elif fact.type == "single_choice":
            profile[fact.id] = rng.choice([c.value for c in fact.choices or []])
        else:
            profile[fact.id] = rng.randint(0, 500)
    return profile


def _incidents(ruleset: Ruleset, level: float, rng: random.Random, date: dt.date) -> list[dict[str, Any]]:
    types = [t.id for t in ruleset.header.incident_types]
    if not types:
        return []
    count = min(3, int(rng.random() * 4 * (1.2 - level)))
    incidents = []
    for number in range(1, count + 1):
        day = date - dt.timedelta(days=rng.randint(20, 700))
        incident: dict[str, Any] = {
            "id": f"I-{number}",
            "date": day.isoformat(),
            "type": rng.choice(types),
            "actor": rng.choice([a.value for a in SecurityActor if a != SecurityActor.unknown]),
            "victims": rng.randint(0, 3),
            "injuries": rng.randint(0, 2),
        }
        if rng.random() < 0.3 + 0.7 * level:
            incident["reported_internally"] = min(date, day + dt.timedelta(days=rng.randint(0, 3))).isoformat()
        if rng.random() < 0.2 + 0.8 * level:
            delay = int(_clip(1 - level + rng.gauss(0, 0.2)) * 30)
            incident["reported_to_authorities"] = min(date, day + dt.timedelta(days=delay)).isoformat()
        if rng.random() < 0.2 + 0.8 * level:
            opened = min(date, day + dt.timedelta(days=rng.randint(1, 14)))
            incident["investigation_opened"] = opened.isoformat()
            if rng.random() < level:
                incident["investigation_closed"] = min(
                    date, opened + dt.timedelta(days=rng.randint(10, 120))
                ).isoformat()
        incident["medical_aid_given"] = rng.random() < 0.3 + 0.7 * level
        incident["remedy"] = rng.choice(["none", "offered", "provided"] if level > 0.4 else ["none", "offered"])
        incident["shared_with_working_group"] = rng.random() < level
        incidents.append(incident)
    return incidents


def synthetic_member(ruleset: Ruleset, seed: int, number: int) -> dict[str, Any]:
    """The raw data of one valid, fictional member assessment of `ruleset`."""
    rng = random.Random(f"vpsa-synthetic:{seed}:{number}")
    mean, spread = rng.choices(PROFILES, weights=PROFILE_WEIGHTS)[0]
    maturity = _clip(rng.gauss(mean, spread), 0.02, 0.98)
    pillar_level = {p.id: _clip(maturity + rng.gauss(0, 0.12), 0.0, 1.0) for p in ruleset.header.pillars}
    date = BASE_DATE - dt.timedelta(days=rng.randint(0, 180))
    profile = _profile(ruleset, rng)
    answers: dict[str, Any] = {}
    for question in ruleset.questions.values():
        relevance = ruleset.relevance.get(question.id)
        if relevance is not None and evaluate(relevance, lambda atom: profile.get(atom.name), {}) is False:
            continue
        level = pillar_level.get(question.pillar, maturity)
        if rng.random() < (1 - level) * 0.12:
            continue  # left unanswered, more often by weak sites
        value = _answer(question, level, rng, date)
        if value != []:  # an empty selection reads as unanswered; leave it out instead
            answers[question.id] = value
    return {
        "assessment": {
            "organisation": f"Synthetic member {number:04d}",
            "site": f"Site {number:04d}",
            "kind": "self",
            "date": date.isoformat(),
            "ruleset": ruleset.id,
            "ruleset_version": ruleset.version,
        },
        "profile": profile,
        "answers": answers,
        "incidents": _incidents(ruleset, maturity, rng, date),
    }


def synthetic_members(ruleset: Ruleset, count: int, seed: int, start: int = 1) -> Iterator[dict[str, Any]]:
    for number in range(start, start + count):
        yield synthetic_member(ruleset, seed, number)
