"""Charts for the HTML report, drawn as inline SVG by hand (no plotting library, no scripts).

Every chart stays readable in greyscale print: each status has its own fill pattern as well as its
colour, and every bar carries its number as text. Output is deterministic: integer-ish coordinates
rounded to one decimal, no ids that depend on memory addresses or time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

STATUS_ORDER = ("met", "substantially_met", "partially_met", "not_met", "not_applicable", "unanswered")
STATUS_LABELS = {
    "met": "Met",
    "substantially_met": "Substantially met",
    "partially_met": "Partially met",
    "not_met": "Not met",
    "not_applicable": "Not applicable",
    "unanswered": "Unanswered",
}
# Colour for screens, pattern for greyscale print: the two together distinguish every status.
STATUS_STYLE = {
    "met": ("#1b7837", "solid"),
    "substantially_met": ("#7fbc41", "diagonal"),
    "partially_met": ("#f1a340", "dots"),
    "not_met": ("#b2182b", "cross"),
    "not_applicable": ("#bdbdbd", "horizontal"),
    "unanswered": ("#ffffff", "empty"),
}
FONT = 'font-family="Helvetica, Arial, sans-serif"'
BOLD = ' font-weight="bold"'


def _n(value: float) -> str:
    """Coordinates with at most one decimal, so the markup is stable across platforms."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(value: Any) -> str:
    return escape(str(value), {'"': "&quot;"})


def _pattern(prefix: str, status: str) -> str:
    """Marks only, on a transparent tile: the colour is a separate fill underneath, so renderers that
    leave hairline seams between tiles (WeasyPrint) do not grid the bar."""
    kind = STATUS_STYLE[status][1]
    ink = "#000000" if status != "not_met" else "#ffffff"
    marks = {
        "solid": "",
        "diagonal": f'<path d="M0,8 L8,0" stroke="{ink}" stroke-width="1.2"/>',
        "dots": f'<circle cx="4" cy="4" r="1.4" fill="{ink}"/>',
        "cross": f'<path d="M0,0 L8,8 M8,0 L0,8" stroke="{ink}" stroke-width="1.2"/>',
        "horizontal": f'<path d="M0,4 L8,4" stroke="{ink}" stroke-width="1"/>',
        "empty": "",
    }[kind]
    return f'<pattern id="{prefix}-{status}" patternUnits="userSpaceOnUse" width="8" height="8">{marks}</pattern>'


def _filled(prefix: str, status: str, x: float, y: float, width: float, height: float, inner: str = "") -> str:
    """A rectangle in a status's colour, overlaid with the status's pattern and outlined in black."""
    colour, kind = STATUS_STYLE[status]
    box = f'x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}"'
    overlay = "" if kind in ("solid", "empty") else f'<rect {box} fill="url(#{prefix}-{status})"/>'
    outline = f'<rect {box} fill="none" stroke="#000000" stroke-width="0.7">{inner}</rect>'
    return f'<rect {box} fill="{colour}"/>{overlay}{outline}'


def _defs(prefix: str) -> str:
    return "<defs>" + "".join(_pattern(prefix, s) for s in STATUS_ORDER) + "</defs>"


def _swatch(prefix: str, status: str, x: float, y: float, size: float = 12) -> str:
    return _filled(prefix, status, x, y, size, size)


def pillar_scores_chart(pillars: Sequence[Mapping[str, Any]], overall: float | None) -> str:
    """Horizontal bars: score (0–100 %) of each pillar, then the overall score, with the value printed."""
    label_w, bar_w, row_h, top = 190.0, 380.0, 26.0, 10.0
    rows: list[tuple[str, float | None, bool]] = [(str(p["title"]), p.get("score"), False) for p in pillars]
    rows.append(("Overall", overall, True))
    height = top + row_h * len(rows) + 30
    width = label_w + bar_w + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" aria-labelledby="chart-pillars-title">',
        '<title id="chart-pillars-title">Score per pillar, in percent</title>',
    ]
    for tick in (0, 25, 50, 75, 100):
        x = label_w + bar_w * tick / 100
        y_end = top + row_h * len(rows)
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(top - 4)}" x2="{_n(x)}" y2="{_n(y_end)}" stroke="#9e9e9e" '
            f'stroke-width="0.6" stroke-dasharray="2,3"/>'
            f'<text x="{_n(x)}" y="{_n(y_end + 14)}" {FONT} font-size="10" text-anchor="middle" fill="#424242">'
            f"{tick}%</text>"
        )
    for index, (title, score, total) in enumerate(rows):
        y = top + row_h * index
        short = title if len(title) <= 30 else title[:29] + "…"
        weight = ' font-weight="bold"' if total else ""
        parts.append(
            f'<text x="{_n(label_w - 8)}" y="{_n(y + row_h / 2 + 4)}" {FONT} font-size="11" text-anchor="end"'
            f'{weight} fill="#000000">{_text(short)}</text>'
        )
        if score is None:
            parts.append(
                f'<text x="{_n(label_w + 4)}" y="{_n(y + row_h / 2 + 4)}" {FONT} font-size="11" fill="#424242">'
                "not rated</text>"
            )
            continue
        length = bar_w * max(0.0, min(100.0, float(score))) / 100
        fill = "#212121" if total else "#4a6fa5"
        parts.append(
            f'<rect x="{_n(label_w)}" y="{_n(y + 4)}" width="{_n(length)}" height="{_n(row_h - 8)}" '
            f'fill="{fill}" stroke="#000000" stroke-width="0.6"/>'
            f'<text x="{_n(label_w + length + 5)}" y="{_n(y + row_h / 2 + 4)}" {FONT} font-size="11"'
            f'{weight} fill="#000000">{float(score):.1f}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def status_breakdown_chart(rows: Sequence[tuple[str, Mapping[str, int]]], prefix: str = "st") -> str:
    """One stacked bar per row (overall, then each pillar) of finding counts by status, with a legend.

    Segments carry their count as text when wide enough; the legend repeats every count, so nothing
    depends on telling colours apart.
    """
    label_w, bar_w, row_h, top = 190.0, 380.0, 26.0, 10.0
    legend_h = 22.0 * 3
    height = top + row_h * len(rows) + 14 + legend_h
    width = label_w + bar_w + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" aria-labelledby="chart-{prefix}-title">',
        f'<title id="chart-{prefix}-title">Findings by status</title>',
        _defs(prefix),
    ]
    for index, (title, counts) in enumerate(rows):
        y = top + row_h * index
        total = sum(int(counts.get(s, 0)) for s in STATUS_ORDER)
        short = title if len(title) <= 30 else title[:29] + "…"
        parts.append(
            f'<text x="{_n(label_w - 8)}" y="{_n(y + row_h / 2 + 4)}" {FONT} font-size="11" text-anchor="end" '
            f'fill="#000000"{BOLD if index == 0 else ""}>{_text(short)}</text>'
        )
        if total == 0:
            parts.append(
                f'<text x="{_n(label_w + 4)}" y="{_n(y + row_h / 2 + 4)}" {FONT} font-size="11" fill="#424242">'
                "no rules</text>"
            )
            continue
        x = label_w
        for status in STATUS_ORDER:
            count = int(counts.get(status, 0))
            if not count:
                continue
            length = bar_w * count / total
            tooltip = f"<title>{_text(STATUS_LABELS[status])}: {count}</title>"
            parts.append(_filled(prefix, status, x, y + 4, length, row_h - 8, tooltip))
            if length >= 18:
                parts.append(
                    f'<rect x="{_n(x + length / 2 - 7)}" y="{_n(y + row_h / 2 - 6)}" width="14" height="12" '
                    f'fill="#ffffff" fill-opacity="0.85"/>'
                    f'<text x="{_n(x + length / 2)}" y="{_n(y + row_h / 2 + 4)}" {FONT} font-size="10" '
                    f'text-anchor="middle" fill="#000000">{count}</text>'
                )
            x += length
        parts.append(
            f'<text x="{_n(label_w + bar_w + 6)}" y="{_n(y + row_h / 2 + 4)}" {FONT} font-size="10" '
            f'fill="#424242">{total} rule{"" if total == 1 else "s"}</text>'
        )
    legend_top = top + row_h * len(rows) + 14
    overall = rows[0][1] if rows else {}
    for index, status in enumerate(STATUS_ORDER):
        column, line = index % 2, index // 2
        x = 20 + column * 300
        y = legend_top + line * 22
        parts.append(
            _swatch(prefix, status, x, y)
            + f'<text x="{_n(x + 18)}" y="{_n(y + 10)}" {FONT} font-size="11" fill="#000000">'
            f"{_text(STATUS_LABELS[status])}: {int(overall.get(status, 0))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
