"""Source coverage: which rules cite each clause of each source document, and which clauses no rule covers.

A rule covers a clause when it cites it as a source or points to it as practical guidance
(recommendation.toolkit). A broad clause (e.g. VP-PUB-SA, a whole section) also counts as covered
when a finer clause below it is covered: a clause is finer when its id extends the broad clause's id
with a hyphen (VP-PUB-SA-CONSULT under VP-PUB-SA) in the same document. Only the documents named as
required (the Voluntary Principles) make coverage fail; gaps elsewhere are information.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from .rulesets import Ruleset

REQUIRED_DOCUMENTS = ("VPSHR",)


def finer_clauses(clause_id: str, document_clause_ids: Iterable[str]) -> list[str]:
    """Clause ids that refine `clause_id` (their id starts with it plus a hyphen), in the given order."""
    prefix = f"{clause_id}-"
    return [other for other in document_clause_ids if other.startswith(prefix)]


@dataclass(frozen=True)
class ClauseCoverage:
    id: str
    section: str
    title: str | None
    verified: bool
    sources: tuple[str, ...]  # rules citing the clause as a source
    guidance: tuple[str, ...]  # rules pointing to it as practical guidance
    covered_via: tuple[str, ...]  # finer clauses that are covered

    @property
    def cited(self) -> bool:
        return bool(self.sources or self.guidance)

    @property
    def covered(self) -> bool:
        return self.cited or bool(self.covered_via)


@dataclass(frozen=True)
class DocumentCoverage:
    id: str
    title: str
    year: int | None
    required: bool
    clauses: tuple[ClauseCoverage, ...]

    @property
    def uncovered(self) -> list[ClauseCoverage]:
        return [c for c in self.clauses if not c.covered]


@dataclass(frozen=True)
class Coverage:
    ruleset_id: str
    ruleset_version: str
    documents: tuple[DocumentCoverage, ...]

    @property
    def uncovered_required(self) -> list[str]:
        return [c.id for d in self.documents if d.required for c in d.uncovered]

    @property
    def clause_count(self) -> int:
        return sum(len(d.clauses) for d in self.documents)

    @property
    def uncovered_count(self) -> int:
        return sum(len(d.uncovered) for d in self.documents)


def clause_coverage(ruleset: Ruleset, required: Collection[str] = REQUIRED_DOCUMENTS) -> Coverage:
    """Coverage of every clause of every source document of `ruleset` (required documents first)."""
    sources: dict[str, list[str]] = {}
    guidance: dict[str, list[str]] = {}
    for rule in ruleset.rules.values():
        for ref in rule.sources:
            _add_once(sources.setdefault(ref.clause, []), rule.id)
        for ref_id in rule.recommendation.toolkit:
            _add_once(guidance.setdefault(ref_id, []), rule.id)
    documents: list[DocumentCoverage] = []
    for document in ruleset.documents:
        ids = [c.id for c in document.clauses]
        cited = {cid for cid in ids if cid in sources or cid in guidance}
        clauses = tuple(
            ClauseCoverage(
                id=clause.id,
                section=clause.section,
                title=clause.title,
                verified=clause.verified,
                sources=tuple(sorted(sources.get(clause.id, []), key=_natural)),
                guidance=tuple(sorted(guidance.get(clause.id, []), key=_natural)),
                covered_via=tuple(c for c in finer_clauses(clause.id, ids) if c in cited),
            )
            for clause in document.clauses
        )
        documents.append(DocumentCoverage(document.id, document.title, document.year, document.id in required, clauses))
    documents.sort(key=lambda d: not d.required)  # required documents first, then catalogue order
    return Coverage(ruleset.id, ruleset.version, tuple(documents))


def _natural(rule_id: str) -> list[tuple[int, int | str]]:
    """Sort key that puts PUB-2 before PUB-10."""
    return [(1, int(part)) if part.isdigit() else (0, part) for part in re.split(r"(\d+)", rule_id)]


def _add_once(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


# --- rendering -----------------------------------------------------------------------------------


def coverage_dict(coverage: Coverage) -> dict[str, Any]:
    return {
        "ruleset": {"id": coverage.ruleset_id, "version": coverage.ruleset_version},
        "summary": {
            "clauses": coverage.clause_count,
            "covered": coverage.clause_count - coverage.uncovered_count,
            "uncovered": coverage.uncovered_count,
            "uncovered_required": coverage.uncovered_required,
        },
        "documents": [
            {
                "id": d.id,
                "title": d.title,
                "year": d.year,
                "required": d.required,
                "clauses": [
                    {
                        "id": c.id,
                        "section": c.section,
                        "title": c.title,
                        "verified": c.verified,
                        "covered": c.covered,
                        "sources": list(c.sources),
                        "guidance": list(c.guidance),
                        "covered_via": list(c.covered_via),
                    }
                    for c in d.clauses
                ],
            }
            for d in coverage.documents
        ],
    }


def render_json(coverage: Coverage) -> str:
    return json.dumps(coverage_dict(coverage), indent=2, ensure_ascii=False) + "\n"


def _cell(text: str | None) -> str:
    """Table-safe text: no line breaks, pipes or markup from the ruleset leak into the Markdown."""
    if not text:
        return ""
    flat = " ".join(text.split())
    for raw, safe in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|"), ("`", "\\`")):
        flat = flat.replace(raw, safe)
    return flat


def render_markdown(coverage: Coverage) -> str:
    required = coverage.uncovered_required
    lines = [
        f"# Source coverage of ruleset {_cell(coverage.ruleset_id)} {_cell(coverage.ruleset_version)}",
        "",
        f"{coverage.clause_count} clauses, {coverage.clause_count - coverage.uncovered_count} covered by at least "
        f"one rule, {coverage.uncovered_count} uncovered.",
        "",
    ]
    if required:
        lines += [f"**Uncovered clauses of a required document: {', '.join(_cell(c) for c in required)}.**", ""]
    else:
        lines += ["Every clause of the required documents is covered.", ""]
    for document in coverage.documents:
        year = f" ({document.year})" if document.year else ""
        role = "required: every clause must be covered" if document.required else "for information"
        lines += [
            f"## {_cell(document.title)}{year}",
            "",
            f"Document `{_cell(document.id)}` — {role}; {len(document.uncovered)} of {len(document.clauses)} "
            "clauses uncovered.",
            "",
            "| Clause | Section | Title | Verified | Cited as source by | Guidance for | Coverage |",
            "|---|---|---|---|---|---|---|",
        ]
        for clause in document.clauses:
            if clause.cited:
                status = "covered"
            elif clause.covered_via:
                status = f"covered via {', '.join(clause.covered_via)}"
            else:
                status = "**UNCOVERED**"
            lines.append(
                f"| {_cell(clause.id)} | {_cell(clause.section)} | {_cell(clause.title)} | "
                f"{'yes' if clause.verified else 'no'} | {', '.join(clause.sources)} | "
                f"{', '.join(clause.guidance)} | {status} |"
            )
        lines.append("")
    return "\n".join(lines)
