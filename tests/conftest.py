"""Shared fixtures: the mini ruleset, its assessments, and a hypothesis strategy for assessments."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for bench.workload / bench.floor

from bench.workload import to_assessment, valid_selection  # noqa: E402
from engine.assessments import Assessment, load_assessment  # noqa: E402
from engine.cli import main  # noqa: E402
from engine.compiler import months_before  # noqa: E402
from engine.evaluate import Evaluator  # noqa: E402
from engine.models import AnswerType, SecurityActor  # noqa: E402
from engine.rulesets import Ruleset, load_ruleset  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini"
MINI_FULL = FIXTURES / "mini-full.yaml"
MINI_EMPTY = FIXTURES / "mini-empty.yaml"
# the bundled ruleset as it is in the working tree; VPSA_TEST_BUNDLED may point at another copy
BUNDLED = Path(os.environ.get("VPSA_TEST_BUNDLED", ROOT / "rulesets" / "vpshr"))
EXAMPLES = ROOT / "assessments" / "examples"


def invoke(*args: str) -> Result:
    """Run the vpsa command line in-process."""
    return CliRunner().invoke(main, list(args))


@functools.cache
def read_yaml(path: Path) -> dict[str, Any]:
    """A bundled YAML file (an example, the ruleset header) as written (cached: the tests only read it)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def answer_value(answer: Any) -> Any:
    """The value of an answer as written in a file (plain, or {value, evidence, comment})."""
    return answer.get("value") if isinstance(answer, dict) else answer


@functools.cache
def example_result(path: Path) -> dict[str, Any]:
    """The JSON result of an example against the bundled ruleset (cached: the tests only read it)."""
    outcome = invoke("assess", str(path), "--ruleset", str(BUNDLED), "--format", "json")
    assert outcome.exit_code == 0, outcome.output
    return json.loads(outcome.stdout)


def findings_by_rule(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["rule_id"]: f for f in result["findings"]}


@pytest.fixture(scope="session")
def mini() -> Ruleset:
    return load_ruleset(MINI)


@pytest.fixture(scope="session")
def mini_evaluator(mini: Ruleset) -> Evaluator:
    return Evaluator(mini)


@pytest.fixture(scope="session")
def mini_full(mini: Ruleset) -> Assessment:
    return load_assessment(MINI_FULL, mini)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a file under tmp_path (creating folders) and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def mini_text() -> str:
    return (MINI / "ruleset.yaml").read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first line containing `fragment` (tests compute expected lines, never hard-code)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")


# --- hypothesis: assessments of any ruleset -------------------------------------------------------

ASSESSMENT_DATES = [dt.date(2026, 6, 30), dt.date(2024, 2, 29), dt.date(2026, 3, 31), dt.date(2025, 12, 31)]


def _date_near_thresholds(asof: dt.date) -> st.SearchStrategy[dt.date]:
    edges = []
    for months in (12, 24, 36):
        edge = months_before(asof, months)
        edges += [edge, edge - dt.timedelta(days=1), edge + dt.timedelta(days=1)]
    return st.one_of(st.sampled_from(edges), st.dates(min_value=asof - dt.timedelta(days=5 * 366), max_value=asof))


def answer_strategy(question: Any, asof: dt.date) -> st.SearchStrategy[Any]:
    kind = question.type
    if kind == AnswerType.yes_no:
        return st.sampled_from(["yes", "no"])
    if kind == AnswerType.yes_no_partial:
        return st.sampled_from(["yes", "partial", "no"])
    if kind == AnswerType.single_choice:
        return st.sampled_from([c.value for c in question.choices])
    if kind == AnswerType.multiple_choice:
        return st.lists(st.sampled_from([c.value for c in question.choices]), unique=True).map(valid_selection)
    if kind == AnswerType.number:
        low = question.min if question.min is not None else -1000
        high = question.max if question.max is not None else 1000
        return st.one_of(st.integers(int(low), int(high)), st.floats(low, high, allow_nan=False, allow_infinity=False))
    if kind == AnswerType.date:
        return st.one_of(st.just("never"), _date_near_thresholds(asof).map(dt.date.isoformat))
    return st.text(min_size=1, max_size=30)


@st.composite
def incident_strategy(draw: Any, number: int, types: list[str], asof: dt.date) -> dict[str, Any]:
    day = draw(st.dates(min_value=asof - dt.timedelta(days=800), max_value=asof))

    def after(start: dt.date) -> dt.date:
        return draw(st.dates(min_value=start, max_value=asof))

    incident: dict[str, Any] = {
        "id": f"I-{number}",
        "date": day.isoformat(),
        "type": draw(st.sampled_from(types)),
        "actor": draw(st.sampled_from([a.value for a in SecurityActor])),
        "victims": draw(st.integers(0, 3)),
        "injuries": draw(st.integers(0, 3)),
        "fatalities": draw(st.integers(0, 1)),
    }
    for step in ("reported_internally", "reported_to_authorities"):
        if draw(st.booleans()):
            incident[step] = after(day).isoformat()
    if draw(st.booleans()):
        opened = after(day)
        incident["investigation_opened"] = opened.isoformat()
        if draw(st.booleans()):
            incident["investigation_closed"] = after(opened).isoformat()
    for name in ("medical_aid_given", "personnel_withdrawn", "shared_with_working_group"):
        value = draw(st.sampled_from([None, True, False]))
        if value is not None:
            incident[name] = value
    remedy = draw(st.sampled_from([None, "none", "offered", "provided"]))
    if remedy is not None:
        incident["remedy"] = remedy
    return incident


@st.composite
def assessment_data(draw: Any, ruleset: Ruleset) -> dict[str, Any]:
    """Raw data of a valid assessment of `ruleset`: any profile, any subset of answers, 0-3 incidents."""
    asof = draw(st.sampled_from(ASSESSMENT_DATES))
    profile: dict[str, Any] = {}
    for fact in ruleset.header.profile:
        if fact.type == "boolean":
            profile[fact.id] = draw(st.booleans())
        elif fact.type == "single_choice":
            profile[fact.id] = draw(st.sampled_from([c.value for c in fact.choices or []]))
        else:
            profile[fact.id] = draw(st.integers(0, 1000))
    answers: dict[str, Any] = {}
    for question in ruleset.questions.values():
        if draw(st.integers(0, 5)) > 0:
            answers[question.id] = draw(answer_strategy(question, asof))
    types = [t.id for t in ruleset.header.incident_types]
    count = draw(st.integers(0, 3)) if types else 0
    incidents = [draw(incident_strategy(i, types, asof)) for i in range(1, count + 1)]
    return {
        "assessment": {"organisation": "Test Co (fictional)", "site": "Site", "kind": "self", "date": asof.isoformat()},
        "profile": profile,
        "answers": answers,
        "incidents": incidents,
    }


def assessments(ruleset: Ruleset) -> st.SearchStrategy[Assessment]:
    return assessment_data(ruleset).map(lambda data: to_assessment(ruleset, data))
