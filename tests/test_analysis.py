"""Scores, the maturity ladder with its critical cap, and gap ordering."""

from __future__ import annotations

import itertools

import pytest

from engine.analysis import GAP_STATUSES, analyse, gap_priority, maturity, score_of
from engine.evaluate import Evaluation, Finding
from engine.models import SEVERITY_WEIGHT, STATUS_POINTS, Severity, Status

S = Status


def make(rule_id: str, status: Status, severity: Severity = Severity.medium, exposure: int = 0) -> Finding:
    return Finding(rule_id, status, severity, severity, [], [f"f{i}" for i in range(exposure)], [])


def evaluation_of(mini_full, statuses: dict[str, tuple[Status, Severity]]) -> Evaluation:
    return Evaluation(mini_full, [make(r, s, sev) for r, (s, sev) in statuses.items()], {})


def test_score_weights_by_severity_and_ignores_not_applicable():
    findings = [
        make("A", S.met, Severity.critical),
        make("B", S.partially_met, Severity.low),
        make("C", S.not_met, Severity.medium),
        make("D", S.not_applicable, Severity.critical),
        make("E", S.unanswered, Severity.high),
        make("F", S.substantially_met, Severity.high),
    ]
    score = score_of(findings)
    weight = sum(SEVERITY_WEIGHT[s] for s in (Severity.critical, Severity.low, Severity.medium, Severity.high))
    earned = 4 * 1.0 + 1 * 0.5 + 2 * 0.0 + 3 * 0.75
    assert score["score"] == round(100 * earned / weight, 1)
    assert score["rated"] == 4
    assert score["completeness"] == round(100 * 4 / 5, 1)
    assert score["counts"] == {
        "met": 1,
        "substantially_met": 1,
        "partially_met": 1,
        "not_met": 1,
        "not_applicable": 1,
        "unanswered": 1,
    }


def test_nothing_rated_has_no_score():
    score = score_of([make("A", S.not_applicable), make("B", S.unanswered)])
    assert score["score"] is None and score["rated"] == 0 and score["completeness"] == 0.0
    assert score_of([])["completeness"] is None


def test_unanswered_is_never_scored_as_met():
    assert score_of([make("A", S.met), make("B", S.unanswered)])["score"] == 100.0
    assert score_of([make("A", S.met), make("B", S.not_met)])["score"] == 50.0


def test_points_are_ordered():
    assert STATUS_POINTS[S.met] > STATUS_POINTS[S.substantially_met] > STATUS_POINTS[S.partially_met]
    assert STATUS_POINTS[S.partially_met] > STATUS_POINTS[S.not_met]


ALL_MET = {
    "RA-01": (S.met, Severity.critical),
    "RA-02": (S.met, Severity.medium),
    "PUB-01": (S.met, Severity.high),
    "PRIV-01": (S.met, Severity.high),
    "PRIV-02": (S.met, Severity.low),
    "INC-01": (S.met, Severity.critical),
    "INC-02": (S.met, Severity.high),
}


def test_everything_met_reaches_the_top(mini, mini_full):
    scores = analyse(mini, evaluation_of(mini_full, ALL_MET)).scores
    assert scores["overall"]["score"] == 100.0
    assert scores["maturity"]["level"] == 3 and "next" not in scores["maturity"]
    assert [p["score"] for p in scores["pillars"]] == [100.0] * 4


@pytest.mark.parametrize("status", [S.partially_met, S.not_met, S.unanswered])
def test_a_critical_rule_below_substantially_met_caps_the_level(mini, mini_full, status):
    statuses = {**ALL_MET, "INC-01": (status, Severity.critical)}
    scores = analyse(mini, evaluation_of(mini_full, statuses)).scores
    assert scores["overall"]["score"] >= 60  # the scores alone would reach level 3
    assert scores["maturity"]["level"] == 2
    assert scores["maturity"]["critical_below_substantially_met"] == ["INC-01"]
    blockers = scores["maturity"]["next"]["blockers"]
    assert f"critical rule INC-01 is {status.value.replace('_', ' ')}" in blockers


def test_substantially_met_critical_does_not_cap(mini, mini_full):
    statuses = {**ALL_MET, "INC-01": (S.substantially_met, Severity.critical)}
    maturity_ = analyse(mini, evaluation_of(mini_full, statuses)).scores["maturity"]
    assert maturity_["level"] == 3 and maturity_["critical_below_substantially_met"] == []


def test_not_applicable_critical_does_not_cap(mini, mini_full):
    statuses = {**ALL_MET, "INC-01": (S.not_applicable, Severity.critical)}
    assert analyse(mini, evaluation_of(mini_full, statuses)).scores["maturity"]["level"] == 3


def test_escalated_severity_counts_as_critical(mini, mini_evaluator, mini_full):
    # in the full example PUB-01 (high) is raised to critical by conflict_affected and is partially met
    analysis = analyse(mini, mini_evaluator.evaluate(mini_full))
    capped = analysis.scores["maturity"]["critical_below_substantially_met"]
    assert "PUB-01" in capped and "INC-01" in capped


def test_thresholds_block_in_order(mini, mini_full):
    statuses = {rule: (S.not_met, severity) for rule, (_, severity) in ALL_MET.items()}
    maturity_ = analyse(mini, evaluation_of(mini_full, statuses)).scores["maturity"]
    assert maturity_["level"] == 1
    assert maturity_["next"]["level"] == 2
    assert maturity_["next"]["blockers"] == ["overall score 0 is below 40"]


def test_pillar_minimum_blocks(mini, mini_full):
    statuses = {**ALL_MET, "PRIV-01": (S.not_met, Severity.high), "PRIV-02": (S.not_met, Severity.low)}
    maturity_ = analyse(mini, evaluation_of(mini_full, statuses)).scores["maturity"]
    assert maturity_["level"] == 2
    assert maturity_["next"]["blockers"] == ["pillar PRIV scores 0.0, below 50"]


def test_maturity_with_empty_pillars(mini):
    result = maturity(mini, {"score": None}, [], [])
    assert result["level"] == 1  # level 2 needs an overall score of 40


def test_gap_order_severity_then_status_then_exposure():
    findings = [
        make("A", S.partially_met, Severity.high, exposure=0),
        make("B", S.not_met, Severity.medium, exposure=2),
        make("C", S.not_met, Severity.high, exposure=0),
        make("D", S.partially_met, Severity.high, exposure=1),
        make("E", S.substantially_met, Severity.critical),
        make("F", S.not_met, Severity.high, exposure=0),
        make("G", S.met, Severity.critical),
    ]
    gaps = sorted((f for f in findings if f.status in GAP_STATUSES), key=gap_priority)
    assert [g.rule_id for g in gaps] == ["E", "C", "F", "D", "A", "B"]


def test_gap_order_is_a_total_order():
    findings = [
        make(f"R{i}", status, severity, exposure)
        for i, (status, severity, exposure) in enumerate(itertools.product(GAP_STATUSES, Severity, range(3)))
    ]
    forward = sorted(findings, key=gap_priority)
    backward = sorted(reversed(findings), key=gap_priority)
    assert [f.rule_id for f in forward] == [f.rule_id for f in backward]
    for first, second in itertools.pairwise(forward):
        assert first.severity.rank >= second.severity.rank


def test_analyse_lists_gaps_and_unanswered(mini, mini_evaluator, mini_full):
    analysis = analyse(mini, mini_evaluator.evaluate(mini_full))
    # PUB-01 is raised to critical and exposed (armed security): it outranks INC-01, also critical
    assert [g.rule_id for g in analysis.gaps] == ["PUB-01", "INC-01", "PRIV-01"]
    assert analysis.unanswered == []
