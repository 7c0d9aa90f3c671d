"""Lint a ruleset's content: the mistakes that load fine (or that the loader reports only one by one).

Works on the raw files, so that it can still report clearly what makes a ruleset fail to load
(duplicate ids, citations of unknown clauses, rules without sources) next to the content problems
the loader accepts (unused questions, clauses nobody cites, empty or copy-pasted rule text). When the
raw checks find no error, the ruleset is also loaded in full and anything the loader rejects is
reported as an error too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .coverage import finer_clauses
from .errors import InputError
from .loading import Document, LoadError, load_document
from .rulesets import find_ruleset, load_ruleset, ruleset_files

Level = Literal["error", "warning"]
TEXT_FIELDS = ("title", "finding", "recommendation")


@dataclass(frozen=True, order=True)
class LintIssue:
    level: Level
    file: str
    line: int | None
    message: str

    def render(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{self.level}: {place}: {self.message}"


@dataclass(frozen=True)
class _Item:
    """One identified entry of a ruleset file: a document, clause, question or rule."""

    kind: str
    id: str
    data: dict[str, Any]
    file: str
    line: int | None
    document: str | None = None  # the source document a clause belongs to


@dataclass
class LintReport:
    ruleset: str
    issues: list[LintIssue]

    @property
    def errors(self) -> list[LintIssue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[LintIssue]:
        return [i for i in self.issues if i.level == "warning"]

    def render_text(self) -> str:
        lines = [issue.render() for issue in self.issues]
        lines.append(
            f"{self.ruleset}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)."
            if self.issues
            else f"{self.ruleset}: clean (no errors, no warnings)."
        )
        return "\n".join(lines) + "\n"

    def render_json(self) -> str:
        data = {
            "ruleset": self.ruleset,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "issues": [{"level": i.level, "file": i.file, "line": i.line, "message": i.message} for i in self.issues],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def lint_ruleset(reference: str | Path | None = None) -> LintReport:
    """Lint the ruleset folder or file `reference` (or a bundled ruleset id)."""
    path = reference if isinstance(reference, Path) else find_ruleset(reference)
    issues: list[LintIssue] = []
    documents: list[Document] = []
    for file in ruleset_files(path):
        try:
            documents.append(load_document(file))
        except LoadError as exc:
            issues.append(LintIssue("error", exc.file, exc.line, f"{exc.message} Fix: {exc.fix}"))
    items = _collect(documents, issues)
    _check_duplicates(items, issues)
    _check_rules(items, issues)
    _check_questions(items, issues)
    _check_clauses(items, issues)
    if not any(i.level == "error" for i in issues):
        try:
            load_ruleset(path)
        except InputError as exc:
            issues += [
                LintIssue("error", p.file, p.line, f"{p.message}{' Fix: ' + p.fix if p.fix else ''}")
                for p in exc.problems
            ]
    ordered = sorted(set(issues), key=lambda i: (i.level != "error", i.file, i.line or 0, i.message))
    return LintReport(str(path), ordered)


def _collect(documents: list[Document], issues: list[LintIssue]) -> list[_Item]:
    items: list[_Item] = []
    for document in documents:
        data = document.data
        if data is None:
            continue
        if not isinstance(data, dict):
            issues.append(
                LintIssue(
                    "error",
                    document.file,
                    1,
                    "a ruleset file must be a mapping with sources:, questions: and/or rules:.",
                )
            )
            continue
        for key, kind in (("sources", "document"), ("questions", "question"), ("rules", "rule")):
            entries = data.get(key)
            if entries is None:
                continue
            if not isinstance(entries, list):
                issues.append(LintIssue("error", document.file, document.line((key,)), f"'{key}' must be a list."))
                continue
            for i, entry in enumerate(entries):
                place = document.line((key, i))
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"].strip():
                    issues.append(LintIssue("error", document.file, place, f"{key}[{i}] has no id."))
                    continue
                items.append(_Item(kind, entry["id"], entry, document.file, place))
                if kind == "document":
                    clauses = entry.get("clauses")
                    for j, clause in enumerate(clauses if isinstance(clauses, list) else []):
                        if isinstance(clause, dict) and isinstance(clause.get("id"), str):
                            line = document.line((key, i, "clauses", j))
                            items.append(_Item("clause", clause["id"], clause, document.file, line, entry["id"]))
    return items


def _where(item: _Item) -> str:
    return item.file if item.line is None else f"{item.file}:{item.line}"


def _check_duplicates(items: list[_Item], issues: list[LintIssue]) -> None:
    by_key: dict[tuple[str, str], list[_Item]] = {}
    for item in items:
        by_key.setdefault((item.kind, item.id), []).append(item)
    for (kind, item_id), group in by_key.items():
        if len(group) > 1:
            places = ", ".join(_where(i) for i in group)
            for item in group[1:]:
                issues.append(
                    LintIssue(
                        "error",
                        item.file,
                        item.line,
                        f"the {kind} id '{item_id}' is defined {len(group)} times ({places}); ids must be unique. "
                        f"Fix: rename or remove all but one.",
                    )
                )


def _text(value: Any) -> str:
    if isinstance(value, dict):  # recommendation: {text, toolkit}
        value = value.get("text")
    return " ".join(value.split()) if isinstance(value, str) else ""


def _check_rules(items: list[_Item], issues: list[LintIssue]) -> None:
    clauses = {i.id for i in items if i.kind == "clause"}
    rules = [i for i in items if i.kind == "rule"]
    for rule in rules:
        refs = rule.data.get("sources")
        if not isinstance(refs, list) or not refs:
            issues.append(
                LintIssue(
                    "error",
                    rule.file,
                    rule.line,
                    f"rule '{rule.id}' cites no source. Fix: add sources: with the clause ids it implements.",
                )
            )
        for kind, ref_id in _citations(rule.data):
            if ref_id not in clauses:
                issues.append(
                    LintIssue(
                        "error",
                        rule.file,
                        rule.line,
                        f"rule '{rule.id}' {kind} '{ref_id}', which is not in any sources: catalogue. "
                        "Fix: add the clause to rulesets/<id>/sources/, or correct the id.",
                    )
                )
        for name in TEXT_FIELDS:
            if not _text(rule.data.get(name)):
                issues.append(LintIssue("error", rule.file, rule.line, f"rule '{rule.id}' has an empty {name}."))
    for name in TEXT_FIELDS:
        seen: dict[str, _Item] = {}
        for rule in rules:
            text = _text(rule.data.get(name)).casefold()
            if not text:
                continue
            first = seen.setdefault(text, rule)
            if first is not rule and first.id != rule.id:
                issues.append(
                    LintIssue(
                        "error",
                        rule.file,
                        rule.line,
                        f"rule '{rule.id}' has the same {name} as rule '{first.id}' ({_where(first)}). "
                        f"Fix: say what is specific to each rule.",
                    )
                )


def _citations(rule: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    refs = rule.get("sources")
    for ref in refs if isinstance(refs, list) else []:
        if isinstance(ref, dict) and isinstance(ref.get("clause"), str):
            found.append(("cites the source clause", ref["clause"]))
    recommendation = rule.get("recommendation")
    toolkit = recommendation.get("toolkit") if isinstance(recommendation, dict) else None
    for ref_id in toolkit if isinstance(toolkit, list) else []:
        if isinstance(ref_id, str):
            found.append(("points to the guidance", ref_id))
    return found


def _questions_in(condition: Any) -> set[str]:
    """Every question id a raw condition tree refers to."""
    if isinstance(condition, list):
        return {name for item in condition for name in _questions_in(item)}
    if not isinstance(condition, dict):
        return set()
    found = {condition["question"]} if isinstance(condition.get("question"), str) else set()
    for value in condition.values():
        if isinstance(value, (dict, list)):
            found |= _questions_in(value)
    return found


def _check_questions(items: list[_Item], issues: list[LintIssue]) -> None:
    used: set[str] = set()
    for rule in (i for i in items if i.kind == "rule"):
        for level in ("met", "substantially_met", "partially_met"):
            used |= _questions_in(rule.data.get(level))
    for question in (i for i in items if i.kind == "question"):
        if question.id not in used:
            issues.append(
                LintIssue(
                    "error",
                    question.file,
                    question.line,
                    f"question '{question.id}' is asked but no rule uses it. "
                    "Fix: use it in a rule's conditions, or remove it.",
                )
            )


def _check_clauses(items: list[_Item], issues: list[LintIssue]) -> None:
    """Warn about clauses no rule cites; a broad clause is spared when a finer one below it is cited."""
    cited = {ref_id for rule in items if rule.kind == "rule" for _, ref_id in _citations(rule.data)}
    clauses = [i for i in items if i.kind == "clause"]
    by_document: dict[str | None, list[str]] = {}
    for clause in clauses:
        by_document.setdefault(clause.document, []).append(clause.id)
    for clause in clauses:
        if clause.id in cited:
            continue
        if any(finer in cited for finer in finer_clauses(clause.id, by_document[clause.document])):
            continue
        issues.append(
            LintIssue(
                "warning",
                clause.file,
                clause.line,
                f"clause '{clause.id}' ({clause.document}) is never cited by a rule, as a source or as guidance.",
            )
        )
