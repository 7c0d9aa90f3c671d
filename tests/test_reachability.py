"""Every rule of the bundled ruleset is reachable: some valid assessment meets it and another misses it.

A rule whose `met` can never hold (contradictory conditions, a value no question offers, a profile that
excludes its own questions) or that can never fail (a tautology) is a content bug the loader cannot see.
For each rule, hypothesis searches answer sets drawn from the allowed values of the rule's own questions,
over random profiles and (for incident rules) random incidents, for one assessment where the rule is met
and one where it is not_met or partially_met. The search uses the reference semantics (plain Python,
fast); every witness found is then evaluated by durable-rules, which decides statuses in production.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import cache
from typing import Any

import pytest
from conftest import BUNDLED, answer_strategy, incident_strategy
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from bench.workload import to_assessment, valid_selection
from engine import conditions as cond
from engine import reference
from engine.assessments import Assessment
from engine.evaluate import ROLLUP_ORDER, Evaluator
from engine.models import AnswerType, Question, Status
from engine.rulesets import Ruleset, load_ruleset

ASOF = dt.date(2026, 6, 30)
MISSED = {Status.not_met, Status.partially_met}
# Generation only (no shrinking): a witness is all we need, and the search stays well under a minute.
SEARCH = settings(max_examples=3000, deadline=None, database=None, phases=[Phase.generate])


@cache
def bundled() -> Ruleset:
    return load_ruleset(BUNDLED)


def _multiple_choice(question: Question) -> st.SearchStrategy[list[str]]:
    """Each choice selected with even odds, so large selections are as likely as small ones."""
    values = [c.value for c in question.choices or []]

    def chosen(mask: list[bool]) -> list[str]:
        return valid_selection([v for v, keep in zip(values, mask) if keep] or values[:1])

    return st.lists(st.booleans(), min_size=len(values), max_size=len(values)).map(chosen)


def _answer(question: Question) -> st.SearchStrategy[Any]:
    if question.type == AnswerType.multiple_choice:
        return _multiple_choice(question)
    return answer_strategy(question, ASOF)


def _profile_value(fact: Any) -> st.SearchStrategy[Any]:
    if fact.type == "boolean":
        return st.sampled_from([True, True, False])  # most rules apply when a fact holds
    if fact.type == "single_choice":
        return st.sampled_from([c.value for c in fact.choices or []])
    return st.integers(0, 1000)


def _deciding_facts(ruleset: Ruleset, rule_id: str) -> frozenset[str]:
    """Profile facts that can change the rule's status: its applies_when and its questions' relevance."""
    key = (id(ruleset), rule_id)
    if key not in _DECIDING:
        _DECIDING[key] = _collect_deciding_facts(ruleset, rule_id)
    return _DECIDING[key]


_DECIDING: dict[tuple[int, str], frozenset[str]] = {}


def _collect_deciding_facts(ruleset: Ruleset, rule_id: str) -> frozenset[str]:
    names = set(cond.referenced(ruleset.conditions[rule_id].applies_when, "profile"))
    for question_id in ruleset.rule_questions(rule_id):
        names.update(cond.referenced(ruleset.relevance.get(question_id), "profile"))
    return frozenset(names)


def _neutral(fact: Any) -> Any:
    """A fixed value for a fact the rule does not look at (drawing it would only slow the search)."""
    if fact.type == "boolean":
        return False
    if fact.type == "single_choice":
        return (fact.choices or [])[-1].value
    return 0


@st.composite
def rule_assessment(draw: Any, ruleset: Ruleset, rule_id: str) -> dict[str, Any]:
    """Raw data of a valid assessment: random profile, every question of the rule answered, one incident
    for incident rules."""
    deciding = _deciding_facts(ruleset, rule_id)
    profile = {
        fact.id: draw(_profile_value(fact)) if fact.id in deciding else _neutral(fact)
        for fact in ruleset.header.profile
    }
    answers = {q: draw(_answer(ruleset.questions[q])) for q in ruleset.rule_questions(rule_id)}
    incidents = []
    if ruleset.rules[rule_id].scope == "incident":
        types = [t.id for t in ruleset.header.incident_types]
        incidents.append(draw(incident_strategy(1, types, ASOF)))
    return {
        "assessment": {"organisation": "Reachability (fictional)", "site": rule_id, "kind": "self", "date": ASOF},
        "profile": profile,
        "answers": answers,
        "incidents": incidents,
    }


def _status(ruleset: Ruleset, assessment: Assessment, rule_id: str) -> Status:
    """The rule's status by the reference semantics, rolled up over incidents as the evaluator does."""
    if ruleset.rules[rule_id].scope != "incident":
        return reference.decide(ruleset, assessment, rule_id).status
    statuses = [reference.decide(ruleset, assessment, rule_id, i).status for i in assessment.incidents]
    applicable = [s for s in statuses if s != Status.not_applicable]
    return min(applicable, key=ROLLUP_ORDER.index, default=Status.not_applicable)


def _witness(ruleset: Ruleset, rule_id: str, wanted: set[Status], search: settings = SEARCH) -> Assessment | None:
    def reaches(data: dict[str, Any]) -> bool:
        return _status(ruleset, to_assessment(ruleset, data), rule_id) in wanted

    try:
        # a seed per rule and target keeps the search reproducible from run to run
        seed = random.Random(f"{rule_id}:{sorted(s.value for s in wanted)}")
        data = find(rule_assessment(ruleset, rule_id), reaches, settings=search, random=seed)
    except NoSuchExample:
        return None
    return to_assessment(ruleset, data)


@pytest.fixture(scope="module")
def evaluator() -> Any:
    with Evaluator(bundled()) as engine:
        yield engine


@pytest.mark.parametrize("rule_id", sorted(bundled().rules))
def test_rule_can_be_met_and_missed(rule_id: str, evaluator: Evaluator) -> None:
    ruleset = bundled()
    for wanted, label in (({Status.met}, "met"), (MISSED, "not met or partially met")):
        witness = _witness(ruleset, rule_id, wanted)
        assert witness is not None, (
            f"{rule_id}: no valid assessment found where the rule is {label}; check its conditions, "
            "applies_when and the relevance of its questions."
        )
        finding = next(f for f in evaluator.evaluate(witness).findings if f.rule_id == rule_id)
        assert finding.status in wanted, f"{rule_id}: durable-rules says {finding.status.value}, expected {label}."


def test_the_search_detects_an_unreachable_rule() -> None:
    """The check can fail: with every question answered, 'unanswered' is out of reach and reported so."""
    ruleset = bundled()
    rule_id = next(r for r, rule in sorted(ruleset.rules.items()) if rule.scope == "assessment")
    short = settings(SEARCH, max_examples=300)
    assert _witness(ruleset, rule_id, {Status.unanswered}, short) is None
    assert _witness(ruleset, rule_id, {Status.met}, short) is not None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fully_answered_applicable_rules_are_rated(data: st.DataObject, evaluator: Evaluator) -> None:
    """Within a profile where a rule applies, answering all its questions always gives a rated status,
    and durable-rules agrees with the reference semantics (evaluate checks this and raises otherwise)."""
    ruleset = bundled()
    rule_id = data.draw(st.sampled_from(sorted(r for r, rule in ruleset.rules.items() if rule.scope == "assessment")))
    assessment = to_assessment(ruleset, data.draw(rule_assessment(ruleset, rule_id)))
    finding = next(f for f in evaluator.evaluate(assessment, check=True).findings if f.rule_id == rule_id)
    if finding.status == Status.not_applicable:
        return
    assert finding.status not in (Status.unanswered,), f"{rule_id}: {finding.reasons}"
