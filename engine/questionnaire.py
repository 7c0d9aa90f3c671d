"""What a person needs to answer a ruleset's questions, and a blank YAML questionnaire built from it.

The workbook (engine/workbook.py), the guided terminal mode (engine/fill.py) and the YAML template
all describe questions the same way, from the functions here, so that none needs another document.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

import yaml

from .assessments import NEVER, Assessment
from .conditions import question_choices
from .models import AnswerType, Incident, ProfileFact, Question
from .rulesets import Ruleset

HEADER_FIELDS: list[tuple[str, str, bool]] = [
    ("organisation", "Name of the company or organisation.", True),
    ("site", "The site, project or operation the answers describe.", True),
    ("kind", "'self' for a self-assessment, 'audit' for an external audit.", True),
    ("date", "The day the answers describe, as YYYY-MM-DD.", True),
    ("assessor", "Who answered or audited (optional).", False),
    ("ruleset", "Id of the ruleset these questions come from (optional).", False),
    ("ruleset_version", "Version of that ruleset (optional).", False),
    ("notes", "Anything the reader of the report should know (optional).", False),
]
KINDS = ["self", "audit"]
MULTI_SEPARATOR = ";"


@dataclass(frozen=True)
class QuestionGuide:
    """One question with everything needed to answer it, in words."""

    question: Question
    pillar_title: str
    allowed: str
    choices: list[str] | None
    relevant_when: str | None
    rules: list[str]

    @property
    def id(self) -> str:
        return self.question.id


def allowed_values(question: Question) -> str:
    """The allowed answers of a question, as one line of text."""
    kind = question.type
    choices = question_choices(question) or []
    if kind == AnswerType.multiple_choice:
        return "any of: " + "; ".join(_labelled(question, c) for c in choices)
    if kind in (AnswerType.yes_no, AnswerType.yes_no_partial, AnswerType.single_choice):
        return "one of: " + "; ".join(_labelled(question, c) for c in choices)
    if kind == AnswerType.number:
        low = "" if question.min is None else _number(question.min)
        high = "" if question.max is None else _number(question.max)
        if low or high:
            return f"a number from {low or 'any'} to {high or 'any'}"
        return "a number"
    if kind == AnswerType.date:
        return f"a date (YYYY-MM-DD), or '{NEVER}' if it has not happened"
    return "free text"


def _labelled(question: Question, value: str) -> str:
    for choice in question.choices or []:
        if choice.value == value and choice.label != value:
            return f"{value} ({choice.label})"
    return value


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def fact_allowed(fact: ProfileFact) -> str:
    if fact.type == "boolean":
        return "yes or no"
    if fact.type == "single_choice":
        return "one of: " + "; ".join(f"{c.value} ({c.label})" for c in fact.choices or [])
    return "a number"


def guides(ruleset: Ruleset) -> list[QuestionGuide]:
    """Every question in questionnaire order: by pillar, then as the ruleset lists them."""
    users: dict[str, list[str]] = {}
    for rule_id in ruleset.rules:
        for question_id in ruleset.rule_questions(rule_id):
            users.setdefault(question_id, []).append(rule_id)
    pillars = {p.id: p for p in ruleset.header.pillars}
    order = {p.id: i for i, p in enumerate(ruleset.header.pillars)}
    questions = sorted(ruleset.questions.values(), key=lambda q: order.get(q.pillar, len(order)))
    result = []
    for question in questions:
        relevance = ruleset.relevance.get(question.id)
        pillar = pillars.get(question.pillar)
        result.append(
            QuestionGuide(
                question,
                pillar.title if pillar else question.pillar,
                allowed_values(question),
                question_choices(question),
                _plain_condition(relevance.render()) if relevance is not None else None,
                users.get(question.id, []),
            )
        )
    return result


def _plain_condition(text: str) -> str:
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return text.replace("profile.", "")


def rule_titles(ruleset: Ruleset, rule_ids: list[str]) -> str:
    return "; ".join(f"{r} ({ruleset.rules[r].title})" for r in rule_ids) or "none (asked for the record)"


# --- the blank YAML questionnaire ---------------------------------------------------------------


def _comment(text: str, indent: str = "", prefix: str = "") -> list[str]:
    """Text as YAML comment lines; every line of it commented, so no text can break the file."""
    lines = str(text).splitlines() or [""]
    out = []
    for number, line in enumerate(lines):
        lead = prefix if number == 0 else " " * len(prefix)
        out.append(f"{indent}# {lead}{line}".rstrip())
    return out


def yaml_template(ruleset: Ruleset) -> str:
    """A blank questionnaire in YAML: every question commented in full, every answer empty (null)."""
    out: list[str] = []
    out += _comment(f"Questionnaire: {ruleset.header.title} (ruleset {ruleset.id} {ruleset.version})")
    out += [
        "#",
        "# How to fill it in: write each answer after the colon; leave it empty if you do not know yet",
        "# (empty = unanswered). To add evidence or a comment to an answer, write it as",
        '#   QUESTION-ID: {value: "yes", evidence: "where it is documented", comment: "anything else"}',
        "# Quote text that contains ': ' or starts with a symbol.",
        "#",
        "# Before vpsa can assess this file, the assessment header (organisation, site, kind, date) and",
        "# EVERY profile fact must be filled in: the profile decides which questions and rules apply.",
        f"# Check what is still missing with:  vpsa validate THIS-FILE --ruleset {ruleset.id}",
        f"# Then assess it with:               vpsa assess THIS-FILE --ruleset {ruleset.id}",
        "",
        "assessment:",
    ]
    for name, help_text, required in HEADER_FIELDS:
        value = {"ruleset": ruleset.id, "ruleset_version": ruleset.version}.get(name)
        out += _comment(f"{help_text}{' Required.' if required else ''}", "  ")
        out.append(f"  {name}: {_scalar(value)}".rstrip())
    out += ["", "# Facts about the company and site. They decide which questions apply: answer every one.", "profile:"]
    for fact in ruleset.header.profile:
        out += _comment(fact.text, "  ")
        if fact.help:
            out += _comment(fact.help, "  ", "Help: ")
        out += _comment(f"Answer: {fact_allowed(fact)}.", "  ")
        out.append(f"  {fact.id}:")
    out += ["", "answers:"]
    current = None
    for guide in guides(ruleset):
        if guide.question.pillar != current:
            current = guide.question.pillar
            out += ["", *_comment(f"=== {guide.pillar_title} ({current}) ===", "  ")]
        question = guide.question
        out += _comment(question.text, "  ", f"{question.id}: ")
        if question.section:
            out += _comment(question.section, "  ", "Section: ")
        if question.help:
            out += _comment(question.help, "  ", "Help: ")
        out += _comment(f"Answer: {guide.allowed}.", "  ")
        if question.type == AnswerType.multiple_choice:
            out += _comment("Several values: write them as a list, e.g. [first, second].", "  ")
        out += _comment(
            f"Applies only when: {guide.relevant_when}." if guide.relevant_when else "Applies always.", "  "
        )
        out += _comment(f"Used by rules: {rule_titles(ruleset, guide.rules)}.", "  ")
        out.append(f"  {question.id}:")
    out += ["", "# Security and human rights incidents, one entry each (leave the list empty if none). Fields:"]
    types = ", ".join(t.id for t in ruleset.header.incident_types) or "none defined"
    out += _comment(f"  id, date (YYYY-MM-DD), type ({types}), actor, and optionally: {', '.join(_incident_extras())}.")
    out.append("incidents: []")
    return "\n".join(out) + "\n"


def _incident_extras() -> list[str]:
    return [name for name in Incident.model_fields if name not in ("id", "date", "type", "actor")]


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


# --- assessment data: the one shape YAML, JSON and workbooks share -------------------------------


def assessment_data(assessment: Assessment) -> dict[str, Any]:
    """A checked assessment as plain data ({assessment, profile, answers, incidents}), nothing empty kept."""
    meta = {k: _plain(v) for k, v in assessment.meta.model_dump(mode="python").items() if v is not None}
    answers: dict[str, Any] = {}
    for question_id, answer in assessment.answers.items():
        entry = {k: v for k, v in answer.model_dump(mode="python").items() if v is not None}
        if not entry:
            continue
        answers[question_id] = entry["value"] if list(entry) == ["value"] else entry
    incidents = [
        {k: _plain(v) for k, v in incident.model_dump(mode="python").items() if v is not None}
        for incident in assessment.incidents
    ]
    return {"assessment": meta, "profile": dict(assessment.profile), "answers": answers, "incidents": incidents}


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dump_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n"


class _Dumper(yaml.SafeDumper):
    """Readable YAML that reads back exactly: text with line-break or control characters is double-quoted."""


_NEEDS_QUOTES = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if _NEEDS_QUOTES.search(text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
