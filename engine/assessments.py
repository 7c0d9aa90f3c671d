"""Load an assessment (questionnaire answers) and check every value against its ruleset."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .conditions import _closest, question_choices
from .errors import InputError, Problem
from .loading import Document, LoadError, load_document, read_text
from .models import NONE_CHOICE, Answer, AnswerType, AssessmentFile, AssessmentMeta, Incident, Question
from .rulesets import Ruleset
from .validation import validate_model

AnswerData = Any
NEVER = "never"  # a date question may be answered 'never' (the thing has not happened)


@dataclass
class Assessment:
    meta: AssessmentMeta
    profile: dict[str, Any]
    answers: dict[str, Answer]
    incidents: list[Incident]
    sha256: str
    file: str
    warnings: list[str] = field(default_factory=list)

    def value(self, question_id: str) -> Any:
        answer = self.answers.get(question_id)
        return None if answer is None else answer.value


def read_assessment_document(path: Path) -> tuple[Document, bytes]:
    """Parse an assessment file of any supported format into a Document and its raw bytes."""
    try:
        if not path.is_file():
            read_text(path)  # raises the right message: no such file, or a folder
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from .workbook import read_workbook  # optional: the questionnaire workbook reader

            return read_workbook(path)
        if path.suffix.lower() not in (".yaml", ".yml", ".json"):
            raise LoadError(
                str(path),
                None,
                f"'{path.suffix or 'no extension'}' is not a format vpsa reads.",
                "give a .yaml, .yml, .json or .xlsx assessment file.",
            )
        document = load_document(path)
    except LoadError as exc:
        raise InputError([Problem(exc.file, exc.line, "", exc.message, exc.fix)]) from None
    return document, path.read_bytes()


def load_assessment(path: Path, ruleset: Ruleset) -> Assessment:
    document, raw = read_assessment_document(path)
    return parse_assessment(document, raw, ruleset)


def parse_assessment(document: Document, raw: bytes, ruleset: Ruleset) -> Assessment:
    data = document.data
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    document.file,
                    1,
                    "",
                    "an assessment must be a mapping with assessment:, profile: and answers: sections.",
                    "start from an example in assessments/ or run 'vpsa questionnaire new'.",
                )
            ]
        )
    model, problems = validate_model(AssessmentFile, data, document)
    if model is None:
        raise InputError(problems + _problems_besides_incidents(document, ruleset))
    parsed: AssessmentFile = model  # type: ignore[assignment]
    checker = _Checker(document, ruleset, parsed.assessment.date)
    if parsed.assessment.ruleset is not None and parsed.assessment.ruleset != ruleset.id:
        checker.add(
            ("assessment", "ruleset"),
            f"this assessment was written for ruleset '{parsed.assessment.ruleset}', not '{ruleset.id}'.",
            f"run with --ruleset {parsed.assessment.ruleset}, or change the field.",
        )
    warnings: list[str] = []
    if parsed.assessment.ruleset_version and parsed.assessment.ruleset_version != ruleset.version:
        warnings.append(
            f"the assessment was written for ruleset version {parsed.assessment.ruleset_version}; "
            f"evaluated with {ruleset.version}."
        )
    check_origin = getattr(document, "check_ruleset", None)  # a workbook names the ruleset it was made from
    if check_origin is not None:
        warnings += check_origin(ruleset, checker.add)
    profile = checker.profile(parsed.profile)
    answers = checker.answers(parsed.answers)
    checker.incidents(parsed.incidents)
    if checker.problems:
        raise InputError(checker.problems)
    for question_id in sorted(answers):
        relevance = ruleset.relevance.get(question_id)
        if relevance is not None and answers[question_id].value is not None:
            from .conditions import evaluate

            if evaluate(relevance, lambda atom: profile[atom.name], {}) is False:
                warnings.append(f"{question_id} is answered but does not apply to this profile; the answer is ignored.")
    return Assessment(
        parsed.assessment,
        profile,
        answers,
        list(parsed.incidents),
        hashlib.sha256(raw).hexdigest(),
        document.file,
        warnings,
    )


def _problems_besides_incidents(document: Document, ruleset: Ruleset) -> list[Problem]:
    """When the header or incidents are malformed, still check the profile and answers: every error in one run."""
    data = document.data
    profile, answers = data.get("profile") or {}, data.get("answers") or {}
    if not isinstance(profile, dict) or not isinstance(answers, dict):
        return []  # reported by the model validation already
    try:
        date = AssessmentMeta.model_validate(data.get("assessment")).date
    except Exception:
        date = dt.date.max  # no usable assessment date: dates are checked once it is given
    checker = _Checker(document, ruleset, date)
    checker.profile(profile)
    checker.answers(answers)
    return checker.problems


def check_answer(
    ruleset: Ruleset, question: Question, raw: Any, date: dt.date, file: str
) -> tuple[Any, Problem | None]:
    """One answer checked as the loader checks it: (the normalised value, None) or (None, the problem).

    For interactive entry (the guided questionnaire), which checks each answer as it is typed.
    """
    checker = _Checker(Document(file, None), ruleset, date)
    value = checker.value(question, raw, ("answers", question.id))
    if value is _INVALID:
        return None, checker.problems[0]
    return value, None


class _Checker:
    def __init__(self, document: Document, ruleset: Ruleset, date: dt.date) -> None:
        self.document, self.ruleset, self.date = document, ruleset, date
        self.problems: list[Problem] = []

    def add(self, path: tuple[Any, ...], message: str, fix: str) -> None:
        from .validation import where

        place = self.document.where(path) or where(path)
        self.problems.append(Problem(self.document.file, self.document.line(path), place, message, fix))

    def profile(self, raw: dict[str, Any]) -> dict[str, Any]:
        facts = self.ruleset.profile
        result: dict[str, Any] = {}
        for name, value in raw.items():
            fact = facts.get(name)
            if fact is None:
                hint = _closest(name, list(facts))
                self.add(
                    ("profile", name),
                    f"unknown profile fact '{name}'.",
                    f"did you mean '{hint}'?" if hint else f"use one of: {', '.join(facts)}.",
                )
                continue
            if value is None:
                continue  # left empty (as in a blank questionnaire): reported below as not said
            if fact.type == "boolean":
                value = _as_bool(value)
                if value is None:
                    self.add(("profile", name), f"profile fact '{name}' must be true or false.", "write true or false.")
                    continue
            elif fact.type == "single_choice":
                allowed = [c.value for c in fact.choices or []]
                if value not in allowed:
                    self.add(
                        ("profile", name),
                        f"profile fact '{name}': {value!r} is not one of {', '.join(allowed)}.",
                        "use one of the listed values.",
                    )
                    continue
            elif not isinstance(value, (int, float)) or isinstance(value, bool):
                self.add(("profile", name), f"profile fact '{name}' must be a number.", "write a number.")
                continue
            result[name] = value
        missing = [name for name in facts if raw.get(name) is None]
        if missing:
            self.add(
                ("profile",),
                f"the profile does not say: {', '.join(missing)}.",
                "answer every profile fact (they decide which rules apply); see 'vpsa questionnaire new'.",
            )
        return result

    def answers(self, raw: dict[str, Any]) -> dict[str, Answer]:
        result: dict[str, Answer] = {}
        questions = self.ruleset.questions
        for question_id, entry in raw.items():
            path = ("answers", question_id)
            question = questions.get(question_id)
            if question is None:
                hint = _closest(question_id, list(questions))
                self.add(
                    path,
                    f"unknown question id '{question_id}'.",
                    f"did you mean '{hint}'?" if hint else "check the id against 'vpsa rules list'.",
                )
                continue
            if isinstance(entry, dict):
                model, found = validate_model(Answer, entry, self.document, path)
                if model is None:
                    self.problems.extend(found)
                    continue
                answer: Answer = model  # type: ignore[assignment]
            else:
                try:
                    answer = Answer(value=entry)
                except ValueError:  # pydantic's ValidationError: a mapping or a list of non-text values
                    shown = repr(entry) if len(repr(entry)) <= 80 else repr(entry)[:77] + "..."
                    self.add(
                        path,
                        f"{question_id}: {shown} is not an answer vpsa can read.",
                        "give one value (a list only for a multiple choice question), "
                        "or {value: ..., evidence: ..., comment: ...}.",
                    )
                    continue
            value = self.value(question, answer.value, path if not isinstance(entry, dict) else (*path, "value"))
            if value is _INVALID:
                continue
            result[question_id] = answer.model_copy(update={"value": value})
        return result

    def value(self, question: Question, value: Any, path: tuple[Any, ...]) -> Any:
        if value is None or value == "" or value == []:
            return None
        kind = question.type
        choices = question_choices(question) or []
        label = f"{question.id}"
        if kind in (AnswerType.yes_no, AnswerType.yes_no_partial, AnswerType.single_choice):
            if isinstance(value, bool) and kind != AnswerType.single_choice:
                value = "yes" if value else "no"
            if isinstance(value, str):
                value = value.strip()
                lowered = value.lower()
                if lowered in choices and value not in choices:
                    value = lowered
            if value not in choices:
                shown = "true/false" if isinstance(value, bool) else repr(value)
                self.add(
                    path,
                    f"{label}: {shown} is not one of {' / '.join(choices)}.",
                    f"answer with one of: {', '.join(choices)}.",
                )
                return _INVALID
            return value
        if kind == AnswerType.multiple_choice:
            items = value if isinstance(value, list) else [value]
            bad = [v for v in items if not isinstance(v, str) or v not in choices]
            if bad:
                self.add(
                    path, f"{label}: {bad[0]!r} is not one of {' / '.join(choices)}.", "list only the allowed values."
                )
                return _INVALID
            if len(set(items)) != len(items):
                self.add(path, f"{label}: a value is listed twice.", "list each selected value once.")
                return _INVALID
            if NONE_CHOICE in items and len(items) > 1:
                self.add(
                    path,
                    f"{label}: '{NONE_CHOICE}' (none of these) is listed together with other choices.",
                    f"list either '{NONE_CHOICE}' alone or only the choices that apply.",
                )
                return _INVALID
            return sorted(items, key=choices.index)
        if kind == AnswerType.number:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                self.add(path, f"{label}: {value!r} is not a number.", "write a number without units or text.")
                return _INVALID
            if question.min is not None and value < question.min or question.max is not None and value > question.max:
                self.add(
                    path,
                    f"{label}: {value} is outside the allowed range {question.min}..{question.max}.",
                    "give a value within the range.",
                )
                return _INVALID
            return value
        if kind == AnswerType.date:
            if isinstance(value, str) and value.strip().lower() == NEVER:
                return NEVER
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value.strip())
                except ValueError:
                    self.add(path, f"{label}: {value!r} is not a date.", "write the date as YYYY-MM-DD, or 'never'.")
                    return _INVALID
            if isinstance(value, dt.datetime):
                value = value.date()
            if not isinstance(value, dt.date):
                self.add(path, f"{label}: {value!r} is not a date.", "write the date as YYYY-MM-DD.")
                return _INVALID
            if value > self.date:
                self.add(
                    path,
                    f"{label}: {value.isoformat()} is after the assessment date {self.date.isoformat()}.",
                    "correct the date, or the assessment date.",
                )
                return _INVALID
            return value
        if not isinstance(value, str):
            value = str(value)
        return value

    def incidents(self, incidents: list[Incident]) -> None:
        known = [t.id for t in self.ruleset.header.incident_types]
        seen: set[str] = set()
        for i, incident in enumerate(incidents):
            path = ("incidents", i)
            if incident.id in seen:
                self.add(
                    (*path, "id"), f"the incident id '{incident.id}' is used twice.", "give each incident its own id."
                )
            seen.add(incident.id)
            if incident.type not in known:
                self.add(
                    (*path, "type"),
                    f"incident '{incident.id}': unknown type '{incident.type}'.",
                    f"use one of: {', '.join(known)}.",
                )
            if incident.date > self.date:
                self.add(
                    (*path, "date"), f"incident '{incident.id}' is dated after the assessment.", "correct the date."
                )
            for step in (
                "reported_internally",
                "reported_to_authorities",
                "investigation_opened",
                "investigation_closed",
            ):
                when = getattr(incident, step)
                if when is not None and (when < incident.date or when > self.date):
                    self.add(
                        (*path, step),
                        f"incident '{incident.id}': {step} {when.isoformat()} is before the incident "
                        "or after the assessment date.",
                        "correct the date.",
                    )
            if incident.investigation_closed and not incident.investigation_opened:
                self.add(
                    (*path, "investigation_closed"),
                    f"incident '{incident.id}' has an investigation closed but never opened.",
                    "add investigation_opened.",
                )


_INVALID = object()


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("yes", "true", "no", "false"):
        return value.strip().lower() in ("yes", "true")
    return None


def load_meta_only(path: Path) -> AssessmentMeta | None:
    """The assessment header, or None; used to pick the ruleset before a full load."""
    try:
        document, _ = read_assessment_document(path)
    except InputError:
        return None
    data = document.data
    if isinstance(data, dict) and isinstance(data.get("assessment"), dict):
        try:
            return AssessmentMeta.model_validate(data["assessment"])
        except Exception:
            return None
    return None
