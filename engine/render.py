"""Render a JSON result with the Jinja2 templates in reports/ (reports read only the result contract).

Every report (Markdown, HTML, PDF) is built from the same `report_view`, which only re-arranges what
the result already says, so a report can never disagree with the result it was made from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import charts
from .models import CRITICAL_BLOCKER

STATUS_LABELS = charts.STATUS_LABELS
STATUS_ORDER = charts.STATUS_ORDER
SUMMARY_GAPS = 5
# C0/C1 control characters other than tab and newline: never meaningful in a report, and some
# (NUL, ESC) upset browsers, terminals or PDF writers.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates: HTML isolates user text with <bdi>, but plain
# Markdown cannot, so there they are dropped (the letters keep their own direction).
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def template_dirs() -> list[Path]:
    here = Path(__file__).resolve().parent
    candidates = [here / "_data" / "reports", here.parent / "reports"]
    env = os.environ.get("VPSA_REPORTS")
    if env:
        candidates.insert(0, Path(env))
    return [c for c in candidates if c.is_dir()]


def plain(text: Any) -> str:
    """User text as one clean string: no control characters, None shown as empty."""
    if text is None:
        return ""
    return _CONTROL.sub("", str(text))


# Only where a value could start a Markdown block (heading, list item): "#", "-", "+", "1." before a space.
_MD_LINE_START = re.compile(r"^(\s*)(?:([#+\-=])|(\d+)([.)]))(?=\s|$)")


def md_escape(text: Any) -> str:
    """Make user text inert in Markdown: no HTML, no table breaks, no stray emphasis, links or headings."""
    if text is None:
        return ""
    value = (
        _BIDI_CONTROL.sub("", plain(text)).replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ")
    )
    for char in "\\`*_[]<>|~":
        value = value.replace(char, "\\" + char)
    return _MD_LINE_START.sub(_escape_line_start, value)


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(2):
        return match.group(1) + "\\" + match.group(2)
    return match.group(1) + match.group(3) + "\\" + match.group(4)


def show_value(value: Any) -> str:
    """An answer value as a person would write it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value) if value else "(none selected)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def pct(value: Any) -> str:
    return "—" if value is None else f"{float(value):.1f}%"


def source_text(source: dict[str, Any], with_year: bool = True) -> str:
    """'Document (year), section — title', the way every report cites a clause."""
    text = str(source.get("document_title") or source.get("document") or source.get("id"))
    if with_year and source.get("year"):
        text += f" ({source['year']})"
    if source.get("section"):
        text += f", {source['section']}"
    if source.get("title"):
        text += f" — {source['title']}"
    return text


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    if isinstance(value, str):
        return plain(value)
    return value


BLOCKER_IDS_SHOWN = 6


def summarise_blockers(blockers: list[str]) -> list[str]:
    """What blocks the next level, short enough to read: score blockers as they are, critical rules grouped
    by status with the first few ids (the JSON result keeps one entry per rule; every one is in the gaps)."""
    lines: list[str] = []
    by_status: dict[str, list[str]] = {}
    for blocker in blockers:
        match = CRITICAL_BLOCKER.match(str(blocker))
        if match:
            by_status.setdefault(match.group(2), []).append(match.group(1))
        else:
            lines.append(str(blocker))
    if by_status:
        total = sum(len(ids) for ids in by_status.values())
        parts = []
        worst_first = ["not met", "unanswered", "partially met", "substantially met"]
        for status, ids in sorted(
            by_status.items(), key=lambda kv: worst_first.index(kv[0]) if kv[0] in worst_first else 9
        ):
            shown = ", ".join(ids[:BLOCKER_IDS_SHOWN])
            more = f" and {len(ids) - BLOCKER_IDS_SHOWN} more" if len(ids) > BLOCKER_IDS_SHOWN else ""
            parts.append(f"{len(ids)} {status} ({shown}{more})")
        noun = "critical rule" if total == 1 else "critical rules"
        lines.append(f"{total} {noun} below the level's requirement: {'; '.join(parts)}")
    return lines


def environment(autoescape: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs()]),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters["md"] = md_escape
    env.filters["status"] = lambda s: STATUS_LABELS.get(s, s)
    env.filters["pct"] = pct
    env.filters["value"] = show_value
    env.filters["source"] = source_text
    env.filters["blockers"] = summarise_blockers
    return env


def _question_owners(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    owners: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        for question_id in finding.get("questions") or []:
            owners.setdefault(question_id, []).append(finding)
    return owners


def _answers_by_pillar(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers given, grouped under the pillar of the first rule that asks each question."""
    pillars = result["scores"]["pillars"]
    owners = _question_owners(result["findings"])
    groups: dict[str, list[dict[str, Any]]] = {p["id"]: [] for p in pillars}
    other: list[dict[str, Any]] = []
    for question_id, answer in result["answers"].items():
        rules = owners.get(question_id, [])
        row = {
            "id": question_id,
            "value": show_value(answer.get("value")),
            "evidence": answer.get("evidence"),
            "comment": answer.get("comment"),
            "rules": [f["rule_id"] for f in rules],
        }
        if rules and rules[0]["pillar"] in groups:
            groups[rules[0]["pillar"]].append(row)
        else:
            other.append(row)
    view = [{"id": p["id"], "title": p["title"], "answers": groups[p["id"]]} for p in pillars if groups[p["id"]]]
    if other:
        view.append({"id": "", "title": "Other answers", "answers": other})
    return view


INCIDENT_HEADLINE = ("id", "date", "type", "actor", "description")


def _incidents(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each incident with its recorded facts and the outcome of every incident rule for it."""
    outcomes: dict[str, list[dict[str, Any]]] = {}
    for finding in result["findings"]:
        for outcome in finding.get("incidents") or []:
            outcomes.setdefault(str(outcome["id"]), []).append(
                {
                    "rule_id": finding["rule_id"],
                    "title": finding["title"],
                    "status": outcome["status"],
                    "reasons": outcome.get("reasons") or [],
                }
            )
    view = []
    for incident in result["incidents"]:
        facts = [
            {"name": str(key).replace("_", " "), "value": show_value(value)}
            for key, value in incident.items()
            if key not in INCIDENT_HEADLINE and value is not None
        ]
        view.append(
            {
                "id": incident.get("id"),
                "date": incident.get("date"),
                "type": str(incident.get("type") or "").replace("_", " "),
                "actor": str(incident.get("actor") or "").replace("_", " "),
                "description": incident.get("description"),
                "facts": facts,
                "outcomes": outcomes.get(str(incident.get("id")), []),
            }
        )
    return view


def report_view(result: dict[str, Any]) -> dict[str, Any]:
    """What the templates show, derived only from the result (no clock, no files, no ruleset)."""
    findings = {f["rule_id"]: f for f in result["findings"]}
    gaps = []
    for gap in result["gaps"]:
        finding = findings.get(gap["rule_id"], {})
        sources = list(gap.get("sources") or []) + list(gap["recommendation"].get("toolkit") or [])
        gaps.append(
            {
                **gap,
                "why": finding.get("why"),
                "reasons": finding.get("reasons") or [],
                "base_severity": finding.get("base_severity", gap["severity"]),
                "escalated_by": finding.get("escalated_by") or [],
                "unverified": sorted({s["id"] for s in sources if not s.get("verified", True)}),
            }
        )
    scores = result["scores"]
    gap_counts = {
        severity: sum(1 for g in result["gaps"] if g["severity"] == severity)
        for severity in ("critical", "high", "medium", "low")
    }
    status_rows = [("All rules", scores["overall"]["counts"])] + [(p["title"], p["counts"]) for p in scores["pillars"]]
    return {
        "profile": [{"id": key, "value": show_value(value)} for key, value in (result.get("profile") or {}).items()],
        "factors": sorted(str(k) for k, v in (result.get("factors") or {}).items() if v),
        "gaps": gaps,
        "top_gaps": gaps[:SUMMARY_GAPS],
        "gap_counts": gap_counts,
        "answers": _answers_by_pillar(result),
        "incidents": _incidents(result),
        "statuses": [(s, STATUS_LABELS[s]) for s in STATUS_ORDER],
        "charts": {
            "pillars": Markup(charts.pillar_scores_chart(scores["pillars"], scores["overall"]["score"])),
            "statuses": Markup(charts.status_breakdown_chart(status_rows)),
        },
    }


def _render(template: str, result: dict[str, Any], autoescape: bool, **extra: Any) -> str:
    env = environment(autoescape=autoescape)
    return env.get_template(template).render(r=result, v=report_view(result), labels=STATUS_LABELS, **extra)


def render_markdown(result: dict[str, Any]) -> str:
    return _render("report.md.j2", result, autoescape=False)


def report_css() -> str:
    """The report's stylesheet, inlined into the HTML so the file needs nothing else."""
    for folder in template_dirs():
        path = folder / "report.css"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return ""


def render_html(result: dict[str, Any]) -> str:
    return _render("report.html.j2", result, autoescape=True, css=Markup(report_css()))
