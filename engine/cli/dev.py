"""vpsa dev: tools for developers and trainers (synthetic member assessments)."""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from ..errors import InputError, Problem
from ..rulesets import load_ruleset
from ..synthetic import synthetic_members
from .base import handle_errors, main, write_output
from .core import ruleset_option

MAX_COUNT = 1_000_000


@main.group()
def dev() -> None:
    """Developer tools: synthetic data for examples, tests and benchmarks."""


def member_yaml(data: dict) -> str:  # type: ignore[type-arg]
    header = "# Synthetic, fictional member assessment made by 'vpsa dev synth'; not a real site.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


@dev.command("synth")
@click.option("--count", type=int, required=True, help="How many member assessments to write.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Folder to write them into.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same members.")
@ruleset_option
@handle_errors
def synth(count: int, out: Path, seed: int, ruleset_ref: str | None) -> None:
    """Write COUNT realistic synthetic member assessments (member-0001.yaml, ...) into a folder.

    Each member draws a maturity, and its answers follow it pillar by pillar, so strong and weak
    members look like strong and weak sites. Deterministic for a given seed and ruleset.

    \b
    Example:
      vpsa dev synth --count 50 --out /tmp/members --seed 7
      vpsa aggregate /tmp/members --format html -o group.html
    """
    if not 1 <= count <= MAX_COUNT:
        raise InputError(
            [Problem("--count", None, "", f"{count} is out of range.", f"give a number from 1 to {MAX_COUNT}.")]
        )
    if out.exists() and not out.is_dir():
        raise InputError([Problem(str(out), None, "--out", "this is a file, not a folder.", "name a folder.")])
    ruleset = load_ruleset(ruleset_ref)
    out.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(count)))
    for number, data in enumerate(synthetic_members(ruleset, count, seed), start=1):
        write_output(member_yaml(data), out / f"member-{number:0{width}d}.yaml")
    click.echo(f"Wrote {count} synthetic member assessment(s) for {ruleset.id} {ruleset.version} to {out}.", err=True)
