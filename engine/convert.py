"""Convert an assessment between YAML, JSON and an Excel workbook, keeping everything it says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .assessments import Assessment, load_assessment
from .errors import InputError, Problem
from .pipeline import ruleset_for
from .questionnaire import assessment_data, dump_json, dump_yaml
from .rulesets import Ruleset

WRITERS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}
READABLE = (".yaml", ".yml", ".json", ".xlsx", ".xlsm")


def render_assessment(ruleset: Ruleset, data: dict[str, Any], kind: str, source: str = "") -> str | bytes:
    """Assessment data as the text or bytes of a YAML, JSON or workbook file."""
    if kind == "json":
        return dump_json(data)
    if kind == "xlsx":
        from .workbook import write_workbook

        return write_workbook(ruleset, data, source or "the assessment")
    return dump_yaml(data)


def output_kind(path: Path) -> str:
    kind = WRITERS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            [
                Problem(
                    str(path),
                    None,
                    "output",
                    f"'{path.suffix or 'no extension'}' is not a format vpsa writes assessments in.",
                    "end the output name with .yaml, .yml, .json or .xlsx.",
                )
            ]
        )
    return kind


def convert(source: Path, target: Path, ruleset_ref: str | None = None) -> tuple[Assessment, str | bytes]:
    """Check `source` against its ruleset and give its content in the format `target`'s extension names."""
    kind = output_kind(target)
    if source.suffix.lower() not in READABLE:
        raise InputError(
            [
                Problem(
                    str(source),
                    None,
                    "",
                    f"'{source.suffix or 'no extension'}' is not a format vpsa reads.",
                    "give a .yaml, .yml, .json or .xlsx assessment.",
                )
            ]
        )
    ruleset = ruleset_for(source, ruleset_ref)
    assessment = load_assessment(source, ruleset)
    return assessment, render_assessment(ruleset, assessment_data(assessment), kind, str(source))
