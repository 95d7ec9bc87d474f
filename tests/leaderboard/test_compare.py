"""``unlearnbench compare``: real differences between stores run with different method
parameters, none between a store and itself, one-line errors for bad input."""

import json

import pytest

from bench.cli import main
from bench.store import Store
from leaderboard import build_tables, render_json
from leaderboard.compare import MARK, Difference


def _store(path, rec, scrub_lr, scrub_forget):
    """retrain and scrub (with ``lr``) over three seeds."""
    store = Store(path)
    for seed, retrain in enumerate([61.0, 58.0, 60.0]):
        store.put(rec("retrain", seed, {"forget.r_mean": retrain, "test.r_mean": 60.0 + seed}))
        store.put(rec("scrub", seed, {"forget.r_mean": scrub_forget[seed],
                                      "test.r_mean": 60.0 + seed}, method_params={"lr": scrub_lr}))
    store.close()
    return path


@pytest.fixture
def stores(tmp_path, rec):
    a = _store(tmp_path / "a", rec, 0.001, [70.0, 66.0, 65.0])
    b = _store(tmp_path / "b", rec, 0.01, [90.0, 88.0, 91.0])
    return a, b


def test_different_method_params_show_a_real_difference(stores, capsys):
    a, b = stores
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if "forget.r_mean" in l and "gap" not in l)
    assert line.startswith("scrub (lr=0.001) → scrub (lr=0.01)") and line.rstrip().endswith(MARK)
    assert "67.0 ± 6.6" in line and "89.7 ± 3.8" in line and "22.7" in line
    assert "retrain" not in out.split("\n", 3)[3]  # retrain is the same on both sides
    assert out.splitlines()[-1].endswith(f"by more than their 95% CIs ({MARK}).")
    assert "0 by more" not in out.splitlines()[-1]


def test_a_store_and_its_json_leaderboard_show_no_difference(stores, tmp_path, capsys):
    a, _ = stores
    assert main(["leaderboard", "--results", str(a), "--format", "json", "--out",
                 str(tmp_path / "a.json")]) == 0
    capsys.readouterr()
    for other in (a, tmp_path / "a.json"):
        assert main(["compare", str(a), str(other)]) == 0
        out = capsys.readouterr().out
        assert out.splitlines()[-1].endswith(", 0 differ, 0 by more than their 95% CIs (◆).")
        assert out.count(MARK) == 1  # only in that summary line


def test_a_difference_within_the_cis_is_not_marked():
    a = {"mean": 10.0, "ci95": 3.0, "n": 3}
    assert Difference("t", "r", "m", a, {"mean": 14.0, "ci95": 3.0, "n": 3}).beyond_cis is False
    assert Difference("t", "r", "m", a, {"mean": 14.5, "ci95": 3.0, "n": 3}).beyond_cis  # > 3√2
    assert not Difference("t", "r", "m", a, {"mean": 99.0, "ci95": None, "n": 1}).beyond_cis


def test_rows_and_tables_on_one_side_are_listed(stores, rec, tmp_path, capsys):
    a, _ = stores
    other_task = [rec("retrain", 0, {"forget.r_mean": 1.0}, task="t2")]
    doc = json.loads(render_json(build_tables(other_task)))
    (tmp_path / "c.json").write_text(json.dumps(doc))
    assert main(["compare", str(a), str(tmp_path / "c.json")]) == 0
    out = capsys.readouterr().out
    assert "table toy · forget random 10% only in A" in out
    assert "table t2 · forget random 10% only in B" in out


@pytest.mark.parametrize("content, fragment", [
    (None, "no such results dir or JSON leaderboard"),
    ("not json", "not a JSON leaderboard"),
    ('{"schema": "other/1", "tables": []}', "schema 'other/1' is not one of"),
    ('{"schema": "unlearnbench.leaderboard/3", "tables": [{"task": "x"}]}', "malformed"),
])
def test_bad_input_is_one_line_exit_2(stores, tmp_path, capsys, content, fragment):
    a, _ = stores
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    assert main(["compare", str(a), str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and fragment in captured.err


def test_a_dir_without_a_store_is_bad_input(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["compare", str(tmp_path / "empty"), str(tmp_path / "empty")]) == 2
    assert "no results" in capsys.readouterr().err
