"""A fast path for loading member assessments in bulk, with the core loader as the only judge of errors.

The core loader (engine/loading.py) builds YAML in pure Python to remember every value's line, which
is what precise error messages need but makes it the slowest step of an aggregate run. Here a file is
parsed with libyaml into exactly the data the core loader would give (keys made text the same way);
anything that is not plainly valid (a syntax error, a duplicate or merge key, a value the assessment
checks refuse) returns None, and the caller then loads the file with the core loader, which reports
the problem with its line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .assessments import Assessment, parse_assessment
from .errors import InputError
from .loading import MAX_FILE_BYTES, Document
from .rulesets import Ruleset

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UnsureError(Exception):
    """The fast path cannot vouch for this file; let the core loader decide."""


class _StrictLoader(_Base):  # type: ignore[misc,valid-type]
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _UnsureError
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)) or _text_key(key) in seen:
                raise _UnsureError
            seen.add(_text_key(key))
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _text_key(key: Any) -> str:
    """Keys as the core loader makes them: text, with booleans as 'true'/'false'."""
    if isinstance(key, str):
        return key
    return str(key).lower() if isinstance(key, bool) else str(key)


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {_text_key(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def quick_load(path: Path, ruleset: Ruleset) -> Assessment | None:
    """The assessment, if the file is plainly valid; None if the core loader must look at it."""
    suffix = path.suffix.lower()
    try:
        if suffix not in (".yaml", ".yml", ".json") or path.stat().st_size > MAX_FILE_BYTES:
            return None
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
        data = json.loads(text) if suffix == ".json" else yaml.load(text, Loader=_StrictLoader)  # noqa: S506
        return parse_assessment(Document(str(path), _normalise(data), {}), raw, ruleset)
    except (_UnsureError, InputError, yaml.YAMLError, ValueError, OSError, RecursionError):
        return None
