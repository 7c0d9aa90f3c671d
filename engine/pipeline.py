"""The main job in one call: ruleset + assessment file -> JSON result (as a dict)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .analysis import analyse
from .assessments import Assessment, load_assessment, load_meta_only
from .evaluate import Evaluation, Evaluator
from .result import build_result
from .rulesets import Ruleset, load_ruleset


def ruleset_for(assessment_path: Path, ruleset_ref: str | None) -> Ruleset:
    """--ruleset wins; otherwise the ruleset the assessment names; otherwise the bundled 'vpshr'."""
    if ruleset_ref is None:
        meta = load_meta_only(assessment_path)
        ruleset_ref = meta.ruleset if meta and meta.ruleset else None
    return load_ruleset(ruleset_ref)


def result_for(ruleset: Ruleset, assessment: Assessment, evaluator: Evaluator | None = None) -> dict[str, Any]:
    own = evaluator is None
    evaluator = evaluator or Evaluator(ruleset)
    try:
        evaluation: Evaluation = evaluator.evaluate(assessment)
    finally:
        if own:
            evaluator.close()
    return build_result(ruleset, evaluation, analyse(ruleset, evaluation))


def assess_file(assessment_path: Path, ruleset_ref: str | None = None) -> tuple[Ruleset, Assessment, dict[str, Any]]:
    ruleset = ruleset_for(assessment_path, ruleset_ref)
    assessment = load_assessment(assessment_path, ruleset)
    return ruleset, assessment, result_for(ruleset, assessment)
