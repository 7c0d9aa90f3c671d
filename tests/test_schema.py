"""The JSON Schema of assessment files: shipped current, and it accepts and rejects what the loader does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "assessments" / "schema.json"
EXAMPLES = sorted((ROOT / "assessments" / "examples").glob("*.yaml")) + sorted(
    (ROOT / "assessments" / "members").glob("*.yaml")
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    outcome = CliRunner().invoke(main, ["schema"])
    assert outcome.exit_code == 0, outcome.output
    return json.loads(outcome.stdout)


def _as_json(path: Path) -> Any:
    """The file as JSON would hold it (YAML dates become strings, as in a JSON assessment)."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def test_the_shipped_schema_is_current(schema: dict[str, Any]) -> None:
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert shipped == schema, "regenerate it: vpsa schema -o assessments/schema.json"


def test_the_schema_is_valid_json_schema(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_bundled_assessment_matches_the_schema(schema: dict[str, Any], path: Path) -> None:
    jsonschema.validate(_as_json(path), schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: d["answers"].update({"NO-SUCH-Q9": "yes"}), "NO-SUCH-Q9"),
        (lambda d: d["answers"].update({"GOV-01-Q1": "perhaps"}), "perhaps"),
        (lambda d: d["profile"].update({"public_security": "sometimes"}), "sometimes"),
        (lambda d: d["assessment"].update({"kind": "guess"}), "guess"),
        (lambda d: d["answers"].update({"PUB-03-Q1": ["none", "training"]}), "should not be valid"),
    ],
)
def test_the_schema_rejects_what_the_loader_rejects(schema: dict[str, Any], damage: Any, expected: str) -> None:
    data = _as_json(EXAMPLES[0])
    damage(data)
    with pytest.raises(jsonschema.ValidationError) as caught:
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    assert expected in str(caught.value)
