"""Questionnaires people fill in: blank templates (YAML, Excel), a guided terminal mode, conversion."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..convert import convert as convert_assessment
from ..errors import InputError, Problem
from ..questionnaire import yaml_template
from ..rulesets import load_ruleset
from .base import handle_errors, main, output_error, write_output

SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".yaml": "yaml", ".yml": "yaml"}


@main.group()
def questionnaire() -> None:
    """Make, fill in and convert questionnaires (YAML, JSON, Excel)."""


@questionnaire.command("new")
@click.option("--ruleset", "ruleset_ref", metavar="ID|PATH", help="Bundled ruleset id or a ruleset folder/file.")
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "xlsx"]), help="Default: from --output's extension, else yaml."
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here (atomically) instead of stdout.")
@handle_errors
def new(ruleset_ref: str | None, fmt: str | None, output: Path | None) -> None:
    """Write a blank questionnaire to pass around and fill in.

    \b
    The YAML one explains every question in comments; the Excel one has a Profile sheet,
    one sheet per pillar with drop-downs, and an Incidents sheet. Read either back with
    'vpsa validate FILE' and 'vpsa assess FILE'.
    \b
    Examples:
      vpsa questionnaire new --format xlsx -o site-questionnaire.xlsx
      vpsa questionnaire new --ruleset vpshr -o answers.yaml
    """
    ruleset = load_ruleset(ruleset_ref)
    suffix = output.suffix.lower() if output is not None else ""
    if fmt is None:
        fmt = "xlsx" if suffix in (".xlsx", ".xlsm") else "yaml"
    if suffix and SUFFIXES.get(suffix, fmt) != fmt:
        raise InputError(
            [
                Problem(
                    str(output),
                    None,
                    "--output",
                    f"--format {fmt} does not match the extension '{suffix}'.",
                    f"name the file .{'xlsx' if fmt == 'xlsx' else 'yaml'}, or leave out --format.",
                )
            ]
        )
    if fmt == "xlsx":
        if output is None and sys.stdout.isatty():
            raise InputError(
                [
                    Problem(
                        "-", None, "--output", "a workbook cannot be shown in a terminal.", "give --output FILE.xlsx."
                    )
                ]
            )
        from ..workbook import write_workbook

        write_output(write_workbook(ruleset), output)
    else:
        write_output(yaml_template(ruleset), output)
    if output is not None:
        click.echo(f"Wrote a blank {ruleset.id} {ruleset.version} questionnaire to {output}.", err=True)


@questionnaire.command("fill")
@click.option("--ruleset", "ruleset_ref", metavar="ID|PATH", help="Bundled ruleset id or a ruleset folder/file.")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="YAML file to save answers in.")
@click.option("--evidence", is_flag=True, help="After each answer, also ask where the evidence is (optional).")
@handle_errors
def fill(ruleset_ref: str | None, output: Path, evidence: bool) -> None:
    """Answer the questionnaire one question at a time in the terminal.

    \b
    Asks the assessment header and the profile first, then only the questions that apply.
    Enter skips a question, '?' shows its help. Every answer is saved at once; run the same
    command again to continue where you stopped.
    \b
    Example:
      vpsa questionnaire fill --output north-pit.yaml
    """
    from ..fill import Session

    if output.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(
            [Problem(str(output), None, "--output", "the guided mode saves YAML.", "end the name with .yaml.")]
        )
    if output.is_dir() or not (output.parent if str(output.parent) else Path(".")).is_dir():
        raise output_error(output, "is a folder, or is in a folder that does not exist.")
    ruleset = load_ruleset(ruleset_ref)
    Session(ruleset, output, ruleset_ref or ruleset.id, ask_evidence=evidence).run()


@questionnaire.command("convert")
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--ruleset", "ruleset_ref", metavar="ID|PATH", help="Default: the one the assessment names, else vpshr.")
@handle_errors
def convert(source: Path, target: Path, ruleset_ref: str | None) -> None:
    """Convert an assessment between YAML, JSON and Excel (by the files' extensions).

    \b
    The answers, evidence, comments, profile, header and incidents are all kept.
    \b
    Examples:
      vpsa questionnaire convert answers.xlsx answers.yaml
      vpsa questionnaire convert answers.yaml answers.xlsx
    """
    assessment, content = convert_assessment(source, target, ruleset_ref)
    write_output(content, target)
    for warning in assessment.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Wrote {target}.", err=True)
