"""vpsa compare: agreement figures, disagreements with their answers and evidence, progress, errors."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import MINI, MINI_FULL, assessment_data
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bench.workload import to_assessment
from engine.cli import main
from engine.compare import GAP_STATUSES, compare_results
from engine.compare_render import render_html, render_markdown
from engine.errors import InputError
from engine.kappa import RATED, cohen_kappa, percent_agreement
from engine.pipeline import result_for

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "assessments" / "examples"
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _result(mini: Any, evaluator: Any, data: dict[str, Any]) -> dict[str, Any]:
    return result_for(mini, to_assessment(mini, data), evaluator)


def _full_data() -> dict[str, Any]:
    return yaml.safe_load(MINI_FULL.read_text(encoding="utf-8"))


# --- kappa -----------------------------------------------------------------------------------------


def _brute_kappa(pairs: list[tuple[str, str]], weights: str) -> float | None:
    """Kappa from its definition as 1 - observed/expected disagreement, summed over every pair of pairs."""
    n = len(pairs)
    if not n:
        return None

    def w(a: str, b: str) -> float:
        d = abs(RATED.index(a) - RATED.index(b)) / 3
        return {"none": float(a != b), "linear": d, "quadratic": d * d}[weights]

    observed = sum(w(a, b) for a, b in pairs) / n
    expected = sum(w(a, b2) for (a, _), (_, b2) in itertools.product(pairs, pairs)) / (n * n)
    return 1.0 if expected == 0 else 1 - observed / expected


pairs_strategy = st.lists(st.tuples(st.sampled_from(RATED), st.sampled_from(RATED)), max_size=30)


@given(pairs_strategy, st.sampled_from(["none", "linear", "quadratic"]))
def test_kappa_matches_its_definition_and_is_symmetric(pairs: list[tuple[str, str]], weights: str) -> None:
    kappa = cohen_kappa(pairs, weights)  # type: ignore[arg-type]
    expected = _brute_kappa(pairs, weights)
    if expected is None:
        assert kappa is None
        return
    assert kappa == pytest.approx(expected)
    assert cohen_kappa([(b, a) for a, b in pairs], weights) == pytest.approx(kappa)  # type: ignore[arg-type]
    assert kappa <= 1 + 1e-9


def test_weighted_kappa_forgives_near_misses_more_than_far_ones() -> None:
    near = [("met", "met"), ("not_met", "not_met"), ("partially_met", "partially_met"), ("met", "substantially_met")]
    far = [("met", "met"), ("not_met", "not_met"), ("partially_met", "partially_met"), ("met", "not_met")]
    assert cohen_kappa(near, "linear") > cohen_kappa(far, "linear")  # type: ignore[operator]
    assert cohen_kappa(near, "quadratic") > cohen_kappa(near, "linear")  # type: ignore[operator]
    assert percent_agreement(near) == percent_agreement(far) == 75.0


# --- properties of compare -------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_compare_with_itself_is_full_agreement(mini: Any, mini_evaluator: Any, data: st.DataObject) -> None:
    result = _result(mini, mini_evaluator, data.draw(assessment_data(mini)))
    comparison = compare_results(result, copy.deepcopy(result))
    overall = comparison["agreement"]["overall"]
    assert comparison["disagreements"] == [] and comparison["stricter"] == [] and comparison["more_lenient"] == []
    rated = sum(1 for f in result["findings"] if f["status"] in RATED)
    assert overall["rated_pairs"] == rated
    if rated:
        assert overall["kappa"] == 1.0 and overall["weighted_kappa"] == 1.0 and overall["percent_agreement"] == 100.0
    else:
        assert overall["kappa"] is None
    assert comparison["progress"] is None  # same date


@SETTINGS
@given(data=st.data())
def test_compare_is_symmetric_in_its_disagreements(mini: Any, mini_evaluator: Any, data: st.DataObject) -> None:
    first = _result(mini, mini_evaluator, data.draw(assessment_data(mini)))
    second = _result(mini, mini_evaluator, data.draw(assessment_data(mini)))
    ab, ba = compare_results(first, second), compare_results(second, first)
    assert ab["disagreements"] == ba["disagreements"]
    statuses_a = {f["rule_id"]: f["status"] for f in first["findings"]}
    statuses_b = {f["rule_id"]: f["status"] for f in second["findings"]}
    assert ab["disagreements"] == [r for r in statuses_a if statuses_a[r] != statuses_b[r]]
    assert {r["rule_id"]: r["differing_questions"] for r in ab["rules"]} == {
        r["rule_id"]: r["differing_questions"] for r in ba["rules"]
    }
    # both sides are self-assessments, so OTHER is the auditor: stricter one way is lenient the other
    assert ab["stricter"] == ba["more_lenient"] and ab["more_lenient"] == ba["stricter"]
    assert ab["agreement"]["overall"]["kappa"] == ba["agreement"]["overall"]["kappa"]


# --- disagreements, evidence, auditor side ---------------------------------------------------------


def test_disagreement_lists_differing_answers_and_both_sides_evidence(mini: Any, mini_evaluator: Any) -> None:
    self_data = _full_data()
    audit_data = copy.deepcopy(self_data)
    audit_data["assessment"]["kind"] = "audit"
    audit_data["answers"]["PUB-Q1"] = {"value": "no", "evidence": "No signed MoU in the files seen"}
    audit = _result(mini, mini_evaluator, audit_data)
    mine = _result(mini, mini_evaluator, self_data)
    # the audit given first is still recognised as the auditor
    comparison = compare_results(audit, mine)
    assert comparison["auditor"] == "baseline"
    row = next(r for r in comparison["rules"] if r["rule_id"] == "PUB-01")
    assert not row["agree"] and row["direction"] == "stricter"
    assert row["differing_questions"] == ["PUB-Q1"]
    answer = next(a for a in row["answers"] if a["question"] == "PUB-Q1")
    assert answer["baseline"]["evidence"] == "No signed MoU in the files seen"
    assert answer["other"]["evidence"] == self_data["answers"]["PUB-Q1"]["evidence"]
    assert comparison["stricter"] == ["PUB-01"]
    markdown = render_markdown(comparison)
    assert "No signed MoU in the files seen" in markdown and "MoU of 2024, clause 4" in markdown


def test_hostile_evidence_is_inert(mini: Any, mini_evaluator: Any) -> None:
    data = _full_data()
    other = copy.deepcopy(data)
    other["answers"]["PUB-Q1"] = {"value": "no", "evidence": "<script>alert(1)</script> {{ 7*7 }} | ש🙂"}
    comparison = compare_results(_result(mini, mini_evaluator, data), _result(mini, mini_evaluator, other))
    html = render_html(comparison)
    assert "<script>" not in html and "&lt;script&gt;" in html and "{{ 7*7 }}" in html
    markdown = render_markdown(comparison)
    assert "<script>" not in markdown and "\\| ש🙂" in markdown


# --- progress --------------------------------------------------------------------------------------


def test_progress_between_two_dates_of_one_site(mini: Any, mini_evaluator: Any) -> None:
    before_data = _full_data()
    after_data = copy.deepcopy(before_data)
    after_data["assessment"]["date"] = "2026-12-31"
    after_data["answers"]["PUB-Q2"] = "model_clauses"  # PUB-01 partially met -> met
    after_data["answers"]["RA-Q3"] = ["government"]  # RA-02 met -> partially met
    before, after = _result(mini, mini_evaluator, before_data), _result(mini, mini_evaluator, after_data)
    for comparison in (compare_results(before, after), compare_results(after, before)):
        progress = comparison["progress"]
        assert progress["from_date"] == "2026-06-30" and progress["to_date"] == "2026-12-31"
        old = {f["rule_id"]: f["status"] for f in before["findings"]}
        new = {f["rule_id"]: f["status"] for f in after["findings"]}
        assert [i["rule_id"] for i in progress["closed"]] == [
            r for r in old if old[r] in GAP_STATUSES and new[r] == "met"
        ]
        assert [i["rule_id"] for i in progress["opened"]] == [
            r for r in old if old[r] == "met" and new[r] in GAP_STATUSES
        ]
        assert "PUB-01" in [i["rule_id"] for i in progress["closed"]]
        assert "RA-02" in [i["rule_id"] for i in progress["opened"]]
        overall = progress["scores"]["overall"]
        expected = round(after["scores"]["overall"]["score"] - before["scores"]["overall"]["score"], 1)
        assert overall["change"] == expected
    other_site = copy.deepcopy(after_data)
    other_site["assessment"]["site"] = "South pit"
    assert compare_results(before, _result(mini, mini_evaluator, other_site))["progress"] is None


# --- versions, rulesets, bad input, CLI ------------------------------------------------------------


def test_version_mismatch_warns_and_lists_rules_in_one_version_only(mini: Any, mini_evaluator: Any) -> None:
    first = _result(mini, mini_evaluator, _full_data())
    second = copy.deepcopy(first)
    second["ruleset"]["version"] = "1.1.0"
    dropped = second["findings"].pop(1)["rule_id"]
    comparison = compare_results(first, second)
    assert comparison["only_in_baseline"] == [dropped] and comparison["only_in_other"] == []
    assert any("1.1.0" in w for w in comparison["warnings"]) and any(dropped in w for w in comparison["warnings"])
    assert dropped not in [r["rule_id"] for r in comparison["rules"]]
    assert "Warning" in render_markdown(comparison) and dropped in render_markdown(comparison)


def test_different_rulesets_are_refused(mini: Any, mini_evaluator: Any) -> None:
    first = _result(mini, mini_evaluator, _full_data())
    second = copy.deepcopy(first)
    second["ruleset"]["id"] = "other"
    with pytest.raises(InputError, match="different rulesets"):
        compare_results(first, second)


@pytest.fixture
def saved(tmp_path: Path) -> dict[str, Path]:
    runner = CliRunner()
    paths = {}
    data = _full_data()
    later = copy.deepcopy(data)
    later["assessment"].update({"date": "2026-12-31", "kind": "audit"})
    later["answers"]["RA-Q1"] = "partial"
    for name, content in (("before", data), ("after", later)):
        source = tmp_path / f"{name}.yaml"
        source.write_text(yaml.safe_dump(content), encoding="utf-8")
        target = tmp_path / f"{name}.json"
        outcome = runner.invoke(main, ["assess", str(source), "--ruleset", str(MINI), "-o", str(target)])
        assert outcome.exit_code == 0, outcome.output
        paths[name] = target
        paths[f"{name}_yaml"] = source
    return paths


def test_cli_reads_saved_results_and_assessments_alike(saved: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = []
    for first, second in (("before", "after"), ("before_yaml", "after_yaml")):
        out = tmp_path / f"comparison-{first}.json"
        args = ["compare", str(saved[first]), str(saved[second]), "--ruleset", str(MINI), "-o", str(out)]
        outcome = runner.invoke(main, args)
        assert outcome.exit_code == 0, outcome.output
        outputs.append(json.loads(out.read_text(encoding="utf-8")))
    assert outputs[0]["rules"] == outputs[1]["rules"]
    assert "RA-01" in outputs[0]["stricter"] and outputs[0]["progress"] is not None
    for fmt, marker in (("markdown", "# Comparison"), ("html", "<!DOCTYPE html>")):
        first = runner.invoke(main, ["compare", str(saved["before"]), str(saved["after"]), "--format", fmt])
        again = runner.invoke(main, ["compare", str(saved["before"]), str(saved["after"]), "--format", fmt])
        assert first.exit_code == 0 and marker in first.output and first.output == again.output


def test_cli_warns_on_stderr_for_a_version_mismatch(saved: dict[str, Path], tmp_path: Path) -> None:
    data = json.loads(saved["after"].read_text(encoding="utf-8"))
    data["ruleset"]["version"] = "9.0.0"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    outcome = CliRunner().invoke(main, ["compare", str(saved["before"]), str(changed), "--format", "json"])
    assert outcome.exit_code == 0
    assert "Warning:" in outcome.stderr and "9.0.0" in outcome.stderr
    assert "9.0.0" in json.loads(outcome.stdout)["warnings"][0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"schema_version": "1.0", "findings": []}', "has no ruleset"),
        (
            '{"schema_version": "1.0", "findings": [{"rule_id": "X", "status": "great"}], '
            '"ruleset": {"id": "mini"}, "assessment": {"organisation": "o", "site": "s", "date": "2026-01-01"}, '
            '"answers": {}, "scores": {"pillars": []}}',
            "unknown status",
        ),
        ("{not json", "not valid JSON"),
    ],
)
def test_cli_bad_inputs_exit_2_with_the_file_named(
    saved: dict[str, Path], tmp_path: Path, content: str, expected: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "out.md"
    outcome = CliRunner().invoke(main, ["compare", str(saved["before"]), str(bad), "-o", str(out)])
    assert outcome.exit_code == 2
    assert str(bad) in outcome.stderr and expected in outcome.stderr and "Traceback" not in outcome.output
    assert not out.exists()


def test_cli_refuses_a_result_of_another_ruleset(saved: dict[str, Path], tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text((MINI / "ruleset.yaml").read_text(encoding="utf-8").replace("id: mini", "id: othermini", 1))
    outcome = CliRunner().invoke(main, ["compare", str(saved["before"]), str(saved["after"]), "--ruleset", str(other)])
    assert outcome.exit_code == 2 and "not 'othermini'" in outcome.stderr and str(saved["before"]) in outcome.stderr


@pytest.mark.skipif(
    not (EXAMPLES / "kivu-gold-self.yaml").exists() or not (EXAMPLES / "kivu-gold-audit.yaml").exists(),
    reason="the bundled Kivu Gold examples are not written yet",
)
def test_bundled_self_assessment_and_audit_give_a_meaningful_comparison() -> None:
    outcome = CliRunner().invoke(
        main,
        ["compare", str(EXAMPLES / "kivu-gold-self.yaml"), str(EXAMPLES / "kivu-gold-audit.yaml"), "--format", "json"],
    )
    assert outcome.exit_code == 0, outcome.output
    comparison = json.loads(outcome.stdout)
    assert comparison["auditor"] == "other" and comparison["other"]["kind"] == "audit"
    assert comparison["disagreements"], "an audit that agrees on everything shows nothing"
    assert comparison["stricter"], "the audit should be stricter somewhere"
    overall = comparison["agreement"]["overall"]
    assert overall["rated_pairs"] >= 5 and overall["kappa"] is not None and overall["kappa"] < 1
    assert any(row["differing_questions"] for row in comparison["rules"] if not row["agree"])


# --- hand-edited results: any damage gives exit 0 or a clear exit 2, never a traceback ----------------

JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking CLI runs takes minutes
)
@given(data=st.data())
def test_damaged_results_never_crash(mini: Any, mini_evaluator: Any, tmp_path: Path, data: st.DataObject) -> None:
    result = _result(mini, mini_evaluator, _full_data())
    damaged = copy.deepcopy(result)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(damaged)[1:]))
        parent = damaged
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = data.draw(JUNK)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(result), encoding="utf-8")
    bad.write_text(json.dumps(damaged), encoding="utf-8")
    fmt = data.draw(st.sampled_from(["markdown", "html", "json"]))
    outcome = CliRunner().invoke(main, ["compare", str(good), str(bad), "--format", fmt])
    assert outcome.exit_code in (0, 2), (path, outcome.output, repr(outcome.exception))
    if outcome.exit_code == 2:
        assert str(bad) in outcome.stderr


def test_cli_quadratic_weights_and_progress_sections(saved: dict[str, Path]) -> None:
    args = ["compare", str(saved["before"]), str(saved["after"])]
    linear = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    quadratic = json.loads(CliRunner().invoke(main, [*args, "--format", "json", "--weights", "quadratic"]).stdout)
    assert quadratic["weights"] == "quadratic" and linear["weights"] == "linear"
    pairs = [(r["baseline_status"], r["other_status"]) for r in linear["rules"]]
    rated = [(a, b) for a, b in pairs if a in RATED and b in RATED]
    assert quadratic["agreement"]["overall"]["weighted_kappa"] == pytest.approx(
        cohen_kappa(rated, "quadratic"), abs=0.0005
    )
    markdown = CliRunner().invoke(main, [*args, "--weights", "quadratic"]).stdout
    assert "quadratic-weighted kappa" in markdown
    assert "## Progress from 2026-06-30 to 2026-12-31" in markdown and "### Gaps opened (regressions)" in markdown
