"""Table-driven rule cases for the bundled ruleset (semgrep/sqlfluff style).

Every case in tests/rulesets/<PILLAR>.yaml names a rule, a profile (merged over _base.yaml and the
file's `defaults:`), answers, optional incidents and an assessment date, and the status the rule must
get. Each case becomes one test, `PILLAR:name`. The assessment is built in memory, parsed like a real
file (so a bad answer fails with the parser's own message) and evaluated by durable-rules, with the
reference semantics cross-checking every decision.

A second test per pillar checks completeness: every rule has a case that meets it, one that does not
(not_met or partially_met) and, if it has `applies_when`, one where it is not applicable.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.assessments import parse_assessment
from engine.errors import InputError
from engine.evaluate import Evaluator
from engine.loading import Document
from engine.models import Status
from engine.rulesets import Ruleset, load_ruleset

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "rulesets" / "vpshr"
CASES_DIR = Path(__file__).resolve().parent / "rulesets"
BASE_FILE = CASES_DIR / "_base.yaml"
DEFAULT_DATE = dt.date(2026, 6, 30)
EXPECTABLE = [s.value for s in Status]
CASE_KEYS = {"name", "rule", "profile", "answers", "incidents", "date", "expect", "note"}
DEFAULT_KEYS = {"profile", "answers", "incidents", "date"}
NOT_MET_KINDS = {Status.not_met.value, Status.partially_met.value}


@dataclass(frozen=True)
class RuleCase:
    """One named case of one case file; `problem` is set when the case itself is malformed."""

    pillar: str
    file: str
    name: str
    rule: str = ""
    expect: str = ""
    profile: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    incidents: list[Any] = field(default_factory=list)
    date: dt.date = DEFAULT_DATE
    problem: str | None = None

    @property
    def test_id(self) -> str:
        return f"{self.pillar}:{self.name}"


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path.name} cannot be read as YAML: {exc}") from None


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a mapping.")
    return value


def read_base() -> dict[str, Any]:
    base = _mapping(_read_yaml(BASE_FILE), BASE_FILE.name)
    return {"profile": _mapping(base.get("profile"), "_base.yaml profile"), "date": base.get("date", DEFAULT_DATE)}


def case_files() -> list[Path]:
    return sorted(p for p in CASES_DIR.glob("*.yaml") if not p.name.startswith("_"))


def read_cases(path: Path, base: dict[str, Any]) -> Iterator[RuleCase]:
    """The cases of one file; a malformed file or case yields a case carrying the problem."""
    pillar, file = path.stem, f"tests/rulesets/{path.name}"
    try:
        data = _mapping(_read_yaml(path), path.name)
        unknown = set(data) - {"defaults", "cases"}
        if unknown:
            raise ValueError(f"unknown top-level keys {sorted(unknown)}; use defaults: and cases:.")
        defaults = _mapping(data.get("defaults"), "defaults")
        extra = set(defaults) - DEFAULT_KEYS
        if extra:
            raise ValueError(f"defaults may only hold {sorted(DEFAULT_KEYS)}, not {sorted(extra)}.")
        raw_cases = data.get("cases")
        if not isinstance(raw_cases, list) or not raw_cases:
            raise ValueError("cases: must be a non-empty list.")
    except ValueError as exc:
        yield RuleCase(pillar, file, "<file>", problem=f"{file}: {exc}")
        return
    seen: set[str] = set()
    for index, raw in enumerate(raw_cases):
        name = raw.get("name") if isinstance(raw, dict) else None
        label = str(name) if isinstance(name, str) and name.strip() else f"<case {index}>"
        try:
            yield _case(pillar, file, label, raw, defaults, base, seen)
        except ValueError as exc:
            yield RuleCase(pillar, file, label, problem=f"{file}, case {index} ({label}): {exc}")
        seen.add(label)


def _case(
    pillar: str, file: str, label: str, raw: Any, defaults: dict[str, Any], base: dict[str, Any], seen: set[str]
) -> RuleCase:
    if not isinstance(raw, dict):
        raise ValueError("a case must be a mapping with name, rule, expect (and profile, answers, incidents, date).")
    if label.startswith("<case"):
        raise ValueError("the case has no name.")
    if label in seen:
        raise ValueError("another case in this file has the same name; names must be unique per file.")
    unknown = set(raw) - CASE_KEYS
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}; allowed: {sorted(CASE_KEYS)}.")
    rule, expect = raw.get("rule"), raw.get("expect")
    if not isinstance(rule, str) or not rule:
        raise ValueError("rule: must name the rule id under test.")
    if expect not in EXPECTABLE:
        raise ValueError(f"expect: {expect!r} is not one of {', '.join(EXPECTABLE)}.")
    profile = {
        **base["profile"],
        **_mapping(defaults.get("profile"), "defaults.profile"),
        **_mapping(raw.get("profile"), "profile"),
    }
    answers = {**_mapping(defaults.get("answers"), "defaults.answers"), **_mapping(raw.get("answers"), "answers")}
    incidents = raw.get("incidents", defaults.get("incidents", []))
    if not isinstance(incidents, list):
        raise ValueError("incidents: must be a list.")
    date = raw.get("date", defaults.get("date", base["date"]))
    if not isinstance(date, dt.date):
        raise ValueError(f"date: {date!r} is not a YYYY-MM-DD date.")
    return RuleCase(pillar, file, label, rule, expect, profile, answers, incidents, date)


def all_cases() -> list[RuleCase]:
    try:
        base = read_base()
    except ValueError as exc:
        return [RuleCase("_base", "tests/rulesets/_base.yaml", "<file>", problem=str(exc))]
    return [case for path in case_files() for case in read_cases(path, base)]


CASES = all_cases()


def _pillars() -> list[str]:
    header = _read_yaml(BUNDLED / "ruleset.yaml")
    return [p["id"] for p in header.get("pillars", [])]


def build_assessment_data(case: RuleCase) -> dict[str, Any]:
    return {
        "assessment": {
            "organisation": "Rule case (fictional)",
            "site": case.test_id,
            "kind": "self",
            "date": case.date,
            "ruleset": "vpshr",
        },
        "profile": dict(case.profile),
        "answers": dict(case.answers),
        "incidents": list(case.incidents),
    }


@pytest.fixture(scope="module")
def bundled() -> Iterator[tuple[Ruleset, Evaluator]]:
    """The bundled ruleset from the source tree, compiled once for every case in this module."""
    ruleset = load_ruleset(BUNDLED)
    evaluator = Evaluator(ruleset)
    try:
        yield ruleset, evaluator
    finally:
        evaluator.close()


@pytest.mark.parametrize("case", [pytest.param(c, id=c.test_id) for c in CASES])
def test_rule_case(case: RuleCase, bundled: tuple[Ruleset, Evaluator]) -> None:
    if case.problem:
        pytest.fail(case.problem, pytrace=False)
    ruleset, evaluator = bundled
    if case.rule not in ruleset.rules:
        pytest.fail(f"{case.file} ({case.name}): the bundled ruleset has no rule '{case.rule}'.", pytrace=False)
    data = build_assessment_data(case)
    raw = json.dumps(data, default=str, sort_keys=True).encode()
    try:
        assessment = parse_assessment(Document(f"{case.file}#{case.name}", data, {}), raw, ruleset)
    except InputError as exc:
        pytest.fail(f"{case.file} ({case.name}): the case is not a valid assessment: {exc.render()}", pytrace=False)
    evaluation = evaluator.evaluate(assessment, check=True)
    finding = next(f for f in evaluation.findings if f.rule_id == case.rule)
    if finding.status.value != case.expect:
        lines = [
            f"{case.file} ({case.name}): {case.rule} is {finding.status.value}, expected {case.expect}.",
            *[f"  why: {reason}" for reason in finding.reasons],
        ]
        if finding.missing:
            lines.append(f"  unanswered: {', '.join(finding.missing)}")
        if finding.excluded_by:
            lines.append(f"  excluded by: {finding.excluded_by}")
        pytest.fail("\n".join(lines), pytrace=False)


def missing_case_kinds(ruleset: Ruleset, cases: list[RuleCase], pillar: str) -> list[str]:
    """For each rule of `pillar`, the kinds of case it still lacks (empty when complete)."""
    expected: dict[str, set[str]] = {}
    for case in cases:
        if not case.problem:
            expected.setdefault(case.rule, set()).add(case.expect)
    gaps: list[str] = []
    for rule in ruleset.rules.values():
        if rule.pillar != pillar:
            continue
        have = expected.get(rule.id, set())
        lacking = []
        if Status.met.value not in have:
            lacking.append("met")
        if not have & NOT_MET_KINDS:
            lacking.append("not_met or partially_met")
        if rule.applies_when is not None and Status.not_applicable.value not in have:
            lacking.append("not_applicable")
        if lacking:
            gaps.append(f"{rule.id}: no case expecting {', '.join(lacking)}")
    return gaps


@pytest.mark.parametrize("pillar", _pillars())
def test_every_rule_has_cases(pillar: str, bundled: tuple[Ruleset, Evaluator]) -> None:
    ruleset, _ = bundled
    gaps = missing_case_kinds(ruleset, CASES, pillar)
    assert not gaps, f"rules of pillar {pillar} without enough cases (tests/rulesets/{pillar}.yaml):\n" + "\n".join(
        gaps
    )


def test_cases_name_known_rules(bundled: tuple[Ruleset, Evaluator]) -> None:
    """A case file's pillar matches the pillar of the rules it tests, so cases are found where expected."""
    ruleset, _ = bundled
    misplaced = [
        f"{c.file} ({c.name}): {c.rule} is in pillar {ruleset.rules[c.rule].pillar}"
        for c in CASES
        if not c.problem and c.rule in ruleset.rules and ruleset.rules[c.rule].pillar != c.pillar
    ]
    assert not misplaced, "cases filed under the wrong pillar:\n" + "\n".join(misplaced)


# --- the runner itself ---------------------------------------------------------------------------

BASE = {"profile": {"public_security": False}, "date": DEFAULT_DATE}


def _read(tmp_path: Path, text: str) -> list[RuleCase]:
    path = tmp_path / "PUB.yaml"
    path.write_text(text, encoding="utf-8")
    return list(read_cases(path, BASE))


def test_runner_merges_base_defaults_and_case(tmp_path: Path) -> None:
    [case] = _read(
        tmp_path,
        "defaults:\n  profile: {public_security: true}\n  answers: {Q1: 'no', Q2: 'yes'}\n"
        "cases:\n  - {name: one, rule: PUB-01, answers: {Q1: 'yes'}, expect: met, date: 2025-01-31}\n",
    )
    assert case.problem is None and case.test_id == "PUB:one"
    assert case.profile == {"public_security": True}
    assert case.answers == {"Q1": "yes", "Q2": "yes"}
    assert case.date == dt.date(2025, 1, 31)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cases: []\n", "cases: must be a non-empty list"),
        ("cases:\n  - {rule: PUB-01, expect: met}\n", "the case has no name"),
        ("cases:\n  - {name: a, rule: PUB-01, expect: fine}\n", "expect: 'fine' is not one of"),
        ("cases:\n  - {name: a, rule: PUB-01, expect: met, answer: {}}\n", "unknown keys ['answer']"),
        ("cases:\n  - {name: a, expect: met}\n", "rule: must name the rule id"),
        ("cases:\n  - {name: a, rule: R, expect: met}\n  - {name: a, rule: R, expect: not_met}\n", "same name"),
        ("cases:\n  - {name: a, rule: R, expect: met, date: soon}\n", "is not a YYYY-MM-DD date"),
        ("defaults: {expect: met}\ncases:\n  - {name: a, rule: R, expect: met}\n", "defaults may only hold"),
        ("case:\n  - {name: a}\n", "unknown top-level keys ['case']"),
        ("cases: [\n", "cannot be read as YAML"),
    ],
)
def test_runner_reports_malformed_cases(tmp_path: Path, text: str, message: str) -> None:
    problems = [c.problem for c in _read(tmp_path, text) if c.problem]
    assert problems and message in problems[-1] and "tests/rulesets/PUB.yaml" in problems[-1]


def test_runner_completeness_lists_the_missing_kinds(mini: Ruleset) -> None:
    cases = [
        RuleCase("PUB", "f", "a", "PUB-01", "met"),
        RuleCase("PUB", "f", "b", "PUB-01", "partially_met"),
        RuleCase("RA", "f", "c", "RA-01", "not_met"),
        RuleCase("RA", "f", "d", "RA-01", "met", problem="broken"),  # a malformed case counts for nothing
    ]
    assert missing_case_kinds(mini, cases, "PUB") == ["PUB-01: no case expecting not_applicable"]
    assert missing_case_kinds(mini, cases, "RA") == [
        "RA-01: no case expecting met",
        "RA-02: no case expecting met, not_met or partially_met",
    ]


def test_base_profile_sets_every_profile_fact(bundled: tuple[Ruleset, Evaluator]) -> None:
    ruleset, _ = bundled
    base = read_base()["profile"]
    assert sorted(base) == sorted(ruleset.profile), "tests/rulesets/_base.yaml must set every profile fact, no more"
