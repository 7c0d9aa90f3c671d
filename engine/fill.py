"""The guided terminal questionnaire: one question at a time, saved after every answer, resumable.

It asks the assessment header, then the profile (which decides what applies), then every question
the profile leaves relevant. An empty answer skips a question (recorded as null, so a resumed run
does not ask it again); '?' shows the help. Works with piped stdin.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .assessments import check_answer
from .conditions import MISSING, evaluate
from .errors import InputError, Problem
from .files import save_atomically as _save
from .loading import LoadError, load_document
from .models import AnswerType
from .questionnaire import HEADER_FIELDS, KINDS, QuestionGuide, dump_yaml, fact_allowed, guides, rule_titles
from .rulesets import Ruleset

HELP, SKIP = "?", ""


class _StoppedError(Exception):
    """The person ended input (Ctrl-C or end of input)."""


def _ask(label: str) -> str:
    try:
        answer = click.prompt(label, default=SKIP, show_default=False, prompt_suffix=": ")
    except (click.exceptions.Abort, EOFError, KeyboardInterrupt):
        raise _StoppedError from None
    return str(answer).strip()


def load_progress(output: Path) -> dict[str, Any]:
    """The answers already saved in `output`, or an empty assessment when it does not exist yet."""
    data: dict[str, Any] = {"assessment": {}, "profile": {}, "answers": {}, "incidents": []}
    if not output.exists():
        return data
    try:
        found = load_document(output).data
    except LoadError as exc:
        raise InputError([Problem(exc.file, exc.line, "", exc.message, exc.fix)]) from None
    if found is None:
        return data
    if not isinstance(found, dict) or not all(isinstance(found.get(k, {}), dict) for k in ("assessment", "profile")):
        raise InputError(
            [
                Problem(
                    str(output),
                    1,
                    "",
                    "this file exists but is not an assessment this mode can continue.",
                    "give another --output, or move this file away.",
                )
            ]
        )
    for key in ("assessment", "profile", "answers"):
        data[key] = dict(found.get(key) or {})
    data["incidents"] = list(found.get("incidents") or [])
    return data


class Session:
    """One run of the guided questionnaire, writing to `output` after every answer."""

    def __init__(
        self,
        ruleset: Ruleset,
        output: Path,
        ruleset_ref: str,
        ask_evidence: bool = False,
        echo: Callable[..., None] = click.echo,
    ):
        self.ruleset, self.output, self.ruleset_ref, self.echo = ruleset, output, ruleset_ref, echo
        self.ask_evidence = ask_evidence
        self.data = load_progress(output)

    def save(self) -> None:
        """Write everything so far (header fields in their usual order), atomically."""
        header = self.data["assessment"]
        order = [name for name, _, _ in HEADER_FIELDS]
        ordered = sorted(header.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
        header.clear()
        header.update(ordered)
        _save(self.output, dump_yaml(self.data))

    def run(self) -> bool:
        """Ask what is still open; True when finished, False when the person stopped (progress saved)."""
        answered = sum(1 for v in self.data["answers"].values() if v is not None)
        if self.output.exists():
            self.echo(f"Continuing {self.output}: {answered} answer(s) already saved.")
        try:
            self._header()
            self._profile()
            self._questions()
        except _StoppedError:
            self.echo("")
            self.echo(
                f"Stopped. Your answers so far are saved in {self.output}. To continue where you stopped, run "
                f"'vpsa questionnaire fill --ruleset {self.ruleset_ref} --output {self.output}' again.",
                err=True,
            )
            return False
        answers = self.data["answers"]
        done = sum(1 for v in answers.values() if v is not None)
        self.echo(
            f"Done: {done} question(s) answered, {len(answers) - done} skipped; saved in {self.output}. "
            f"Next: vpsa assess {self.output} --ruleset {self.ruleset_ref}"
        )
        return True

    # --- header and profile ---------------------------------------------------------------------------

    def _header(self) -> None:
        header = self.data["assessment"]
        header.setdefault("ruleset", self.ruleset.id)
        header.setdefault("ruleset_version", self.ruleset.version)
        if all(header.get(name) is not None for name, _, required in HEADER_FIELDS if required):
            return
        self.echo("About the assessment")
        for name, help_text, required in HEADER_FIELDS:
            if name in ("ruleset", "ruleset_version", "notes") or header.get(name) is not None:
                continue
            while True:
                self.echo(f"  {help_text}{'' if required else ' Enter to leave it empty.'}")
                text = _ask(f"{name}")
                value, reason = _header_value(name, text, required)
                if reason is None:
                    break
                self.echo(f"  Not accepted: {reason}")
            if value is not None:
                header[name] = value
                self.save()

    def _profile(self) -> None:
        profile = self.data["profile"]
        open_facts = [f for f in self.ruleset.header.profile if profile.get(f.id) is None]
        if not open_facts:
            return
        self.echo("About the company and site (this decides which questions apply)")
        for fact in open_facts:
            while True:
                self.echo(f"  {fact.text}  [{fact_allowed(fact)}]")
                text = _ask(fact.id)
                if text == HELP:
                    self.echo(f"  {fact.help or 'No further help for this fact.'}")
                    continue
                value, reason = _fact_value(fact, text)
                if reason is None:
                    break
                self.echo(f"  Not accepted: {reason}")
            profile[fact.id] = value
            self.save()

    # --- questions --------------------------------------------------------------------------------------

    def _relevant(self, guide: QuestionGuide) -> bool:
        condition = self.ruleset.relevance.get(guide.id)
        if condition is None:
            return True
        profile = self.data["profile"]
        return evaluate(condition, lambda atom: profile.get(atom.name, MISSING), {}) is not False

    def _questions(self) -> None:
        asked = self.data["answers"]
        todo = [g for g in guides(self.ruleset) if self._relevant(g)]
        date = _as_date(self.data["assessment"].get("date")) or dt.date.today()
        for number, guide in enumerate(todo, start=1):
            if guide.id in asked:
                continue
            question = guide.question
            self.echo("")
            self.echo(f"[{number}/{len(todo)}] {guide.id} · {guide.pillar_title}")
            self.echo(question.text)
            self.echo(f"Answer: {guide.allowed}. (Enter skips, ? shows help)")
            while True:
                text = _ask("answer")
                if text == HELP:
                    self.echo(self._help(guide))
                    continue
                if text == SKIP:
                    value = None
                    break
                raw = _parse(question.type, text)
                value, problem = check_answer(self.ruleset, question, raw, date, str(self.output))
                if problem is None:
                    break
                self.echo(f"Not accepted: {problem.message} {problem.fix}".strip())
            evidence = _ask("evidence (optional)") if self.ask_evidence and value is not None else ""
            asked[guide.id] = {"value": value, "evidence": evidence[:20000]} if evidence else value
            self.save()

    def _help(self, guide: QuestionGuide) -> str:
        question = guide.question
        lines = []
        if question.section:
            lines.append(f"Section: {question.section}")
        lines.append(question.help or "No further help for this question.")
        if question.type == AnswerType.multiple_choice:
            lines.append("Several values: separate them with ';' (e.g. first; second).")
        lines.append(f"Allowed: {guide.allowed}.")
        if guide.relevant_when:
            lines.append(f"Asked because: {guide.relevant_when}.")
        lines.append(f"Used by rules: {rule_titles(self.ruleset, guide.rules)}.")
        return "\n".join(f"  {line}" for line in lines)


def _parse(kind: AnswerType, text: str) -> Any:
    """Typed text as the value the assessment checker expects."""
    if kind == AnswerType.multiple_choice:
        return [item.strip() for item in re.split(r"[;,]", text) if item.strip()]
    if kind == AnswerType.number:
        for convert in (int, float):
            try:
                return convert(text)
            except ValueError:
                continue
    return text


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _header_value(name: str, text: str, required: bool) -> tuple[Any, str | None]:
    if not text:
        return None, ("this is required." if required else None)
    if len(text) > 20000:
        return None, "this is longer than 20000 characters."
    if name == "kind":
        lowered = text.lower()
        return (lowered, None) if lowered in KINDS else (None, f"write {' or '.join(KINDS)}.")
    if name == "date":
        day = _as_date(text)
        return (day, None) if day else (None, "write the date as YYYY-MM-DD.")
    return text, None


def _fact_value(fact: Any, text: str) -> tuple[Any, str | None]:
    if not text:
        return None, "every profile fact is needed: it decides which questions apply."
    if fact.type == "boolean":
        lowered = text.lower()
        if lowered in ("y", "yes", "true"):
            return True, None
        if lowered in ("n", "no", "false"):
            return False, None
        return None, "answer yes or no."
    if fact.type == "single_choice":
        allowed = [c.value for c in fact.choices or []]
        match = next((value for value in allowed if value.lower() == text.lower()), None)
        if match is not None:
            return match, None
        return None, f"answer one of: {', '.join(allowed)}."
    try:
        return (float(text) if "." in text else int(text)), None
    except ValueError:
        return None, "write a number."
