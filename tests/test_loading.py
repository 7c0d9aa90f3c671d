"""Reading YAML and JSON documents: syntax errors and duplicate keys name the file and the right line."""

from __future__ import annotations

import pytest
from conftest import line_of, mini_text

from engine.errors import InputError
from engine.loading import LoadError, load_document
from engine.rulesets import load_ruleset


def test_yaml_lines_of_nested_values(write):
    path = write("doc.yaml", "a: 1\nb:\n  - x\n  - {c: 2}\nd:\n  e: f\n")
    document = load_document(path)
    assert document.data == {"a": 1, "b": ["x", {"c": 2}], "d": {"e": "f"}}
    assert document.line(("b", 1, "c")) == 4
    assert document.line(("d", "e")) == 6
    assert document.line(("d", "e", "missing", 3)) == 6  # nearest known ancestor


def test_yaml_syntax_error_names_the_line(write):
    text = "a: 1\nb: [1, 2\nc: 3\n"
    path = write("bad.yaml", text)
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert caught.value.file == str(path)
    assert caught.value.line in (2, 3)  # the flow sequence opened on line 2 runs into line 3
    assert "not valid YAML" in caught.value.message


def test_yaml_bad_indentation_line(write):
    text = "rules:\n  - id: A\n    title: x\n   pillar: RA\n"
    with pytest.raises(LoadError) as caught:
        load_document(write("indent.yaml", text))
    assert caught.value.line == 4


def test_duplicate_key_is_an_error_with_its_line(write):
    text = "id: x\ntitle: one\nnested:\n  a: 1\n  a: 2\n"
    with pytest.raises(LoadError) as caught:
        load_document(write("dup.yaml", text))
    assert caught.value.line == 5
    assert "'a' appears twice" in caught.value.message


def test_duplicate_key_in_a_ruleset_is_reported_with_file_and_line(tmp_path):
    text = mini_text().replace("title: Mini test ruleset\n", "title: Mini test ruleset\ntitle: Again\n")
    (tmp_path / "ruleset.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_ruleset(tmp_path)
    problem = caught.value.problems[0]
    assert problem.file.endswith("ruleset.yaml")
    assert problem.line == line_of(text, "title: Again")


def test_merge_keys_are_refused(write):
    with pytest.raises(LoadError) as caught:
        load_document(write("merge.yaml", "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n"))
    assert caught.value.line == 3


def test_json_syntax_error_line(write):
    text = '{\n  "a": 1,\n  "b": [1, 2,,]\n}\n'
    with pytest.raises(LoadError) as caught:
        load_document(write("bad.json", text))
    assert caught.value.line == 3
    assert "not valid JSON" in caught.value.message


def test_json_documents_get_lines_too(write):
    document = load_document(write("ok.json", '{\n  "a": {\n    "b": [\n      1\n    ]\n  }\n}\n'))
    assert document.data == {"a": {"b": [1]}}
    assert document.line(("a", "b")) == 3


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        (lambda tmp: tmp / "absent.yaml", "does not exist"),
        (lambda tmp: tmp, "folder"),
    ],
)
def test_missing_file_and_folder(tmp_path, setup, fragment):
    with pytest.raises(LoadError) as caught:
        load_document(setup(tmp_path))
    assert fragment in caught.value.message


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert "UTF-8" in caught.value.message


def test_empty_document_is_none(write):
    assert load_document(write("empty.yaml", "# nothing\n")).data is None


def test_non_string_keys_become_text(write):
    assert load_document(write("keys.yaml", "1: a\ntrue: b\n")).data == {"1": "a", "true": "b"}


def test_syntax_errors_in_several_ruleset_files_are_all_reported(tmp_path):
    (tmp_path / "ruleset.yaml").write_text(mini_text(), encoding="utf-8")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.yaml").write_text("rules: [\n", encoding="utf-8")
    (tmp_path / "rules" / "b.yaml").write_text("rules:\n  x: 1\n  x: 2\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_ruleset(tmp_path)
    files = sorted(p.file.rsplit("/", 1)[-1] for p in caught.value.problems)
    assert files == ["a.yaml", "b.yaml"]
    assert [p.line for p in caught.value.problems if p.file.endswith("b.yaml")] == [3]


def test_escaped_utf16_pairs_are_joined_and_halves_refused(write):
    assert load_document(write("pair.yaml", 'a: "\\ud83d\\udee1"\n')).data == {"a": "\U0001f6e1"}
    for name, text, line in (
        ("half.yaml", 'a: 1\nb: "\\ud83d"\n', 2),
        ("key.yaml", 'a: 1\n"\\udc00": 2\n', 2),
        ("half.json", '{"a": ["\\ud83d"]}', None),
    ):
        with pytest.raises(LoadError) as caught:
            load_document(write(name, text))
        assert "invalid character" in caught.value.message
        if line is not None:
            assert caught.value.line == line


def test_problems_are_listed_in_natural_order() -> None:
    from engine.errors import InputError, Problem

    places = ["row 15", "row 5", "row 100", "sheet Answers"]
    error = InputError([Problem("a.xlsx", None, where, "Bad value.") for where in places])
    assert [p.where for p in error.problems] == ["row 5", "row 15", "row 100", "sheet Answers"]
