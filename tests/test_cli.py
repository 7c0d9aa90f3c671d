"""The command line: every core command and option, bad input of every kind, and the installed script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINI, MINI_EMPTY, MINI_FULL

from engine import outputs
from engine.cli import main

RULESET = ["--ruleset", str(MINI)]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def assert_clean_error(code: int, out: str, err: str, *fragments: str) -> None:
    """Exit 2, one paragraph on stderr naming the problem, no traceback."""
    assert code == 2, (code, out, err)
    assert err.startswith("Error: ")
    assert "Traceback" not in out + err
    assert "\n\n" not in err.strip()
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def _pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


# --- assess -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(outputs.FORMATS))
def test_assess_every_format_to_stdout_and_file(tmp_path, fmt):
    if fmt == "pdf" and not _pdf_available():
        pytest.skip("WeasyPrint or its system libraries are missing (the pdf extra)")
    code, out, err = run("assess", str(MINI_FULL), *RULESET, "--format", fmt, "-o", str(tmp_path / "out"))
    assert code == 0, err
    written = (tmp_path / "out").read_bytes()
    assert written
    if fmt == "json":
        assert json.loads(written)["ruleset"]["id"] == "mini"
    if fmt != "pdf":
        code, out, _ = run("assess", str(MINI_FULL), *RULESET, "--format", fmt)
        assert code == 0 and out.encode() == written.replace(b"\r\n", b"\n")  # the same content


def test_format_follows_the_output_extension(tmp_path):
    for name, check in (("r.json", lambda b: json.loads(b)), ("r.md", lambda b: b.decode().lstrip().startswith("#"))):
        code, _, err = run("assess", str(MINI_FULL), *RULESET, "-o", str(tmp_path / name))
        assert code == 0, err
        assert check((tmp_path / name).read_bytes())


def test_default_is_markdown_on_stdout():
    code, out, _ = run("assess", str(MINI_FULL), *RULESET)
    assert code == 0 and out.lstrip().startswith("#")


def test_ruleset_named_by_the_assessment_is_found(tmp_path, monkeypatch):
    monkeypatch.setenv("VPSA_RULESETS", str(MINI.parent))
    code, out, err = run("assess", str(MINI_FULL), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["ruleset"]["id"] == "mini"


@pytest.mark.parametrize(("threshold", "expected"), [("critical", 1), ("low", 1)])
def test_fail_on_gaps(threshold, expected):
    code, _, err = run("assess", str(MINI_FULL), *RULESET, "--format", "json", "--fail-on", threshold)
    assert code == expected
    assert f"at or above {threshold}" in err and "INC-01" in err


def test_fail_on_without_gaps_exits_0():
    # the empty assessment has no rated rule, so no gap at all
    code, _, err = run("assess", str(MINI_EMPTY), *RULESET, "--format", "json", "--fail-on", "low")
    assert code == 0, err


def test_fail_on_still_writes_the_report(tmp_path):
    target = tmp_path / "r.json"
    code, _, _ = run("assess", str(MINI_FULL), *RULESET, "-o", str(target), "--fail-on", "high")
    assert code == 1 and json.loads(target.read_text())["gaps"]


# --- validate, rules, explain -----------------------------------------------------------------------


def test_validate_ruleset_and_assessment():
    code, out, _ = run("validate", str(MINI))
    assert code == 0 and out.startswith("OK: ruleset mini 1.0.0: 7 rules, 8 questions")
    code, out, _ = run("validate", str(MINI / "ruleset.yaml"))
    assert code == 0 and "7 rules" in out
    code, out, err = run("validate", str(MINI_FULL), *RULESET)
    assert code == 0 and out.startswith("OK: assessment of Alpha Mining (fictional) / North pit")
    assert "7 of 8 questions answered, 2 incident(s)" in out


def test_validate_reports_every_problem(tmp_path):
    text = MINI_FULL.read_text(encoding="utf-8").replace("PRIV-Q1: 80", "PRIV-Q1: eighty")
    text = text.replace('RA-Q1: "yes"', 'RA-Q1: "maybe"')
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    code, out, err = run("validate", str(tmp_path / "a.yaml"), *RULESET)
    assert_clean_error(code, out, err, "2 problems found", "'eighty' is not a number", "'maybe' is not one of")


def test_rules_list_text_json_and_pillar():
    code, out, _ = run("rules", "list", *RULESET)
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == [
        "RA-01",
        "RA-02",
        "PUB-01",
        "PRIV-01",
        "PRIV-02",
        "INC-01",
        "INC-02",
    ]
    code, out, _ = run("rules", "list", *RULESET, "--format", "json", "--pillar", "PRIV")
    assert code == 0 and [r["rule_id"] for r in json.loads(out)] == ["PRIV-01", "PRIV-02"]
    code, out, err = run("rules", "list", *RULESET, "--pillar", "NOPE")
    assert_clean_error(code, out, err, "no rule is in pillar 'NOPE'", "RA, PUB, PRIV, INC")


def test_rules_show_and_compiled():
    code, out, _ = run("rules", "show", "PUB-01", *RULESET)
    assert code == 0
    assert out.startswith("PUB-01 — Agreement with public security")
    assert "Raised one level when: conflict_affected" in out and "Compiled" not in out
    code, out, _ = run("rules", "show", "PUB-01", *RULESET, "--compiled")
    assert code == 0
    compiled = json.loads(out[out.index("{") :])
    assert list(compiled)[0] == "1_profile" and all("pri" in r for r in compiled.values())
    code, out, err = run("rules", "show", "PUB-1", *RULESET)
    assert_clean_error(code, out, err, "has no rule 'PUB-1'", "did you mean 'PUB-01'")


def test_explain():
    code, out, _ = run("explain", str(MINI_FULL), "PRIV-01", *RULESET)
    assert code == 0
    assert "Status: partially met (decided by durable-rules)" in out
    assert "PRIV-Q1 = 80" in out and "PRIV-Q2 = skipped for this profile" in out  # no armed guards
    assert "armed_guards = false" in out
    code, out, _ = run("explain", str(MINI_EMPTY), "RA-01", *RULESET)
    assert code == 0 and "Status: unanswered" in out and "RA-Q1 = unanswered" in out
    code, out, _ = run("explain", str(MINI_FULL), "INC-01", *RULESET)
    assert code == 0 and "Incident I-1: partially met" in out
    code, out, err = run("explain", str(MINI_FULL), "NOPE-01", *RULESET)
    assert_clean_error(code, out, err, "has no rule 'NOPE-01'")


# --- bad input of every kind --------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "{{ 7*7 }} {% raw %}",
    "x" * 5000,
    "مرحبا بالعالم",
    "🛡️🔥",
    "\u202eevil",
]


def _bad_inputs(tmp_path: Path) -> list[tuple[str, Path, list[str]]]:
    full = MINI_FULL.read_text(encoding="utf-8")
    cases = [
        ("missing file", tmp_path / "absent.yaml", ["absent.yaml", "does not exist"]),
        ("folder", tmp_path, ["this is a folder"]),
    ]
    texts = {
        "malformed yaml": ("bad.yaml", full.replace('RA-Q1: "yes"', 'RA-Q1: ["yes"'), ["bad.yaml:", "not valid YAML"]),
        "malformed json": ("bad.json", '{"assessment": {"organisation": "x",}}', ["bad.json:1", "not valid JSON"]),
        "unknown question": ("q.yaml", full.replace("RA-Q1:", "RA-Q01:"), ["unknown question id 'RA-Q01'"]),
        "wrong type": ("t.yaml", full.replace("PRIV-Q1: 80", "PRIV-Q1: eighty"), ["PRIV-Q1", "is not a number"]),
        "list of numbers": (
            "n.yaml",
            full.replace("PRIV-Q1: 80", "PRIV-Q1: [80]"),
            ["n.yaml:", "[80] is not an answer"],
        ),
        "escaped half character": ("s.yaml", full.replace('PRIV-Q3: "', 'PRIV-Q3: "\\ud83d'), ["invalid character"]),
        "not a mapping": ("l.yaml", "- a\n- b\n", ["must be a mapping"]),
        "empty": ("e.yaml", "", ["must be a mapping"]),
        "wrong extension": ("a.txt", full, ["'.txt' is not a format vpsa reads"]),
    }
    for i, hostile in enumerate(HOSTILE):
        texts[f"hostile key {i}"] = (f"h{i}.yaml", full.replace("RA-Q1:", json.dumps(hostile) + ":"), [f"h{i}.yaml"])
        texts[f"hostile value {i}"] = (
            f"v{i}.yaml",
            full.replace("PUB-Q2: some", "PUB-Q2: " + json.dumps(hostile)),
            ["PUB-Q2"],
        )
    for name, (file, text, fragments) in texts.items():
        path = tmp_path / file
        path.write_text(text, encoding="utf-8")
        cases.append((name, path, fragments))
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(full.replace("North pit", "Nörth").encode("latin-1"))
    cases.append(("not utf-8", latin, ["not UTF-8"]))
    return cases


def test_every_kind_of_bad_input_exits_2_cleanly(tmp_path):
    for name, path, fragments in _bad_inputs(tmp_path):
        commands = [["assess", str(path), *RULESET]]
        if path.is_file():  # validate takes a folder as a ruleset
            commands.append(["validate", str(path), *RULESET])
        for command in commands:
            code, out, err = run(*command)
            try:
                assert_clean_error(code, out, err, *fragments)
            except AssertionError as exc:
                raise AssertionError(f"{name} / {command[0]}: {err[:500]}") from exc


def test_hostile_text_in_answers_is_carried_not_executed(tmp_path):
    text = MINI_FULL.read_text(encoding="utf-8").replace(
        'PRIV-Q3: "Provider is ICoCA affiliate"', "PRIV-Q3: " + json.dumps(" ".join(HOSTILE))
    )
    (tmp_path / "h.yaml").write_text(text, encoding="utf-8")
    code, out, err = run("assess", str(tmp_path / "h.yaml"), *RULESET, "--format", "json")
    assert code == 0, err
    assert " ".join(HOSTILE) in json.loads(out)["answers"]["PRIV-Q3"]["value"]  # {{ 7*7 }} not evaluated
    code, out, _ = run("assess", str(tmp_path / "h.yaml"), *RULESET, "--format", "markdown")
    assert "<script>" not in out


def test_bad_ruleset_exits_2(tmp_path):
    (tmp_path / "ruleset.yaml").write_text("id: x\nversion: 1\n", encoding="utf-8")
    code, out, err = run("validate", str(tmp_path))
    assert_clean_error(code, out, err, "ruleset.yaml")
    code, out, err = run("assess", str(MINI_FULL), "--ruleset", str(tmp_path))
    assert_clean_error(code, out, err, "ruleset.yaml")
    code, out, err = run("assess", str(MINI_FULL), "--ruleset", "no-such-ruleset")
    assert_clean_error(code, out, err, "no-such-ruleset", "vpshr")


def test_usage_errors_exit_2():
    result = CliRunner().invoke(main, ["assess", str(MINI_FULL), "--format", "docx"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["assess"])
    assert result.exit_code == 2


# --- --output is atomic ----------------------------------------------------------------------------------


def test_failed_run_leaves_no_output_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("assessment: [\n", encoding="utf-8")
    target = tmp_path / "out.json"
    code, out, err = run("assess", str(bad), *RULESET, "-o", str(target))
    assert_clean_error(code, out, err)
    assert not target.exists()
    target.write_text("previous result", encoding="utf-8")
    run("assess", str(bad), *RULESET, "-o", str(target))
    assert target.read_text() == "previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "out.json"]


def test_failure_while_writing_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("previous result", encoding="utf-8")

    def broken(result):
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(outputs.FORMATS, "json", broken)
    code, out, err = run("assess", str(MINI_FULL), *RULESET, "-o", str(target))
    assert code == 2 and "No space left on device" in err and "Traceback" not in err
    assert target.read_text() == "previous result"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_interrupted_write_removes_its_temporary_file(tmp_path, monkeypatch):
    from engine import files

    target = tmp_path / "out.json"
    target.write_text("previous result", encoding="utf-8")
    monkeypatch.setattr(files.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(5, "I/O error")))
    code, _, err = run("assess", str(MINI_FULL), *RULESET, "-o", str(target))
    assert code == 2 and "I/O error" in err
    assert target.read_text() == "previous result"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.parametrize("where", ["folder", "missing parent"])
def test_output_path_problems(tmp_path, where):
    target = tmp_path if where == "folder" else tmp_path / "no" / "such" / "out.json"
    code, out, err = run("assess", str(MINI_FULL), *RULESET, "-o", str(target))
    assert_clean_error(code, out, err, "--output")


# --- the installed console script ------------------------------------------------------------------------


def _vpsa() -> str:
    found = shutil.which("vpsa", path=str(Path(sys.executable).parent))
    assert found, "the vpsa console script must be installed next to the interpreter (pip install -e .)"
    return found


def test_installed_script_runs(tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    target = tmp_path / "r.json"
    done = subprocess.run(
        [_vpsa(), "assess", str(MINI_FULL), *RULESET, "-o", str(target), "--fail-on", "critical"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(target.read_text())["findings"]
    done = subprocess.run([_vpsa(), "assess", "missing.yaml", *RULESET], capture_output=True, text=True, env=env)
    assert done.returncode == 2 and done.stderr.startswith("Error: ") and "Traceback" not in done.stderr
    done = subprocess.run([_vpsa(), "--version"], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and done.stdout.startswith("vpsa, version ")


def test_python_dash_m_engine():
    done = subprocess.run(
        [sys.executable, "-m", "engine", "rules", "list", *RULESET, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=str(Path(__file__).resolve().parent.parent),
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 7


def test_output_files_get_the_usual_permissions(tmp_path):
    """Atomic writing goes through mkstemp (owner-only); reports are meant to be shared."""
    old = os.umask(0o022)
    try:
        report = tmp_path / "report.md"
        assert run("assess", str(MINI_FULL), *RULESET, "-o", str(report))[0] == 0
        assert report.stat().st_mode & 0o777 == 0o644
        report.chmod(0o600)  # a file the user locked down stays locked down when rewritten
        assert run("assess", str(MINI_FULL), *RULESET, "-o", str(report))[0] == 0
        assert report.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
