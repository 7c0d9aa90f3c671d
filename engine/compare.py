"""Compare two assessments of a site: where a self-assessment and an audit disagree, or what changed.

Both sides are JSON results (engine/result.py); an assessment file is evaluated first. The comparison
is itself a plain dict (rendered as JSON, Markdown or HTML), built only from the two results.

Which side is the auditor: OTHER, unless BASELINE is the one of kind 'audit' and OTHER is not.
"Stricter" means the auditor rated a rule lower than the other side did.

Progress mode: when both sides assess the same organisation and site on different dates, the
comparison also lists gaps closed, gaps opened (regressions) and gaps still open, earlier to later.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import InputError, Problem
from .kappa import RATED, Weights, agreement

GAP_STATUSES = ("not_met", "partially_met", "substantially_met")
COMPARISON_VERSION = "1.0"
RESULT_KEYS = ("ruleset", "assessment", "findings", "answers", "scores")


# --- inputs --------------------------------------------------------------------------------------


def is_result(data: Any) -> bool:
    return isinstance(data, dict) and "schema_version" in data and "findings" in data


def check_result(data: Any, file: str) -> dict[str, Any]:
    """A saved JSON result, checked for the keys a comparison reads."""

    def bad(where: str, message: str) -> InputError:
        return InputError(
            [
                Problem(
                    file,
                    None,
                    where,
                    message,
                    "give an assessment file or a result saved by 'vpsa assess --format json'.",
                )
            ]
        )

    if not isinstance(data, dict):
        raise bad("", "this JSON is not a vpsa result (a mapping is expected).")
    missing = [key for key in RESULT_KEYS if key not in data]
    if missing:
        raise bad("", f"this result has no {', '.join(missing)}.")
    ruleset, meta = data["ruleset"], data["assessment"]
    if not isinstance(ruleset, dict) or not isinstance(ruleset.get("id"), str):
        raise bad("ruleset", "the result does not name its ruleset id.")
    if not _text_or_none(ruleset.get("version")):
        raise bad("ruleset.version", "the ruleset version must be text.")
    if not isinstance(meta, dict) or not all(isinstance(meta.get(k), str) for k in ("organisation", "site", "date")):
        raise bad("assessment", "the result lacks the organisation, site or date.")
    for key in ("kind", "assessor", "file"):
        if not _text_or_none(meta.get(key)):
            raise bad(f"assessment.{key}", f"{key} must be text.")
    if not isinstance(data["findings"], list) or not isinstance(data["answers"], dict):
        raise bad("findings", "findings must be a list and answers a mapping.")
    for index, finding in enumerate(data["findings"]):
        where = f"findings[{index}]"
        if not isinstance(finding, dict) or not isinstance(finding.get("rule_id"), str):
            raise bad(where, "a finding has no rule_id.")
        if finding.get("status") not in (*RATED, "not_applicable", "unanswered"):
            raise bad(f"{where}.status", f"unknown status {str(finding.get('status'))[:40]!r}.")
        questions = finding.get("questions", [])
        if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
            raise bad(f"{where}.questions", "questions must be a list of question ids.")
        for key in ("title", "pillar", "severity"):
            if not _text_or_none(finding.get(key)):
                raise bad(f"{where}.{key}", f"{key} must be text.")
    scores = data["scores"]
    if not isinstance(scores, dict) or not isinstance(scores.get("pillars"), list):
        raise bad("scores", "the result has no per-pillar scores.")
    overall = scores.get("overall", {})
    if not isinstance(overall, dict) or not _number_or_none(overall.get("score")):
        raise bad("scores.overall", "the overall score must be a number.")
    for index, pillar in enumerate(scores["pillars"]):
        where = f"scores.pillars[{index}]"
        if not isinstance(pillar, dict) or not isinstance(pillar.get("id"), str):
            raise bad(where, "each pillar score needs an id.")
        if not _number_or_none(pillar.get("score")) or not _text_or_none(pillar.get("title")):
            raise bad(where, "a pillar's score must be a number and its title text.")
    return data


def _text_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _number_or_none(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def load_side(path: Path, ruleset_ref: str | None) -> dict[str, Any]:
    """A result for one side: read as a saved result, or evaluate the assessment file."""
    if path.suffix.lower() == ".json" and path.is_file():
        from .loading import LoadError, load_document

        try:
            data = load_document(path).data
        except LoadError as exc:
            raise InputError([Problem(exc.file, exc.line, "", exc.message, exc.fix)]) from None
        if is_result(data):
            result = check_result(data, str(path))
            if ruleset_ref is not None:
                from .rulesets import load_ruleset

                wanted = load_ruleset(ruleset_ref).id
                if result["ruleset"]["id"] != wanted:
                    raise InputError(
                        [
                            Problem(
                                str(path),
                                None,
                                "ruleset",
                                f"this result was made with ruleset '{result['ruleset']['id']}', not '{wanted}'.",
                                "drop --ruleset or re-run 'vpsa assess' with the ruleset you want.",
                            )
                        ]
                    )
            return result
    from .pipeline import assess_file

    return assess_file(path, ruleset_ref)[2]


# --- the comparison ------------------------------------------------------------------------------


def _side(result: dict[str, Any]) -> dict[str, Any]:
    meta = result["assessment"]
    return {
        "organisation": meta.get("organisation"),
        "site": meta.get("site"),
        "kind": meta.get("kind"),
        "date": meta.get("date"),
        "assessor": meta.get("assessor"),
        "file": meta.get("file"),
        "ruleset_version": result["ruleset"].get("version"),
    }


def _answer(result: dict[str, Any], question_id: str) -> dict[str, Any]:
    answer = result["answers"].get(question_id) or {}
    if not isinstance(answer, dict):
        answer = {"value": answer}
    return {"value": answer.get("value"), "evidence": answer.get("evidence"), "comment": answer.get("comment")}


def _rank(status: str) -> int:
    return RATED.index(status)


def _direction(auditor: str, other: str) -> str | None:
    """'stricter' when the auditor's status is lower on the scale, 'more_lenient' when higher."""
    if auditor == other:
        return None
    if auditor in RATED and other in RATED:
        return "stricter" if _rank(auditor) > _rank(other) else "more_lenient"
    return "not_comparable"


def auditor_side(baseline: dict[str, Any], other: dict[str, Any]) -> str:
    if baseline["assessment"].get("kind") == "audit" and other["assessment"].get("kind") != "audit":
        return "baseline"
    return "other"


def _rule_row(
    finding_a: dict[str, Any], finding_b: dict[str, Any], a: dict[str, Any], b: dict[str, Any], auditor: str
) -> dict[str, Any]:
    status_a, status_b = finding_a["status"], finding_b["status"]
    questions = list(dict.fromkeys([*(finding_a.get("questions") or []), *(finding_b.get("questions") or [])]))
    answers = []
    for question_id in questions:
        side_a, side_b = _answer(a, question_id), _answer(b, question_id)
        answers.append(
            {
                "question": question_id,
                "differs": side_a["value"] != side_b["value"],
                "baseline": side_a,
                "other": side_b,
            }
        )
    agree = status_a == status_b
    auditor_status, other_status = (status_b, status_a) if auditor == "other" else (status_a, status_b)
    return {
        "rule_id": finding_a["rule_id"],
        "title": finding_a.get("title") or finding_b.get("title"),
        "pillar": finding_a.get("pillar"),
        "severity": finding_a.get("severity"),
        "baseline_status": status_a,
        "other_status": status_b,
        "agree": agree,
        "direction": _direction(auditor_status, other_status),
        "answers": [] if agree else answers,
        "differing_questions": [] if agree else [x["question"] for x in answers if x["differs"]],
    }


def _unrated_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pairs where either side is not applicable or unanswered: left out of kappa, counted here."""
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        pair = (row["baseline_status"], row["other_status"])
        if pair[0] not in RATED or pair[1] not in RATED:
            counts[pair] = counts.get(pair, 0) + 1
    return [{"baseline_status": a, "other_status": b, "rules": n} for (a, b), n in sorted(counts.items())]


def _pillars(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in result["scores"]["pillars"] if isinstance(p, dict) and "id" in p]


def _score(result: dict[str, Any], pillar_id: str | None) -> float | None:
    if pillar_id is None:
        return (result["scores"].get("overall") or {}).get("score")
    for pillar in _pillars(result):
        if pillar["id"] == pillar_id:
            return pillar.get("score")
    return None


def _change(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 1)


def progress(a: dict[str, Any], b: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Gaps closed, opened and still open from the earlier to the later assessment of one site."""
    meta_a, meta_b = a["assessment"], b["assessment"]
    same_site = (meta_a["organisation"], meta_a["site"]) == (meta_b["organisation"], meta_b["site"])
    if not same_site or meta_a["date"] == meta_b["date"]:
        return None
    forward = meta_a["date"] < meta_b["date"]
    earlier, later = (a, b) if forward else (b, a)
    closed, opened, still_open = [], [], []
    for row in rows:
        before, after = (
            (row["baseline_status"], row["other_status"]) if forward else (row["other_status"], row["baseline_status"])
        )
        item = {
            "rule_id": row["rule_id"],
            "title": row["title"],
            "pillar": row["pillar"],
            "before": before,
            "after": after,
        }
        if before in GAP_STATUSES and after == "met":
            closed.append(item)
        elif before == "met" and after in GAP_STATUSES:
            opened.append(item)
        elif before in GAP_STATUSES and after in GAP_STATUSES:
            item["change"] = (
                "better" if _rank(after) < _rank(before) else "worse" if _rank(after) > _rank(before) else "same"
            )
            still_open.append(item)
    pillars = []
    titles = {p["id"]: p.get("title") for p in _pillars(earlier)}
    for pillar in _pillars(later):
        titles.setdefault(pillar["id"], pillar.get("title"))
    for pillar_id, title in titles.items():
        before, after = _score(earlier, pillar_id), _score(later, pillar_id)
        pillars.append(
            {"id": pillar_id, "title": title, "before": before, "after": after, "change": _change(before, after)}
        )
    before, after = _score(earlier, None), _score(later, None)
    return {
        "from_date": earlier["assessment"]["date"],
        "to_date": later["assessment"]["date"],
        "closed": closed,
        "opened": opened,
        "still_open": still_open,
        "scores": {"overall": {"before": before, "after": after, "change": _change(before, after)}, "pillars": pillars},
    }


def compare_results(
    baseline: dict[str, Any], other: dict[str, Any], weights: Weights = "linear", files: tuple[str, str] = ("", "")
) -> dict[str, Any]:
    """The comparison of two results of the same ruleset (raise InputError if the rulesets differ)."""
    id_a, id_b = baseline["ruleset"]["id"], other["ruleset"]["id"]
    if id_a != id_b:
        raise InputError(
            [
                Problem(
                    files[1] or "OTHER",
                    None,
                    "ruleset",
                    f"the two sides use different rulesets ('{id_a}' and '{id_b}'); only assessments of one "
                    "ruleset can be compared rule by rule.",
                    "evaluate both assessments with the same --ruleset.",
                )
            ]
        )
    findings_a = {f["rule_id"]: f for f in baseline["findings"]}
    findings_b = {f["rule_id"]: f for f in other["findings"]}
    only_a = [r for r in findings_a if r not in findings_b]
    only_b = [r for r in findings_b if r not in findings_a]
    warnings: list[str] = []
    version_a, version_b = baseline["ruleset"].get("version"), other["ruleset"].get("version")
    if version_a != version_b:
        warnings.append(
            f"the two sides were evaluated with different versions of ruleset {id_a} ({version_a} and {version_b}); "
            f"only the {sum(1 for r in findings_a if r in findings_b)} rules in both are compared."
        )
        if only_a:
            warnings.append(f"rules only in the baseline's version: {', '.join(only_a)}.")
        if only_b:
            warnings.append(f"rules only in the other's version: {', '.join(only_b)}.")
    auditor = auditor_side(baseline, other)
    rows = [_rule_row(f, findings_b[r], baseline, other, auditor) for r, f in findings_a.items() if r in findings_b]
    pillar_titles = {p["id"]: p.get("title") for p in _pillars(baseline)}
    for row in rows:
        pillar_titles.setdefault(row["pillar"], row["pillar"])
    pairs = [(row["baseline_status"], row["other_status"]) for row in rows]
    by_pillar = [
        {
            "id": pillar_id,
            "title": title,
            **agreement([(r["baseline_status"], r["other_status"]) for r in rows if r["pillar"] == pillar_id], weights),
        }
        for pillar_id, title in pillar_titles.items()
    ]
    return {
        "comparison_version": COMPARISON_VERSION,
        "ruleset": {"id": id_a, "baseline_version": version_a, "other_version": version_b},
        "baseline": _side(baseline),
        "other": _side(other),
        "auditor": auditor,
        "weights": weights,
        "warnings": warnings,
        "only_in_baseline": only_a,
        "only_in_other": only_b,
        "agreement": {"overall": agreement(pairs, weights), "pillars": by_pillar},
        "unrated_pairs": _unrated_table(rows),
        "rules": rows,
        "disagreements": [row["rule_id"] for row in rows if not row["agree"]],
        "stricter": [row["rule_id"] for row in rows if row["direction"] == "stricter"],
        "more_lenient": [row["rule_id"] for row in rows if row["direction"] == "more_lenient"],
        "progress": progress(baseline, other, rows),
    }


def dumps(comparison: dict[str, Any]) -> str:
    return json.dumps(comparison, indent=2, ensure_ascii=False) + "\n"
