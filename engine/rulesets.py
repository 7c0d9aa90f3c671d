"""Load a ruleset (a folder of YAML files, or one file), validate it whole, and index it."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import conditions as cond
from .errors import InputError, Problem
from .loading import Document, LoadError, load_document
from .models import (
    CONDITION_LEVELS,
    AnswerType,
    Clause,
    Factor,
    ProfileFact,
    Question,
    Rule,
    RulesetHeader,
    RulesetPart,
    SourceDocument,
    Status,
)
from .validation import validate_model

HEADER_FILE = "ruleset.yaml"
HEADER_KEYS = set(RulesetHeader.model_fields)


def bundled_ruleset_dirs() -> list[Path]:
    """Where bundled rulesets live: $VPSA_RULESETS, the installed package data, the source tree."""
    here = Path(__file__).resolve().parent
    candidates = [here / "_data" / "rulesets", here.parent / "rulesets"]
    env = os.environ.get("VPSA_RULESETS")
    if env:
        candidates.insert(0, Path(env))
    return [c for c in candidates if c.is_dir()]


@dataclass
class CompiledConditions:
    applies_when: cond.Condition | None
    levels: dict[Status, cond.Condition]


@dataclass
class Ruleset:
    header: RulesetHeader
    documents: list[SourceDocument]
    questions: dict[str, Question]
    rules: dict[str, Rule]
    path: str
    sha256: str
    clauses: dict[str, tuple[SourceDocument, Clause]] = field(default_factory=dict)
    relevance: dict[str, cond.Condition] = field(default_factory=dict)
    conditions: dict[str, CompiledConditions] = field(default_factory=dict)
    factors: dict[str, tuple[Factor, cond.Condition]] = field(default_factory=dict)
    origins: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.header.id

    @property
    def version(self) -> str:
        return self.header.version

    @property
    def profile(self) -> dict[str, ProfileFact]:
        return {fact.id: fact for fact in self.header.profile}

    def rule_questions(self, rule_id: str) -> list[str]:
        """Questions a rule's status conditions use, in first-use order."""
        seen: dict[str, None] = {}
        for level in self.conditions[rule_id].levels.values():
            for name in cond.referenced(level, "question"):
                seen.setdefault(name, None)
        return list(seen)


def find_ruleset(reference: str | None) -> Path:
    """Resolve --ruleset: an existing path, or the id of a bundled ruleset (default 'vpshr')."""
    reference = reference or "vpshr"
    as_path = Path(reference)
    if as_path.exists():
        return as_path
    for folder in bundled_ruleset_dirs():
        candidate = folder / reference
        if (candidate / HEADER_FILE).is_file():
            return candidate
    known = sorted(
        {p.name for folder in bundled_ruleset_dirs() for p in folder.iterdir() if (p / HEADER_FILE).is_file()}
    )
    raise InputError(
        [
            Problem(
                reference,
                None,
                "",
                "no ruleset file or folder has this name, and no bundled ruleset has this id.",
                f"name a ruleset folder or file, or one of: {', '.join(known) or 'none'}.",
            )
        ]
    )


def ruleset_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    header = path / HEADER_FILE
    if not header.is_file():
        raise InputError(
            [
                Problem(
                    str(path),
                    None,
                    "",
                    f"this folder has no {HEADER_FILE}.",
                    "a ruleset folder needs a ruleset.yaml with id, version, pillars and maturity.",
                )
            ]
        )
    others = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p != header and p.is_file())
    return [header, *others]


def load_ruleset(reference: str | Path | None = None) -> Ruleset:
    path = reference if isinstance(reference, Path) else find_ruleset(reference)
    files = ruleset_files(path)
    problems: list[Problem] = []
    documents: list[Document] = []
    digest = hashlib.sha256()
    for file in files:
        relative = file.name if path.is_file() else file.relative_to(path).as_posix()
        try:
            documents.append(load_document(file))
        except LoadError as exc:
            problems.append(Problem(exc.file, exc.line, "", exc.message, exc.fix))
            continue
        digest.update(relative.encode() + b"\0" + file.read_bytes() + b"\0")
    if problems:
        raise InputError(problems)
    header_doc = documents[0]
    if not isinstance(header_doc.data, dict):
        raise InputError(
            [
                Problem(
                    header_doc.file,
                    1,
                    "",
                    "the ruleset header must be a mapping.",
                    "start the file with 'id:', 'version:', 'title:', 'pillars:' and 'maturity:'.",
                )
            ]
        )
    header_data = {k: v for k, v in header_doc.data.items() if k in HEADER_KEYS}
    header, found = validate_model(RulesetHeader, header_data, header_doc)
    problems += found
    parts: list[tuple[Document, RulesetPart]] = []
    for index, document in enumerate(documents):
        data = document.data
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(
                Problem(
                    document.file,
                    1,
                    "",
                    "a ruleset file must be a mapping with sources:, questions: and/or rules:.",
                    "wrap the lists under those keys.",
                )
            )
            continue
        if index == 0:
            data = {k: v for k, v in data.items() if k not in HEADER_KEYS}
        part, found = validate_model(RulesetPart, data, document)
        problems += found
        if part is not None:
            parts.append((document, part))  # type: ignore[arg-type]
    if problems or header is None:
        raise InputError(problems)
    ruleset = _assemble(header, parts, str(path), digest.hexdigest())  # type: ignore[arg-type]
    return ruleset


def _assemble(header: RulesetHeader, parts: list[tuple[Document, RulesetPart]], path: str, sha: str) -> Ruleset:
    problems: list[Problem] = []
    ruleset = Ruleset(header=header, documents=[], questions={}, rules={}, path=path, sha256=sha)
    locations: dict[str, tuple[Document, tuple[Any, ...]]] = {}

    def problem(key: str, sub: tuple[Any, ...], message: str, fix: str) -> None:
        document, base = locations[key]
        full = (*base, *sub)
        from .validation import where

        problems.append(Problem(document.file, document.line(full), where(full), message, fix))

    for document, part in parts:
        for i, source in enumerate(part.sources):
            ruleset.documents.append(source)
            for j, clause in enumerate(source.clauses):
                key = f"clause:{clause.id}"
                if key in locations:
                    problems.append(
                        Problem(
                            document.file,
                            document.line(("sources", i, "clauses", j)),
                            "",
                            f"the source clause id '{clause.id}' is used twice.",
                            "give each clause its own id.",
                        )
                    )
                    continue
                locations[key] = (document, ("sources", i, "clauses", j))
                ruleset.clauses[clause.id] = (source, clause)
        for i, question in enumerate(part.questions):
            key = f"question:{question.id}"
            if key in locations:
                problems.append(
                    Problem(
                        document.file,
                        document.line(("questions", i)),
                        f"questions[{i}]",
                        f"the question id '{question.id}' is used twice.",
                        "give each question its own id.",
                    )
                )
                continue
            locations[key] = (document, ("questions", i))
            ruleset.questions[question.id] = question
            ruleset.origins[key] = (document.file, document.line(("questions", i)))
        for i, rule in enumerate(part.rules):
            key = f"rule:{rule.id}"
            if key in locations:
                problems.append(
                    Problem(
                        document.file,
                        document.line(("rules", i)),
                        f"rules[{i}]",
                        f"the rule id '{rule.id}' is used twice.",
                        "give each rule its own id.",
                    )
                )
                continue
            locations[key] = (document, ("rules", i))
            ruleset.rules[rule.id] = rule
            ruleset.origins[key] = (document.file, document.line(("rules", i)))

    header_doc = parts[0][0] if parts else None
    pillars = {p.id for p in header.pillars}
    vocab = cond.Vocabulary(ruleset.questions, ruleset.profile, [t.id for t in header.incident_types])
    if header_doc is not None:
        _check_header(header, header_doc, vocab, ruleset, problems)

    for question in ruleset.questions.values():
        key = f"question:{question.id}"
        if question.pillar not in pillars:
            problem(
                key,
                ("pillar",),
                f"question '{question.id}' names the unknown pillar '{question.pillar}'.",
                f"use one of: {', '.join(sorted(pillars))}.",
            )
        _check_question(question, key, problem)
        if question.relevant is not None:
            found: list[cond.ConditionProblem] = []
            parsed = cond.parse(question.relevant, ("relevant",), {"profile"}, vocab, found)
            for p in found:
                problem(key, p.path, f"question '{question.id}': {p.message}", p.fix)
            if parsed is not None:
                ruleset.relevance[question.id] = parsed

    for rule in ruleset.rules.values():
        _check_rule(rule, f"rule:{rule.id}", ruleset, vocab, pillars, problem)
    if problems:
        raise InputError(problems)
    return ruleset


def _check_header(
    header: RulesetHeader, document: Document, vocab: cond.Vocabulary, ruleset: Ruleset, problems: list[Problem]
) -> None:
    def add(path: tuple[Any, ...], message: str, fix: str) -> None:
        from .validation import where

        problems.append(Problem(document.file, document.line(path), where(path), message, fix))

    for kind, items in (
        ("pillar", header.pillars),
        ("profile fact", header.profile),
        ("factor", header.factors),
        ("incident type", header.incident_types),
    ):
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                add((), f"the {kind} id '{item.id}' is used twice.", f"give each {kind} its own id.")
            seen.add(item.id)
    for i, fact in enumerate(header.profile):
        if fact.type == "single_choice" and not fact.choices:
            add(("profile", i), f"profile fact '{fact.id}' is a single choice without choices.", "list its choices.")
    for i, factor in enumerate(header.factors):
        found: list[cond.ConditionProblem] = []
        parsed = cond.parse(factor.when, ("factors", i, "when"), {"profile"}, vocab, found)
        for p in found:
            add(p.path, f"factor '{factor.id}': {p.message}", p.fix)
        if parsed is not None:
            ruleset.factors[factor.id] = (factor, parsed)
    levels = [level.level for level in header.maturity]
    if levels != list(range(1, len(levels) + 1)):
        add(("maturity",), "maturity levels must be numbered 1, 2, 3 ... in order.", "renumber the levels.")
    for i, level in enumerate(header.maturity):
        if level.critical_at_least is not None and level.critical_at_least not in (
            Status.met,
            Status.substantially_met,
            Status.partially_met,
        ):
            add(
                ("maturity", i, "critical_at_least"),
                "critical_at_least must be met, substantially_met or partially_met.",
                "use one of those statuses.",
            )


def _check_question(question: Question, key: str, problem: Any) -> None:
    choice_types = (AnswerType.single_choice, AnswerType.multiple_choice)
    if question.type in choice_types and not question.choices:
        problem(
            key,
            ("choices",),
            f"question '{question.id}' is a {question.type.value} question without choices.",
            "list its choices as {value, label} entries.",
        )
    if question.type not in choice_types and question.choices:
        problem(
            key,
            ("choices",),
            f"question '{question.id}' ({question.type.value}) cannot have choices.",
            "remove them, or change the type to single_choice or multiple_choice.",
        )
    if question.choices:
        values = [c.value for c in question.choices]
        if len(set(values)) != len(values):
            problem(key, ("choices",), f"question '{question.id}' lists a choice value twice.", "remove the repeat.")
    if question.order is not None:
        allowed = cond.question_choices(question)
        if question.type not in (AnswerType.single_choice, AnswerType.yes_no, AnswerType.yes_no_partial) or (
            allowed is not None and sorted(question.order) != sorted(allowed)
        ):
            problem(
                key,
                ("order",),
                f"question '{question.id}': 'order' must list every choice once, worst first.",
                f"list: {', '.join(allowed or [])}.",
            )
    allowed_better = {
        AnswerType.number: ("higher", "lower", "none"),
        AnswerType.date: ("later", "none"),
        AnswerType.multiple_choice: ("more", "none"),
    }.get(question.type, ())
    if question.better is not None and question.better not in allowed_better:
        problem(
            key,
            ("better",),
            f"question '{question.id}': 'better: {question.better}' does not fit a {question.type.value} question.",
            f"use one of: {', '.join(allowed_better)}."
            if allowed_better
            else "remove it; choice questions use 'order'.",
        )


def answer_order(question: Question) -> list[str] | None:
    """Choice values from worst to best practice, or None where the question has no such order."""
    if question.order is not None:
        return list(question.order)
    if question.type in (AnswerType.yes_no, AnswerType.yes_no_partial):
        return cond.question_choices(question)
    return None


def _check_rule(
    rule: Rule, key: str, ruleset: Ruleset, vocab: cond.Vocabulary, pillars: set[str], problem: Any
) -> None:
    if rule.pillar not in pillars:
        problem(
            key,
            ("pillar",),
            f"rule '{rule.id}' names the unknown pillar '{rule.pillar}'.",
            f"use one of: {', '.join(sorted(pillars))}.",
        )
    for i, ref in enumerate(rule.sources):
        if ref.clause not in ruleset.clauses:
            problem(
                key,
                ("sources", i, "clause"),
                f"rule '{rule.id}' cites the unknown source clause '{ref.clause}'.",
                "add the clause to a sources: catalogue, or correct the id.",
            )
    for i, ref_id in enumerate(rule.recommendation.toolkit):
        if ref_id not in ruleset.clauses:
            problem(
                key,
                ("recommendation", "toolkit", i),
                f"rule '{rule.id}' points to the unknown guidance '{ref_id}'.",
                "add it to a sources: catalogue, or correct the id.",
            )
    for field_name in ("escalate_if", "exposure"):
        for i, factor in enumerate(getattr(rule, field_name)):
            if factor not in ruleset.factors:
                problem(
                    key,
                    (field_name, i),
                    f"rule '{rule.id}' names the unknown factor '{factor}'.",
                    f"use one of: {', '.join(sorted(ruleset.factors)) or 'none (define factors in ruleset.yaml)'}.",
                )
    subjects = {"question", "profile"} | ({"incident"} if rule.scope == "incident" else set())
    found: list[cond.ConditionProblem] = []
    applies = None
    if rule.applies_when is not None:
        applies_subjects = {"profile"} | ({"incident"} if rule.scope == "incident" else set())
        applies = cond.parse(rule.applies_when, ("applies_when",), applies_subjects, vocab, found)
    levels: dict[Status, cond.Condition] = {}
    for level in CONDITION_LEVELS:
        raw = getattr(rule, level.value)
        if raw is None:
            continue
        parsed = cond.parse(raw, (level.value,), subjects, vocab, found)
        if parsed is not None:
            levels[level] = parsed
    for p in found:
        problem(key, p.path, f"rule '{rule.id}': {p.message}", p.fix)
    if found:
        return
    used = [a for level in levels.values() for a in cond.atoms(level) if a.subject in ("question", "incident")]
    if not used:
        problem(
            key,
            ("met",),
            f"rule '{rule.id}' never looks at an answer or an incident, so nobody could change its status.",
            "refer to at least one question in met.",
        )
    for level, condition in levels.items():
        for atom, positive in cond.polarised_atoms(condition):
            message = _monotonic_problem(
                atom, positive, ruleset.questions.get(atom.name) if atom.subject == "question" else None
            )
            if message:
                problem(
                    key,
                    (level.value,),
                    f"rule '{rule.id}' ({level.value}): {message}",
                    "rewrite the condition so that a better answer can only help, or change the question's order.",
                )
    ruleset.conditions[rule.id] = CompiledConditions(applies, levels)


def _monotonic_problem(atom: cond.Atom, positive: bool, question: Question | None) -> str | None:
    """A status condition must never reward a worse answer over a better one (scores stay monotone)."""
    if question is None or atom.op == "answered":
        return None
    order = answer_order(question)
    if order is not None and atom.op in ("equals", "not_equals", "in", "not_in"):
        chosen = {atom.value} if atom.op in ("equals", "not_equals") else set(atom.value)
        if atom.op in ("not_equals", "not_in"):
            chosen = set(order) - chosen
        if not positive:
            chosen = set(order) - chosen
        if not chosen <= set(order):
            return None  # the question's 'order' is itself wrong, and reported as such
        ranks = sorted(order.index(v) for v in chosen)
        if ranks and ranks != list(range(len(order) - len(ranks), len(order))):
            return (
                f"'{atom.render()}' {'counts for' if positive else 'counts against'} the rule, so a better "
                f"answer to {question.id} (order worst→best: {', '.join(order)}) could lower the status."
            )
        return None
    direction = {
        "higher": ("gt", "gte"),
        "lower": ("lt", "lte"),
        "more": ("includes", "count_gte"),
        "later": ("within_months",),
    }.get(question.better or "none")
    if direction is None:
        return None
    rewarding = atom.op in direction
    if atom.op in ("equals", "not_equals") or rewarding != positive:
        return f"'{atom.render()}' does not follow the question's declared direction (better: {question.better})."
    return None
