"""ChEBI-20 on the tiny fixture (three TSV files of PubChem molecules with random descriptions,
a tiny random BERT): rows read in file order and featurized, unparsable SMILES skipped with a
count, layout errors as one line before anything is written, and the real fine-tuning,
unlearning and evaluation code end to end, the command line included."""

import re

import pytest
import torch
import yaml

import broken_layouts
from bench import ForgetSpec
from bench.batches import example_losses
from bench.cli import main
from bench.registry import METHODS
from bench.smoke import CPU, Setting
from bench.store import Store
from tasks.real.chebi20 import Chebi20
from broken_layouts import layout_error
from tasks.real.smoke_data import write_smoke_data

TINY = dict(backbone_dir="models/tiny-bert", dim=32, layers=2, epochs=40, batch_size=16, lr=3e-3,
            max_text_tokens=16, eval_draws=2, unlearn_batch_size=16)
HEADER = "CID\tSMILES\tdescription\n"


@pytest.fixture(scope="module")
def chebi_root(data_root):
    write_smoke_data(data_root, "chebi20")
    return data_root


@pytest.fixture
def own_copy(chebi_root, tmp_path):
    return broken_layouts.own_copy(chebi_root, "chebi20", tmp_path)


def test_rows_of_the_three_files_in_order_with_one_graph_each(chebi_root):
    task = Chebi20(data_dir=str(chebi_root), **TINY)
    lines = [line.split("\t") for name in ("train", "validation", "test")
             for line in (chebi_root / "chebi20" / f"{name}.txt").read_text().splitlines()[1:]]
    items = task.items()
    assert len(task) == len(lines) == 60 and items.texts == [description for _, _, description in lines]
    assert [g.smiles for g in items.graphs] == [smiles for _, smiles, _ in lines]
    batch = task.inputs_a(items.image_of[[3, 7]])
    assert batch.num_graphs == 2 and batch.x.shape[1] == 9
    assert len(Chebi20(data_dir=str(chebi_root), n_molecules=50).items().texts) == 50


def test_unparsable_smiles_are_skipped_with_a_count(own_copy):
    path = own_copy / "chebi20" / "validation.txt"
    lines = path.read_text().splitlines()
    lines[1:3] = ["1\tC1CC(\tring never closed", "2\t[Xx]\tno such element"]
    path.write_text("\n".join(lines) + "\n")
    with pytest.warns(UserWarning, match=r"skipped 2 of 60 molecules .*CID 1\)"):
        task = Chebi20(data_dir=str(own_copy), backbone_dir="models/tiny-bert")
        task.check([])
    assert len(task) == 58


def test_no_data_dir_or_folder_names_the_layout(tmp_path):
    assert "--data-dir" in layout_error(Chebi20()) and "{train,validation,test}.txt" in layout_error(Chebi20())
    assert "is not a directory" in layout_error(Chebi20(data_dir=str(tmp_path)))


@pytest.mark.parametrize("content, problem", [
    (None, "validation.txt is missing"),
    ("", "has no header line naming the columns CID, SMILES, description"),
    ("cid\tsmiles\ttext\n1\tCCO\tethanol\n", "has no header line"),
    (HEADER + "1\tCCO\n", r"validation.txt:2 has 2 tab-separated fields, not 3"),
])
def test_a_missing_or_malformed_file(own_copy, content, problem):
    path = own_copy / "chebi20" / "validation.txt"
    path.unlink() if content is None else path.write_text(content)
    message = layout_error(Chebi20(data_dir=str(own_copy)))
    assert re.search(problem, message), message
    assert "MolT5 ChEBI-20 release" in message


def test_too_many_molecules_or_no_text_encoder(own_copy):
    assert "n_molecules=61 but the files hold 60" in layout_error(Chebi20(data_dir=str(own_copy), n_molecules=61))
    message = layout_error(Chebi20(data_dir=str(own_copy)))  # the default dir: models/scibert_scivocab_uncased
    assert "lacks config.json" in message and "allenai/scibert_scivocab_uncased" in message


def test_trains_unlearns_and_is_evaluated_end_to_end(chebi_root, cache_dir):
    torch.set_num_threads(1)
    task = Chebi20(data_dir=str(chebi_root), **TINY)
    task.prepare(cache_dir)
    splits = task.splits(0, ForgetSpec(fraction=0.2))
    recipe = task.recipe(0)
    original = recipe.train(recipe.initial_model(), splits.train, CPU)
    setting = Setting(task, splits, original)
    unlearned = METHODS.get("neggrad_plus")().unlearn(setting.model(), setting.request())
    before = task.evaluate(original, splits, CPU, seed=0)
    after = task.evaluate(unlearned, splits, CPU, seed=0)
    assert set(before) == set(after) == set(task.metric_directions())
    assert before["eval.gallery_size"] == min(len(splits.forget), len(splits.retain), len(splits.test))
    assert before["forget.r_mean"] > before["test.r_mean"]  # the original memorized its training pairs
    forget = task.loader(splits.forget, shuffle=False, seed=0)
    assert example_losses(unlearned, forget, CPU).mean() > example_losses(original, forget, CPU).mean()
    pretrained = recipe.initial_model().text_encoder.state_dict()
    tuned = original.text_encoder.state_dict()
    assert any(not torch.equal(pretrained[k], tuned[k]) for k in pretrained)  # the encoder is fine-tuned


def test_the_command_line_runs_it_and_exits_2_on_a_bad_layout(chebi_root, tmp_path, capsys):
    suite = tmp_path / "chebi.yaml"
    suite.write_text(yaml.safe_dump({"name": "chebi", "tasks": {"chebi20": {**TINY, "epochs": 10}},
                                     "methods": {"finetune": {"epochs": 1}}, "seeds": [0], "attacks": []}))
    bad = main(["run", "--suite", str(suite), "--results", str(tmp_path / "bad"), "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert bad == 2 and not (tmp_path / "bad").exists() and err.count("\n") == 1 and "chebi20" in err
    results = tmp_path / "results"
    assert main(["run", "--suite", str(suite), "--results", str(results), "--data-dir", str(chebi_root)]) == 0
    records = Store(results, create=False).records()
    assert sorted(r.method for r in records) == ["finetune", "original"]
    assert all(r.status == "ok" and r.metrics["eval.gallery_size"] >= 1 for r in records)
