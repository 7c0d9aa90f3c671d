"""Read YAML and JSON documents while remembering the line of every value, for precise errors."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class Document:
    """Parsed data plus the line (1-based) where each path inside it starts."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """Line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return None

    def where(self, path: Path_) -> str | None:
        """A place to name instead of the path, for formats without lines (a workbook's cells)."""
        return None


class LoadError(Exception):
    """A document that cannot be parsed at all; carries file, line and a fix."""

    def __init__(self, file: str, line: int | None, message: str, fix: str) -> None:
        self.file, self.line, self.message, self.fix = file, line, message, fix
        super().__init__(message)


def display_name(path: Path) -> str:
    """Path as the user typed it when relative, so messages stay short and stable."""
    return str(path)


def read_text(path: Path) -> str:
    name = display_name(path)
    if not path.exists():
        raise LoadError(name, None, "the file does not exist.", "check the path and spelling.")
    if path.is_dir():
        raise LoadError(name, None, "this is a folder, not a file.", "name a .yaml, .yml or .json file.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise LoadError(name, None, "the file is larger than 20 MiB.", "split it or remove embedded data.")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(name, None, f"the file is not UTF-8 text (byte {exc.start}).", "save it as UTF-8.") from None
    except OSError as exc:
        raise LoadError(name, None, f"the file cannot be read ({exc.strerror}).", "check its permissions.") from None


def load_document(path: Path) -> Document:
    """Load a .yaml/.yml/.json file; raise LoadError with the line of any syntax error."""
    text = read_text(path)
    name = display_name(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(
                name,
                exc.lineno,
                f"this is not valid JSON: {exc.msg} (column {exc.colno}).",
                "correct the JSON syntax at that place.",
            ) from None
        lines = _lines_from_yaml(text)
        return Document(name, _check_json_text(data, name, lines), lines)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "unreadable YAML"
        raise LoadError(
            name,
            line,
            f"this is not valid YAML: {problem}.",
            "check indentation, colons and quotes at that line "
            "(quote text that contains ': ' or starts with a symbol).",
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError(name, None, f"this is not valid YAML: {exc}.", "check the file's syntax.") from None
    if node is None:
        return Document(name, None, {})
    lines: dict[Path_, int] = {}
    data = _convert(node, (), lines, name)
    return Document(name, data, lines)


def _lines_from_yaml(text: str) -> dict[Path_, int]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[Path_, int] = {}
    if node is not None:
        try:
            _convert(node, (), lines, "")
        except LoadError:
            return {}
    return lines


_constructor = yaml.SafeLoader("")


def _convert(node: yaml.Node, path: Path_, lines: dict[Path_, int], name: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise LoadError(
                    name,
                    key_node.start_mark.line + 1,
                    "YAML merge keys (<<) are not supported.",
                    "write the values out in full.",
                )
            key = _constructor.construct_object(key_node)
            if isinstance(key, (list, dict)):
                raise LoadError(name, key_node.start_mark.line + 1, "a key must be plain text.", "use a text key.")
            key = key if isinstance(key, str) else str(key).lower() if isinstance(key, bool) else str(key)
            if _SURROGATE.search(key):
                key = _without_surrogates(key, name, key_node.start_mark.line + 1)
            if key in result:
                raise LoadError(
                    name,
                    key_node.start_mark.line + 1,
                    f"the key '{key}' appears twice in the same block.",
                    "keep one of them; a second one would silently replace the first.",
                )
            result[key] = _convert(value_node, (*path, key), lines, name)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, index), lines, name) for index, item in enumerate(node.value)]
    value = _constructor.construct_object(node)
    if isinstance(value, str) and _SURROGATE.search(value):
        value = _without_surrogates(value, name, node.start_mark.line + 1)
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(text: str, name: str, line: int | None) -> str:
    """Join escaped UTF-16 pairs (YAML "\\ud83d\\udee1") into one character; refuse a lone half."""
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        raise LoadError(
            name,
            line,
            "the text holds an invalid character (half of an escaped UTF-16 pair).",
            "write the character itself, or escape it as \\UXXXXXXXX.",
        ) from None


def _check_json_text(data: Any, name: str, lines: dict[Path_, int], path: Path_ = ()) -> Any:
    if isinstance(data, str):
        return _without_surrogates(data, name, lines.get(path)) if _SURROGATE.search(data) else data
    if isinstance(data, list):
        return [_check_json_text(item, name, lines, (*path, i)) for i, item in enumerate(data)]
    if isinstance(data, dict):
        return {
            _check_json_text(key, name, lines, path): _check_json_text(value, name, lines, (*path, key))
            for key, value in data.items()
        }
    return data
