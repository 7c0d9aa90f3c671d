"""Two example assessments that each illustrate one thing, checked through the CLI's JSON result.

- savanna-solar.yaml: a solar plant with no public security forces. The profile must switch the
  public security (PUB) rules off, each naming the fact that excluded it, and their questions must
  be skipped rather than reported unanswered.
- mwenga-hills-2020.yaml: a retrospective review of a gold mine modelled on the working group case
  study. Its incidents by the mining police must each reach the incident-scope rules, the weak
  agreement and vetting must show as critical gaps, and critical rules must hold maturity down.

The tests read the facts they rely on (profile facts, answers, incident fields, rule conditions,
the maturity ladder) from the example files and the ruleset, then check what the engine made of them.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BUNDLED, EXAMPLES, answer_value, example_result, findings_by_rule, invoke, read_yaml

from engine.conditions import referenced
from engine.rulesets import Ruleset, load_ruleset

SAVANNA = EXAMPLES / "savanna-solar.yaml"
MWENGA = EXAMPLES / "mwenga-hills-2020.yaml"
GOOD_ENOUGH = {"met", "substantially_met"}


@functools.cache
def _ruleset() -> Ruleset:
    return load_ruleset(BUNDLED)


def _findings(path: Path) -> dict[str, dict[str, Any]]:
    return findings_by_rule(example_result(path))


def _answer(path: Path, question_id: str) -> Any:
    return answer_value(read_yaml(path)["answers"][question_id])


def _profile_facts(rule_id: str) -> list[str]:
    """Every profile fact the rule's applicability condition refers to."""
    return referenced(_ruleset().conditions[rule_id].applies_when, "profile")


def _pillar_rules(pillar: str) -> list[str]:
    return [rule.id for rule in _ruleset().rules.values() if rule.pillar == pillar]


def _incident_statuses(path: Path, rule_id: str) -> dict[str, str]:
    return {i["id"]: i["status"] for i in _findings(path)[rule_id]["incidents"]}


# --- Savanna Solar: the profile makes public security not applicable --------------------------


def test_savanna_has_no_public_security_and_no_support_to_forces() -> None:
    profile = read_yaml(SAVANNA)["profile"]
    assert profile["public_security"] is False
    assert profile["equipment_support"] is False
    assert profile["private_security"] is True and profile["armed_guards"] is False
    assert example_result(SAVANNA)["profile"]["public_security"] is False


def test_savanna_pub_rules_on_public_security_are_not_applicable_naming_that_fact() -> None:
    findings = _findings(SAVANNA)
    on_public_security = [r for r in _pillar_rules("PUB") if "public_security" in _profile_facts(r)]
    assert len(on_public_security) >= 25  # nearly the whole pillar depends on public forces being there
    for rule_id in on_public_security:
        finding = findings[rule_id]
        if rule_id == "PUB-16":
            continue  # checked below: it applies to private guards as well
        assert finding["status"] == "not_applicable", rule_id
        assert finding["excluded_by"].get("public_security") is False, (rule_id, finding["excluded_by"])
        assert finding["missing"] == [], rule_id


def test_savanna_every_other_pub_rule_is_excluded_by_a_false_fact_of_theread_yaml() -> None:
    """The rules on support to the forces are switched off by equipment_support, not public_security."""
    profile = read_yaml(SAVANNA)["profile"]
    findings = _findings(SAVANNA)
    not_applicable = [r for r in _pillar_rules("PUB") if findings[r]["status"] == "not_applicable"]
    for rule_id in not_applicable:
        excluded_by = findings[rule_id]["excluded_by"]
        assert excluded_by, rule_id
        assert all(profile[fact] == value for fact, value in excluded_by.items()), rule_id
        assert any(value is False for value in excluded_by.values()), rule_id
    support_rules = [r for r in not_applicable if "public_security" not in findings[r]["excluded_by"]]
    assert support_rules, "expected the equipment-support rules among the excluded PUB rules"
    assert all(findings[r]["excluded_by"] == {"equipment_support": False} for r in support_rules)


def test_savanna_only_the_trespass_protocol_applies_in_pub_because_it_covers_guards() -> None:
    findings = _findings(SAVANNA)
    applicable = [r for r in _pillar_rules("PUB") if findings[r]["status"] != "not_applicable"]
    assert applicable == ["PUB-16"]
    assert "private_security" in _profile_facts("PUB-16")
    assert _answer(SAVANNA, "PUB-16-Q1") == "yes"
    assert findings["PUB-16"]["status"] in GOOD_ENOUGH


def test_savanna_pub_questions_are_skipped_not_unanswered() -> None:
    result = example_result(SAVANNA)
    pub_questions = {q for q, question in _ruleset().questions.items() if question.pillar == "PUB"}
    missing = {q for entry in result["unanswered"] for q in entry["missing"]}
    assert not missing & pub_questions
    # the file answers none of them except the trespass questions, and nothing is reported unanswered
    answered_pub = {q for q in read_yaml(SAVANNA)["answers"] if q in pub_questions}
    assert answered_pub == {q for q in pub_questions if q.startswith("PUB-16-")}
    assert result["unanswered"] == []
    assert result["scores"]["overall"]["counts"]["unanswered"] == 0
    pub = next(p for p in result["scores"]["pillars"] if p["id"] == "PUB")
    assert pub["counts"]["unanswered"] == 0
    assert pub["counts"]["not_applicable"] == len(_pillar_rules("PUB")) - 1


def test_savanna_explain_says_why_a_pub_rule_does_not_apply() -> None:
    outcome = invoke("explain", str(SAVANNA), "PUB-02", "--ruleset", str(BUNDLED))
    assert outcome.exit_code == 0, outcome.output
    assert "not applicable" in outcome.output
    assert "public_security = false" in outcome.output
    assert "skipped for this profile" in outcome.output


def test_savanna_is_a_mature_small_operator() -> None:
    scores = example_result(SAVANNA)["scores"]
    assert scores["overall"]["completeness"] == 100.0
    assert scores["maturity"]["critical_below_substantially_met"] == []
    assert scores["maturity"]["level"] >= 3
    assert all(f["status"] != "not_met" for f in example_result(SAVANNA)["findings"])


# --- Mwenga Hills 2020: the case study's incidents --------------------------------------------

SERIOUS_RULES = ["INC-20", "INC-21", "INC-23", "INC-24", "INC-26"]  # apply to every incident of the file


def _incidents() -> list[dict[str, Any]]:
    return read_yaml(MWENGA)["incidents"]


def test_mwenga_records_the_three_incidents_of_the_case_study() -> None:
    incidents = _incidents()
    assert {i["actor"] for i in incidents} == {"public_security"}
    assert sorted(i["type"] for i in incidents) == sorted(
        ["firearm_injury", "arbitrary_arrest", "torture_ill_treatment", "force_at_protest"]
    )
    # the herder's arrest and alleged torture are one event, recorded once per incident type
    by_type = {i["type"]: i for i in incidents}
    assert by_type["arbitrary_arrest"]["date"] == by_type["torture_ill_treatment"]["date"]
    assert all(str(i["date"]).startswith("2020-") for i in incidents)
    assert example_result(MWENGA)["assessment"]["date"] == "2020-12-31"


@pytest.mark.parametrize("rule_id", SERIOUS_RULES)
def test_mwenga_every_incident_reaches_the_serious_incident_rules(rule_id: str) -> None:
    statuses = _incident_statuses(MWENGA, rule_id)
    assert set(statuses) == {i["id"] for i in _incidents()}
    assert all(status != "not_applicable" for status in statuses.values()), statuses


def test_mwenga_agreement_without_human_rights_clauses_fails_inc26_for_each_incident() -> None:
    clauses = _answer(MWENGA, "PUB-03-Q1")
    assert "human_rights_law" not in clauses and "force_limits" not in clauses
    assert set(_incident_statuses(MWENGA, "INC-26").values()) == {"not_met"}
    assert _findings(MWENGA)["INC-26"]["status"] == "not_met"


def test_mwenga_trespass_incidents_fail_inc27_and_the_protest_is_outside_it() -> None:
    assert read_yaml(MWENGA)["profile"]["asm_nearby"] is True
    assert _answer(MWENGA, "SE-11-Q2") == "no"
    statuses = _incident_statuses(MWENGA, "INC-27")
    for incident in _incidents():
        expected = "not_applicable" if incident["type"] == "force_at_protest" else "not_met"
        assert statuses[incident["id"]] == expected, incident["id"]


def test_mwenga_medical_aid_follows_the_incident_records() -> None:
    statuses = _incident_statuses(MWENGA, "INC-22")
    for incident in _incidents():
        injured = incident.get("injuries", 0) >= 1 or incident["type"] == "firearm_injury"
        if not injured:
            assert statuses[incident["id"]] == "not_applicable"
        else:
            assert statuses[incident["id"]] == ("met" if incident.get("medical_aid_given") else "not_met")


def test_mwenga_withdrawal_and_working_group_sharing_follow_the_incident_records() -> None:
    withdrawn = _incident_statuses(MWENGA, "INC-23")
    shared = _incident_statuses(MWENGA, "INC-25")
    for incident in _incidents():
        assert withdrawn[incident["id"]] == ("met" if incident.get("personnel_withdrawn") else "not_met")
        assert shared[incident["id"]] == ("met" if incident.get("shared_with_working_group") else "not_met")
    # the commander's removal is recorded on the herder's case, the one the working group pursued
    removed = [i for i in _incidents() if i.get("personnel_withdrawn")]
    assert removed and all("commander" in i["outcome"] for i in removed)


def test_mwenga_uninvestigated_or_stalled_incidents_fail_inc21() -> None:
    statuses = _incident_statuses(MWENGA, "INC-21")
    for incident in _incidents():
        if incident.get("investigation_opened") is None or incident.get("investigation_closed") is None:
            # never investigated, or still open at the assessment date, months after the event
            assert statuses[incident["id"]] == "not_met", incident["id"]
        else:
            assert statuses[incident["id"]] in {"partially_met", "substantially_met", "met"}


def test_mwenga_critical_gaps_include_the_agreement_and_vetting_rules() -> None:
    critical = {g["rule_id"]: g for g in example_result(MWENGA)["gaps"] if g["severity"] == "critical"}
    for rule_id in ["PUB-02", "PUB-03", "PUB-09", "PUB-10"]:
        assert rule_id in critical, rule_id
    # the agreement is signed but covers logistics only, and has none of the model clauses
    assert _answer(MWENGA, "PUB-02-Q1") == "signed" and _answer(MWENGA, "PUB-02-Q2") == "partial"
    assert critical["PUB-02"]["status"] == "substantially_met"
    assert _answer(MWENGA, "PUB-03-Q1") == ["none"]
    assert critical["PUB-03"]["status"] == "not_met"
    # nobody assigned to the site is vetted, and no exclusion of implicated officers was asked for
    assert _answer(MWENGA, "PUB-09-Q1") == "no" and _answer(MWENGA, "PUB-10-Q1") == "none"
    assert critical["PUB-09"]["status"] == "not_met"
    assert critical["PUB-10"]["status"] == "not_met"


def test_mwenga_maturity_is_capped_by_critical_rules() -> None:
    maturity = example_result(MWENGA)["scores"]["maturity"]
    ladder = _ruleset().header.maturity
    first_with_critical = min(level.level for level in ladder if level.critical_at_least is not None)
    assert maturity["level"] < first_with_critical
    capped = set(maturity["critical_below_substantially_met"])
    assert {"PUB-03", "PUB-09", "INC-26"} <= capped
    assert maturity["next"]["level"] == first_with_critical
    blockers = maturity["next"]["blockers"]
    assert "critical rule PUB-03 is not met" in blockers
    assert "critical rule INC-26 is not met" in blockers
    # the score alone would reach the level below: the cap is not only a matter of score
    below = next(level for level in ladder if level.level == first_with_critical - 1)
    assert example_result(MWENGA)["scores"]["overall"]["score"] >= below.min_overall


def test_mwenga_working_group_engagement_is_visible() -> None:
    findings = _findings(MWENGA)
    assert read_yaml(MWENGA)["profile"]["working_group"] == "local"
    # the company attended the working group's local meetings, but did not itself press for the commander's removal
    assert _answer(MWENGA, "MSWG-10-Q1") == "attended"
    assert findings["MSWG-10"]["status"] == "substantially_met"
    assert _answer(MWENGA, "MSWG-12-Q1") == "acknowledged"
    assert findings["MSWG-12"]["status"] == "partially_met"


def test_mwenga_markdown_report_tells_the_story() -> None:
    outcome = invoke("assess", str(MWENGA), "--ruleset", str(BUNDLED))
    assert outcome.exit_code == 0, outcome.output
    report = outcome.output
    assert "Mwenga Hills Gold (fictional)" in report
    for incident in _incidents():
        assert f"Incident {incident['id']}" in report, incident["id"]
    assert _ruleset().rules["INC-26"].title in report
    assert _ruleset().rules["PUB-09"].title in report


def test_only_the_facts_that_exclude_a_rule_are_named() -> None:
    """PUB-04 needs public security and some guards; Savanna has guards, so only public_security excludes it."""
    profile = yaml.safe_load(SAVANNA.read_text(encoding="utf-8"))["profile"]
    assert profile["public_security"] is False and profile["private_security"] is True
    assert _findings(SAVANNA)["PUB-04"]["excluded_by"] == {"public_security": False}


def test_an_incident_outside_a_rule_is_explained_by_the_incident_not_the_profile() -> None:
    outcomes = {o["id"]: o for o in _findings(MWENGA)["INC-22"]["incidents"]}  # injuries or a firearm
    arrest = outcomes["MHG-2020-02"]
    assert arrest["status"] == "not_applicable"
    assert "of type 'arbitrary_arrest'" in arrest["reasons"][0] and "this profile" not in arrest["reasons"][0]
