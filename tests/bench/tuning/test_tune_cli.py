"""``unlearnbench tune`` end to end at smoke size: the same trial budget for every method, every
trial stored and marked, resume, disjoint seeds, presets with provenance, and ``run`` with and
without them."""

import re

import optuna
import pytest
import yaml

from bench.cli import main
from bench.registry import TASKS
from bench.results_file import read_records
from bench.store import Store
from bench.tuning import presets as presets_module
from bench.tuning.tuner import STUDIES_FILE

SUITE = {"name": "tiny", "tasks": {"emoji_retrieval": dict(TASKS.get("emoji_retrieval").smoke_params)},
         "methods": {"retrain": {}, "finetune": {}, "grad_ascent": {}},
         "forget": {"kind": "random", "fraction": 0.2}, "seeds": [0], "attacks": ["df_dr_auc"], "budget_s": 600}
TRIALS = 3


@pytest.fixture(scope="module")
def tuned(tmp_path_factory, cache_dir):
    root = tmp_path_factory.mktemp("tune")
    suite = root / "tiny.yaml"
    suite.write_text(yaml.safe_dump(SUITE))
    args = ["tune", "--suite", str(suite), "--trials", str(TRIALS), "--tuning-seeds", "100",
            "--results", str(root / "results"), "--cache", str(cache_dir), "--threads", "1"]
    assert main(args) == 0
    return root, args


def marks(results):
    return [(r.method, r.manifest.get("tuning")) for r in Store(results, create=False).records()]


def test_every_method_gets_the_same_number_of_trials_all_stored_and_marked(tuned):
    root, _ = tuned
    stored = marks(root / "results")
    assert all(mark for _, mark in stored)  # every record of a tuning run is marked
    for method in ("finetune", "grad_ascent"):
        numbers = {mark["trial"] for m, mark in stored if m == method}
        assert numbers == set(range(TRIALS))
    assert sorted(m for m, mark in stored if mark["role"] == "reference") == ["original", "retrain"]
    storage = f"sqlite:///{root / 'results' / STUDIES_FILE}"
    studies = optuna.get_all_study_summaries(storage)
    assert sorted(s.n_trials for s in studies) == [TRIALS, TRIALS]


def test_the_trials_are_exported_beside_the_presets_and_import_into_a_frontier(tuned, tmp_path, capsys):
    root, _ = tuned
    shipped = root / "results" / "presets" / "trials" / "emoji_retrieval.json.gz"
    assert [r.cell_id for r in read_records(shipped)] == [r.cell_id for r in Store(root / "results").records()]
    assert main(["import", str(shipped), "--results", str(tmp_path / "demo")]) == 0
    assert main(["leaderboard", "--results", str(tmp_path / "demo"), "--format", "frontier"]) == 0
    assert "## Frontier: emoji\\_retrieval" in capsys.readouterr().out


def test_rerun_resumes_without_new_trials_or_records(tuned):
    root, args = tuned
    before = marks(root / "results")
    assert main(args) == 0
    assert marks(root / "results") == before


def test_first_trial_is_the_defaults(tuned):
    root, _ = tuned
    first = [r.cell["method_params"] for r in Store(root / "results", create=False).records()
             if r.method == "grad_ascent" and r.manifest["tuning"]["trial"] == 0]
    assert first == [{"epochs": 2, "lr": 5e-5}]


@pytest.mark.parametrize("extra, fragment", [
    (["--trials", "2", "--tuning-seeds", "0,100"], "tuning seeds [0] are also reported seeds"),
    (["--trials", "0"], "--trials must be at least 1"),
    (["--trials", "2", "--methods", "retrain"], "declares a search space"),
    (["--trials", "2", "--methods", "grad_ascnt"], "grad_ascent"),
    (["--trials", "2", "--rule", "best"], "invalid choice"),
])
def test_bad_tune_input_is_one_line_before_anything_is_written(tuned, tmp_path, capsys, extra, fragment):
    root, _ = tuned
    assert main(["tune", "--suite", str(root / "tiny.yaml"), "--results", str(tmp_path / "r"), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err
    assert not (tmp_path / "r").exists()


def test_main_leaderboard_leaves_trials_out_and_the_frontier_shows_them(tuned, capsys):
    root, _ = tuned
    assert main(["leaderboard", "--results", str(root / "results")]) == 0
    assert "No records" in capsys.readouterr().out
    assert main(["leaderboard", "--results", str(root / "results"), "--format", "frontier"]) == 0
    out = capsys.readouterr().out
    assert "## Frontier: emoji\\_retrieval" in out and f"{TRIALS} × " in out
    assert len(re.findall(r"\| trial \d", out)) == 2 * TRIALS


def test_preset_file_records_its_provenance_and_a_run_uses_it(tuned, cache_dir, monkeypatch, capsys):
    root, _ = tuned
    preset = yaml.safe_load((root / "results" / "presets" / "emoji_retrieval.yaml").read_text())
    assert preset["rule"] == "default" and preset["budget"]["trials_per_method"] == TRIALS
    assert preset["budget"]["tuning_seeds"] == [100] and preset["code_version"]["commit"]
    assert preset["command"].startswith("unlearnbench tune --suite")
    chosen = {m: c["params"] for m, c in preset["configs"][0]["methods"].items() if c["params"]}
    assert chosen, "no method had a feasible trial"
    monkeypatch.setattr(presets_module, "SHIPPED_DIR", root / "results" / "presets")
    base = ["run", "--suite", str(root / "tiny.yaml"), "--methods", ",".join(chosen), "--cache", str(cache_dir),
            "--threads", "1"]
    assert main([*base, "--results", str(root / "tuned")]) == 0
    assert main([*base, "--results", str(root / "defaults"), "--preset", "defaults"]) == 0
    for r in Store(root / "tuned", create=False).records():
        if r.method in chosen:
            assert r.cell["method_params"].items() >= chosen[r.method].items()
            assert r.manifest["preset"]["rule"] == "default"
            assert r.manifest["preset"]["file"] == "emoji_retrieval.yaml"
    defaults = {"finetune": {"epochs": 2, "lr": 5e-4}, "grad_ascent": {"epochs": 2, "lr": 5e-5}}
    for r in Store(root / "defaults", create=False).records():
        assert "preset" not in r.manifest
        assert r.cell["method_params"].items() >= defaults.get(r.method, {}).items()
    capsys.readouterr()
    assert main([*base, "--results", str(root / "leak"), "--seeds", "100"]) == 2
    assert "seed 100 is a tuning seed" in capsys.readouterr().err and not (root / "leak").exists()
    assert main(["leaderboard", "--results", str(root / "tuned")]) == 0
    assert "runs a tuned preset: bench/presets/emoji\\_retrieval.yaml (rule default" in capsys.readouterr().out
