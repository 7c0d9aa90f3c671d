"""The condition language: parsing with precise problems, rendering, and three-valued evaluation."""

from __future__ import annotations

import datetime as dt

import pytest

from engine import conditions as cond


@pytest.fixture
def vocab(mini):
    return cond.Vocabulary(mini.questions, mini.profile, [t.id for t in mini.header.incident_types])


def parse(raw, vocab, allowed=("question", "profile", "incident")):
    problems: list[cond.ConditionProblem] = []
    return cond.parse(raw, ("met",), set(allowed), vocab, problems), problems


def test_parses_nested_conditions(vocab):
    raw = {
        "all": [{"question": "RA-Q1", "in": ["yes", "partial"]}, {"not": {"profile": "armed_guards", "equals": True}}]
    }
    parsed, problems = parse(raw, vocab)
    assert not problems
    assert parsed == cond.All(
        (
            cond.Atom("question", "RA-Q1", "in", ("yes", "partial")),
            cond.Not(cond.Atom("profile", "armed_guards", "equals", True)),
        )
    )
    assert parsed.render() == "(RA-Q1 is one of ['yes', 'partial'] and not profile.armed_guards = true)"
    assert cond.referenced(parsed, "question") == ["RA-Q1"]
    assert cond.polarised_atoms(parsed) == [(parsed.items[0], True), (parsed.items[1].item, False)]


@pytest.mark.parametrize(
    ("raw", "message", "where"),
    [
        ({"question": "RA-Q9", "equals": "yes"}, "unknown question 'RA-Q9'", ("met",)),
        ({"question": "RA-Q1", "equals": "maybe"}, "'maybe' is not one of its values", ("met", "equals")),
        ({"question": "RA-Q1", "is": "yes"}, "unknown operator 'is'", ("met",)),
        ({"question": "RA-Q1", "equals": "yes", "in": ["yes"]}, "exactly one operator, found 2", ("met",)),
        ({"question": "RA-Q1"}, "exactly one operator, found 0", ("met",)),
        ({"profile": "armed_gaurds", "equals": True}, "unknown profile 'armed_gaurds'", ("met",)),
        ({"profile": "armed_guards", "equals": "yes"}, "compare it with true or false", ("met", "equals")),
        ({"profile": "working_group", "equals": "regional"}, "'regional' is not one of", ("met", "equals")),
        ({"question": "PRIV-Q1", "gte": "ninety"}, "compare it with a number", ("met", "gte")),
        ({"question": "PRIV-Q1", "in": [1, 2]}, "does not apply", ("met", "in")),
        ({"question": "RA-Q2", "within_months": 0}, "from 1 to 1200", ("met", "within_months")),
        ({"question": "RA-Q2", "equals": "2024-01-01"}, "does not apply", ("met", "equals")),
        ({"question": "RA-Q3", "includes": "press"}, "'press' is not one of", ("met", "includes")),
        ({"question": "RA-Q3", "count_gte": -1}, "whole number", ("met", "count_gte")),
        ({"question": "PRIV-Q3", "equals": "x"}, "does not apply", ("met", "equals")),
        ({"question": "RA-Q1", "in": []}, "non-empty list", ("met", "in")),
        ({"incident": "type", "equals": "robbery"}, "'robbery' is not one of", ("met", "equals")),
        ({"incident": "colour", "equals": "red"}, "unknown incident 'colour'", ("met",)),
        ({"all": []}, "needs a non-empty list", ("met", "all")),
        ({"all": [{"question": "RA-Q1", "equals": "yes"}], "any": []}, "cannot be mixed", ("met",)),
        ({"not": {"question": "RA-Q1", "equals": "yes"}, "x": 1}, "'not' cannot be mixed", ("met",)),
        ("RA-Q1 == yes", "must be a mapping", ("met",)),
        ({"question": 12, "equals": "yes"}, "must be text", ("met",)),
    ],
)
def test_problems_name_the_place(vocab, raw, message, where):
    parsed, problems = parse(raw, vocab)
    assert parsed is None
    assert len(problems) == 1
    assert message in problems[0].message
    assert problems[0].path == where
    assert problems[0].fix


def test_problems_inside_lists_are_all_reported(vocab):
    raw = {"any": [{"question": "RA-Q9", "equals": "yes"}, {"question": "RA-Q1", "equals": "nope"}]}
    parsed, problems = parse(raw, vocab)
    assert parsed is None
    assert [p.path for p in problems] == [("met", "any", 0), ("met", "any", 1, "equals")]


def test_subjects_can_be_restricted(vocab):
    _, problems = parse({"question": "RA-Q1", "equals": "yes"}, vocab, allowed=("profile",))
    assert "question conditions are not allowed here" in problems[0].message


def test_did_you_mean(vocab):
    _, problems = parse({"question": "RA-Q01", "equals": "yes"}, vocab)
    assert problems[0].fix.startswith("did you mean 'RA-Q")


# --- three-valued evaluation ---------------------------------------------------------------------

YES = cond.Atom("question", "A", "equals", "yes")
SKIPPED = cond.Atom("question", "S", "equals", "yes")
MISSING = cond.Atom("question", "M", "equals", "yes")
VALUES = {"A": "yes", "S": cond.IRRELEVANT, "M": cond.MISSING}


def ev(condition):
    return cond.evaluate(condition, lambda atom: VALUES[atom.name], {})


def test_skipped_questions_are_neutral():
    assert ev(SKIPPED) is None
    assert ev(cond.Not(SKIPPED)) is None
    assert ev(cond.All((YES, SKIPPED))) is True  # a skipped part neither helps nor hurts
    assert ev(cond.AnyOf((cond.Not(YES), SKIPPED))) is False
    assert ev(cond.All((SKIPPED, SKIPPED))) is None  # nothing known
    assert ev(cond.All((YES, cond.Not(YES), SKIPPED))) is False


def test_missing_values_make_value_atoms_false():
    assert ev(MISSING) is False
    assert ev(cond.Not(MISSING)) is True
    assert ev(cond.Atom("question", "M", "answered", False)) is True
    assert ev(cond.Atom("question", "A", "answered", True)) is True
    assert ev(cond.Atom("question", "S", "answered", True)) is None


@pytest.mark.parametrize(
    ("op", "expected", "value", "holds"),
    [
        ("equals", "yes", "yes", True),
        ("not_equals", "yes", "no", True),
        ("in", ("a", "b"), "c", False),
        ("not_in", ("a", "b"), "c", True),
        ("gt", 5, 5, False),
        ("gte", 5, 5, True),
        ("lt", 5, 4.5, True),
        ("lte", 5, 5.01, False),
        ("includes", "x", ["x", "y"], True),
        ("excludes", "x", ["y"], True),
        ("count_gte", 2, ["x"], False),
        ("count_lte", 1, ["x"], True),
        ("not_equals", "yes", None, True),  # an incident field never filled in
        ("equals", "yes", None, False),
    ],
)
def test_atom_holds(op, expected, value, holds):
    assert cond.atom_holds(cond.Atom("question", "A", op, expected), value) is holds


def test_within_months_uses_the_calendar():
    atom = cond.Atom("question", "D", "within_months", 12)
    months = {12: dt.date(2025, 6, 30)}
    assert cond.atom_holds(atom, dt.date(2025, 6, 30), months)
    assert not cond.atom_holds(atom, dt.date(2025, 6, 29), months)
    assert not cond.atom_holds(atom, "never", months)


def test_render_every_operator(vocab):
    texts = [
        cond.Atom("question", "RA-Q1", "answered", False).render(),
        cond.Atom("question", "RA-Q2", "within_months", 12).render(),
        cond.Atom("question", "RA-Q3", "count_gte", 2).render(),
        cond.Atom("profile", "armed_guards", "equals", False).render(),
        cond.Atom("incident", "victims", "lte", 0).render(),
        cond.AnyOf((YES, cond.Not(YES))).render(),
    ]
    assert texts == [
        "RA-Q1 is unanswered",
        "RA-Q2 is within 12 months of the assessment date",
        "RA-Q3 has at least 2 selections",
        "profile.armed_guards = false",
        "incident.victims ≤ 0",
        "(A = 'yes' or not A = 'yes')",
    ]
