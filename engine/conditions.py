"""The declarative condition language: parsing, validation, rendering and a reference evaluator.

A condition is a tree of `all` / `any` / `not` over atoms such as
`{question: PUB-01, in: [yes, partial]}`, `{profile: public_security, equals: true}` or
`{incident: days_to_reported_to_authorities, lte: 7}`. The compiler turns it into durable-rules
conditions; the reference evaluator here is used to explain a decision and to test the compiler,
never to decide a status.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Literal, Union

from .models import BUILTIN_CHOICES, INCIDENT_STEP_DATES, AnswerType, Question, selected_count

Subject = Literal["question", "profile", "incident"]

VALUE_OPS = ("equals", "not_equals", "in", "not_in", "gt", "gte", "lt", "lte")
SPECIAL_OPS = ("answered", "includes", "excludes", "count_gte", "count_lte", "within_months")
ALL_OPS = VALUE_OPS + SPECIAL_OPS
COMPLEMENT = {
    "equals": "not_equals",
    "not_equals": "equals",
    "in": "not_in",
    "not_in": "in",
    "gt": "lte",
    "lte": "gt",
    "lt": "gte",
    "gte": "lt",
    "includes": "excludes",
    "excludes": "includes",
    "count_gte": "count_lte",
    "count_lte": "count_gte",
}
SYMBOL = {
    "equals": "=",
    "not_equals": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "in": "is one of",
    "not_in": "is none of",
    "includes": "includes",
    "excludes": "excludes",
    "count_gte": "has at least",
    "count_lte": "has at most",
}


@dataclass(frozen=True)
class Atom:
    subject: Subject
    name: str
    op: str
    value: Any

    def render(self) -> str:
        label = self.name if self.subject == "question" else f"{self.subject}.{self.name}"
        if self.op == "answered":
            return f"{label} is {'answered' if self.value else 'unanswered'}"
        if self.op == "within_months":
            return f"{label} is within {self.value} months of the assessment date"
        if self.op in ("count_gte", "count_lte"):
            return f"{label} {SYMBOL[self.op]} {self.value} selections"
        if self.op in ("in", "not_in"):
            return f"{label} {SYMBOL[self.op]} [{', '.join(_show(v) for v in self.value)}]"
        return f"{label} {SYMBOL[self.op]} {_show(self.value)}"


@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...]

    def render(self) -> str:
        return "(" + " and ".join(item.render() for item in self.items) + ")"


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]

    def render(self) -> str:
        return "(" + " or ".join(item.render() for item in self.items) + ")"


@dataclass(frozen=True)
class Not:
    item: Condition

    def render(self) -> str:
        return f"not {self.item.render()}"


Condition = Union[Atom, All, AnyOf, Not]  # noqa: UP007 - recursive alias needs the runtime Union


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


# --- parsing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionProblem:
    path: tuple[str | int, ...]
    message: str
    fix: str


@dataclass
class Vocabulary:
    """What conditions may refer to: the questions, profile facts and incident fields of a ruleset."""

    questions: dict[str, Question]
    profile: dict[str, Any]  # id -> ProfileFact
    incident_types: list[str]


INCIDENT_FIELDS: dict[str, str] = {
    "type": "choice",
    "actor": "choice",
    "victims": "number",
    "injuries": "number",
    "fatalities": "number",
    "medical_aid_given": "boolean",
    "personnel_withdrawn": "boolean",
    "shared_with_working_group": "boolean",
    "remedy": "choice",
    "age_days": "number",
    "investigation_open": "boolean",
    **{step: "date" for step in INCIDENT_STEP_DATES},
    **{f"days_to_{step}": "number" for step in INCIDENT_STEP_DATES},
}
INCIDENT_CHOICES = {
    "actor": ["public_security", "private_security", "in_house_security", "company_staff", "other", "unknown"],
    "remedy": ["none", "offered", "provided"],
}


def parse(
    raw: Any, path: tuple[str | int, ...], allowed: set[str], vocab: Vocabulary, problems: list[ConditionProblem]
) -> Condition | None:
    """Parse and validate a raw condition; append problems and return None where it is invalid.

    `allowed` is the set of subjects this condition may use ("question", "profile", "incident").
    """
    if not isinstance(raw, dict) or not raw:
        problems.append(
            ConditionProblem(
                path,
                "a condition must be a mapping such as {question: ID, equals: yes} or {all: [...]}.",
                "write the condition as a YAML mapping.",
            )
        )
        return None
    for combinator in ("all", "any"):
        if combinator in raw:
            if len(raw) != 1:
                problems.append(
                    ConditionProblem(
                        path,
                        f"'{combinator}' cannot be mixed with other keys "
                        f"({', '.join(sorted(k for k in raw if k != combinator))}).",
                        f"put the other conditions inside the '{combinator}' list.",
                    )
                )
                return None
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                problems.append(
                    ConditionProblem(
                        (*path, combinator),
                        f"'{combinator}' needs a non-empty list.",
                        "list one or more conditions under it.",
                    )
                )
                return None
            parsed = [parse(item, (*path, combinator, i), allowed, vocab, problems) for i, item in enumerate(items)]
            if any(p is None for p in parsed):
                return None
            nodes = tuple(p for p in parsed if p is not None)
            return All(nodes) if combinator == "all" else AnyOf(nodes)
    if "not" in raw:
        if len(raw) != 1:
            problems.append(
                ConditionProblem(
                    path, "'not' cannot be mixed with other keys.", "wrap the other keys in their own condition."
                )
            )
            return None
        inner = parse(raw["not"], (*path, "not"), allowed, vocab, problems)
        return Not(inner) if inner is not None else None
    return _parse_atom(raw, path, allowed, vocab, problems)


def _parse_atom(
    raw: dict[str, Any],
    path: tuple[str | int, ...],
    allowed: set[str],
    vocab: Vocabulary,
    problems: list[ConditionProblem],
) -> Atom | None:
    subjects = [key for key in ("question", "profile", "incident") if key in raw]
    if len(subjects) != 1:
        problems.append(
            ConditionProblem(
                path,
                f"unknown condition keys {sorted(raw)}: a condition is all/any/not, or names exactly one of "
                "question, profile or incident with one operator.",
                "write e.g. {question: RA-01, equals: yes}.",
            )
        )
        return None
    subject = subjects[0]
    name = raw[subject]
    ops = [key for key in raw if key != subject]
    unknown = [key for key in ops if key not in ALL_OPS]
    if unknown or len(ops) != 1:
        problems.append(
            ConditionProblem(
                path,
                f"unknown operator {unknown[0]!r}."
                if unknown
                else f"a condition needs exactly one operator, found {len(ops)} ({', '.join(ops) or 'none'}).",
                f"use one of: {', '.join(ALL_OPS)}.",
            )
        )
        return None
    op = ops[0]
    value = raw[op]
    if subject not in allowed:
        problems.append(
            ConditionProblem(
                path,
                f"{subject} conditions are not allowed here.",
                f"refer only to {' or '.join(sorted(allowed))} here.",
            )
        )
        return None
    if not isinstance(name, str):
        problems.append(ConditionProblem(path, f"the {subject} name must be text.", "write its id."))
        return None
    kind, choices = _subject_kind(subject, name, vocab)
    if kind is None:
        known = {"question": vocab.questions, "profile": vocab.profile, "incident": INCIDENT_FIELDS}[subject]
        hint = _closest(name, list(known))
        problems.append(
            ConditionProblem(
                path,
                f"unknown {subject} '{name}'.",
                f"did you mean '{hint}'?" if hint else f"define the {subject} first.",
            )
        )
        return None
    message = _check_operator(kind, choices, op, value)
    if message:
        problems.append(
            ConditionProblem((*path, op), f"{subject} '{name}' ({kind}): {message}", _operator_fix(kind, choices))
        )
        return None
    if op in ("in", "not_in"):
        value = tuple(value)
    return Atom(subject, name, op, value)  # type: ignore[arg-type]


def _subject_kind(subject: str, name: str, vocab: Vocabulary) -> tuple[str | None, list[str] | None]:
    if subject == "question":
        question = vocab.questions.get(name)
        if question is None:
            return None, None
        return question_kind(question), question_choices(question)
    if subject == "profile":
        fact = vocab.profile.get(name)
        if fact is None:
            return None, None
        if fact.type == "single_choice":
            return "choice", [c.value for c in fact.choices or []]
        return fact.type, None
    kind = INCIDENT_FIELDS.get(name)
    if kind is None:
        return None, None
    if name == "type":
        return kind, list(vocab.incident_types)
    return kind, INCIDENT_CHOICES.get(name)


def question_kind(question: Question) -> str:
    return {
        AnswerType.yes_no: "choice",
        AnswerType.yes_no_partial: "choice",
        AnswerType.single_choice: "choice",
        AnswerType.multiple_choice: "multiple",
        AnswerType.number: "number",
        AnswerType.date: "date",
        AnswerType.text: "text",
    }[question.type]


def question_choices(question: Question) -> list[str] | None:
    if question.type in BUILTIN_CHOICES:
        return BUILTIN_CHOICES[question.type]
    if question.choices:
        return [c.value for c in question.choices]
    return None


def _check_operator(kind: str, choices: list[str] | None, op: str, value: Any) -> str | None:
    if op == "answered":
        return None if isinstance(value, bool) else "'answered' takes true or false."
    allowed_ops = {
        "choice": ("equals", "not_equals", "in", "not_in"),
        "boolean": ("equals", "not_equals"),
        "number": ("equals", "not_equals", "gt", "gte", "lt", "lte"),
        "date": ("within_months",),
        "multiple": ("includes", "excludes", "count_gte", "count_lte"),
        "text": (),
    }[kind]
    if op not in allowed_ops:
        return f"the operator '{op}' does not apply to this kind of value."
    if kind == "choice":
        values = list(value) if op in ("in", "not_in") and isinstance(value, list) else [value]
        if op in ("in", "not_in") and (not isinstance(value, list) or not value):
            return f"'{op}' needs a non-empty list of values."
        bad = [v for v in values if not isinstance(v, str) or (choices is not None and v not in choices)]
        if bad:
            return f"{_show(bad[0]) if not isinstance(bad[0], str) else repr(bad[0])} is not one of its values."
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else "compare it with true or false."
    if kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else "compare it with a number."
    if kind == "date":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 1200
        return None if ok else "'within_months' takes a whole number of months from 1 to 1200."
    if op in ("includes", "excludes"):
        if not isinstance(value, str) or (choices is not None and value not in choices):
            return f"{value!r} is not one of its values."
        return None
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return None if ok else f"'{op}' takes a whole number."


def _operator_fix(kind: str, choices: list[str] | None) -> str:
    if kind == "choice":
        return f"use equals/not_equals/in/not_in with values from: {', '.join(choices or [])}."
    if kind == "multiple":
        return f"use includes/excludes with one of: {', '.join(choices or [])}, or count_gte/count_lte."
    if kind == "boolean":
        return "use equals or not_equals with true or false."
    if kind == "number":
        return "use equals, not_equals, gt, gte, lt or lte with a number."
    if kind == "date":
        return "use within_months: N, or answered: true/false."
    return "free-text answers can only be tested with answered: true/false."


def _closest(name: str, known: list[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return matches[0] if matches else None


# --- structure -----------------------------------------------------------------------------------


def atoms(condition: Condition | None) -> list[Atom]:
    if condition is None:
        return []
    if isinstance(condition, Atom):
        return [condition]
    if isinstance(condition, Not):
        return atoms(condition.item)
    return [a for item in condition.items for a in atoms(item)]


def referenced(condition: Condition | None, subject: Subject) -> list[str]:
    """Names of `subject` used in `condition`, in first-use order, without repeats."""
    seen: dict[str, None] = {}
    for atom in atoms(condition):
        if atom.subject == subject:
            seen.setdefault(atom.name, None)
    return list(seen)


def polarised_atoms(condition: Condition, positive: bool = True) -> list[tuple[Atom, bool]]:
    """Atoms with whether they count for (True) or against (False) the condition holding."""
    if isinstance(condition, Atom):
        return [(condition, positive)]
    if isinstance(condition, Not):
        return polarised_atoms(condition.item, not positive)
    return [pair for item in condition.items for pair in polarised_atoms(item, positive)]


# --- reference evaluation (three-valued) ---------------------------------------------------------

MISSING = object()
IRRELEVANT = object()


def atom_holds(atom: Atom, value: Any, months_back: dict[int, dt.date] | None = None) -> bool:
    """Whether an atom holds for a present value (the value is never MISSING or IRRELEVANT here)."""
    op, expected = atom.op, atom.value
    if op == "answered":
        return expected
    if value is None:
        return op in ("not_equals", "not_in", "excludes")  # an incident field that was never filled in
    if op == "equals":
        return bool(value == expected)
    if op == "not_equals":
        return bool(value != expected)
    if op == "in":
        return value in expected
    if op == "not_in":
        return value not in expected
    if op == "gt":
        return bool(value > expected)
    if op == "gte":
        return bool(value >= expected)
    if op == "lt":
        return bool(value < expected)
    if op == "lte":
        return bool(value <= expected)
    if op == "includes":
        return expected in value
    if op == "excludes":
        return expected not in value
    if op == "count_gte":
        return selected_count(value) >= expected
    if op == "count_lte":
        return selected_count(value) <= expected
    if op == "within_months":
        assert months_back is not None
        return isinstance(value, dt.date) and bool(value >= months_back[expected])
    raise ValueError(op)


def evaluate(condition: Condition, lookup: Any, months_back: dict[int, dt.date]) -> bool | None:
    """Three-valued: True, False, or None when the condition only concerns skipped (irrelevant) questions.

    `lookup(atom)` returns the value, MISSING or IRRELEVANT. A missing value makes value atoms false.
    """
    if isinstance(condition, Atom):
        value = lookup(condition)
        if value is IRRELEVANT:
            return None
        if condition.op == "answered":
            return (value is not MISSING and value is not None) == condition.value
        if value is MISSING:
            return False
        return atom_holds(condition, value, months_back)
    if isinstance(condition, Not):
        inner = evaluate(condition.item, lookup, months_back)
        return None if inner is None else not inner
    results = [evaluate(item, lookup, months_back) for item in condition.items]
    known = [r for r in results if r is not None]
    if not known:
        return None
    return all(known) if isinstance(condition, All) else any(known)
