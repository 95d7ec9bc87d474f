"""Bad input: one line on stderr, exit code 2, nothing written."""

import pytest

from bench.cli import main


@pytest.mark.parametrize("argv, fragment", [
    (["run", "--suite", "quick", "--methods", "multidelet"], "Did you mean multidelete"),
    (["run", "--suite", "quick", "--tasks", "emoji_retrievl"], "Did you mean emoji_retrieval"),
    (["run", "--suite", "quick", "--seeds", "0,x"], "bad seed 'x'"),
    (["run", "--suite", "quick", "--seeds", "1,1"], "without repeats"),
    (["run", "--suite", "no/such/suite.yaml"], "neither a built-in suite"),
    (["run"], "--suite"),
    (["leaderboard", "--format", "pdf"], "invalid choice"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(argv, fragment, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main([*argv, "--results", str(tmp_path / "res")] if argv[0] == "run" and len(argv) > 1 else argv)
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1 and err.startswith("unlearnbench: error: ")
    assert list(tmp_path.iterdir()) == []


def test_bad_suite_file_contents(tmp_path, capsys):
    suite = tmp_path / "s.yaml"
    suite.write_text("tasks: {emoji_retrieval: {epochs: 1, colour: red}}\nmethods: [retrain]\n")
    assert main(["run", "--suite", str(suite), "--results", str(tmp_path / "res")]) == 2
    assert "has no parameter 'colour'" in capsys.readouterr().err
    assert not (tmp_path / "res").exists()


def test_leaderboard_without_results(tmp_path, capsys):
    assert main(["leaderboard", "--results", str(tmp_path / "none")]) == 2
    assert "no results" in capsys.readouterr().err


def test_list_prints_registry_names(capsys):
    assert main(["list", "methods"]) == 0
    assert {"retrain", "finetune", "grad_ascent", "multidelete"} <= set(capsys.readouterr().out.split())


def test_cuda_without_a_gpu_is_refused_before_anything_is_written(tmp_path, capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    code = main(["run", "--suite", "quick", "--device", "cuda", "--results", str(tmp_path / "res")])
    assert code == 2 and "--device cpu" in capsys.readouterr().err
    assert not (tmp_path / "res").exists()


@pytest.mark.parametrize("body, fragment", [
    ("methods: {finetune: [1, 2]}", "parameters must be a mapping"),
    ("methods: [finetune]\nbudget_s: abc", "budget_s must be a number"),
    ("methods: [finetune]\nbudget_s: -5", "budget_s must be a positive number"),
    ("methods: [finetune]\nattacks: df_dr_auc", "'attacks' must be a list of names"),
    ("methods: [finetune]\nforget: {fraction: lots}", "fraction must be a number"),
    ("methods: {finetune: {lr: abc}}", "parameter lr must be a number"),
    ("methods: {finetune: {epochs: 0}}", "parameter epochs must be at least 1"),
    ("methods: [finetune]\nattacks: {mia_loss: {n_splits: 1}}", "parameter n_splits must be at least 2"),
    ("methods: [finetune]\nforget: {count: 5000}", "it must leave some to retain"),
    ("methods: [finetune]\nforget: {kind: class, count: 1}\ntasks: {molecule_retrieval: {}}", "needs class labels"),
    ("methods: [finetune]\ntasks: {emoji_retrieval: {n_items: 100000}}", "n_items=100000"),
    ("methods: [finetune]\ntasks: {molecule_retrieval: {n_compounds: 10000000}}", "n_compounds <="),
])
def test_bad_suites_exit_2_with_one_line_before_anything_is_written(body, fragment, tmp_path, capsys):
    suite = tmp_path / "s.yaml"
    if "tasks:" not in body:
        body += "\ntasks: {emoji_retrieval: {}}"
    suite.write_text(body + "\n")
    assert main(["run", "--suite", str(suite), "--results", str(tmp_path / "res")]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1, err
    assert not (tmp_path / "res").exists()


def test_what_people_write_is_read_as_they_meant_it(tmp_path):
    """``lr: 2e-5`` is a string to YAML 1.1, ``fraction: "0.1"`` a quoted number: both are numbers."""
    from bench.suite import expand, load_suite

    suite = tmp_path / "s.yaml"
    suite.write_text('tasks: {emoji_retrieval: {}}\nmethods: {finetune: {lr: 2e-5}}\n'
                     'forget: {fraction: "0.1"}\nattacks: {mia_loss: {n_splits: 3}}\n')
    (cell,) = expand(load_suite(str(suite)))
    assert cell.to_dict()["method_params"]["lr"] == 2e-5 and cell.forget.fraction == 0.1
    assert cell.to_dict()["attacks"] == {"mia_loss": {"n_splits": 3, "nonmembers": "val"}}


def test_a_suite_may_list_several_forget_specs(tmp_path):
    from bench.suite import expand, load_suite

    suite = tmp_path / "s.yaml"
    suite.write_text("tasks: {emoji_retrieval: {}}\nmethods: [finetune]\nseeds: [0, 1]\n"
                     "forget: [{fraction: 0.1}, {kind: image, count: 20}, {kind: class, count: 1}]\n")
    cells = expand(load_suite(str(suite)))
    assert len(cells) == 6 and len({c.forget for c in cells}) == 3
