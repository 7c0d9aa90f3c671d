"""Output formats of a result: name -> renderer (result dict -> text or bytes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .csv_report import render_csv
from .pdf import render_pdf
from .render import render_html, render_markdown
from .result import dumps

Renderer = Callable[[dict[str, Any]], "str | bytes"]

FORMATS: dict[str, Renderer] = {
    "markdown": render_markdown,
    "json": dumps,
    "html": render_html,
    "csv": render_csv,
    "pdf": render_pdf,
}
EXTENSIONS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".pdf": "pdf",
}


def format_for(output: str | None, chosen: str | None) -> str:
    """--format if given, else guessed from --output's extension, else markdown."""
    if chosen:
        return chosen
    if output:
        from pathlib import PurePath

        return EXTENSIONS.get(PurePath(output).suffix.lower(), "markdown")
    return "markdown"
