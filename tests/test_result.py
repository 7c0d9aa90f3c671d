"""The JSON result contract: its keys, its content, and byte-identical output for identical input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI, MINI_FULL, ROOT

from engine.assessments import load_assessment
from engine.pipeline import assess_file, result_for
from engine.result import SCHEMA_VERSION, dumps, gaps_at_or_above

TOP_KEYS = [
    "schema_version",
    "tool",
    "ruleset",
    "assessment",
    "profile",
    "factors",
    "answers",
    "incidents",
    "findings",
    "scores",
    "gaps",
    "unanswered",
    "action_plan",
    "warnings",
]
FINDING_KEYS = [
    "rule_id",
    "title",
    "pillar",
    "status",
    "severity",
    "base_severity",
    "escalated_by",
    "exposure",
    "scope",
    "why",
    "sources",
    "reasons",
    "questions",
    "missing",
    "excluded_by",
    "finding",
    "recommendation",
    "evidence_expected",
]


@pytest.fixture(scope="module")
def result():
    _, _, data = assess_file(MINI_FULL, str(MINI))
    return data


def test_top_level_keys_in_order(result):
    assert list(result)[: len(TOP_KEYS)] == TOP_KEYS
    assert result["schema_version"] == SCHEMA_VERSION
    assert result["ruleset"]["id"] == "mini" and len(result["ruleset"]["sha256"]) == 64
    assert result["assessment"]["file"] == "mini-full.yaml"  # never an absolute path
    assert str(ROOT) not in dumps(result)


def test_findings_follow_ruleset_order_and_carry_the_contract(result, mini):
    assert [f["rule_id"] for f in result["findings"]] == list(mini.rules)
    for finding in result["findings"]:
        assert list(finding)[: len(FINDING_KEYS)] == FINDING_KEYS
        assert ("incidents" in finding) == (finding["scope"] == "incident")
        assert all({"id", "document", "section", "verified"} <= set(s) for s in finding["sources"])
    inc = next(f for f in result["findings"] if f["rule_id"] == "INC-01")
    assert [(i["id"], i["status"]) for i in inc["incidents"]] == [("I-1", "partially_met"), ("I-2", "not_applicable")]


def test_gaps_are_ranked_and_planned_by_pillar(result, mini):
    ranks = [g["rank"] for g in result["gaps"]]
    assert ranks == list(range(1, len(ranks) + 1))
    assert {g["status"] for g in result["gaps"]} <= {"not_met", "partially_met", "substantially_met"}
    pillar_order = [p.id for p in mini.header.pillars]
    planned = [section["pillar"] for section in result["action_plan"]]
    assert planned == sorted(planned, key=pillar_order.index)
    items = sorted(item["rank"] for section in result["action_plan"] for item in section["items"])
    assert items == ranks


def test_answers_and_incidents_are_plain_json(result):
    assert result["answers"]["RA-Q2"]["value"] == "2026-01-15"
    assert result["answers"]["PUB-Q1"]["evidence"] == "MoU of 2024, clause 4"
    assert result["incidents"][0]["reported_to_authorities"] == "2026-02-03"
    assert json.loads(dumps(result)) == result


def test_fail_on_threshold(result):
    severities = [g["severity"] for g in result["gaps"]]
    assert len(gaps_at_or_above(result, "low")) == len(severities)
    assert len(gaps_at_or_above(result, "critical")) == severities.count("critical")
    assert gaps_at_or_above(result, "critical")


def test_byte_identical_in_one_process(mini, mini_evaluator):
    assessment = load_assessment(MINI_FULL, mini)
    first = dumps(result_for(mini, assessment, mini_evaluator))
    assert dumps(result_for(mini, load_assessment(MINI_FULL, mini))) == first
    assert dumps(result_for(mini, assessment, mini_evaluator)) == first


def test_byte_identical_across_processes(tmp_path):
    vpsa = shutil.which("vpsa", path=str(Path(sys.executable).parent))
    assert vpsa, "the vpsa console script is installed next to the interpreter"
    outputs = []
    for run in range(2):
        target = tmp_path / f"r{run}.json"
        subprocess.run(
            [vpsa, "assess", str(MINI_FULL), "--ruleset", str(MINI), "--format", "json", "-o", str(target)],
            check=True,
            capture_output=True,
            cwd=tmp_path,
            env={"PYTHONHASHSEED": str(run + 1), "PATH": "/usr/bin:/bin"},
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    _, _, here = assess_file(MINI_FULL, str(MINI))
    assert outputs[0].decode() == dumps(here)


def test_hostile_text_is_carried_verbatim(mini, write):
    text = MINI_FULL.read_text(encoding="utf-8").replace(
        'PRIV-Q3: "Provider is ICoCA affiliate"', 'PRIV-Q3: "<script>alert(1)</script> {{ 7*7 }} مرحبا 🛡️"'
    )
    result = result_for(mini, load_assessment(write("hostile.yaml", text), mini))
    assert result["answers"]["PRIV-Q3"]["value"] == "<script>alert(1)</script> {{ 7*7 }} مرحبا 🛡️"
    assert "<script>alert(1)</script> {{ 7*7 }}" in dumps(result)
