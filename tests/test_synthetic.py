"""The synthetic member generator: valid, deterministic, and realistic enough to correlate."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import BUNDLED, MINI

from bench.workload import to_assessment
from engine.aggregate import summarise
from engine.cli import main
from engine.errors import InputError
from engine.evaluate import Evaluator
from engine.rulesets import load_ruleset
from engine.synthetic import synthetic_member, synthetic_members


def test_members_are_valid_and_deterministic(mini: Any) -> None:
    first = list(synthetic_members(mini, 30, seed=11))
    assert first == list(synthetic_members(mini, 30, seed=11))
    assert first != list(synthetic_members(mini, 30, seed=12))
    # member n does not depend on how many are drawn
    assert synthetic_member(mini, 11, 7) == first[6]
    for data in first:
        assessment = to_assessment(mini, data)  # raises on any invalid value
        assert not [w for w in assessment.warnings if "does not apply" in w]


def _pillar_pairs(ruleset: Any, evaluator: Any, count: int) -> list[tuple[float, float]]:
    """(first pillar, second pillar with rules) scores of each synthetic member that has both."""
    with_rules = [
        i for i, p in enumerate(ruleset.header.pillars) if any(r.pillar == p.id for r in ruleset.rules.values())
    ]
    first, second = with_rules[0], with_rules[1]
    pairs = []
    for data in synthetic_members(ruleset, count, seed=3):
        summary = summarise(ruleset, evaluator.evaluate(to_assessment(ruleset, data), check=False), "")
        a, b = summary.pillars[first], summary.pillars[second]
        if a is not None and b is not None:
            pairs.append((a, b))
    return pairs


def test_answers_follow_a_members_maturity(mini: Any, mini_evaluator: Any) -> None:
    """Pillar scores of one member move together: strong sites are strong across pillars."""
    try:
        bundled = load_ruleset(BUNDLED)
    except InputError as exc:  # the bundled content is being edited; tests/test_rulesets.py reports it
        pytest.skip(f"bundled ruleset does not load: {exc}")
    with Evaluator(bundled) as evaluator:
        for ruleset, runner, floor in ((mini, mini_evaluator, 0.1), (bundled, evaluator, 0.4)):
            pairs = _pillar_pairs(ruleset, runner, 120)
            assert len(pairs) > 40
            assert statistics.correlation([p[0] for p in pairs], [p[1] for p in pairs]) > floor, ruleset.id
            assert statistics.pstdev([p[0] for p in pairs]) > 15, "members should range from weak to strong"


def test_cli_synth_writes_files_that_validate(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "m"
    outcome = runner.invoke(
        main, ["dev", "synth", "--count", "3", "--out", str(out), "--seed", "2", "--ruleset", str(MINI)]
    )
    assert outcome.exit_code == 0, outcome.output
    files = sorted(out.glob("*.yaml"))
    assert [f.name for f in files] == ["member-0001.yaml", "member-0002.yaml", "member-0003.yaml"]
    for file in files:
        check = runner.invoke(main, ["validate", str(file), "--ruleset", str(MINI)])
        assert check.exit_code == 0 and check.output.startswith("OK"), check.output
    again = tmp_path / "again"
    runner.invoke(main, ["dev", "synth", "--count", "3", "--out", str(again), "--seed", "2", "--ruleset", str(MINI)])
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in sorted(again.glob("*.yaml"))]
    bad = runner.invoke(main, ["dev", "synth", "--count", "0", "--out", str(out)])
    assert bad.exit_code == 2 and "--count" in bad.stderr
