"""``unlearnbench leaderboard`` in every format: files written whole, bad input one line."""

import json

import pytest

from bench.cli import main
from bench.store import Store
from leaderboard import SCHEMA


@pytest.fixture
def results(grid, tmp_path):
    store = Store(tmp_path / "results")
    for record in grid:
        store.put(record)
    store.close()
    return tmp_path / "results"


@pytest.mark.parametrize("fmt, check", [
    ("md", lambda text: text.startswith("## toy")),
    ("csv", lambda text: text.startswith("table,task,")),
    ("json", lambda text: json.loads(text)["schema"] == SCHEMA),
    ("latex", lambda text: text.startswith("\\begin{table}")),
])
def test_text_formats_to_stdout_and_to_a_file(results, tmp_path, capsys, fmt, check):
    assert main(["leaderboard", "--results", str(results), "--format", fmt]) == 0
    printed = capsys.readouterr().out
    assert check(printed)
    out = tmp_path / "out" / f"board.{fmt}"
    argv = ["leaderboard", "--results", str(results), "--format", fmt, "--out", str(out)]
    assert main(argv) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    assert out.read_text(encoding="utf-8") == printed
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temporary left


def test_html_writes_a_site_directory(results, tmp_path, capsys):
    assert main(["leaderboard", "--results", str(results), "--format", "html"]) == 0
    index = results / "site" / "index.html"
    assert capsys.readouterr().out == f"wrote {index}\n"
    assert "<table class=\"sortable\">" in index.read_text(encoding="utf-8")
    site = tmp_path / "public"
    argv = ["leaderboard", "--results", str(results), "--format", "html", "--out", str(site)]
    assert main(argv) == 0
    assert (site / "index.html").is_file() and (site / "table-1-tradeoff.png").is_file()


@pytest.mark.parametrize("argv, fragment", [
    (["--format", "pdf"], "invalid choice"),
    (["--results", "{tmp}/none"], "no results"),
    (["--format", "md", "--out", "{results}/results.sqlite/x.md"], "cannot write"),
    (["--format", "html", "--out", "{results}/results.sqlite"], "cannot write"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(results, tmp_path, capsys, argv,
                                                          fragment):
    before = sorted(p.name for p in results.iterdir())
    argv = [a.format(tmp=tmp_path, results=results) for a in argv]
    if "--results" not in argv:
        argv += ["--results", str(results)]
    assert main(["leaderboard", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("unlearnbench: error: ") and fragment in err
    assert sorted(p.name for p in results.iterdir()) == before
