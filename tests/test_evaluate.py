"""Evaluation: durable-rules decides, the reference semantics agrees; skipped questions, incidents, severity."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml
from conftest import MINI_EMPTY, MINI_FULL, assessments, mini_text
from hypothesis import HealthCheck, given, settings

from bench.workload import to_assessment
from engine import reference
from engine.assessments import load_assessment
from engine.errors import InputError
from engine.evaluate import Evaluator
from engine.models import Severity, Status
from engine.rulesets import load_ruleset

EXTRA = """questions:
  - {id: X-N, pillar: RA, text: A number, type: number}
  - id: X-C
    pillar: PRIV
    text: A choice
    type: single_choice
    choices: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]
    relevant: {profile: armed_guards, equals: true}
  - id: X-M
    pillar: RA
    text: Several choices
    type: multiple_choice
    choices: [{value: m1, label: M1}, {value: m2, label: M2}, {value: m3, label: M3}, {value: none, label: None}]
  - {id: X-D, pillar: RA, text: A date, type: date, relevant: {profile: working_group, in: [local, national_only]}}
rules:
  - id: X-01
    title: Numbers, negated choices, excludes and counts
    pillar: RA
    severity: low
    why: Coverage.
    sources: [{clause: VP-RA}]
    met: {all: [{question: X-N, lt: 10}, {not: {question: X-C, in: [a]}}]}
    partially_met: {any: [{question: X-M, excludes: m1}, {question: X-M, count_lte: 1}]}
    finding: x.
    recommendation: {text: x.}
    evidence: [x]
  - id: X-02
    title: Negated recency and answered
    pillar: RA
    severity: medium
    why: Coverage.
    sources: [{clause: VP-RA}]
    applies_when: {profile: working_group, not_in: [none]}
    met: {not: {question: X-D, within_months: 6}}
    substantially_met: {question: X-D, answered: true}
    finding: x.
    recommendation: {text: x.}
    evidence: [x]
  - id: X-03
    title: Not equals and unanswered text
    pillar: PRIV
    severity: high
    escalate_if: [conflict_affected]
    why: Coverage.
    sources: [{clause: VP-PRIV}]
    met: {any: [{question: X-C, not_equals: b}, {question: PRIV-Q3, answered: false}]}
    finding: x.
    recommendation: {text: x.}
    evidence: [x]
  - id: X-INC
    title: Incident fields of every kind
    pillar: INC
    severity: critical
    scope: incident
    why: Coverage.
    sources: [{clause: VP-PUB-RHA}]
    applies_when: {all: [{incident: investigation_open, equals: false}, {not: {incident: remedy, equals: none}}]}
    met:
      all:
        - {incident: medical_aid_given, equals: true}
        - {incident: age_days, gt: 30}
        - {not: {incident: reported_internally, within_months: 2}}
    partially_met:
      any:
        - {incident: remedy, in: [offered, provided]}
        - {incident: days_to_investigation_opened, lte: 10}
        - {incident: personnel_withdrawn, not_equals: true}
        - {incident: actor, not_in: [public_security, unknown]}
    finding: x.
    recommendation: {text: x.}
    evidence: [x]
  - id: X-COUNT
    title: At least one choice selected
    pillar: RA
    severity: low
    why: Coverage.
    sources: [{clause: VP-RA}]
    met: {question: X-M, count_gte: 1}
    finding: x.
    recommendation: {text: x.}
    evidence: [x]
  - id: X-SKIP
    title: Every question skippable, no applies_when
    pillar: PUB
    severity: critical
    escalate_if: [conflict_affected]
    why: Coverage.
    sources: [{clause: VP-PUB-SA}]
    met: {all: [{question: PUB-Q1, equals: "yes"}, {question: PRIV-Q2, equals: "yes"}]}
    finding: x.
    recommendation: {text: x.}
    evidence: [x]
"""


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """The mini ruleset plus rules that use every operator, negation and incident field."""
    folder = tmp_path_factory.mktemp("wide")
    (folder / "ruleset.yaml").write_text(mini_text(), encoding="utf-8")
    (folder / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    return load_ruleset(folder)


@pytest.fixture(scope="module")
def wide_evaluator(wide):
    with Evaluator(wide) as evaluator:
        yield evaluator


def full_data() -> dict:
    return yaml.safe_load(MINI_FULL.read_text(encoding="utf-8"))


def finding(evaluation, rule_id):
    return next(f for f in evaluation.findings if f.rule_id == rule_id)


# --- the engine agrees with the reference semantics -----------------------------------------------


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=__import__("hypothesis").strategies.data())
def test_engine_equals_reference_on_mini(mini, mini_evaluator, data):
    assessment = data.draw(assessments(mini))
    evaluation = mini_evaluator.evaluate(assessment, check=True)  # raises EngineError on any disagreement
    for f in evaluation.findings:
        if mini.rules[f.rule_id].scope == "assessment":
            assert f.status == reference.decide(mini, assessment, f.rule_id).status


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=__import__("hypothesis").strategies.data())
def test_engine_equals_reference_on_every_operator(wide, wide_evaluator, data):
    assessment = data.draw(assessments(wide))
    wide_evaluator.evaluate(assessment, check=True)


def test_statuses_and_evaluate_agree(mini, mini_evaluator, mini_full):
    factors, per_rule = mini_evaluator.statuses(mini_full)
    evaluation = mini_evaluator.evaluate(mini_full)
    assert factors == evaluation.factors == {"conflict_affected": True, "armed_security": True}
    for f in evaluation.findings:
        if mini.rules[f.rule_id].scope == "assessment":
            assert per_rule[f.rule_id] == [(None, f.status)]


def test_full_example(mini_evaluator, mini_full):
    statuses = {f.rule_id: f.status for f in mini_evaluator.evaluate(mini_full).findings}
    assert statuses == {
        "RA-01": Status.met,  # yes, reviewed 2026-01-15, assessed 2026-06-30
        "RA-02": Status.met,  # two sources
        "PUB-01": Status.partially_met,  # agreement but only some clauses
        "PRIV-01": Status.partially_met,  # 80% vetted; weapons register skipped (no armed guards)
        "PRIV-02": Status.met,
        "INC-01": Status.partially_met,  # reported, investigation never closed
        "INC-02": Status.met,  # some clauses in the agreement
    }


def test_empty_example(mini, mini_evaluator):
    evaluation = mini_evaluator.evaluate(load_assessment(MINI_EMPTY, mini))
    statuses = {f.rule_id: f.status for f in evaluation.findings}
    assert statuses["PUB-01"] == statuses["PRIV-01"] == Status.not_applicable
    assert statuses["RA-01"] == statuses["RA-02"] == statuses["PRIV-02"] == Status.unanswered
    assert statuses["INC-01"] == statuses["INC-02"] == Status.not_applicable
    assert finding(evaluation, "RA-01").missing == ["RA-Q1", "RA-Q2"]
    assert finding(evaluation, "PUB-01").excluded_by == {"public_security": False}


# --- skipped questions (three-valued) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("armed", "vetted", "register", "expected"),
    [
        (False, 96, None, Status.met),  # the register question is skipped: vetting alone decides
        (False, 60, None, Status.partially_met),
        (False, 10, None, Status.not_met),
        (False, 10, "yes", Status.not_met),  # an answer to a skipped question is ignored
        (True, 96, None, Status.unanswered),  # with armed guards the register counts
        (True, 96, "no", Status.partially_met),
        (True, 96, "yes", Status.met),
        (True, 10, "yes", Status.partially_met),
    ],
)
def test_skipped_questions_neither_help_nor_hurt(mini, mini_evaluator, armed, vetted, register, expected):
    data = full_data()
    data["profile"]["armed_guards"] = armed
    data["answers"]["PRIV-Q1"] = vetted
    if register is not None:
        data["answers"]["PRIV-Q2"] = register
    assessment = to_assessment(mini, data)
    assert finding(mini_evaluator.evaluate(assessment), "PRIV-01").status == expected
    if register is not None and not armed:
        assert any("PRIV-Q2 is answered but does not apply" in w for w in assessment.warnings)


def test_a_rule_whose_questions_are_all_skipped_is_not_applicable(wide, wide_evaluator):
    data = full_data()
    data["profile"].update(public_security=False, armed_guards=False)
    evaluation = wide_evaluator.evaluate(to_assessment(wide, data))
    skipped = finding(evaluation, "X-SKIP")
    assert skipped.status == Status.not_applicable
    assert "skipped for this profile" in skipped.reasons[0]
    assert skipped.excluded_by == {"public_security": False, "armed_guards": False}
    data["profile"]["armed_guards"] = True
    data["answers"]["PRIV-Q2"] = "yes"
    assert finding(wide_evaluator.evaluate(to_assessment(wide, data)), "X-SKIP").status == Status.met


# --- incidents ------------------------------------------------------------------------------------


def test_per_incident_statuses_and_roll_up(mini, mini_evaluator, mini_full):
    inc = finding(mini_evaluator.evaluate(mini_full), "INC-01")
    assert [(o.incident_id, o.status) for o in inc.incidents] == [
        ("I-1", Status.partially_met),
        ("I-2", Status.not_applicable),
    ]
    assert inc.status == Status.partially_met
    assert inc.reasons[0].startswith("Incident I-1: partially met")


def _incident(number: int, **fields) -> dict:
    base = {"id": f"I-{number}", "date": "2026-01-10", "type": "firearm_injury", "actor": "public_security"}
    return {**base, **fields}


def test_roll_up_is_worst_first(mini, mini_evaluator):
    met = _incident(
        1, reported_to_authorities="2026-01-12", investigation_opened="2026-01-13", investigation_closed="2026-02-01"
    )
    partial = _incident(2, investigation_opened="2026-01-20")
    not_met = _incident(3)
    for incidents, expected in [
        ([met], Status.met),
        ([met, partial], Status.partially_met),
        ([partial, met, not_met], Status.not_met),
        ([met, _incident(4, type="property_damage")], Status.met),
    ]:
        data = full_data()
        data["incidents"] = incidents
        inc = finding(mini_evaluator.evaluate(to_assessment(mini, data)), "INC-01")
        assert inc.status == expected, incidents
        assert len(inc.incidents) == len(incidents)


def test_no_incidents_is_not_applicable(mini, mini_evaluator):
    data = full_data()
    data["incidents"] = []
    inc = finding(mini_evaluator.evaluate(to_assessment(mini, data)), "INC-01")
    assert inc.status == Status.not_applicable and inc.incidents == []
    assert inc.reasons == ["No incident is recorded in this assessment."]
    data["incidents"] = [_incident(1, type="property_damage")]
    inc = finding(mini_evaluator.evaluate(to_assessment(mini, data)), "INC-01")
    assert inc.status == Status.not_applicable
    assert inc.reasons == ["No recorded incident is of a kind this rule covers."]


def test_incident_rule_can_be_unanswered_through_its_questions(mini, mini_evaluator):
    data = full_data()
    del data["answers"]["PUB-Q2"]
    inc = finding(mini_evaluator.evaluate(to_assessment(mini, data)), "INC-02")
    assert inc.status == Status.unanswered and inc.missing == ["PUB-Q2"]


# --- severity ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("conflict", "severity"), [(True, Severity.critical), (False, Severity.high)])
def test_severity_is_raised_by_factors(mini, mini_evaluator, conflict, severity):
    data = full_data()
    data["profile"]["conflict_affected"] = conflict
    pub = finding(mini_evaluator.evaluate(to_assessment(mini, data)), "PUB-01")
    assert pub.severity == severity and pub.base_severity == Severity.high
    assert pub.escalated_by == (["conflict_affected"] if conflict else [])
    assert pub.exposure == ["armed_security"]


def test_critical_is_never_raised_further():
    assert Severity.critical.raised() == Severity.critical


def test_a_critical_rule_names_no_factor_as_having_raised_it(wide, wide_evaluator):
    data = full_data()
    data["profile"]["conflict_affected"] = True
    skip = finding(wide_evaluator.evaluate(to_assessment(wide, data)), "X-SKIP")
    assert skip.severity == skip.base_severity == Severity.critical
    assert skip.escalated_by == []
    assert Severity.low.raised() == Severity.medium


# --- assessment errors ------------------------------------------------------------------------------


def _problems(mini, mutate) -> list:
    data = full_data()
    mutate(data)
    with pytest.raises(InputError) as caught:
        to_assessment(mini, data)
    return caught.value.problems


@pytest.mark.parametrize(
    ("mutate", "message", "fix"),
    [
        (lambda d: d["answers"].update({"RA-Q01": "yes"}), "unknown question id 'RA-Q01'", "did you mean 'RA-Q"),
        (lambda d: d["answers"].update({"PRIV-Q1": "eighty"}), "'eighty' is not a number", "number"),
        (lambda d: d["answers"].update({"PRIV-Q1": 180}), "outside the allowed range", "range"),
        (lambda d: d["answers"].update({"PRIV-Q1": float("inf")}), "inf is not a number", "number"),
        (lambda d: d["answers"].update({"RA-Q1": "maybe"}), "'maybe' is not one of no / partial / yes", "one of"),
        (lambda d: d["answers"].update({"PUB-Q2": "all"}), "'all' is not one of", "one of"),
        (lambda d: d["answers"].update({"RA-Q3": ["press"]}), "'press' is not one of", "allowed values"),
        (lambda d: d["answers"].update({"RA-Q3": ["government", "government"]}), "listed twice", "once"),
        (lambda d: d["answers"].update({"RA-Q2": "2027-01-01"}), "after the assessment date", "correct the date"),
        (lambda d: d["answers"].update({"RA-Q2": "last year"}), "is not a date", "YYYY-MM-DD"),
        (lambda d: d["profile"].pop("armed_guards"), "the profile does not say: armed_guards", "answer every"),
        (lambda d: d["profile"].update({"armed_gaurds": True}), "unknown profile fact 'armed_gaurds'", "did you mean"),
        (lambda d: d["profile"].update({"armed_guards": "sometimes"}), "must be true or false", "true or false"),
        (lambda d: d["incidents"][0].update({"type": "robbery"}), "unknown type 'robbery'", "firearm_injury"),
        (lambda d: d["incidents"][0].update({"date": "2027-01-01"}), "dated after the assessment", "date"),
        (lambda d: d["incidents"][1].update({"id": "I-1"}), "'I-1' is used twice", "own id"),
        (lambda d: d["incidents"][1].update({"investigation_closed": "2026-04-01"}), "closed but never opened", "add"),
        (lambda d: d["assessment"].update({"ruleset": "vpshr"}), "written for ruleset 'vpshr'", "--ruleset"),
    ],
)
def test_assessment_errors(mini, mutate, message, fix):
    problems = _problems(mini, mutate)
    assert any(message in p.message and fix in p.fix for p in problems), [p.render() for p in problems]


def test_none_stands_alone_and_selects_nothing(wide, wide_evaluator):
    problems = _problems(wide, lambda d: d["answers"].update({"X-M": ["none", "m2"]}))
    assert any("'none' (none of these) is listed together" in p.message for p in problems)
    statuses = {}
    for answer in (["none"], ["m2"]):
        data = full_data()
        data["answers"]["X-M"] = answer
        evaluation = wide_evaluator.evaluate(to_assessment(wide, data), check=True)  # durable-rules = reference
        statuses[answer[0]] = finding(evaluation, "X-COUNT").status
    assert statuses == {"none": Status.not_met, "m2": Status.met}


def test_assessment_errors_are_reported_together_with_lines(mini, tmp_path: Path):
    text = MINI_FULL.read_text(encoding="utf-8")
    text = text.replace("PRIV-Q1: 80", "PRIV-Q1: lots").replace('RA-Q1: "yes"', 'RA-Q01: "yes"')
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_assessment(path, mini)
    lines = {p.line for p in caught.value.problems}
    expected = {n for n, line in enumerate(text.splitlines(), 1) if "PRIV-Q1: lots" in line or "RA-Q01" in line}
    assert lines == expected


def test_answers_are_normalised(mini, mini_evaluator):
    data = full_data()
    data["answers"].update({"RA-Q1": " YES ", "PUB-Q1": True, "RA-Q3": ["communities", "government"], "RA-Q2": "never"})
    assessment = to_assessment(mini, data)
    assert assessment.value("RA-Q1") == "yes" and assessment.value("PUB-Q1") == "yes"
    assert assessment.value("RA-Q3") == ["government", "communities"]
    ra = finding(mini_evaluator.evaluate(assessment), "RA-01")
    assert ra.status == Status.partially_met  # 'never' reviewed is not within 24 months
    data["answers"]["RA-Q2"] = dt.date(2025, 1, 1).isoformat()
    assert finding(mini_evaluator.evaluate(to_assessment(mini, data)), "RA-01").status == Status.substantially_met


def test_evaluations_do_not_share_state(mini, mini_evaluator, mini_full):
    first = copy.deepcopy(mini_evaluator.evaluate(mini_full).findings)
    mini_evaluator.evaluate(load_assessment(MINI_EMPTY, mini))
    assert mini_evaluator.evaluate(mini_full).findings == first
