"""Blank questionnaires (YAML, Excel), YAML/JSON round trips and `vpsa questionnaire convert`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import BUNDLED, MINI, MINI_FULL, assessment_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.assessments import load_assessment, parse_assessment
from engine.cli import main
from engine.loading import Document
from engine.pipeline import result_for
from engine.questionnaire import assessment_data as content_of
from engine.questionnaire import dump_json, dump_yaml, guides, yaml_template
from engine.rulesets import Ruleset, load_ruleset
from engine.workbook import read_workbook, write_workbook

HEADER = {"organisation": "Gamma Metals (fictional)", "site": "East shaft", "kind": "self", "date": "2026-06-30"}


def run(*args: str) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def fill_header(text: str) -> str:
    for name, value in HEADER.items():
        text = text.replace(f"  {name}:\n", f"  {name}: {value}\n", 1)
    return text


def test_yaml_template_describes_every_question(mini: Ruleset) -> None:
    text = yaml_template(mini)
    data = yaml.safe_load(text)
    assert list(data) == ["assessment", "profile", "answers", "incidents"]
    assert list(data["profile"]) == list(mini.profile)
    assert all(v is None for v in data["profile"].values())
    assert list(data["answers"]) == [g.id for g in guides(mini)]
    assert all(v is None for v in data["answers"].values())
    for guide in guides(mini):
        block = text[: text.index(f"  {guide.id}:\n")].rsplit("\n\n", 1)[-1]
        assert guide.question.text in block
        assert guide.allowed in block
        for rule_id in guide.rules:
            assert rule_id in block
        assert (guide.relevant_when or "Applies always") in block
    assert "public_security = true" in text  # PUB questions name the fact that makes them relevant


def test_blank_yaml_names_what_is_missing_then_assesses_unanswered(tmp_path: Path) -> None:
    blank = tmp_path / "blank.yaml"
    assert run("questionnaire", "new", "--ruleset", MINI, "-o", blank).exit_code == 0
    first = run("validate", blank, "--ruleset", MINI)
    assert first.exit_code == 2
    for name in ("organisation", "site", "kind", "date"):
        assert f"(assessment.{name}): the field '{name}' is empty. Fix: fill it in." in first.output
    assert "the profile does not say: public_security, private_security" in first.output  # all in one run
    blank.write_text(fill_header(blank.read_text()))
    second = run("validate", blank, "--ruleset", MINI)
    assert second.exit_code == 2
    assert "the profile does not say: public_security, private_security, armed_guards, conflict_affected, " in (
        second.output
    )
    assert "working_group" in second.output
    text = blank.read_text()
    for fact, value in [("public_security", "true"), ("private_security", "false"), ("armed_guards", "false")]:
        text = text.replace(f"  {fact}:\n", f"  {fact}: {value}\n")
    text = text.replace("  conflict_affected:\n", "  conflict_affected: no\n").replace(
        "  working_group:\n", "  working_group: none\n"
    )
    blank.write_text(text)
    assert run("validate", blank, "--ruleset", MINI).exit_code == 0
    assessed = run("assess", blank, "--ruleset", MINI, "--format", "json")
    assert assessed.exit_code == 0, assessed.output
    statuses = {f["rule_id"]: f["status"] for f in json.loads(assessed.output)["findings"]}
    assert statuses["RA-01"] == "unanswered"
    assert statuses["PRIV-01"] == "not_applicable"


def test_yaml_template_survives_hostile_ruleset_text(tmp_path: Path) -> None:
    text = (MINI / "ruleset.yaml").read_text(encoding="utf-8")
    hostile = 'Notes: {{ x }} <script>alert(1)</script>\\n- key: "value" # עברית 🚨'
    text = text.replace("text: Notes on the provider", f"text: {json.dumps(hostile, ensure_ascii=False)}")
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    ruleset = load_ruleset(tmp_path / "r.yaml")
    data = yaml.safe_load(yaml_template(ruleset))
    assert "PRIV-Q3" in data["answers"] and data["answers"]["PRIV-Q3"] is None


def _answers_with_notes(ruleset: Ruleset) -> st.SearchStrategy[dict[str, Any]]:
    """Valid assessment data, some answers carrying evidence and comments (any text)."""

    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        data = draw(assessment_data(ruleset))
        for question_id in list(data["answers"]):
            if draw(st.booleans()):
                entry = {"value": data["answers"][question_id]}
                for key in ("evidence", "comment"):
                    if draw(st.booleans()):
                        entry[key] = draw(st.text(min_size=1, max_size=40))
                data["answers"][question_id] = entry
        if data["incidents"] and draw(st.booleans()):
            data["incidents"][0]["description"] = draw(st.text(min_size=1, max_size=40))
        if draw(st.booleans()):
            data["assessment"]["assessor"] = draw(st.text(min_size=1, max_size=20))
        return data

    return build()


def parsed(ruleset: Ruleset, data: dict[str, Any], name: str = "in.yaml") -> Any:
    return parse_assessment(Document(name, data), b"", ruleset)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_yaml_and_json_round_trip(mini: Ruleset, data: st.DataObject) -> None:
    original = parsed(mini, data.draw(_answers_with_notes(mini)))
    content = content_of(original)
    again_yaml = parsed(mini, yaml.safe_load(dump_yaml(content)))
    again_json = parsed(mini, json.loads(dump_json(content)))
    assert content_of(again_yaml) == content
    assert content_of(again_json) == content


def test_convert_yaml_json_xlsx_and_back(tmp_path: Path, mini: Ruleset) -> None:
    as_json, as_xlsx, back = tmp_path / "a.json", tmp_path / "a.xlsx", tmp_path / "back.yaml"
    for source, target in [(MINI_FULL, as_json), (as_json, as_xlsx), (as_xlsx, back)]:
        result = run("questionnaire", "convert", source, target, "--ruleset", MINI)
        assert result.exit_code == 0, result.output
    original = content_of(load_assessment(MINI_FULL, mini))
    assert content_of(load_assessment(back, mini)) == original
    assert original["answers"]["PUB-Q1"]["evidence"] == "MoU of 2024, clause 4"
    assert len(original["incidents"]) == 2
    again = tmp_path / "again.xlsx"
    assert run("questionnaire", "convert", back, again, "--ruleset", MINI).exit_code == 0
    assert again.read_bytes() == as_xlsx.read_bytes()  # deterministic


def test_convert_refuses_unknown_formats_and_bad_input(tmp_path: Path) -> None:
    result = run("questionnaire", "convert", MINI_FULL, tmp_path / "out.txt", "--ruleset", MINI)
    assert result.exit_code == 2 and "'.txt' is not a format vpsa writes" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI_FULL.read_text().replace('RA-Q1: "yes"', "RA-Q1: maybe"))
    result = run("questionnaire", "convert", bad, tmp_path / "out.xlsx", "--ruleset", MINI)
    assert result.exit_code == 2 and "'maybe' is not one of" in result.output
    assert not (tmp_path / "out.xlsx").exists()
    assert "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["yaml", "xlsx"])
def test_bundled_ruleset_templates_read_back(tmp_path: Path, fmt: str) -> None:
    ruleset = load_ruleset(BUNDLED)
    blank = tmp_path / f"blank.{fmt}"
    result = run("questionnaire", "new", "--ruleset", BUNDLED, "--format", fmt, "-o", blank)
    assert result.exit_code == 0, result.output
    if fmt == "yaml":
        data = yaml.safe_load(blank.read_text(encoding="utf-8"))
    else:
        data = read_workbook(blank)[0].data
        assert data["answers"] == {}
    data["assessment"].update(HEADER)
    for fact in ruleset.header.profile:
        data["profile"][fact.id] = (
            True if fact.type == "boolean" else fact.choices[0].value if fact.type == "single_choice" else 1
        )
    assessment = parsed(ruleset, data, f"blank.{fmt}")
    assert all(a.value is None for a in assessment.answers.values())
    if fmt == "yaml":
        assert set(data["answers"]) == set(ruleset.questions)
    result = result_for(ruleset, assessment)
    assert {f["status"] for f in result["findings"]} <= {"unanswered", "not_applicable"}


def test_workbook_of_bundled_ruleset_has_one_sheet_per_pillar_with_questions() -> None:
    ruleset = load_ruleset(BUNDLED)
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(write_workbook(ruleset)))
    pillars_with_questions = {q.pillar for q in ruleset.questions.values()}
    assert book.sheetnames[0] == "Profile"
    assert len(book.sheetnames) == len(pillars_with_questions) + 3


def test_new_chooses_the_format_from_the_extension(tmp_path: Path, mini: Ruleset) -> None:
    book, text = tmp_path / "q.xlsx", tmp_path / "q.yml"
    assert run("questionnaire", "new", "--ruleset", MINI, "-o", book).exit_code == 0
    assert book.read_bytes()[:2] == b"PK" and read_workbook(book)[0].data["answers"] == {}
    assert run("questionnaire", "new", "--ruleset", MINI, "-o", text).exit_code == 0
    assert text.read_text(encoding="utf-8") == yaml_template(mini)
    shown = run("questionnaire", "new", "--ruleset", MINI)
    assert shown.exit_code == 0 and shown.output.startswith("# Questionnaire: Mini test ruleset")
    missing = run("questionnaire", "new", "--ruleset", MINI, "-o", tmp_path / "nowhere" / "q.yaml")
    assert missing.exit_code == 2 and "folder that does not exist" in missing.output
    unknown = run("questionnaire", "new", "--ruleset", "no-such-ruleset", "-o", text)
    assert unknown.exit_code == 2 and "no bundled ruleset has this id" in unknown.output


def test_yaml_keeps_awkward_text_exactly() -> None:
    awkward = ["\x85", "a\u2028b", "\r\n", "yes", "no", "0x1F", "~", "- x", "#", "\ufeffx", "x\x00", "שלום 🚨", " "]
    data = {"answers": {f"Q{i}": text for i, text in enumerate(awkward)}}
    assert yaml.safe_load(dump_yaml(data)) == data
