"""Render a JSON result with the Jinja2 templates in reports/ (reports read only the result contract)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2

STATUS_LABELS = {
    "met": "Met",
    "substantially_met": "Substantially met",
    "partially_met": "Partially met",
    "not_met": "Not met",
    "not_applicable": "Not applicable",
    "unanswered": "Unanswered",
}


def template_dirs() -> list[Path]:
    here = Path(__file__).resolve().parent
    candidates = [here / "_data" / "reports", here.parent / "reports"]
    env = os.environ.get("VPSA_REPORTS")
    if env:
        candidates.insert(0, Path(env))
    return [c for c in candidates if c.is_dir()]


def md_escape(text: Any) -> str:
    """Make user text inert in Markdown: no HTML, no table breaks, no stray emphasis or links."""
    if text is None:
        return ""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n")
    for char in "\\`*_{}[]<>()#+!|~":
        value = value.replace(char, "\\" + char)
    return value.replace("\n", " ")


def environment(autoescape: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs()]),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["status"] = lambda s: STATUS_LABELS.get(s, s)
    env.filters["pct"] = lambda v: "—" if v is None else f"{v:.1f}%"
    return env


def render_markdown(result: dict[str, Any]) -> str:
    return environment().get_template("report.md.j2").render(r=result, labels=STATUS_LABELS)
