"""`vpsa schema`: print the JSON Schema of the assessment format for a ruleset."""

from __future__ import annotations

from pathlib import Path

import click

from ..rulesets import load_ruleset
from ..schema import assessment_schema, dumps_schema
from .base import handle_errors, main, write_output


@main.command()
@click.option("--ruleset", "ruleset_ref", metavar="ID|PATH", help="Bundled ruleset id or path (default vpshr).")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here instead of stdout.")
@handle_errors
def schema(ruleset_ref: str | None, output: Path | None) -> None:
    """Print the JSON Schema of assessment files for a ruleset (for editors and other tools).

    \b
    Example:
      vpsa schema -o assessments/schema.json
    """
    write_output(dumps_schema(assessment_schema(load_ruleset(ruleset_ref))), output)
