"""vpsa aggregate: a working group's shared gaps across its members, without exposing any member."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from ..aggregate import DEFAULT_MIN_GROUP, build_aggregate
from ..aggregate_render import RENDERERS
from ..assessments import load_meta_only
from ..errors import InputError, Problem
from ..outputs import format_for
from ..parallel import default_jobs, evaluate_members, member_files
from ..rulesets import load_ruleset
from .base import handle_errors, main, write_output
from .core import ruleset_option

BAR_WIDTH = 30


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal and not --quiet."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done != total and now - self.last < 0.1:
            return
        self.last = now
        filled = BAR_WIDTH * done // max(total, 1)
        sys.stderr.write(f"\r{phase.capitalize():<11} [{'#' * filled}{' ' * (BAR_WIDTH - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@ruleset_option
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), help="Default: from --output, else markdown.")
@click.option("--reveal", is_flag=True, help="Show member names beside pseudonyms (only for those entitled to them).")
@click.option(
    "--min-group",
    type=click.IntRange(1, 1000),
    default=DEFAULT_MIN_GROUP,
    show_default=True,
    help="No figure is computed from fewer members than this.",
)
@click.option(
    "--salt",
    envvar="VPSA_SALT",
    default="",
    help="Secret mixed into pseudonyms (or set VPSA_SALT); without one, anyone who knows a member's "
    "name can recompute its pseudonym. Keep it the same to keep pseudonyms stable between runs.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here instead of stdout (atomically).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--jobs", "-j", type=click.IntRange(1, 512), help="Worker processes (default: the available cores).")
@handle_errors
def aggregate(
    paths: tuple[Path, ...],
    ruleset_ref: str | None,
    fmt: str | None,
    reveal: bool,
    min_group: int,
    salt: str,
    output: Path | None,
    quiet: bool,
    jobs: int | None,
) -> None:
    """Aggregate many members' assessments: shared gaps, score spread and a workplan for the group.

    PATHS are assessment files or folders of them (.yaml, .yml, .json). Every file is validated
    before any is evaluated; if any is bad, all bad files are listed and nothing is written.
    Members appear under pseudonyms unless --reveal; free-text answers and evidence never appear.

    \b
    Examples:
      vpsa aggregate assessments/members
      vpsa aggregate assessments/members --format html -o working-group.html --salt "$GROUP_SECRET"
    """
    chosen = format_for(str(output) if output else None, fmt)
    if chosen not in RENDERERS:
        raise InputError(
            [
                Problem(
                    str(output),
                    None,
                    "--format",
                    f"aggregates cannot be written as {chosen}.",
                    "use " + ", ".join(sorted(RENDERERS)) + ".",
                )
            ]
        )
    started = time.monotonic()
    files = member_files(paths)
    if ruleset_ref is None:
        meta = load_meta_only(files[0])
        ruleset_ref = meta.ruleset if meta and meta.ruleset else None
    ruleset = load_ruleset(ruleset_ref)
    workers = jobs or default_jobs()
    bar = ProgressBar(not quiet and sys.stderr.isatty() and os.environ.get("TERM") != "dumb")
    members = evaluate_members(ruleset, files, workers, salt, bar)
    result = build_aggregate(ruleset, members, min_group=min_group, reveal=reveal)
    repeated = len(members) - len({m.key for m in members})
    if repeated:
        click.echo(
            f"Warning: {repeated} file(s) assess an organisation and site that another file also assesses; "
            "each file counts as a member (pseudonyms get -2, -3, ...). Give one assessment per site "
            "to avoid counting a site twice.",
            err=True,
        )
    write_output(RENDERERS[chosen](result), output)
    click.echo(
        f"Aggregated {len(members)} member(s) against {ruleset.id} {ruleset.version} with {min(workers, len(files))} "
        f"worker(s) in {time.monotonic() - started:.1f}s; {len(result['common_gaps'])} gap(s) shared by at least "
        f"{min_group} members{'; figures suppressed (group too small)' if result['suppressed'] else ''}.",
        err=True,
    )
