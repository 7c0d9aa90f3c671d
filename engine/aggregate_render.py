"""Render a working-group aggregate (engine/aggregate.py) as Markdown, HTML, JSON or CSV.

The aggregate holds no names unless --reveal was given and never any free text, so these renderers
cannot leak what they are not given. The HTML heatmap shades each score on one lightness ramp (darker
is higher) and prints the number in the cell, so it reads the same in greyscale print.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from markupsafe import Markup

from .csv_report import safe_cell
from .render import environment, report_css


def shade(score: Any) -> str:
    """Inline style of a heatmap cell: one hue, lightness falling with the score."""
    if score is None:
        return "background:#ffffff;color:#000000"
    lightness = round(94 - 0.6 * float(score))
    ink = "#ffffff" if lightness < 58 else "#000000"
    return f"background:hsl(215,45%,{lightness}%);color:{ink}"


def _render(template: str, aggregate: dict[str, Any], autoescape: bool, **extra: Any) -> str:
    env = environment(autoescape=autoescape)
    fewer = f"fewer than {aggregate['min_group']} members"
    return env.get_template(template).render(a=aggregate, fewer=fewer, shade=shade, **extra)


def render_markdown(aggregate: dict[str, Any]) -> str:
    return _render("aggregate.md.j2", aggregate, autoescape=False)


def render_html(aggregate: dict[str, Any]) -> str:
    return _render("aggregate.html.j2", aggregate, autoescape=True, css=Markup(report_css()))


def dumps(aggregate: dict[str, Any]) -> str:
    return json.dumps(aggregate, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("table", "subject", "pillar", "measure", "value")


def render_csv(aggregate: dict[str, Any]) -> str:
    """One long table (table, subject, pillar, measure, value) that spreadsheets can pivot."""
    rows: list[tuple[Any, ...]] = []
    pillars = aggregate["pillars"]
    for row in aggregate["matrix"]:
        subject = row["member"]
        if "organisation" in row:
            subject = f"{subject} ({row['organisation']} / {row['site']})"
        for pillar, score in zip(pillars, row["pillars"]):
            rows.append(("matrix", subject, pillar["id"], "score", score))
        rows.append(("matrix", subject, "", "overall", row["overall"]))
        rows.append(("matrix", subject, "", "maturity", row["maturity"]))
    for entry in [*aggregate["distributions"], aggregate["overall"]]:
        pillar = "" if entry["id"] == "overall" else entry["id"]
        if entry["members"] == 0:
            rows.append(("distribution", "all members", pillar, "members", 0))
            continue
        if entry["suppressed"]:
            rows.append(("distribution", "all members", pillar, "suppressed", f"fewer than {aggregate['min_group']}"))
            continue
        for measure in ("members", "min", "q1", "median", "q3", "max"):
            rows.append(("distribution", "all members", pillar, measure, entry[measure]))
    for item in aggregate["workplan"]:
        for measure in ("priority", "severity", "members_with_gap", "members_rated", "percent", "recommendation"):
            rows.append(("workplan", item["rule_id"], item["pillar"], measure, item[measure]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([safe_cell("" if v is None else v) for v in row])
    return buffer.getvalue()


RENDERERS = {"markdown": render_markdown, "json": dumps, "html": render_html, "csv": render_csv}
