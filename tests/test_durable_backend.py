"""The durable-rules backend against durable-rules' own `Host` path, and against plain semantics."""

from __future__ import annotations

import itertools
import json
import random

import durable_rules_engine
import pytest
from conftest import BUNDLED
from durable.engine import Host, MessageNotHandledException
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.floor import holds
from bench.workload import random_assessments
from engine.compiler import TAG, CompiledRuleset, StatusRule, Unit, compile_ruleset
from engine.durable_backend import DurableEvaluator, _explain, engine_version
from engine.errors import EngineError
from engine.evaluate import Evaluator
from engine.facts import Fact, FactEncoder
from engine.models import Status
from engine.rulesets import load_ruleset

_host_names = itertools.count()


class RecordingHost(Host):
    """durable-rules' documented Python path: every action records the name of the rule that fired."""

    def __init__(self, units: list[Unit]) -> None:
        self.fired: list[str] = []
        self.names = [f"hostunit{next(_host_names)}" for _ in units]
        definitions = {
            name: {r.name: {"all": [{"m": r.condition}], "pri": r.priority, "run": r.name} for r in unit.rules}
            for name, unit in zip(self.names, units)
        }
        super().__init__(definitions)

    def _run(self) -> None:
        """No background dispatch threads: they can take an action from under the synchronous path
        and then touch a state this test has deleted (seen as a failed comparison, then a crash)."""

    def get_action(self, action_name: str):  # noqa: ANN201 - durable's signature
        def act(c) -> None:  # exactly one parameter: two would make the action asynchronous
            self.fired.append(action_name)

        return act

    def fire(self, unit_index: int, body: str, sid: str) -> list[str]:
        self.fired = []
        fact = json.loads('{"sid":"' + sid + '","id":"f",' + body)
        try:
            self.assert_fact(self.names[unit_index], fact)
        except MessageNotHandledException:
            pass
        finally:
            self.delete_state(self.names[unit_index], sid)
        return self.fired


def _priority(unit: Unit, name: str) -> int:
    return next(r.priority for r in unit.rules if r.name == name)


def check_against_host(ruleset, assessments) -> int:
    """Our decision per fact equals the first rule durable's Host fires; all firings come in pri order."""
    compiled = compile_ruleset(ruleset)
    encoder = FactEncoder(ruleset, compiled)
    host = RecordingHost(compiled.units)
    checked = 0
    with DurableEvaluator(compiled) as backend:
        for number, assessment in enumerate(assessments):
            facts = encoder.facts(assessment)
            decided = backend.decide(facts)
            for index, (fact, name) in enumerate(zip(facts, decided)):
                unit = compiled.units[fact.unit_index]
                fired = host.fire(fact.unit_index, fact.body, f"{number}-{index}")
                assert fired, f"the Host fired nothing for {unit.key}"
                assert name == fired[0], (unit.key, name, fired)
                priorities = [_priority(unit, n) for n in fired]
                assert priorities == sorted(priorities), (unit.key, fired)
                # every rule whose condition holds fires, and only those (an $or may fire once per branch)
                values = json.loads("{" + fact.body)
                assert set(fired) == {r.name for r in unit.rules if holds(r.condition, values)}
                checked += 1
    return checked


def test_backend_equals_the_host_path_on_the_mini_ruleset(mini):
    assert check_against_host(mini, random_assessments(mini, 300, seed=11)) > 2000


def test_backend_equals_the_host_path_on_the_bundled_ruleset():
    bundled = load_ruleset(BUNDLED)
    assert check_against_host(bundled, random_assessments(bundled, 60, seed=5)) >= 60 * len(bundled.rules)


def test_nothing_matched_is_none_and_the_evaluator_refuses_it(mini):
    compiled = compile_ruleset(mini)
    with DurableEvaluator(compiled) as backend:
        untagged = Fact(compiled.units.index(compiled.unit("RA-01")), None, '"x":1}')
        tagged = Fact(untagged.unit_index, None, f'"{TAG}":1' + "}")
        assert backend.decide([untagged, tagged]) == [None, "1_unanswered"]
    evaluator = Evaluator(mini)
    evaluator.encoder.facts = lambda assessment: [untagged]  # type: ignore[method-assign]
    with pytest.raises(EngineError, match="decided nothing"):
        evaluator.statuses(None)  # type: ignore[arg-type]
    evaluator.close()


def test_every_fact_carries_the_fields_its_comparisons_refer_to(mini):
    """durable-rules' `{"$m": field}` with that field missing is not reliably false: never let it happen."""
    compiled = compile_ruleset(mini)
    encoder = FactEncoder(mini, compiled)
    for assessment in random_assessments(mini, 50, seed=8):
        for fact in encoder.facts(assessment):
            unit = compiled.units[fact.unit_index]
            targets = {m for r in unit.rules for m in _m_targets(r.condition)}
            assert all(f'"{name}":' in fact.body for name in targets)


def _m_targets(condition):
    if isinstance(condition, dict):
        if "$m" in condition:
            yield condition["$m"]
        for value in condition.values():
            yield from _m_targets(value)
    elif isinstance(condition, list):
        for item in condition:
            yield from _m_targets(item)


def test_states_never_leak_between_facts(mini, mini_full):
    compiled = compile_ruleset(mini)
    facts = FactEncoder(mini, compiled).facts(mini_full)
    with DurableEvaluator(compiled) as backend:
        forward = backend.decide(facts)
        again = backend.decide(facts)
        backward = backend.decide(list(reversed(facts)))[::-1]
        shuffled = facts[:]
        random.Random(3).shuffle(shuffled)
        by_fact = dict(zip(map(id, shuffled), backend.decide(shuffled)))
    assert forward == again == backward == [by_fact[id(f)] for f in facts]


def test_engine_refusal_becomes_an_engine_error():
    too_deep = {"$and": [{"$or": [{f"a{i}": 1}, {f"b{i}": 1}]} for i in range(16)]}
    unit = Unit("X", "assessment", [StatusRule("1_met", Status.met, 1, too_deep, "met")], [])
    with pytest.raises(EngineError, match="error 113"):
        DurableEvaluator(CompiledRuleset("x", "1.0.0", [unit]))


def test_error_codes_are_translated():
    assert "alpha stack" in _explain(Exception("Could not assert fact, error code: 303"))
    assert "255 properties" in _explain(Exception("error code: 302"))
    assert _explain(Exception("something else")) == "something else"


def test_close_is_idempotent(mini):
    backend = DurableEvaluator(compile_ruleset(mini))
    backend.close()
    backend.close()
    assert engine_version() == "2.0.28"


# --- the engine's condition semantics equal the floor interpreter's ---------------------------------

FIELDS = {"n1": "number", "n2": "number", "s1": "string", "b1": "bool"}
STRINGS = ["yes", "no", "partial", "some"]


def _literal() -> st.SearchStrategy[dict]:
    numbers = st.one_of(st.integers(-3, 3), st.sampled_from([0.5, 1.5, -2.5]))
    return st.one_of(
        st.builds(lambda f, v: {f: v}, st.sampled_from(["n1", "n2"]), numbers),
        st.builds(lambda v: {"s1": v}, st.sampled_from(STRINGS)),
        st.builds(lambda v: {"b1": v}, st.booleans()),
        st.builds(
            lambda op, f, v: {op: {f: v}},
            st.sampled_from(["$lt", "$lte", "$gt", "$gte", "$neq"]),
            st.sampled_from(["n1", "n2"]),
            numbers,
        ),
        st.builds(lambda op: {op: {"n1": {"$m": "n2"}}}, st.sampled_from(["$lt", "$lte", "$gt", "$gte"])),
        st.builds(lambda op, f: {op: {f: 1}}, st.sampled_from(["$ex", "$nex"]), st.sampled_from(list(FIELDS))),
        st.builds(
            lambda vs: {"$mt": {"s1": "|".join(vs)}}, st.lists(st.sampled_from(STRINGS), min_size=1, unique=True)
        ),
        st.builds(lambda v: {"$neq": {"s1": v}}, st.sampled_from(STRINGS)),
    )


_conditions = st.recursive(
    _literal(),
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: {"$and": xs}),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: {"$or": xs}),
    ),
    max_leaves=8,
)
_facts = st.fixed_dictionaries(
    {"n2": st.integers(-3, 3)},  # the target of `$m` is always present (the engine's answer varies otherwise)
    optional={
        "n1": st.one_of(st.integers(-3, 3), st.sampled_from([0.5, 1.5, -2.5])),
        "s1": st.sampled_from(STRINGS),
        "b1": st.booleans(),
    },
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_conditions, min_size=1, max_size=4), st.lists(_facts, min_size=1, max_size=5))
def test_engine_semantics_equal_the_plain_interpreter(conditions, facts):
    rules = [
        StatusRule(f"{i + 1}_r", Status.met, i + 1, {"$and": [{TAG: 1}, c]}, "r") for i, c in enumerate(conditions)
    ]
    rules.append(StatusRule(f"{len(rules) + 1}_last", Status.not_met, len(rules) + 1, {TAG: 1}, "last"))
    unit = Unit("U", "assessment", rules, list(FIELDS))
    encoded = [
        Fact(0, None, ",".join([f'"{TAG}":1', *[f'"{k}":{json.dumps(v)}' for k, v in fact.items()]]) + "}")
        for fact in facts
    ]
    with DurableEvaluator(CompiledRuleset("t", "1.0.0", [unit])) as backend:
        decided = backend.decide(encoded)
    for fact, name in zip(facts, decided):
        expected = next(r.name for r in rules if holds(r.condition, {TAG: 1, **fact}))
        assert name == expected, (fact, [r.condition for r in rules])


# --- numbers durable-rules' JSON parser cannot read as Python writes them --------------------------


def test_exponent_numbers_are_written_so_the_engine_reads_them(tmp_path):
    from conftest import mini_text

    from engine.durable_backend import engine_json
    from engine.facts import number_json

    assert number_json(1e-07) == "1.0e-07" and number_json(1.5e300) == "1.5e+300" and number_json(0.5) == "0.5"
    assert engine_json({"a": [1e-07, 2.5, "1e-07"]}) == '{"a": [1.0e-07, 2.5, "1e-07"]}'
    text = mini_text().replace("PRIV-Q1, gte: 50}", "PRIV-Q1, gte: 0.0000001}")
    (tmp_path / "ruleset.yaml").write_text(text, encoding="utf-8")
    ruleset = load_ruleset(tmp_path)
    with Evaluator(ruleset) as evaluator:
        for vetted, expected in [(5e-324, Status.not_met), (1e-06, Status.partially_met), (0, Status.not_met)]:
            data = {
                "assessment": {"organisation": "O", "site": "S", "kind": "self", "date": "2026-06-30"},
                "profile": {
                    "public_security": False,
                    "private_security": True,
                    "armed_guards": False,
                    "conflict_affected": False,
                    "working_group": "none",
                },
                "answers": {"PRIV-Q1": vetted},
            }
            from bench.workload import to_assessment

            evaluation = evaluator.evaluate(to_assessment(ruleset, data), check=True)
            assert next(f for f in evaluation.findings if f.rule_id == "PRIV-01").status == expected


# --- grouping: several units share one engine ruleset, within the alpha stack of 64 ---------------------


def _stack_trial(conditions: list[dict], fact: dict) -> bool:
    """Whether durable-rules can take `fact` against one ruleset of these conditions (False: error 303)."""
    handle = durable_rules_engine.create_ruleset(
        f"stack{next(_host_names)}",
        json.dumps({f"r{i}": {"all": [{"m": c}], "pri": 1} for i, c in enumerate(conditions)}),
    )
    try:
        code, state = durable_rules_engine.assert_fact(handle, json.dumps({"sid": "1", "id": "f", **fact}))
    except Exception as exc:
        assert "303" in str(exc), exc
        return False
    if code == 0:
        started = durable_rules_engine.start_action_for_state(handle, state)
        message = started[1] if started else None
        while message:
            message = durable_rules_engine.complete_and_start_action(handle, state)
    durable_rules_engine.delete_state(handle, "1")
    durable_rules_engine.delete_ruleset(handle)
    return True


@pytest.mark.parametrize("count", [40, 62, 63, 64])
def test_alpha_stack_bound_is_safe_where_the_engine_overflows(count):
    from engine.facts import ALPHA_STACK_BUDGET, alpha_stack_bound

    conditions = [{"$and": [{TAG: 1}, {f"a{i}": 1}]} for i in range(count)]
    fact = {TAG: 1, **{f"a{i}": 1 for i in range(count)}}
    accepted = _stack_trial(conditions, fact)
    if alpha_stack_bound(conditions) <= 64:
        assert accepted
    assert ALPHA_STACK_BUDGET < 64
    over = [{"$and": [{TAG: 1}, {f"a{i}": 1}]} for i in range(65)]
    assert not _stack_trial(over, {TAG: 1, **{f"a{i}": 1 for i in range(65)}})
    assert alpha_stack_bound(over) > 64


def test_groups_cover_every_unit_once_and_respect_the_limits(mini):
    from engine.facts import ALPHA_STACK_BUDGET, MAX_GROUP_FIELDS, alpha_stack_bound, engine_groups

    for ruleset in (mini, load_ruleset(BUNDLED)):
        compiled = compile_ruleset(ruleset)
        groups = engine_groups(compiled)
        assert [i for g in groups for i in g] == list(range(len(compiled.units)))
        for group in groups:
            kinds = {compiled.units[i].scope == "incident" for i in group}
            assert len(kinds) == 1
            if len(group) > 1:
                conditions = [r.condition for i in group for r in compiled.units[i].rules]
                assert alpha_stack_bound(conditions) <= ALPHA_STACK_BUDGET
                assert len({f for i in group for f in compiled.units[i].fields}) <= MAX_GROUP_FIELDS


def test_the_engine_state_is_empty_after_every_assessment(mini):
    """Facts are retracted once read: whatever ran before, the engine holds no fact of any assessment."""
    with Evaluator(mini) as evaluator:
        for assessment in random_assessments(mini, 100, seed=21):
            evaluator.statuses(assessment)
            for handle in evaluator.engine._handles:
                facts = durable_rules_engine.get_facts(handle, "0")
                assert json.loads(facts) == [], facts
