"""The example assessments in assessments/examples: every one validates and assesses, and the Kivu Gold
self-assessment and audit show what their files say they show.

The generic tests cover any file dropped into the folder. The Kivu tests read the facts they rely on
from the example files themselves (an answer, a profile fact, an incident field) and then check the
status the engine gives, so that a change to either the file or the ruleset that breaks the story the
example tells makes a test fail.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import BUNDLED, EXAMPLES, answer_value, example_result, findings_by_rule, invoke, read_yaml

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
SELF = EXAMPLES / "kivu-gold-self.yaml"
AUDIT = EXAMPLES / "kivu-gold-audit.yaml"
RATED = ["met", "substantially_met", "partially_met", "not_met"]  # best first
GAP = ["substantially_met", "partially_met", "not_met"]


def _incident_status(finding: dict[str, Any], incident_id: str) -> str:
    return {i["id"]: i["status"] for i in finding["incidents"]}[incident_id]


# --- every example ----------------------------------------------------------------------------------


def test_the_examples_folder_holds_the_readme_example() -> None:
    assert SELF in EXAMPLE_FILES and AUDIT in EXAMPLE_FILES


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_validates(path: Path) -> None:
    outcome = invoke("validate", str(path))
    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.startswith("OK"), outcome.output


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_assesses_as_the_readme_runs_it(path: Path) -> None:
    # exactly the README's first command: no --ruleset, the file names its ruleset itself
    outcome = invoke("assess", str(path))
    assert outcome.exit_code == 0, outcome.output
    data = read_yaml(path)
    organisation = data["assessment"]["organisation"]
    assert "(fictional)" in organisation, "every example organisation is marked fictional"
    assert organisation in outcome.stdout
    assert "Overall score" in outcome.stdout


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_json_result_has_no_warnings_and_every_profile_fact(path: Path) -> None:
    result = example_result(path)
    ruleset_header = read_yaml(BUNDLED / "ruleset.yaml")
    assert result["warnings"] == []
    assert set(result["profile"]) == {fact["id"] for fact in ruleset_header["profile"]}
    assert result["scores"]["overall"]["score"] is not None


# --- the Kivu Gold self-assessment ------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_file() -> dict[str, Any]:
    return read_yaml(SELF)


@pytest.fixture(scope="module")
def self_result() -> dict[str, Any]:
    return example_result(SELF)


def test_self_assessment_is_a_self_assessment_of_the_current_ruleset(self_file: dict[str, Any]) -> None:
    meta = self_file["assessment"]
    header = read_yaml(BUNDLED / "ruleset.yaml")
    assert meta["kind"] == "self"
    assert meta["ruleset"] == header["id"] and meta["ruleset_version"] == header["version"]
    assert isinstance(meta["date"], dt.date) and meta["date"].year == 2026


def test_self_assessment_shows_every_status(self_result: dict[str, Any]) -> None:
    statuses = {f["status"] for f in self_result["findings"]}
    assert statuses == {*RATED, "not_applicable", "unanswered"}


def test_agreement_without_human_rights_clauses_is_a_gap(
    self_file: dict[str, Any], self_result: dict[str, Any]
) -> None:
    clauses = answer_value(self_file["answers"]["PUB-03-Q1"])
    assert answer_value(self_file["answers"]["PUB-02-Q1"]) == "signed"
    assert "human_rights_law" not in clauses and "force_limits" not in clauses
    findings = findings_by_rule(self_result)
    assert findings["PUB-03"]["status"] in GAP
    # the protest incident happened under that agreement: force by public security, so INC-26 is not met
    protest = next(i for i in self_file["incidents"] if i["type"] == "force_at_protest")
    assert protest["actor"] == "public_security"
    assert _incident_status(findings["INC-26"], protest["id"]) == "not_met"
    assert "INC-26" in {gap["rule_id"] for gap in self_result["gaps"]}


@pytest.mark.parametrize("rule_id", ["PRIV-10", "PRIV-16", "PRIV-17"])
def test_firearm_rules_do_not_apply_to_unarmed_guards(
    rule_id: str, self_file: dict[str, Any], self_result: dict[str, Any]
) -> None:
    assert self_file["profile"]["armed_guards"] is False
    finding = findings_by_rule(self_result)[rule_id]
    assert finding["status"] == "not_applicable"
    assert finding["excluded_by"] == {"armed_guards": False}


def test_questions_left_open_are_reported_unanswered_with_their_ids(
    self_file: dict[str, Any], self_result: dict[str, Any]
) -> None:
    left_open = {qid for qid, answer in self_file["answers"].items() if answer_value(answer) is None}
    assert 2 <= len(left_open) <= 4
    missing = {qid for entry in self_result["unanswered"] for qid in entry["missing"]}
    assert missing == left_open
    findings = findings_by_rule(self_result)
    for entry in self_result["unanswered"]:
        assert findings[entry["rule_id"]]["status"] == "unanswered"
    # an unanswered rule is never scored: it is neither a gap nor counted as rated
    assert not {e["rule_id"] for e in self_result["unanswered"]} & {g["rule_id"] for g in self_result["gaps"]}


def test_maturity_is_capped_by_critical_rules_not_the_overall_score(
    self_file: dict[str, Any], self_result: dict[str, Any]
) -> None:
    ladder = {level["level"]: level for level in read_yaml(BUNDLED / "ruleset.yaml")["maturity"]}
    maturity = self_result["scores"]["maturity"]
    overall = self_result["scores"]["overall"]["score"]
    assert maturity["level"] == 2
    # the overall score alone would allow level 3; critical rules below substantially met hold it back
    assert overall >= ladder[3]["min_overall"]
    assert ladder[3]["critical_at_least"] == "substantially_met"
    # PUB-09: the company never asked that implicated officers be kept away (both answers "no")
    assert answer_value(self_file["answers"]["PUB-09-Q1"]) == "no"
    assert "PUB-09" in maturity["critical_below_substantially_met"]
    assert any(b.startswith("critical rule PUB-09 ") for b in maturity["next"]["blockers"])


def test_open_protest_investigation_and_officers_left_in_post_are_critical_gaps(
    self_file: dict[str, Any], self_result: dict[str, Any]
) -> None:
    protest = next(i for i in self_file["incidents"] if i["type"] == "force_at_protest")
    assert protest.get("investigation_opened") and not protest.get("investigation_closed")
    assert (self_file["assessment"]["date"] - protest["date"]).days > 90
    assert protest["personnel_withdrawn"] is False
    findings = findings_by_rule(self_result)
    for rule_id in ("INC-21", "INC-23"):
        assert _incident_status(findings[rule_id], protest["id"]) == "not_met"
        assert findings[rule_id]["severity"] == "critical"


def test_minor_property_damage_falls_under_no_incident_rule(
    self_file: dict[str, Any], self_result: dict[str, Any]
) -> None:
    serious = {t["id"]: t.get("serious", True) for t in read_yaml(BUNDLED / "ruleset.yaml")["incident_types"]}
    damage = next(i for i in self_file["incidents"] if i["type"] == "property_damage")
    assert serious["property_damage"] is False and damage.get("injuries", 0) == 0
    for finding in self_result["findings"]:
        if finding["scope"] == "incident":
            assert _incident_status(finding, damage["id"]) == "not_applicable", finding["rule_id"]


def test_strong_on_private_security_weak_on_public_security_and_communities(self_result: dict[str, Any]) -> None:
    pillars = {p["id"]: p["score"] for p in self_result["scores"]["pillars"]}
    assert pillars["PRIV"] > pillars["PUB"] and pillars["PRIV"] > pillars["SE"]
    assert pillars["GOV"] > pillars["SE"]
    critical_not_met = [g for g in self_result["gaps"] if g["severity"] == "critical" and g["status"] == "not_met"]
    assert len(critical_not_met) >= 3
    # the action plan has work to do on public security, with a concrete action for each item
    plan = {section["pillar"]: section["items"] for section in self_result["action_plan"]}
    assert plan["PUB"] and all(item["action"] for item in plan["PUB"])


# --- the Kivu Gold audit ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def audit_file() -> dict[str, Any]:
    return read_yaml(AUDIT)


@pytest.fixture(scope="module")
def comparison() -> dict[str, Any]:
    outcome = invoke("compare", str(SELF), str(AUDIT), "--ruleset", str(BUNDLED), "--format", "json")
    assert outcome.exit_code == 0, outcome.output
    return json.loads(outcome.stdout)


def test_audit_describes_the_same_site_later_with_the_same_profile(
    self_file: dict[str, Any], audit_file: dict[str, Any]
) -> None:
    mine, theirs = self_file["assessment"], audit_file["assessment"]
    assert theirs["kind"] == "audit"
    assert (theirs["organisation"], theirs["site"]) == (mine["organisation"], mine["site"])
    assert theirs["date"] > mine["date"]
    assert theirs["assessor"] != mine["assessor"]
    assert audit_file["profile"] == self_file["profile"]


def test_audit_finds_fewer_agreement_clauses_but_both_see_no_human_rights_clause(
    self_file: dict[str, Any], audit_file: dict[str, Any], comparison: dict[str, Any]
) -> None:
    claimed = set(answer_value(self_file["answers"]["PUB-03-Q1"]))
    found = set(answer_value(audit_file["answers"]["PUB-03-Q1"]))
    assert found < claimed
    assert not {"human_rights_law", "force_limits"} & claimed  # logistics clauses only, on either reading
    row = next(r for r in comparison["rules"] if r["rule_id"] == "PUB-03")
    assert row["agree"] and "PUB-03" not in comparison["stricter"]


@pytest.mark.parametrize("question_id", ["PRIV-09-Q2", "PRIV-12-Q2"])
def test_audit_counts_fewer_complete_guard_records(
    question_id: str, self_file: dict[str, Any], audit_file: dict[str, Any], comparison: dict[str, Any]
) -> None:
    assert answer_value(audit_file["answers"][question_id]) < answer_value(self_file["answers"][question_id])
    rule_id = question_id.rsplit("-", 1)[0]
    assert rule_id in comparison["stricter"]


def test_audit_is_more_generous_where_it_found_evidence_the_company_did_not_give(
    self_file: dict[str, Any], audit_file: dict[str, Any], comparison: dict[str, Any]
) -> None:
    assert comparison["more_lenient"], "the audit should also credit something the company missed"
    rows = {r["rule_id"]: r for r in comparison["rules"]}
    for rule_id in comparison["more_lenient"]:
        for question_id in rows[rule_id]["differing_questions"]:
            answer = audit_file["answers"][question_id]
            assert isinstance(answer, dict) and answer.get("evidence"), f"{question_id}: generous without evidence"
            assert answer_value(answer) != answer_value(self_file["answers"][question_id])


def test_audit_adds_an_unrecorded_detention_of_artisanal_miners(
    self_file: dict[str, Any], audit_file: dict[str, Any]
) -> None:
    recorded = {i["id"] for i in self_file["incidents"]}
    added = [i for i in audit_file["incidents"] if i["id"] not in recorded]
    assert len(added) == 1
    detention = added[0]
    assert detention["type"] == "arbitrary_arrest" and detention["actor"] == "public_security"
    # the instruction not to treat artisanal miners as criminals does not bind the police, says the audit
    assert answer_value(audit_file["answers"]["SE-11-Q2"]) == "no"
    findings = findings_by_rule(example_result(AUDIT))
    assert _incident_status(findings["INC-27"], detention["id"]) == "not_met"
    assert detention.get("reported_to_authorities") is None
    assert _incident_status(findings["INC-20"], detention["id"]) not in ("met", "substantially_met")


def test_comparison_agreement_is_substantial_but_not_perfect(comparison: dict[str, Any]) -> None:
    overall = comparison["agreement"]["overall"]
    assert overall["rated_pairs"] >= 100
    assert overall["kappa"] is not None and 0.4 < overall["kappa"] < 1
    assert len(comparison["stricter"]) > len(comparison["more_lenient"]) >= 2
