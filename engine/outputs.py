"""Output formats of a result: name -> renderer (result dict -> text or bytes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .render import render_markdown
from .result import dumps

Renderer = Callable[[dict[str, Any]], "str | bytes"]

FORMATS: dict[str, Renderer] = {
    "markdown": render_markdown,
    "json": dumps,
}
EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".json": "json"}


def format_for(output: str | None, chosen: str | None) -> str:
    """--format if given, else guessed from --output's extension, else markdown."""
    if chosen:
        return chosen
    if output:
        from pathlib import PurePath

        return EXTENSIONS.get(PurePath(output).suffix.lower(), "markdown")
    return "markdown"
