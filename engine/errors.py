"""Errors a user can cause, kept as values so that all of them are reported at once."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file, with where it is and how to fix it."""

    file: str
    line: int | None
    where: str
    message: str
    fix: str = ""

    def render(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.where:
            place = f"{place} ({self.where})"
        text = f"{place}: {self.message}"
        if self.fix:
            text = f"{text} Fix: {self.fix}"
        return text


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key under which "row 5" comes before "row 15" (numbers compare as numbers)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part)


class InputError(Exception):
    """Raised with every problem found in an input; the CLI prints them and exits with code 2."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(
            set(problems), key=lambda p: (p.file, p.line or 0, _natural(p.where), _natural(p.message))
        )
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        return f"{head} found:\n" + "\n".join(f"  - {p.render()}" for p in self.problems)


class EngineError(Exception):
    """A failure inside the rule engine that the user cannot fix by editing input; a bug to report."""
