"""Loading a ruleset: every validation error names file, line and rule, and all are reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BUNDLED, MINI, line_of, mini_text

from engine.errors import InputError
from engine.rulesets import answer_order, find_ruleset, load_ruleset


def rule(rule_id: str, met: str, extra: str = "", pillar: str = "RA", clause: str = "VP-RA") -> str:
    return f"""  - id: {rule_id}
    title: Test rule {rule_id}
    pillar: {pillar}
    severity: medium
    why: Testing.
    sources: [{{clause: {clause}}}]
{extra}    met: {met}
    finding: Missing.
    recommendation: {{text: Fix it.}}
    evidence: [Something]
"""


BROKEN = {
    "BAD-QUESTION": (rule("BAD-QUESTION", '{question: RA-Q9, equals: "yes"}'), "unknown question 'RA-Q9'", "RA-Q9"),
    "BAD-CHOICE": (
        rule("BAD-CHOICE", "{question: PUB-Q2, equals: model_clause}"),
        "'model_clause' is not one of",
        "model_clause}",
    ),
    "BAD-OPERATOR": (rule("BAD-OPERATOR", '{question: RA-Q1, is: "yes"}'), "unknown operator 'is'", 'is: "yes"'),
    "BAD-PROFILE": (
        rule(
            "BAD-PROFILE",
            '{question: RA-Q1, equals: "yes"}',
            "    applies_when: {profile: public_securty, equals: true}\n",
        ),
        "unknown profile 'public_securty'",
        "public_securty",
    ),
    "BAD-PILLAR": (
        rule("BAD-PILLAR", '{question: RA-Q1, equals: "yes"}', pillar="XX"),
        "unknown pillar 'XX'",
        "pillar: XX",
    ),
    "BAD-SOURCE": (
        rule("BAD-SOURCE", '{question: RA-Q1, equals: "yes"}', clause="VP-NONE"),
        "unknown source clause 'VP-NONE'",
        "VP-NONE",
    ),
    "BAD-FACTOR": (
        rule("BAD-FACTOR", '{question: RA-Q1, equals: "yes"}', "    escalate_if: [conflict]\n"),
        "unknown factor 'conflict'",
        "escalate_if: [conflict]",
    ),
    "BAD-MONOTONE": (
        rule("BAD-MONOTONE", "{question: PUB-Q2, in: [none, model_clauses]}"),
        "a better answer to PUB-Q2",
        "in: [none, model_clauses]",
    ),
    "BAD-DIRECTION": (
        rule("BAD-DIRECTION", "{question: PRIV-Q1, lte: 20}"),
        "does not follow the question's declared direction",
        "PRIV-Q1, lte: 20",
    ),
}


@pytest.fixture
def broken(tmp_path: Path) -> tuple[Path, str]:
    (tmp_path / "ruleset.yaml").write_text(mini_text(), encoding="utf-8")
    text = "rules:\n" + "".join(entry[0] for entry in BROKEN.values())
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "broken.yaml").write_text(text, encoding="utf-8")
    return tmp_path, text


def test_mini_and_bundled_rulesets_load():
    mini = load_ruleset(MINI)
    assert list(mini.rules) == ["RA-01", "RA-02", "PUB-01", "PRIV-01", "PRIV-02", "INC-01", "INC-02"]
    assert set(mini.factors) == {"conflict_affected", "armed_security"}
    assert mini.rule_questions("RA-01") == ["RA-Q1", "RA-Q2"]
    assert "PUB-Q1" in mini.relevance and "RA-Q1" not in mini.relevance
    bundled = load_ruleset(BUNDLED)
    assert bundled.id == "vpshr" and bundled.rules


def test_every_error_names_file_line_and_rule_all_at_once(broken):
    folder, text = broken
    with pytest.raises(InputError) as caught:
        load_ruleset(folder)
    problems = caught.value.problems
    for rule_id, (_, message, fragment) in BROKEN.items():
        matching = [p for p in problems if f"'{rule_id}'" in p.message and message in p.message]
        assert matching, f"no problem for {rule_id}: {[p.render() for p in problems]}"
        problem = matching[0]
        assert problem.file.endswith("broken.yaml")
        expected = line_of(text, fragment) if rule_id != "BAD-PROFILE" else line_of(text, "applies_when")
        assert problem.line == expected, (rule_id, problem.render())
        assert problem.fix
    rendered = caught.value.render()
    assert rendered.startswith(f"{len(problems)} problems found")
    assert len(problems) >= len(BROKEN)


def test_did_you_mean_for_a_misspelt_question(broken):
    folder, _ = broken
    with pytest.raises(InputError) as caught:
        load_ruleset(folder)
    problem = next(p for p in caught.value.problems if "RA-Q9" in p.message)
    assert "did you mean 'RA-Q" in problem.fix


def test_bad_order_names_the_question(tmp_path):
    text = mini_text().replace("order: [none, some, model_clauses]", "order: [none, model_clauses]")
    (tmp_path / "ruleset.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_ruleset(tmp_path)
    (problem,) = caught.value.problems
    assert "PUB-Q2" in problem.message and "'order' must list every choice once" in problem.message
    assert problem.line == line_of(text, "order: [none, model_clauses]")


def test_order_on_a_number_question_is_refused(tmp_path):
    text = mini_text().replace("better: higher,", "better: higher, order: [a, b],")
    (tmp_path / "ruleset.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_ruleset(tmp_path)
    assert any("PRIV-Q1" in p.message and "order" in p.message for p in caught.value.problems)


def test_better_must_fit_the_type(tmp_path):
    text = mini_text().replace("type: date, better: later", "type: date, better: higher")
    (tmp_path / "ruleset.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_ruleset(tmp_path)
    problem = next(p for p in caught.value.problems if "RA-Q2" in p.message and "does not fit" in p.message)
    assert "better: higher" in problem.message and problem.line == line_of(text, "better: higher")


def test_declared_order_changes_what_is_monotone(tmp_path):
    # with the order reversed, rewarding 'none' is the monotone direction and 'model_clauses' is not
    text = mini_text().replace("order: [none, some, model_clauses]", "order: [model_clauses, some, none]")
    (tmp_path / "ruleset.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_ruleset(tmp_path)
    messages = [p.message for p in caught.value.problems]
    assert any("PUB-01" in m and "PUB-Q2" in m for m in messages)
    assert answer_order(load_ruleset(MINI).questions["PUB-Q2"]) == ["none", "some", "model_clauses"]


def test_duplicate_ids(tmp_path):
    (tmp_path / "ruleset.yaml").write_text(mini_text(), encoding="utf-8")
    extra = "rules:\n" + rule("RA-01", '{question: RA-Q1, equals: "yes"}')
    extra += 'questions:\n  - {id: RA-Q1, pillar: RA, text: "Again?", type: yes_no}\n'
    (tmp_path / "more.yaml").write_text(extra, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_ruleset(tmp_path)
    messages = " ".join(p.message for p in caught.value.problems)
    assert "rule id 'RA-01' is used twice" in messages
    assert "question id 'RA-Q1' is used twice" in messages


def test_unknown_field_and_missing_field(tmp_path):
    text = mini_text().replace("    why: Triangulation.\n", "    wyh: Triangulation.\n")
    (tmp_path / "ruleset.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_ruleset(tmp_path)
    messages = {p.message: p.line for p in caught.value.problems}
    assert messages["unknown field 'wyh'."] == line_of(text, "wyh:")
    assert "the field 'why' is missing." in messages


def test_rule_that_never_looks_at_an_answer(tmp_path):
    (tmp_path / "ruleset.yaml").write_text(mini_text(), encoding="utf-8")
    (tmp_path / "x.yaml").write_text("rules:\n" + rule("NO-ANSWER", "{profile: armed_guards, equals: true}"))
    with pytest.raises(InputError) as caught:
        load_ruleset(tmp_path)
    assert any("never looks at an answer" in p.message for p in caught.value.problems)


def test_incident_conditions_only_in_incident_rules(tmp_path):
    (tmp_path / "ruleset.yaml").write_text(mini_text(), encoding="utf-8")
    (tmp_path / "x.yaml").write_text("rules:\n" + rule("INC-X", "{incident: victims, lte: 0}"))
    with pytest.raises(InputError) as caught:
        load_ruleset(tmp_path)
    assert any("incident conditions are not allowed here" in p.message for p in caught.value.problems)


def test_unknown_ruleset_reference_lists_the_bundled_ones():
    with pytest.raises(InputError) as caught:
        find_ruleset("no-such-ruleset")
    assert "vpshr" in caught.value.problems[0].fix


def test_folder_without_header(tmp_path):
    with pytest.raises(InputError) as caught:
        load_ruleset(tmp_path)
    assert "no ruleset.yaml" in caught.value.problems[0].message


def test_sha_changes_with_content(tmp_path):
    (tmp_path / "ruleset.yaml").write_text(mini_text(), encoding="utf-8")
    first = load_ruleset(tmp_path).sha256
    assert first == load_ruleset(tmp_path).sha256
    (tmp_path / "ruleset.yaml").write_text(mini_text().replace("Ad hoc.", "Ad hoc!"), encoding="utf-8")
    assert load_ruleset(tmp_path).sha256 != first
