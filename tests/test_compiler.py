"""The compiler: one prioritised durable-rules ruleset per source rule, within the engine's limits."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import durable_rules_engine
import pytest
from conftest import MINI, line_of, mini_text
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.boolexpr import And, Lit, Or, conj, disj, expression_count, to_durable
from engine.compiler import MAX_EXPRESSIONS, TAG, compile_ruleset, months_before
from engine.errors import InputError
from engine.evaluate import Evaluator
from engine.models import Status
from engine.rulesets import load_ruleset

_names = itertools.count()


def engine_accepts(condition: object) -> bool:
    """Whether durable-rules' own create_ruleset accepts one rule with this condition."""
    definition = {"r": {"all": [{"m": condition}], "pri": 1}}
    try:
        handle = durable_rules_engine.create_ruleset(f"limit{next(_names)}", json.dumps(definition))
    except Exception as exc:  # the engine reports numeric codes only
        assert "113" in str(exc), exc
        return False
    durable_rules_engine.delete_ruleset(handle)
    return True


def test_compiled_units_and_priorities(mini):
    compiled = compile_ruleset(mini)
    keys = [u.key for u in compiled.units]
    assert keys == ["factor:conflict_affected", "factor:armed_security", *mini.rules]
    order = [Status.not_applicable, Status.unanswered, Status.met, Status.substantially_met]
    order += [Status.partially_met, Status.not_met]
    for unit in compiled.units:
        priorities = [r.priority for r in unit.rules]
        assert priorities == sorted(priorities) and len(set(priorities)) == len(priorities)
        statuses = [r.status for r in unit.rules]
        if unit.scope != "factor":
            assert statuses == sorted(statuses, key=order.index)
            assert statuses[-1] == Status.not_met
        for rule in unit.rules:  # the tag keeps the engine's own state fact from ever matching
            cond = rule.condition
            assert cond == {TAG: 1} or cond.get(TAG) == 1 or {TAG: 1} in cond.get("$and", [])
    pub = compiled.unit("PUB-01")
    assert [r.reason for r in pub.rules][:2] == ["profile", "skipped"]
    ra = compiled.unit("RA-01")
    assert [r.status for r in ra.rules] == [
        Status.unanswered,
        Status.met,
        Status.substantially_met,
        Status.partially_met,
        Status.not_met,
    ]


def test_compilation_is_deterministic(mini):
    first = [json.dumps(u.definition(), sort_keys=False) for u in compile_ruleset(mini).units]
    second = [json.dumps(u.definition(), sort_keys=False) for u in compile_ruleset(load_ruleset(MINI)).units]
    assert first == second


def test_fields_are_shared_between_units(mini):
    compiled = compile_ruleset(mini)
    kinds = {spec.kind for spec in compiled.fields.values()}
    assert kinds == {"profile", "question", "flag", "count", "threshold", "incident"} - {"flag"} or kinds >= {
        "profile",
        "question",
        "count",
        "threshold",
        "incident",
    }
    for unit in compiled.units:
        assert all(name in compiled.fields for name in unit.fields)
        assert len(unit.fields) == len(set(unit.fields))


def test_within_months_compares_with_a_threshold_in_the_fact(mini):
    text = json.dumps(compile_ruleset(mini).unit("RA-01").definition())
    assert '"$m"' in text


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 6, 30), 12, dt.date(2025, 6, 30)),
        (dt.date(2024, 2, 29), 12, dt.date(2023, 2, 28)),
        (dt.date(2026, 1, 15), 13, dt.date(2024, 12, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


# --- the 32-expression limit ------------------------------------------------------------------------


def test_the_limit_is_real_in_durable_rules():
    """An and of ors: 2 entries each; the engine fails with error 113 when the sequence reaches 32."""

    def and_of_ors(count: int) -> dict:
        return {"$and": [{"$or": [{f"a{i}": 1}, {f"b{i}": 1}]} for i in range(count)]}

    assert engine_accepts(and_of_ors(14))  # 2 + 14 * 2 = 30 entries
    assert not engine_accepts(and_of_ors(15))  # 32 entries
    with pytest.raises(Exception, match="113"):
        durable_rules_engine.create_ruleset("limit-direct", json.dumps({"r": {"all": [{"m": and_of_ors(16)}]}}))


_literals = st.one_of(
    st.integers(0, 400).map(lambda i: Lit.of({f"f{i}": 1})),
    st.integers(0, 400).map(lambda i: Lit.of({"$gte": {f"f{i % 40}": {"$m": f"g{i}"}}})),
)
_trees = st.recursive(
    _literals,
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=6).map(lambda xs: And(tuple(xs))),
        st.lists(inner, min_size=2, max_size=6).map(lambda xs: Or(tuple(xs))),
    ),
    max_leaves=60,
)


@settings(max_examples=300, deadline=None)
@given(_trees)
def test_expression_count_matches_the_engine(tree):
    """The compiler's count predicts exactly which conditions durable-rules accepts."""
    accepted = engine_accepts(to_durable(tree))
    within = expression_count(tree) <= MAX_EXPRESSIONS
    assert accepted or not within
    assert accepted == within


def test_count_rules_of_thumb():
    a, b, m = Lit.of({"a": 1}), Lit.of({"b": 1}), Lit.of({"$lt": {"x": {"$m": "y"}}})
    assert expression_count(a) == expression_count(m) == 0
    assert expression_count(conj(a, disj(b, m))) == 2 + 2


def _big_rule(count: int) -> str:
    alternatives = "".join(
        f'        - all: [{{question: RA-Q3, count_gte: {i}}}, {{question: RA-Q1, equals: "yes"}}]\n'
        for i in range(count)
    )
    return f"""rules:
  - id: BIG-01
    title: A rule with a very large condition
    pillar: RA
    severity: low
    why: Testing the limit.
    sources: [{{clause: VP-RA}}]
    met:
      any:
{alternatives}    finding: Missing.
    recommendation: {{text: Fix it.}}
    evidence: [Something]
"""


def test_a_condition_too_large_is_a_ruleset_error_naming_the_rule(tmp_path):
    (tmp_path / "ruleset.yaml").write_text(mini_text(), encoding="utf-8")
    text = _big_rule(20)
    (tmp_path / "big.yaml").write_text(text, encoding="utf-8")
    ruleset = load_ruleset(tmp_path)
    with pytest.raises(InputError) as caught:
        compile_ruleset(ruleset)
    (problem,) = caught.value.problems
    assert problem.file.endswith("big.yaml") and problem.line == line_of(text, "id: BIG-01")
    assert problem.where == "rule BIG-01"
    assert f"at most {MAX_EXPRESSIONS}" in problem.message and problem.fix


def test_a_large_condition_within_the_limit_runs_in_the_engine(tmp_path):
    (tmp_path / "ruleset.yaml").write_text(mini_text(), encoding="utf-8")
    (tmp_path / "big.yaml").write_text(_big_rule(12), encoding="utf-8")
    ruleset = load_ruleset(tmp_path)
    compiled = compile_ruleset(ruleset)
    sizes = [r.condition for r in compiled.unit("BIG-01").rules]
    assert sizes
    with Evaluator(ruleset, compiled) as evaluator:
        assert evaluator.compiled.unit("BIG-01").rules
