"""The questionnaire workbook: layout, round trip, editing as a person would, cell-precise errors."""

from __future__ import annotations

import datetime as dt
import json
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import MINI, MINI_FULL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from test_questionnaire import _answers_with_notes, parsed

from engine.assessments import load_assessment
from engine.cli import main
from engine.errors import InputError
from engine.questionnaire import assessment_data as content_of
from engine.rulesets import Ruleset, load_ruleset
from engine.workbook import META_SHEET, read_workbook, write_workbook


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def open_book(raw: bytes) -> Workbook:
    return load_workbook(BytesIO(raw))


def row_of(sheet: Any, question_id: str) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == question_id:
            return row
    raise AssertionError(f"{question_id} not on sheet {sheet.title}")


def fill_profile(book: Workbook, values: dict[str, Any]) -> None:
    sheet = book["Profile"]
    for name, value in values.items():
        sheet.cell(row=row_of(sheet, name), column=4).value = value


def result_json(path: Path) -> dict[str, Any]:
    result = run("assess", path, "--ruleset", MINI, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.output)
    data["assessment"].pop("file", None)
    data["assessment"].pop("sha256", None)
    return data


def test_layout(mini: Ruleset) -> None:
    book = open_book(write_workbook(mini))
    assert book.sheetnames == ["Profile", "Risk assessment", "Public security", "Private security", "Incidents", "vpsa"]
    assert book[META_SHEET].sheet_state == "hidden"
    meta = {row[0]: row[1] for row in book[META_SHEET].iter_rows(values_only=True) if row[0]}
    assert (meta["ruleset_id"], meta["ruleset_version"], meta["ruleset_sha256"]) == ("mini", "1.0.0", mini.sha256)
    sheet = book["Public security"]
    assert [c.value for c in sheet[1]] == [
        "Question id",
        "Question",
        "Help",
        "Allowed values",
        "Answer",
        "Evidence",
        "Comment",
    ]
    assert sheet.protection.sheet and not sheet.protection.password
    row = row_of(sheet, "PUB-Q2")
    assert sheet.cell(row=row, column=1).protection.locked
    assert not any(sheet.cell(row=row, column=c).protection.locked for c in (5, 6, 7))
    assert sheet.freeze_panes == "C2"
    assert sheet.column_dimensions["B"].width >= 40 and sheet.cell(row=row, column=2).alignment.wrap_text
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists[f"E{row}"] == '"none,some,model_clauses"'
    assert "public_security = true" in sheet.cell(row=row, column=3).value
    assert "PUB-01" in sheet.cell(row=row, column=3).value
    multi = book["Risk assessment"]
    assert "separated by ';'" in multi.cell(row=row_of(multi, "RA-Q3"), column=3).value
    profile = book["Profile"]
    assert profile.cell(row=row_of(profile, "working_group"), column=4).protection.locked is False


def test_same_ruleset_same_bytes(mini: Ruleset) -> None:
    assert write_workbook(mini) == write_workbook(mini)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_round_trip(tmp_path: Path, mini: Ruleset, data: st.DataObject) -> None:
    original = parsed(mini, data.draw(_answers_with_notes(mini)))
    path = tmp_path / "rt.xlsx"
    path.write_bytes(write_workbook(mini, content_of(original)))
    document, _ = read_workbook(path)
    again = parsed(mini, document.data, "rt.xlsx")
    assert content_of(again) == content_of(original)


def test_edited_workbook_assesses_like_its_yaml(tmp_path: Path, mini: Ruleset) -> None:
    """Fill a blank workbook cell by cell, as a person would, with the answers of mini-full.yaml."""
    book = open_book(write_workbook(mini))
    header = book["Profile"]
    for name, value in [
        ("organisation", "Alpha Mining (fictional)"),
        ("site", "North pit"),
        ("kind", "self"),
        ("date", dt.datetime(2026, 6, 30)),
    ]:
        header.cell(row=row_of(header, name), column=4).value = value
    fill_profile(
        book,
        {
            "public_security": "yes",
            "private_security": "yes",
            "armed_guards": "no",
            "conflict_affected": "yes",
            "working_group": "local",
        },
    )
    answers = {
        "RA-Q1": "Yes",
        "RA-Q2": "2026-01-15",
        "RA-Q3": "government; communities",
        "PUB-Q1": "yes",
        "PUB-Q2": "some",
        "PRIV-Q1": 80,
        "PRIV-Q3": "Provider is ICoCA affiliate",
    }
    for sheet in book.worksheets[1:4]:
        for row in range(2, sheet.max_row + 1):
            question_id = sheet.cell(row=row, column=1).value
            if question_id in answers:
                sheet.cell(row=row, column=5).value = answers[question_id]
    public = book["Public security"]
    public.cell(row=row_of(public, "PUB-Q1"), column=6).value = "MoU of 2024, clause 4"
    public.cell(row=row_of(public, "PUB-Q1"), column=7).value = "Signed by the provincial police commander"
    incidents = book["Incidents"]
    rows = [
        ["I-1", dt.datetime(2026, 2, 1), "firearm_injury", "public_security"],
        ["I-2", dt.datetime(2026, 3, 1), "property_damage", "private_security"],
    ]
    headings = [c.value for c in incidents[1]]
    for index, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            incidents.cell(row=index, column=column).value = value
    incidents.cell(row=2, column=headings.index("reported_to_authorities") + 1).value = dt.datetime(2026, 2, 3)
    incidents.cell(row=2, column=headings.index("investigation_opened") + 1).value = "2026-02-05"
    path = tmp_path / "edited.xlsx"
    book.save(path)
    from_workbook, from_yaml = result_json(path), result_json(MINI_FULL)
    assert from_workbook == from_yaml
    assert content_of(load_assessment(path, mini)) == content_of(load_assessment(MINI_FULL, mini))


def test_bad_cells_are_all_named_by_sheet_and_cell(tmp_path: Path, mini: Ruleset) -> None:
    source = tmp_path / "good.xlsx"
    assert run("questionnaire", "convert", MINI_FULL, source, "--ruleset", MINI).exit_code == 0
    book = load_workbook(source)
    public, risk = book["Public security"], book["Risk assessment"]
    pub_row, date_row, multi_row = row_of(public, "PUB-Q1"), row_of(risk, "RA-Q2"), row_of(risk, "RA-Q3")
    public.cell(row=pub_row, column=5).value = "maybe"
    risk.cell(row=date_row, column=5).value = "last spring"
    risk.cell(row=multi_row, column=5).value = "government; aliens"
    fill_profile(book, {"working_group": "regional"})
    book["Incidents"]["D2"] = "soldiers"
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    result = run("validate", bad, "--ruleset", MINI)
    assert result.exit_code == 2
    out = result.output
    assert "5 problems found" in out
    assert f"bad.xlsx (sheet 'Public security', row {pub_row}, cell E{pub_row}): PUB-Q1: 'maybe' is not one of" in out
    assert f"(sheet 'Risk assessment', row {date_row}, cell E{date_row}): RA-Q2: 'last spring' is not a date" in out
    assert f"(sheet 'Risk assessment', row {multi_row}, cell E{multi_row}): RA-Q3: 'aliens'" in out
    assert "(sheet 'Profile', row" in out and "'regional' is not one of local, national_only, none" in out
    assert "(sheet 'Incidents', row 2, cell D2)" in out


def test_unknown_and_duplicate_questions(tmp_path: Path, mini: Ruleset) -> None:
    book = open_book(write_workbook(mini))
    sheet = book["Private security"]
    sheet.cell(row=sheet.max_row + 1, column=1).value = "PRIV-Q9"
    extra = sheet.max_row
    sheet.cell(row=extra, column=5).value = "yes"
    sheet.cell(row=extra + 1, column=1).value = "PRIV-Q1"
    path = tmp_path / "x.xlsx"
    book.save(path)
    document, _ = read_workbook(path)
    data = document.data
    data["assessment"].update(organisation="A", site="B", kind="self", date="2026-01-01")
    data["profile"].update(
        public_security=True, private_security=True, armed_guards=True, conflict_affected=False, working_group="none"
    )
    with pytest.raises(InputError) as caught:
        parsed_from(document, mini)
    text = caught.value.render()
    assert f"(sheet 'Private security', row {extra} (PRIV-Q9)): unknown question id 'PRIV-Q9'" in text
    assert f"(sheet 'Private security', row {extra + 1} (PRIV-Q1)): question PRIV-Q1 appears twice" in text


def parsed_from(document: Any, ruleset: Ruleset) -> Any:
    from engine.assessments import parse_assessment

    return parse_assessment(document, b"", ruleset)


def _other_version(tmp_path: Path, change: str) -> Ruleset:
    text = (MINI / "ruleset.yaml").read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0")
    if change == "renamed":
        text = text.replace("PRIV-Q3", "PRIV-Q4")
    (tmp_path / "new.yaml").write_text(text, encoding="utf-8")
    return load_ruleset(tmp_path / "new.yaml")


def test_workbook_from_another_ruleset_version(tmp_path: Path, mini: Ruleset) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(write_workbook(mini, content_of(load_assessment(MINI_FULL, mini))))
    same_ids = _other_version(tmp_path, "same")
    assessment = load_assessment(path, same_ids)
    warning = next(w for w in assessment.warnings if "this workbook was made for" in w)
    assert f"ruleset mini 1.0.0 (sha {mini.sha256[:12]}); the current one is mini 1.1.0" in warning
    renamed = _other_version(tmp_path, "renamed")
    with pytest.raises(InputError) as caught:
        load_assessment(path, renamed)
    text = caught.value.render()
    assert "this workbook was made for ruleset mini 1.0.0" in text and "which has no question PRIV-Q3" in text


def test_hostile_text_stays_text(tmp_path: Path, mini: Ruleset) -> None:
    data = content_of(load_assessment(MINI_FULL, mini))
    hostile = '=HYPERLINK("http://x")\r\n<script>{{ x }}</script> _x0041_ \x07 שלום 🚨 ' + "z" * 5000
    data["answers"]["PRIV-Q3"] = {"value": hostile, "evidence": "+1+2", "comment": "@SUM(A1)"}
    path = tmp_path / "h.xlsx"
    path.write_bytes(write_workbook(mini, data))
    book = load_workbook(path)
    sheet = book["Private security"]
    assert sheet.cell(row=row_of(sheet, "PRIV-Q3"), column=5).data_type == "s"
    again = content_of(load_assessment(path, mini))
    assert again["answers"]["PRIV-Q3"] == data["answers"]["PRIV-Q3"]


@pytest.mark.parametrize("content", [b"not a zip", b""])
def test_damaged_workbook_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    result = run("validate", path, "--ruleset", MINI)
    assert result.exit_code == 2
    assert "broken.xlsx: this is not a readable Excel workbook" in result.output
    assert "Traceback" not in result.output


def test_workbook_without_profile_sheet(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    Workbook().save(path)
    result = run("validate", path, "--ruleset", MINI)
    assert result.exit_code == 2 and "has no 'Profile' sheet" in result.output


def test_sheet_names_fit_excel() -> None:
    from engine.workbook import _sheet_title

    used = {"Profile", "Incidents", "vpsa"}
    assert _sheet_title("Community and stakeholder engagement", used) == "Community and stakeholder"
    assert _sheet_title("Profile", used) == "Profile 2"
    assert _sheet_title("a/b:c'd [x]?", used) == "a b c d x"
    assert len(_sheet_title("y" * 40, used)) == 31


def test_text_longer_than_a_cell_is_refused_not_cut(tmp_path: Path) -> None:
    source = tmp_path / "long.yaml"
    source.write_text(MINI_FULL.read_text().replace('"Provider is ICoCA affiliate"', "x" * 40000))
    result = run("questionnaire", "convert", source, tmp_path / "long.xlsx", "--ruleset", MINI)
    assert result.exit_code == 2
    assert "long.yaml (answers.PRIV-Q3.value): this text has 40000 characters" in result.output
    assert not (tmp_path / "long.xlsx").exists()
    assert run("questionnaire", "convert", source, tmp_path / "long.json", "--ruleset", MINI).exit_code == 0
