"""Bad input: one line on stderr, exit code 2, nothing written."""

import pytest

from bench.cli import main


@pytest.mark.parametrize("argv, fragment", [
    (["run", "--suite", "quick", "--methods", "multidelet"], "Did you mean multidelete"),
    (["run", "--suite", "quick", "--tasks", "emoji"], "Did you mean emoji_retrieval"),
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
