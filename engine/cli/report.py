"""`vpsa report`: render a saved JSON result again (HTML, Markdown, CSV, PDF) without re-evaluating."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import jinja2

from ..errors import InputError, Problem
from ..outputs import FORMATS, format_for
from ..result import SCHEMA_VERSION
from .base import handle_errors, main, write_output

# The top-level keys every report reads, and the JSON type each must have.
REQUIRED: dict[str, type] = {
    "schema_version": str,
    "tool": dict,
    "ruleset": dict,
    "assessment": dict,
    "answers": dict,
    "incidents": list,
    "findings": list,
    "scores": dict,
    "gaps": list,
    "unanswered": list,
    "action_plan": list,
    "warnings": list,
}
FIX = "give a file written by `vpsa assess … --format json` (or regenerate it with that command)."


def _problem(path: Path, where: str, message: str, fix: str = FIX) -> InputError:
    return InputError([Problem(str(path), None, where, message, fix)])


def load_result(path: Path) -> dict[str, Any]:
    """Read a saved result and check it is one of this contract (same schema major version)."""
    if not path.is_file():
        raise _problem(path, "", "the file does not exist or is not a file.", "check the path and spelling.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise _problem(path, "", f"the file is not UTF-8 text ({exc.reason}).") from exc
    except json.JSONDecodeError as exc:
        where = f"column {exc.colno}"
        raise InputError([Problem(str(path), exc.lineno, where, f"not valid JSON: {exc.msg}.", FIX)]) from exc
    if not isinstance(data, dict) or "schema_version" not in data:
        raise _problem(path, "", "this JSON is not a vpsa result (no 'schema_version' at the top level).")
    version = data["schema_version"]
    ours = SCHEMA_VERSION.split(".")[0]
    if not isinstance(version, str) or version.split(".")[0] != ours:
        raise _problem(
            path,
            "schema_version",
            f"the result has schema version {version!r}; this vpsa reads major version {ours} ({SCHEMA_VERSION}).",
            "re-run `vpsa assess … --format json` with this version of vpsa to get a result it can render.",
        )
    problems = [
        Problem(str(path), None, key, f"missing or not a JSON {kind.__name__.replace('dict', 'object')}.", FIX)
        for key, kind in REQUIRED.items()
        if not isinstance(data.get(key), kind)
    ]
    if problems:
        raise InputError(problems)
    return data


@main.command()
@click.argument("result_file", metavar="RESULT.json", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(k for k in FORMATS if k != "json")),
    help="Output format (default: from --output's extension, else markdown).",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here instead of stdout (atomically).")
@handle_errors
def report(result_file: Path, fmt: str | None, output: Path | None) -> None:
    """Render a saved JSON result as a report, without evaluating the assessment again.

    \b
    Example:
      vpsa assess assessments/examples/kivu-gold-self.yaml -o result.json
      vpsa report result.json --format html -o report.html
    """
    result = load_result(result_file)
    chosen = format_for(str(output) if output else None, fmt)
    if chosen == "json":
        raise InputError(
            [Problem(str(output), None, "--output", "the result is already JSON.", "choose .html, .md, .csv or .pdf.")]
        )
    try:
        rendered = FORMATS[chosen](result)
    except (KeyError, TypeError, AttributeError, ValueError, IndexError, jinja2.UndefinedError) as exc:
        raise _problem(
            result_file,
            "",
            f"the result does not have the shape this report needs ({type(exc).__name__}: {str(exc)[:200]}).",
        ) from exc
    write_output(rendered, output)
