"""The submission commands' input handling: exit 2 and one line for bad input, exit 1 for a
failed check (a name collision needs no training to show it), list's columns, export/import."""

import gzip
import json

import pytest

from bench.cli import main
from bench.errors import UserError
from bench.record import Record
from bench.results_file import read_records, write_records
from bench.store import Store

COLLIDING = '''
from bench import Method, register_method


@register_method("scrub")
class NotScrub(Method):
    name = "scrub"
'''


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("unlearnbench: error: "), err
    return err


@pytest.mark.parametrize("content, fragment", [
    (None, "no such Python file"),
    ("x = 1\n", "registers no method"),
    ("import no_such_module_here\n", "importing it failed: ModuleNotFoundError"),
])
def test_check_method_on_a_bad_file_is_exit_2_with_one_line(content, fragment, tmp_path, capsys):
    path = tmp_path / "m.py"
    if content is not None:
        path.write_text(content)
    assert main(["check-method", str(path)]) == 2
    assert fragment in _one_line_error(capsys)


def test_check_method_on_an_unknown_name_suggests(capsys):
    assert main(["check-method", "scrubb"]) == 2
    assert "Did you mean scrub" in _one_line_error(capsys)


def test_a_name_collision_fails_the_unique_name_check_with_exit_1(tmp_path, capsys):
    path = tmp_path / "not_scrub.py"
    path.write_text(COLLIDING)
    assert main(["check-method", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL unique name: method 'scrub' is already registered (built-in)" in out
    assert "-- fix: register the method under a name no other method holds" in out


@pytest.mark.parametrize("name, fragment", [("My-Method", "lowercase letters"), ("scrub", "already registered")])
def test_new_method_refuses_bad_or_taken_names(name, fragment, tmp_path, capsys):
    assert main(["new-method", name, "--dir", str(tmp_path)]) == 2
    assert fragment in _one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_new_method_writes_a_template_that_names_itself(tmp_path, capsys):
    assert main(["new-method", "my_idea", "--dir", str(tmp_path)]) == 0
    text = (tmp_path / "my_idea.py").read_text()
    assert '@register_method("my_idea")' in text and "class MyIdea(Method)" in text
    compile(text, "my_idea.py", "exec")
    assert main(["new-method", "my_idea", "--dir", str(tmp_path)]) == 2  # never overwrites


def test_list_shows_origin_and_summary(capsys):
    assert main(["list", "methods"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "built-in" in lines["scrub"] and "Kurmanji et al., NeurIPS 2023" in lines["scrub"]


def _record(cell_id: str, method: str) -> Record:
    return Record(cell_id, {"task": "t", "method": method, "seed": 0}, "ok", metrics={"forget.acc": 0.5},
                  directions={"forget.acc": "retrain"}, manifest={"method_origin": "file"})


def test_export_then_import_round_trips_and_never_overwrites(tmp_path, capsys):
    source = Store(tmp_path / "a")
    source.put(_record("c1", "m"))
    source.put(_record("c2", "retrain"))
    source.close()
    assert main(["export", str(tmp_path / "out.json"), "--results", str(tmp_path / "a")]) == 0
    target = Store(tmp_path / "b")
    target.put(_record("c1", "already-here"))
    target.close()
    assert main(["import", str(tmp_path / "out.json"), "--results", str(tmp_path / "b")]) == 0
    assert "imported 1 records" in capsys.readouterr().out
    records = {r.cell_id: r for r in Store(tmp_path / "b", create=False).records()}
    assert records["c1"].method == "already-here" and records["c2"] == _record("c2", "retrain")


def test_a_gz_path_is_written_compressed_and_read_back(tmp_path):
    records = [_record("c1", "m"), _record("c2", "retrain")]
    write_records(records, tmp_path / "out.json.gz")
    assert gzip.decompress((tmp_path / "out.json.gz").read_bytes()).startswith(b"{")
    assert read_records(tmp_path / "out.json.gz") == records
    (tmp_path / "cut.json.gz").write_bytes((tmp_path / "out.json.gz").read_bytes()[:40])
    with pytest.raises(UserError, match="cannot read it as an exported results file"):
        read_records(tmp_path / "cut.json.gz")


@pytest.mark.parametrize("content, fragment", [
    ("not json", "cannot read it"),
    (json.dumps({"format": "other"}), "not an unlearnbench results file"),
    (json.dumps({"format": "unlearnbench-results", "schema_version": 1, "records": []}), "schema 1"),
    (json.dumps({"format": "unlearnbench-results", "schema_version": 2, "records": [{"cell_id": "x"}]}),
     "record 0 is malformed"),
])
def test_import_refuses_a_bad_file_before_writing_anything(content, fragment, tmp_path, capsys):
    path = tmp_path / "in.json"
    path.write_text(content)
    assert main(["import", str(path), "--results", str(tmp_path / "res")]) == 2
    assert fragment in _one_line_error(capsys)
    assert not (tmp_path / "res").exists()
