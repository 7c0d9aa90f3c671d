"""JSON Schema of the assessment format, generated from the pydantic models and one ruleset's questions.

The generic parts (header, incidents, answer objects) come from engine.models; the ruleset adds one
property per profile fact and per question, with its allowed values, so editors can complete and
check an assessment file as it is typed.
"""

from __future__ import annotations

import json
from typing import Any

from .conditions import question_choices
from .models import NONE_CHOICE, Answer, AnswerType, AssessmentFile
from .rulesets import Ruleset


def _value_schema(
    question_type: AnswerType, choices: list[str] | None, minimum: float | None, maximum: float | None
) -> dict[str, Any]:
    if question_type in (AnswerType.yes_no, AnswerType.yes_no_partial, AnswerType.single_choice):
        return {"enum": [*(choices or []), None]}
    if question_type == AnswerType.multiple_choice:
        selection: dict[str, Any] = {"type": ["array", "null"], "items": {"enum": choices or []}, "uniqueItems": True}
        if NONE_CHOICE in (choices or []):  # "none of these" stands alone
            selection["not"] = {"type": "array", "contains": {"const": NONE_CHOICE}, "minItems": 2}
        return selection
    if question_type == AnswerType.number:
        schema: dict[str, Any] = {"type": ["number", "null"]}
        if minimum is not None:
            schema["minimum"] = minimum
        if maximum is not None:
            schema["maximum"] = maximum
        return schema
    if question_type == AnswerType.date:
        return {"anyOf": [{"type": "string", "format": "date"}, {"const": "never"}, {"type": "null"}]}
    return {"type": ["string", "null"], "maxLength": 20000}


def assessment_schema(ruleset: Ruleset) -> dict[str, Any]:
    schema = AssessmentFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"vpsa assessment for ruleset {ruleset.id} {ruleset.version}"
    answer_object = Answer.model_json_schema()
    profile_props: dict[str, Any] = {}
    for fact in ruleset.header.profile:
        if fact.type == "boolean":
            prop: dict[str, Any] = {"type": "boolean"}
        elif fact.type == "single_choice":
            prop = {"enum": [c.value for c in fact.choices or []]}
        else:
            prop = {"type": "number"}
        profile_props[fact.id] = {**prop, "description": fact.text}
    schema["properties"]["profile"] = {
        "type": "object",
        "properties": profile_props,
        "required": list(profile_props),
        "additionalProperties": False,
    }
    answer_props: dict[str, Any] = {}
    for question in ruleset.questions.values():
        value = _value_schema(question.type, question_choices(question), question.min, question.max)
        with_value = {**answer_object, "properties": {**answer_object["properties"], "value": value}}
        answer_props[question.id] = {"description": question.text, "anyOf": [value, with_value]}
    schema["properties"]["answers"] = {"type": "object", "properties": answer_props, "additionalProperties": False}
    return schema


def dumps_schema(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
