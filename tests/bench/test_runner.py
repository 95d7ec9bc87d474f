"""Cell isolation: a failing cell is recorded with its reason and the grid goes on."""

import pytest
import torch

from bench import Method
from bench.registry import ATTACKS, METHODS
from bench.runner import Runner
from bench.spec import CellSpec
from bench.splits import ForgetSpec
from bench.store import Store
from tasks.emoji_retrieval import EmojiRetrieval

TINY_EMOJI = EmojiRetrieval.smoke_params


class _Poison(Method):
    name = "poison"

    def unlearn(self, model, request):
        with torch.no_grad():
            next(model.parameters()).fill_(float("nan"))
        return model


class _Boom(Method):
    name = "boom"

    def unlearn(self, model, request):
        raise RuntimeError("kaboom")


@pytest.fixture
def extra_methods(monkeypatch):
    monkeypatch.setitem(METHODS._entries, "poison", _Poison)
    monkeypatch.setitem(METHODS._entries, "boom", _Boom)


def _cell(method, budget_s=600.0):
    params = METHODS.get(method)().get_params()
    return CellSpec.make("emoji_retrieval", TINY_EMOJI, method, params, ForgetSpec(fraction=0.2), 0,
                         [], budget_s)


def test_failures_are_recorded_and_the_grid_goes_on(extra_methods, tmp_path, cache_dir):
    store = Store(tmp_path)
    cells = [_cell("poison"), _cell("boom"), _cell("finetune", budget_s=1e-6), _cell("grad_ascent")]
    summary = Runner(store, cache_dir, torch.device("cpu")).run(cells)
    by_method = {r.method: r for r in store.records()}
    assert by_method["poison"].status == "failed" and "non-finite weights" in by_method["poison"].error
    assert by_method["boom"].status == "failed" and "RuntimeError: kaboom" in by_method["boom"].error
    assert by_method["finetune"].status == "failed" and "exceeded its budget" in by_method["finetune"].error
    assert by_method["grad_ascent"].status == "ok" and by_method["original"].status == "ok"
    assert (summary.ok, summary.failed) == (2, 3)


def test_failed_cells_are_retried_ok_cells_skipped(extra_methods, tmp_path, cache_dir):
    store = Store(tmp_path)
    runner = Runner(store, cache_dir, torch.device("cpu"))
    runner.run([_cell("boom"), _cell("grad_ascent")])
    summary = runner.run([_cell("boom"), _cell("grad_ascent")])
    assert (summary.skipped, summary.failed) == (2, 1)


def test_retrain_is_served_from_the_reference_and_timed_as_its_training(tmp_path, cache_dir):
    store = Store(tmp_path)
    Runner(store, cache_dir, torch.device("cpu")).run([_cell("retrain")])
    record = next(r for r in store.records() if r.method == "retrain")
    assert record.metrics["cost.unlearn_s"] == pytest.approx(record.manifest["timings"]["retrain_train_s"])
    assert record.metrics["cost.speedup"] == pytest.approx(1.0)


class _NanAttack:
    name = "nan_attack"
    directions = {"probe.value": "higher"}

    def run(self, original, unlearned, splits, context):
        return {"probe.value": float("nan")}


def test_non_finite_metrics_flag_the_record(monkeypatch, tmp_path, cache_dir):
    monkeypatch.setitem(ATTACKS._entries, "nan_attack", _NanAttack)
    cell = CellSpec.make("emoji_retrieval", TINY_EMOJI, "grad_ascent", METHODS.get("grad_ascent")().get_params(),
                         ForgetSpec(fraction=0.2), 0, ["nan_attack"], 600.0)
    store = Store(tmp_path)
    summary = Runner(store, cache_dir, torch.device("cpu")).run([cell])
    record = store.get(cell.cell_id)
    assert record.status == "flagged" and "probe.value" in record.error
    assert summary.flagged == 2  # the original row runs the same attack
