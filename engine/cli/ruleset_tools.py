"""`vpsa rules coverage` and `vpsa rules lint`: checks for people who write rulesets."""

from __future__ import annotations

from pathlib import Path

import click

from ..coverage import REQUIRED_DOCUMENTS, clause_coverage, render_json, render_markdown
from ..lint import lint_ruleset
from ..rulesets import find_ruleset, load_ruleset
from .base import EXIT_GAPS, handle_errors, write_output
from .core import rules

ruleset_option = click.option(
    "--ruleset", "ruleset_ref", metavar="ID|PATH", help="Bundled ruleset id or a ruleset folder/file (default vpshr)."
)
output_option = click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="Write here instead of stdout (atomically)."
)


@rules.command("coverage")
@ruleset_option
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@output_option
@handle_errors
def rules_coverage(ruleset_ref: str | None, fmt: str, output: Path | None) -> None:
    """List every source clause with the rules that cite it, and flag clauses no rule covers.

    Exits 1 if a clause of the Voluntary Principles is not covered; uncovered clauses of other
    documents are listed for information only.

    \b
    Examples:
      vpsa rules coverage
      vpsa rules coverage --ruleset rulesets/vpshr --format json -o coverage.json
    """
    coverage = clause_coverage(load_ruleset(ruleset_ref))
    if not any(d.required for d in coverage.documents):
        click.echo(f"Note: the ruleset has no {' or '.join(REQUIRED_DOCUMENTS)} source document to check.", err=True)
    write_output(render_json(coverage) if fmt == "json" else render_markdown(coverage), output)
    missing = coverage.uncovered_required
    if missing:
        click.echo(
            f"{len(missing)} Voluntary Principles clause(s) not covered by any rule: {', '.join(missing)}", err=True
        )
        raise SystemExit(EXIT_GAPS)


@rules.command("lint")
@ruleset_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def rules_lint(ruleset_ref: str | None, fmt: str) -> None:
    """Check a ruleset's content: duplicate ids, unused questions, rules without or with unknown
    sources, clauses never cited (warning), empty or copied rule text. Exits 1 on any error.

    \b
    Example:
      vpsa rules lint --ruleset rulesets/vpshr
    """
    report = lint_ruleset(find_ruleset(ruleset_ref))
    click.echo(report.render_json() if fmt == "json" else report.render_text(), nl=False)
    if report.errors:
        raise SystemExit(EXIT_GAPS)
