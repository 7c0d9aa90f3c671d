"""The design holds at three times the bundled ruleset's size (whatever its size when the tests run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BUNDLED, MINI

from bench.workload import random_assessments, scale_ruleset
from engine.compiler import compile_ruleset
from engine.evaluate import Evaluator
from engine.rulesets import load_ruleset

COPIES = 3


@pytest.fixture(scope="module", params=[BUNDLED, MINI], ids=["bundled", "mini"])
def scaled(request, tmp_path_factory):
    source: Path = request.param
    original = load_ruleset(source)
    ruleset = load_ruleset(scale_ruleset(source, tmp_path_factory.mktemp("scaled"), COPIES))
    return original, ruleset


def test_scaled_ruleset_has_every_copy(scaled):
    original, ruleset = scaled
    assert len(ruleset.rules) == COPIES * len(original.rules)
    assert len(ruleset.questions) == COPIES * len(original.questions)
    for rule_id in original.rules:
        copies = [ruleset.conditions[f"{rule_id}-x{k}"] for k in range(1, COPIES)]
        assert all(c.levels.keys() == original.conditions[rule_id].levels.keys() for c in copies)


def test_scaled_ruleset_compiles_within_engine_limits(scaled):
    _, ruleset = scaled
    compiled = compile_ruleset(ruleset)
    assert len(compiled.units) == len(ruleset.rules) + len(ruleset.factors)
    # error 302: at most 255 properties in one fact (fields + tag + sid + id)
    assert max(len(unit.fields) for unit in compiled.units) + 3 <= 255


def test_scaled_ruleset_evaluates_like_the_reference(scaled):
    original, ruleset = scaled
    with Evaluator(ruleset) as evaluator:
        for assessment in random_assessments(ruleset, 40, seed=len(original.rules)):
            evaluation = evaluator.evaluate(assessment, check=True)  # EngineError on 303 or any disagreement
            assert len(evaluation.findings) == len(ruleset.rules)
            by_id = {f.rule_id: f.status for f in evaluation.findings}
            # copies see the same profile but different answers; the statuses must all be decided
            assert all(by_id[f"{rule_id}-x2"] is not None for rule_id in original.rules)


def test_copies_with_the_same_answers_get_the_same_status(scaled):
    original, ruleset = scaled
    import random

    from bench.workload import random_assessment_data, to_assessment

    rng = random.Random(7)
    with Evaluator(ruleset) as evaluator:
        for _ in range(10):
            data = random_assessment_data(original, rng)
            answers = dict(data["answers"])
            for k in range(1, COPIES):
                data["answers"].update({f"{q}-x{k}": v for q, v in answers.items()})
            evaluation = evaluator.evaluate(to_assessment(ruleset, data), check=True)
            by_id = {f.rule_id: f.status for f in evaluation.findings}
            for rule_id in original.rules:
                assert by_id[rule_id] == by_id[f"{rule_id}-x1"] == by_id[f"{rule_id}-x2"]
