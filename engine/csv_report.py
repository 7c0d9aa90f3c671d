"""CSV export of a result: one row per finding, for spreadsheets and audit working papers.

RFC 4180 quoting (csv module, CRLF line ends). Cells that a spreadsheet would read as a formula
(starting with = + - @, or a tab/carriage return) get a leading apostrophe, so opening the file
never runs anything.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from .render import plain, source_text

COLUMNS = (
    "rule_id",
    "title",
    "pillar",
    "status",
    "severity",
    "base_severity",
    "score",
    "sources",
    "recommendation",
    "toolkit",
    "evidence_expected",
    "reasons",
)
# Points per status, as in the scores: statuses that are not rated leave the cell empty.
POINTS = {"met": "1.0", "substantially_met": "0.75", "partially_met": "0.5", "not_met": "0"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A cell that spreadsheets show as text: formula-like starts are defused with an apostrophe."""
    text = plain(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _sources(sources: list[dict[str, Any]], with_year: bool = True) -> str:
    return "; ".join(
        source_text(s, with_year) + ("" if s.get("verified", True) else " [reference not yet verified]")
        for s in sources
    )


def finding_row(finding: dict[str, Any]) -> list[str]:
    recommendation = finding.get("recommendation") or {}
    row = {
        "rule_id": finding["rule_id"],
        "title": finding["title"],
        "pillar": finding["pillar"],
        "status": finding["status"],
        "severity": finding["severity"],
        "base_severity": finding.get("base_severity", finding["severity"]),
        "score": POINTS.get(finding["status"], ""),
        "sources": _sources(finding.get("sources") or []),
        "recommendation": recommendation.get("text") or "",
        "toolkit": _sources(recommendation.get("toolkit") or [], with_year=False),
        "evidence_expected": "; ".join(str(e) for e in finding.get("evidence_expected") or []),
        "reasons": " ".join(str(r) for r in finding.get("reasons") or []),
    }
    return [safe_cell(row[column]) for column in COLUMNS]


def render_csv(result: dict[str, Any]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for finding in result["findings"]:
        writer.writerow(finding_row(finding))
    return buffer.getvalue()
