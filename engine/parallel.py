"""Evaluate many member assessments over the available cores, validating all of them first.

Each worker process loads the ruleset and compiles one `Evaluator` when it starts, then turns member
files into compact `MemberSummary` values; full results never cross a process boundary, so the
parent's memory grows only by one summary per member. Validation is a separate first pass: a bad
file found after an hour of evaluation would waste the hour, so every file is checked (and every
problem listed) before any is evaluated.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .aggregate import MemberSummary, quick_summary
from .errors import InputError, Problem
from .quickload import quick_load
from .rulesets import Ruleset

MEMBER_SUFFIXES = (".yaml", ".yml", ".json")
Progress = Callable[[str, int, int], None]  # phase, done, total

_ruleset: Any = None
_evaluator: Any = None
_salt = ""


def member_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every .yaml/.yml/.json under named folders (hidden ones skipped)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in MEMBER_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                problems.append(
                    Problem(str(path), None, "", "this folder holds no .yaml, .yml or .json file.", "check the path.")
                )
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), None, "", "the file does not exist.", "check the path and spelling."))
    if problems:
        raise InputError(problems)
    unique = list(dict.fromkeys(files))
    if not unique:
        raise InputError([Problem("PATHS", None, "", "no member file was given.", "name files or folders.")])
    return unique


def _start(ruleset_ref: str, salt: str) -> None:
    """Worker set-up: the ruleset (inherited from the parent when forked) and one compiled Evaluator."""
    global _ruleset, _evaluator, _salt
    from .evaluate import Evaluator
    from .rulesets import load_ruleset

    if _ruleset is None or _ruleset.path != ruleset_ref:
        _ruleset = load_ruleset(ruleset_ref)
    _evaluator = Evaluator(_ruleset)
    _salt = salt


def _check(path: str) -> list[Problem]:
    from .assessments import load_assessment

    if quick_load(Path(path), _ruleset) is not None:
        return []
    try:
        load_assessment(Path(path), _ruleset)
    except InputError as exc:
        return list(exc.problems)
    except OSError as exc:
        return [Problem(path, None, "", f"the file cannot be read ({exc.strerror or exc}).", "check its permissions.")]
    return []


def _summary(path: str) -> MemberSummary | list[Problem]:
    """A member's summary; or its problems, if the file changed since it was validated."""
    from .assessments import load_assessment

    assessment = quick_load(Path(path), _ruleset)
    if assessment is None:
        try:
            assessment = load_assessment(Path(path), _ruleset)
        except InputError as exc:
            return list(exc.problems)
    return quick_summary(_ruleset, _evaluator, assessment, _salt)


class _Workers:
    """The worker pool for one run (or this process alone when one job is enough); used for both passes."""

    def __init__(self, ruleset: Ruleset, jobs: int, salt: str) -> None:
        global _ruleset
        self.pool: Any = None
        _ruleset = ruleset  # forked workers inherit it instead of loading the ruleset again
        if jobs == 1:
            _start(ruleset.path, salt)
            return
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        self.pool = context.Pool(jobs, initializer=_start, initargs=(ruleset.path, salt))
        self.jobs = jobs

    def map(self, work: Callable[[str], Any], names: list[str], progress: Progress | None, phase: str) -> Iterator[Any]:
        total = len(names)
        if self.pool is None:
            results: Iterable[Any] = (work(name) for name in names)
        else:
            chunk = max(1, min(64, total // (self.jobs * 8)))
            results = self.pool.imap_unordered(work, names, chunksize=chunk)
        for done, item in enumerate(results, start=1):
            yield item
            if progress:
                progress(phase, done, total)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
        _stop()


def _stop() -> None:
    global _ruleset, _evaluator
    if _evaluator is not None:
        _evaluator.close()
    _ruleset = _evaluator = None


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def evaluate_members(
    ruleset: Ruleset, files: list[Path], jobs: int, salt: str, progress: Progress | None = None
) -> list[MemberSummary]:
    """Validate every file (raise InputError listing all problems), then summarise every member."""
    names = [str(f) for f in files]
    workers = _Workers(ruleset, max(1, min(jobs, len(names))), salt)
    try:
        problems: list[Problem] = []
        for found in workers.map(_check, names, progress, "validating"):
            problems += found
        if problems:
            raise InputError(problems)
        members: list[MemberSummary] = []
        for item in workers.map(_summary, names, progress, "evaluating"):
            if isinstance(item, MemberSummary):
                members.append(item)
            else:
                problems += item
        if problems:
            raise InputError(problems)
        return members
    finally:
        workers.close()
