"""vpsa aggregate: order independence, small-group suppression, anonymity, parallel runs, bad files."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import MINI, MINI_FULL, assessment_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.workload import to_assessment
from engine.aggregate import (
    RATED_CODES,
    SHARED_GAP_CODES,
    MemberSummary,
    build_aggregate,
    pseudonyms,
    quick_summary,
    summarise,
)
from engine.aggregate_render import RENDERERS
from engine.assessments import load_assessment
from engine.cli import main
from engine.errors import InputError
from engine.quickload import quick_load
from engine.synthetic import synthetic_member

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Names no template or ruleset could contain by chance.
name_strategy = st.text(alphabet="QXZJKVW", min_size=6, max_size=10).map(lambda s: f"Orgq{s}")


def _members(mini: Any, evaluator: Any, datas: list[dict[str, Any]], salt: str = "") -> list[MemberSummary]:
    return [summarise(mini, evaluator.evaluate(to_assessment(mini, d), check=False), salt) for d in datas]


@st.composite
def groups(draw: Any, mini: Any) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 9))
    names = draw(st.lists(name_strategy, min_size=count, max_size=count, unique=True))
    datas = []
    for name in names:
        data = draw(assessment_data(mini))
        data["assessment"]["organisation"] = name
        data["assessment"]["site"] = f"{name} site"
        datas.append(data)
    return datas


def _cells(aggregate: dict[str, Any]) -> list[int]:
    """The member count behind every figure the aggregate shows."""
    counts = []
    for entry in [*aggregate["distributions"], aggregate["overall"]]:
        if not entry["suppressed"] and entry["members"]:
            counts.append(entry["members"])
    for gap in [*aggregate["common_gaps"], *aggregate["workplan"]]:
        counts += [gap["members_with_gap"], gap["members_rated"]]
    return counts


@SETTINGS
@given(data=st.data())
def test_aggregate_does_not_depend_on_member_order(mini: Any, mini_evaluator: Any, data: st.DataObject) -> None:
    members = _members(mini, mini_evaluator, data.draw(groups(mini)))
    shuffled = list(members)
    random.Random(data.draw(st.integers(0, 1000))).shuffle(shuffled)
    assert build_aggregate(mini, members) == build_aggregate(mini, shuffled)
    for render in RENDERERS.values():
        assert render(build_aggregate(mini, members)) == render(build_aggregate(mini, shuffled))


@SETTINGS
@given(data=st.data())
def test_no_figure_comes_from_fewer_members_than_the_threshold(
    mini: Any, mini_evaluator: Any, data: st.DataObject
) -> None:
    members = _members(mini, mini_evaluator, data.draw(groups(mini)))
    threshold = data.draw(st.integers(1, 6))
    aggregate = build_aggregate(mini, members, min_group=threshold)
    assert all(n >= threshold for n in _cells(aggregate))
    if len(members) < threshold:
        assert aggregate["suppressed"] and aggregate["matrix"] == [] and _cells(aggregate) == []
        return
    # recompute independently which rules must be listed as shared gaps
    listed = {g["rule_id"]: g for g in aggregate["common_gaps"]}
    for index, rule_id in enumerate(mini.rules):
        rated = [m for m in members if m.statuses[index] in RATED_CODES]
        sharing = [m for m in rated if m.statuses[index] in SHARED_GAP_CODES]
        if len(sharing) >= threshold and len(rated) >= threshold:
            assert listed[rule_id]["members_with_gap"] == len(sharing)
            assert listed[rule_id]["members_rated"] == len(rated)
        else:
            assert rule_id not in listed
    for index, entry in enumerate(aggregate["distributions"]):
        scored = [m.pillars[index] for m in members if m.pillars[index] is not None]
        assert entry["suppressed"] == (0 < len(scored) < threshold)
        if not entry["suppressed"] and scored:
            assert entry["min"] == round(min(scored), 1) and entry["max"] == round(max(scored), 1)


@SETTINGS
@given(data=st.data())
def test_member_names_and_free_text_never_appear_unless_revealed(
    mini: Any, mini_evaluator: Any, data: st.DataObject
) -> None:
    datas = data.draw(groups(mini))
    secret = "Evidencezq" + data.draw(st.text(alphabet="QXZJ", min_size=5, max_size=8))
    for d in datas:
        d["answers"]["PRIV-Q3"] = {"value": secret, "evidence": secret, "comment": secret}
        d["assessment"]["assessor"] = secret
    members = _members(mini, mini_evaluator, datas)
    hidden = build_aggregate(mini, members, min_group=1)
    for fmt, render in RENDERERS.items():
        text = render(hidden)
        assert secret not in text, fmt
        for d in datas:
            assert d["assessment"]["organisation"] not in text, fmt
            assert d["assessment"]["site"] not in text, fmt
    if datas:
        shown = RENDERERS["markdown"](build_aggregate(mini, members, min_group=1, reveal=True))
        assert datas[0]["assessment"]["organisation"] in shown and secret not in shown


def test_pseudonyms_are_stable_distinct_and_salted(mini: Any, mini_evaluator: Any) -> None:
    datas = [synthetic_member(mini, 5, n) for n in range(1, 40)]
    plain = _members(mini, mini_evaluator, datas)
    again = _members(mini, mini_evaluator, datas)
    salted = _members(mini, mini_evaluator, datas, salt="group secret")
    names = pseudonyms(sorted(plain, key=lambda m: m.key))
    assert len(set(names)) == len(names) and all(n.startswith("Member ") for n in names)
    assert [m.key for m in plain] == [m.key for m in again]
    assert not {m.key for m in plain} & {m.key for m in salted}


def test_a_small_group_shows_no_figures(mini: Any, mini_evaluator: Any) -> None:
    members = _members(mini, mini_evaluator, [synthetic_member(mini, 1, n) for n in (1, 2)])
    aggregate = build_aggregate(mini, members)
    assert aggregate["suppressed"] and not aggregate["common_gaps"] and not aggregate["matrix"]
    assert all(d["suppressed"] for d in aggregate["distributions"])
    text = RENDERERS["markdown"](aggregate)
    assert "fewer than 3 members" in text and "%" not in text


def test_workplan_orders_by_members_sharing_then_severity(mini: Any, mini_evaluator: Any) -> None:
    members = _members(mini, mini_evaluator, [synthetic_member(mini, 2, n) for n in range(1, 60)])
    plan = build_aggregate(mini, members)["workplan"]
    assert plan, "sixty synthetic members share some gap"
    keys = [(-p["members_with_gap"], -["low", "medium", "high", "critical"].index(p["severity"])) for p in plan]
    assert keys == sorted(keys)
    assert all(p["recommendation"] == mini.rules[p["rule_id"]].recommendation.text for p in plan)


# --- the command line ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def member_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("members")
    outcome = CliRunner().invoke(
        main, ["dev", "synth", "--count", "12", "--out", str(folder), "--seed", "4", "--ruleset", str(MINI)]
    )
    assert outcome.exit_code == 0, outcome.output
    return folder


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_cli_parallel_and_serial_runs_are_byte_identical(member_folder: Path, tmp_path: Path, fmt: str) -> None:
    texts = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}.{fmt}"
        outcome = CliRunner().invoke(
            main, ["aggregate", str(member_folder), "--ruleset", str(MINI), "--format", fmt, "-j", jobs, "-o", str(out)]
        )
        assert outcome.exit_code == 0, outcome.output
        assert "Aggregated 12 member(s)" in outcome.stderr and "\r" not in outcome.stderr  # no bar off a TTY
        texts.append(out.read_bytes())
    assert texts[0] == texts[1]
    assert b"Synthetic member" not in texts[0]


def test_cli_reveal_and_salt(member_folder: Path) -> None:
    base = ["aggregate", str(member_folder), "--ruleset", str(MINI), "--format", "json", "-q"]
    plain = json.loads(CliRunner().invoke(main, base).stdout)
    salted = json.loads(CliRunner().invoke(main, [*base, "--salt", "s3cret"]).stdout)
    shown = json.loads(CliRunner().invoke(main, [*base, "--reveal"]).stdout)
    assert {r["member"] for r in plain["matrix"]} != {r["member"] for r in salted["matrix"]}
    assert all(r["organisation"].startswith("Synthetic member") for r in shown["matrix"])
    assert [r["pillars"] for r in plain["matrix"]] != [] and plain["members"] == 12


def test_cli_lists_every_bad_file_and_writes_nothing(member_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "group"
    folder.mkdir()
    for path in sorted(member_folder.glob("*.yaml"))[:4]:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "broken.yaml").write_text("assessment: [\n", encoding="utf-8")
    data = yaml.safe_load(MINI_FULL.read_text(encoding="utf-8"))
    data["answers"]["RA-Q1"] = "perhaps"
    (folder / "wrong.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "group.md"
    outcome = CliRunner().invoke(main, ["aggregate", str(folder), "--ruleset", str(MINI), "-o", str(out), "-j", "2"])
    assert outcome.exit_code == 2
    assert "broken.yaml" in outcome.stderr and "wrong.yaml" in outcome.stderr and "perhaps" in outcome.stderr
    assert "Traceback" not in outcome.output and not out.exists()


def test_cli_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    outcome = CliRunner().invoke(main, ["aggregate", str(empty), str(tmp_path / "nope.yaml"), "--ruleset", str(MINI)])
    assert outcome.exit_code == 2 and "no .yaml" in outcome.stderr and "nope.yaml" in outcome.stderr


def test_revealed_hostile_names_stay_inert(mini: Any, mini_evaluator: Any) -> None:
    datas = [synthetic_member(mini, 9, n) for n in range(1, 5)]
    datas[0]["assessment"]["organisation"] = '=HYPERLINK("x") <script>alert(1)</script> {{ 7*7 }} ש🙂'
    aggregate = build_aggregate(mini, _members(mini, mini_evaluator, datas), reveal=True)
    html = RENDERERS["html"](aggregate)
    assert "<script>" not in html and "&lt;script&gt;" in html and "{{ 7*7 }}" in html
    assert "<script>" not in RENDERERS["markdown"](aggregate)
    assert "\n=HYPERLINK" not in RENDERERS["csv"](aggregate) and ",=HYPERLINK" not in RENDERERS["csv"](aggregate)


MEMBERS = Path(__file__).resolve().parent.parent / "assessments" / "members"


@pytest.mark.skipif(not MEMBERS.is_dir(), reason="the example member assessments are not written yet")
def test_bundled_member_examples_validate_and_aggregate() -> None:
    files = sorted(MEMBERS.glob("*.yaml"))
    assert len(files) >= 5
    runner = CliRunner()
    names = []
    for file in files:
        check = runner.invoke(main, ["validate", str(file)])
        assert check.exit_code == 0, check.output
        names.append(yaml.safe_load(file.read_text(encoding="utf-8"))["assessment"]["organisation"])
    outcome = runner.invoke(main, ["aggregate", str(MEMBERS), "--format", "json", "-q"])
    assert outcome.exit_code == 0, outcome.output
    aggregate = json.loads(outcome.stdout)
    assert aggregate["members"] == len(files) and not aggregate["suppressed"] and aggregate["workplan"]
    overall = [row["overall"] for row in aggregate["matrix"]]
    assert max(overall) - min(overall) > 30, "the examples should differ in maturity"
    assert not any(name in outcome.stdout for name in names)


# --- the fast paths give what the core gives -------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_quick_summary_equals_the_full_evaluation(mini: Any, mini_evaluator: Any, data: st.DataObject) -> None:
    assessment = to_assessment(mini, data.draw(assessment_data(mini)))
    full = summarise(mini, mini_evaluator.evaluate(assessment), "salt")
    assert quick_summary(mini, mini_evaluator, assessment, "salt") == full


def test_quick_load_matches_the_core_loader_or_defers_to_it(mini: Any, tmp_path: Path) -> None:
    quick = quick_load(MINI_FULL, mini)
    core = load_assessment(MINI_FULL, mini)
    assert quick is not None
    assert (quick.meta, quick.profile, quick.answers, quick.incidents, quick.sha256, quick.warnings) == (
        core.meta,
        core.profile,
        core.answers,
        core.incidents,
        core.sha256,
        core.warnings,
    )
    text = MINI_FULL.read_text(encoding="utf-8")
    cases = {
        "duplicate.yaml": text + "answers: {}\n",
        "merge.yaml": text.replace("answers:\n", "base: &b {x: 1}\nanswers:\n  <<: *b\n"),
        "broken.yaml": "assessment: [\n",
        "bad-value.yaml": text.replace('RA-Q1: "yes"', "RA-Q1: perhaps"),
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        assert quick_load(path, mini) is None, name
        with pytest.raises(InputError):
            load_assessment(path, mini)


def test_a_site_given_twice_is_warned_about_and_kept_apart(member_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dup"
    folder.mkdir()
    files = sorted(member_folder.glob("*.yaml"))[:4]
    for path in files:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "again.yaml").write_bytes(files[0].read_bytes())
    outcome = CliRunner().invoke(main, ["aggregate", str(folder), "--ruleset", str(MINI), "--format", "json"])
    assert outcome.exit_code == 0 and "1 file(s) assess an organisation and site" in outcome.stderr
    names = [row["member"] for row in json.loads(outcome.stdout)["matrix"]]
    assert len(names) == len(set(names)) == 5 and any(name.endswith("-2") for name in names)


def test_progress_bar_draws_only_when_enabled(capsys: pytest.CaptureFixture[str]) -> None:
    from engine.cli.aggregate import ProgressBar

    ProgressBar(False)("evaluating", 5, 10)
    assert capsys.readouterr().err == ""
    bar = ProgressBar(True)
    bar("evaluating", 1, 4)
    bar("evaluating", 4, 4)
    err = capsys.readouterr().err
    assert err.startswith("\rEvaluating") and "4/4" in err and err.endswith("\n")
