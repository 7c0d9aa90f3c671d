"""Properties over generated assessments: one status per rule, monotone scores, isolation, determinism."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import assessment_data
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bench.workload import to_assessment
from engine.analysis import analyse
from engine.evaluate import Evaluator
from engine.models import STATUS_POINTS, AnswerType, Status
from engine.pipeline import result_for
from engine.result import dumps
from engine.rulesets import answer_order

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=st.data())
def test_every_rule_gets_exactly_one_status(mini, mini_evaluator, data):
    assessment = to_assessment(mini, data.draw(assessment_data(mini)))
    factors, per_rule = mini_evaluator.statuses(assessment)
    assert set(factors) == set(mini.factors)
    assert list(per_rule) == list(mini.rules)
    incident_ids = [i.id for i in assessment.incidents]
    for rule_id, outcomes in per_rule.items():
        if mini.rules[rule_id].scope == "incident":
            assert [incident for incident, _ in outcomes] == incident_ids
        else:
            assert [incident for incident, _ in outcomes] == [None]
    findings = mini_evaluator.evaluate(assessment, check=True).findings
    assert sorted(f.rule_id for f in findings) == sorted(mini.rules)
    assert all(isinstance(f.status, Status) for f in findings)


# --- monotonicity ---------------------------------------------------------------------------------


def better_answer(draw: Any, question: Any, current: Any, asof: dt.date) -> Any:
    """A value the question ranks as better practice than `current` (or None when there is none)."""
    order = answer_order(question)
    if order is not None:
        higher = order[order.index(current) + 1 :]
        return draw(st.sampled_from(higher)) if higher else None
    if question.type == AnswerType.number and question.better in ("higher", "lower"):
        limit = question.max if question.better == "higher" else question.min
        step = draw(st.integers(1, 50))
        value = current + step if question.better == "higher" else current - step
        if limit is not None:
            value = min(value, limit) if question.better == "higher" else max(value, limit)
        return value if value != current else None
    if question.type == AnswerType.date and question.better == "later":
        start = dt.date.min if current == "never" else dt.date.fromisoformat(current) + dt.timedelta(days=1)
        if start > asof:
            return None
        return draw(st.dates(min_value=max(start, asof - dt.timedelta(days=2000)), max_value=asof)).isoformat()
    if question.type == AnswerType.multiple_choice and question.better == "more":
        rest = [c.value for c in question.choices if c.value not in current]
        if not rest:
            return None
        return [*current, *draw(st.lists(st.sampled_from(rest), min_size=1, unique=True))]
    return None


def points(evaluation: Any) -> dict[str, float | None]:
    return {f.rule_id: STATUS_POINTS.get(f.status) for f in evaluation.findings}


def scores(ruleset: Any, evaluation: Any) -> dict[str, float | None]:
    analysed = analyse(ruleset, evaluation).scores
    return {"overall": analysed["overall"]["score"], **{p["id"]: p["score"] for p in analysed["pillars"]}}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_better_answer_never_lowers_a_score(mini, mini_evaluator, data):
    raw = data.draw(assessment_data(mini))
    answered = [q for q in raw["answers"] if mini.questions[q].type != AnswerType.text]
    assume(answered)
    question_id = data.draw(st.sampled_from(answered))
    before = to_assessment(mini, raw)
    current = before.value(question_id)
    shown = current.isoformat() if isinstance(current, dt.date) else current
    assume(shown is not None)
    improved = better_answer(data.draw, mini.questions[question_id], shown, before.meta.date)
    assume(improved is not None)
    after = to_assessment(mini, {**raw, "answers": {**raw["answers"], question_id: improved}})
    old, new = mini_evaluator.evaluate(before), mini_evaluator.evaluate(after)
    for rule_id, was in points(old).items():
        now = points(new)[rule_id]
        assert (was is None) == (now is None), (rule_id, question_id, shown, improved)
        if was is not None:
            assert now >= was, (rule_id, question_id, shown, improved)
    for key, was in scores(mini, old).items():
        now = scores(mini, new)[key]
        if was is not None:
            assert now is not None and now >= was, (key, question_id, shown, improved)


# --- isolation and determinism ------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_no_state_leaks_between_assessments(mini, mini_evaluator, data):
    a = to_assessment(mini, data.draw(assessment_data(mini)), "a.yaml")
    b = to_assessment(mini, data.draw(assessment_data(mini)), "b.yaml")
    a_first = mini_evaluator.evaluate(a).findings
    b_second = mini_evaluator.evaluate(b).findings
    b_first = mini_evaluator.evaluate(b).findings
    a_second = mini_evaluator.evaluate(a).findings
    assert a_first == a_second and b_first == b_second
    with Evaluator(mini) as fresh:
        assert fresh.evaluate(b).findings == b_first


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_result_json_is_byte_identical(mini, mini_evaluator, data):
    assessment = to_assessment(mini, data.draw(assessment_data(mini)))
    first = dumps(result_for(mini, assessment, mini_evaluator))
    assert dumps(result_for(mini, assessment)) == first  # a fresh evaluator
    assert dumps(result_for(mini, assessment, mini_evaluator)) == first
