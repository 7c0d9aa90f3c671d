"""Turn pydantic validation errors into file:line problems a person can act on."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem
from .loading import Document

FIXES = {
    "missing": "add this field.",
    "extra_forbidden": "remove it, or check its spelling against the documented fields.",
    "string_pattern_mismatch": "use letters, digits, '_', '.' or '-' (choice values: letters, digits and '_').",
    "literal_error": "use one of the values listed.",
    "enum": "use one of the values listed.",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD.",
    "date_parsing": "write the date as YYYY-MM-DD.",
    "date_type": "write the date as YYYY-MM-DD.",
    "too_short": "give at least one entry.",
}


def where(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validate_model(
    model: type[BaseModel], data: Any, document: Document, base: tuple[Any, ...] = ()
) -> tuple[BaseModel | None, list[Problem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and "[" in part))
            path = (*base, *loc)
            message = error["msg"].rstrip(".")
            fix = FIXES.get(error["type"], "correct the value.")
            if error["type"] == "extra_forbidden":
                message = f"unknown field '{loc[-1]}'"
            elif error["type"] == "missing":
                message = f"the field '{loc[-1]}' is missing"
            elif error.get("input", "") is None and loc and isinstance(loc[-1], str):
                message, fix = f"the field '{loc[-1]}' is empty", "fill it in."
            problems.append(
                Problem(
                    document.file,
                    document.line(path),
                    document.where(path) or where(path),
                    f"{message}.",
                    fix,
                )
            )
        return None, problems
