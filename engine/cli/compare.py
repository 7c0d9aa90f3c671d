"""vpsa compare: where two assessments of a site disagree (self-assessment and audit), or what changed."""

from __future__ import annotations

from pathlib import Path

import click

from ..compare import compare_results, dumps, load_side
from ..compare_render import render_html, render_markdown
from ..outputs import format_for
from .base import handle_errors, main, write_output
from .core import ruleset_option

RENDERERS = {"markdown": render_markdown, "json": dumps, "html": render_html}


@main.command()
@click.argument("baseline", type=click.Path(path_type=Path))
@click.argument("other", type=click.Path(path_type=Path))
@ruleset_option
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), help="Default: from --output, else markdown.")
@click.option(
    "--weights",
    type=click.Choice(["linear", "quadratic"]),
    default="linear",
    show_default=True,
    help="Disagreement weights of the weighted kappa over met > substantially > partially > not met.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here instead of stdout (atomically).")
@handle_errors
def compare(
    baseline: Path, other: Path, ruleset_ref: str | None, fmt: str | None, weights: str, output: Path | None
) -> None:
    """Compare two assessments (or saved JSON results) of the same ruleset, rule by rule.

    Shows each rule's two statuses, the answers and evidence behind every disagreement, percent
    agreement and Cohen's kappa per pillar, and where the auditor (OTHER, or the side of kind
    'audit') is stricter or more lenient. For two dates of one site it also shows progress: gaps
    closed, opened and still open, and the change in scores.

    \b
    Examples:
      vpsa compare assessments/examples/kivu-gold-self.yaml assessments/examples/kivu-gold-audit.yaml
      vpsa compare before.json after.json --format html -o progress.html
    """
    chosen = format_for(str(output) if output else None, fmt)
    if chosen not in RENDERERS:
        chosen = "markdown"
    first = load_side(baseline, ruleset_ref)
    second = load_side(other, ruleset_ref)
    comparison = compare_results(first, second, weights, (str(baseline), str(other)))  # type: ignore[arg-type]
    text = RENDERERS[chosen](comparison)
    for warning in comparison["warnings"]:
        click.echo(f"Warning: {warning}", err=True)
    write_output(text, output)
