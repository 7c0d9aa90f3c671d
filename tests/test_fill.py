"""The guided terminal mode, fed through stdin: help, bad answers, skipping, stopping and resuming."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from conftest import MINI

from engine.assessments import load_assessment
from engine.cli import main
from engine.rulesets import Ruleset

HEADER = ["Acme (fictional)", "Pit 1", "self", "2026-06-30", ""]
# public_security, private_security, armed_guards, conflict_affected, working_group
PROFILE_NO_SECURITY = ["no", "no", "no", "yes", "none"]


def fill(output: Path, lines: list[str], ruleset: Path = MINI) -> Any:
    text = "".join(f"{line}\n" for line in lines)
    return CliRunner().invoke(main, ["questionnaire", "fill", "--ruleset", str(ruleset), "--output", str(output)], text)


def saved(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_full_run_with_help_bad_answer_and_skip(tmp_path: Path, mini: Ruleset) -> None:
    out = tmp_path / "answers.yaml"
    answers = [
        "?",  # RA-Q1: help, then asked again
        "maybe",  # rejected with the reason
        "partial",
        "2099-01-01",  # after the assessment date: rejected
        "never",
        "government; civil_society",
        "",  # PRIV-Q3 skipped
    ]
    result = fill(out, HEADER + PROFILE_NO_SECURITY + answers)
    assert result.exit_code == 0, result.output
    assert "Used by rules: RA-01" in result.output  # the help
    assert "Not accepted: RA-Q1: 'maybe' is not one of no / partial / yes." in result.output
    assert "is after the assessment date" in result.output
    assert "Done: 3 question(s) answered, 1 skipped" in result.output
    data = saved(out)
    assert data["answers"] == {
        "RA-Q1": "partial",
        "RA-Q2": "never",
        "RA-Q3": ["government", "civil_society"],
        "PRIV-Q3": None,
    }
    # PUB and PRIV-Q1/Q2 do not apply to this profile, so they were never asked
    assert "PUB-Q1" not in result.output and "PRIV-Q1" not in result.output
    assessment = load_assessment(out, mini)
    assert assessment.profile["conflict_affected"] is True
    assert assessment.meta.organisation == "Acme (fictional)"


def test_profile_and_header_reasks(tmp_path: Path) -> None:
    out = tmp_path / "a.yaml"
    result = fill(out, ["", "Acme", "Pit", "selfish", "self", "30/06/2026", "2026-06-30", "", "perhaps", "no"])
    assert "Not accepted: this is required." in result.output
    assert "Not accepted: write self or audit." in result.output
    assert "Not accepted: write the date as YYYY-MM-DD." in result.output
    assert "Not accepted: answer yes or no." in result.output
    assert saved(out)["profile"] == {"public_security": False}


def test_end_of_input_saves_and_resume_continues(tmp_path: Path, mini: Ruleset) -> None:
    out = tmp_path / "answers.yaml"
    first = fill(out, [*HEADER, "yes", "yes", "no", "no", "local", "yes", "2026-01-15"])
    assert first.exit_code == 0
    assert "Stopped. Your answers so far are saved in" in first.output
    assert "run 'vpsa questionnaire fill" in first.output and "again" in first.output
    assert saved(out)["answers"] == {"RA-Q1": "yes", "RA-Q2": dt.date(2026, 1, 15)}
    second = fill(out, ["communities", "yes", "model_clauses", "97", "notes"])  # PRIV-Q2 does not apply
    assert second.exit_code == 0, second.output
    assert "Continuing" in second.output and "2 answer(s) already saved" in second.output
    assert "About the assessment" not in second.output  # the header and profile are not asked again
    assert "RA-Q1 ·" not in second.output
    data = saved(out)
    assert data["answers"]["PUB-Q2"] == "model_clauses" and data["answers"]["PRIV-Q1"] == 97
    assert data["answers"]["PRIV-Q3"] == "notes"
    assert "Done:" in second.output
    assessment = load_assessment(out, mini)
    assert assessment.value("RA-Q3") == ["communities"]


def test_no_half_written_file_and_clear_errors(tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    out.write_text("- just\n- a list\n")
    result = fill(out, [])
    assert result.exit_code == 2 and "is not an assessment this mode can continue" in result.output
    result = fill(tmp_path / "answers.xlsx", [])
    assert result.exit_code == 2 and "saves YAML" in result.output
    result = fill(tmp_path / "missing" / "a.yaml", [])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_evidence_is_asked_after_each_answer_when_wanted(tmp_path: Path, mini: Ruleset) -> None:
    out = tmp_path / "answers.yaml"
    lines = [*HEADER, *PROFILE_NO_SECURITY, "yes", "Risk register v3, p. 2", "", "government", "", "notes", "NOTE-1"]
    result = CliRunner().invoke(
        main, ["questionnaire", "fill", "--ruleset", str(MINI), "--output", str(out), "--evidence"], "\n".join(lines)
    )
    assert result.exit_code == 0, result.output
    answers = saved(out)["answers"]
    assert answers["RA-Q1"] == {"value": "yes", "evidence": "Risk register v3, p. 2"}
    assert answers["RA-Q2"] is None  # skipped: no evidence asked
    assert answers["RA-Q3"] == ["government"]
    assert answers["PRIV-Q3"] == {"value": "notes", "evidence": "NOTE-1"}
    assert load_assessment(out, mini).answers["RA-Q1"].evidence == "Risk register v3, p. 2"
