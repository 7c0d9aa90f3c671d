"""Render a comparison (engine/compare.py) as Markdown or self-contained HTML with reports/compare*.j2."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .render import environment, plain, report_css

KINDS = {"self": "Self-assessment", "audit": "Independent audit"}
DIRECTIONS = {"stricter": "stricter", "more_lenient": "more lenient", "not_comparable": "not comparable"}


def num(value: Any) -> str:
    return "—" if value is None else f"{float(value):.3f}"


def signed(value: Any) -> str:
    return "—" if value is None else f"{float(value):+.1f}"


def evidence(answer: dict[str, Any]) -> str:
    """The evidence a side cites for an answer, with its comment; plain text (templates escape it)."""
    parts = [plain(answer.get("evidence")), plain(answer.get("comment"))]
    return " — ".join(p for p in parts if p) or "—"


def _render(template: str, comparison: dict[str, Any], autoescape: bool, **extra: Any) -> str:
    env = environment(autoescape=autoescape)
    return env.get_template(template).render(
        c=comparison, kinds=KINDS, directions=DIRECTIONS, num=num, signed=signed, evidence=evidence, **extra
    )


def render_markdown(comparison: dict[str, Any]) -> str:
    return _render("compare.md.j2", comparison, autoescape=False)


def render_html(comparison: dict[str, Any]) -> str:
    return _render("compare.html.j2", comparison, autoescape=True, css=Markup(report_css()))
