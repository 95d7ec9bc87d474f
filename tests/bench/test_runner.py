"""Cell isolation, flags, identity and determinism of the inline runner."""

import numpy as np
import pytest
import torch

from bench import Method
from bench.loops import adamw, run_steps
from bench.batches import cycle
from bench.registry import ATTACKS, METHODS
from bench.runner import Runner, RunSummary, grace_s
from bench.spec import CellSpec
from bench.splits import ForgetSpec
from bench.store import Store
from methods.retrain import Retrain
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


class _Noop(Method):
    name = "noop"

    def unlearn(self, model, request):
        return model


class _Sleepy(Method):
    """Ascends on D_f until its deadline, then stops: an open-ended method."""

    name = "sleepy"

    def unlearn(self, model, request):
        batches = cycle(request.forget_loader)
        run_steps(model, adamw(model, 1e-5), 10**9, lambda: -model.loss(next(batches)), request, "sleepy")
        return model


class _Recorder(Method):
    """Leaves the model as it is; records each request's forget and retain sets."""

    name = "recorder"
    calls: list = []

    def unlearn(self, model, request):
        self.calls.append((request.forget_indices.tolist(), request.retain_indices.tolist()))
        return model


class _NanAttack:
    name = "nan_attack"
    directions = {"probe.value": "higher"}

    def run(self, original, unlearned, splits, context):
        return {"probe.value": float("nan")}


class _BrokenAttack:
    name = "broken_attack"
    directions = {"probe.broken": "higher"}

    def run(self, original, unlearned, splits, context):
        raise ValueError("no such split")


@pytest.fixture
def extra(monkeypatch):
    for cls in (_Poison, _Boom, _Noop, _Sleepy, _Recorder):
        monkeypatch.setitem(METHODS._entries, cls.name, cls)
    for cls in (_NanAttack, _BrokenAttack):
        monkeypatch.setitem(ATTACKS._entries, cls.name, cls)


def _cell(method, budget_s=600.0, attacks=(), seed=0):
    params = METHODS.get(method)().get_params()
    return CellSpec.make("emoji_retrieval", TINY_EMOJI, method, params, ForgetSpec(fraction=0.2), seed,
                         list(attacks), budget_s)


def _run(tmp_path, cache_dir, cells):
    store = Store(tmp_path)
    summary = Runner(store, cache_dir).run(cells)
    return store, summary


def test_failures_are_recorded_and_the_grid_goes_on(extra, tmp_path, cache_dir):
    store, summary = _run(tmp_path, cache_dir, [_cell("poison"), _cell("boom"), _cell("grad_ascent")])
    by_method = {r.method: r for r in store.records()}
    assert by_method["poison"].status == "failed" and "non-finite weights" in by_method["poison"].error
    assert by_method["boom"].status == "failed" and "RuntimeError: kaboom" in by_method["boom"].error
    assert by_method["grad_ascent"].status == "ok" and by_method["original"].status == "ok"
    assert (summary.ok, summary.failed) == (2, 2)


def test_a_method_past_budget_and_grace_fails(extra, tmp_path, cache_dir, monkeypatch):
    monkeypatch.setattr("bench.runner.grace_s", lambda budget: 0.0)
    store, _ = _run(tmp_path, cache_dir, [_cell("finetune", budget_s=1e-6)])
    record = next(r for r in store.records() if r.method == "finetune")
    assert record.status == "failed" and "exceeded its budget" in record.error
    assert grace_s(900) == 90 and grace_s(10) == 30


def test_an_early_stop_is_flagged_not_failed(extra, tmp_path, cache_dir):
    store, summary = _run(tmp_path, cache_dir, [_cell("sleepy", budget_s=1.0)])
    record = next(r for r in store.records() if r.method == "sleepy")
    assert record.status == "flagged" and record.flags == ["early stop"]
    assert record.metrics["cost.unlearn_s"] >= 1.0  # it ran until its deadline
    assert summary.flagged == 1


def test_failed_cells_are_retried_ok_and_flagged_cells_skipped(extra, tmp_path, cache_dir):
    cells = [_cell("boom"), _cell("grad_ascent"), _cell("sleepy", budget_s=0.5)]
    store = Store(tmp_path)
    runner = Runner(store, cache_dir)
    runner.run(cells)
    summary = runner.run(cells)
    assert (summary.skipped, summary.failed) == (3, 1)  # original, grad_ascent, sleepy (flagged)


def test_retrain_is_served_from_the_reference_and_timed_as_its_training(tmp_path, cache_dir):
    store, _ = _run(tmp_path, cache_dir, [_cell("retrain", budget_s=1e-6)])  # exempt from the budget
    record = next(r for r in store.records() if r.method == "retrain")
    assert record.status == "ok"
    assert record.metrics["cost.unlearn_s"] == pytest.approx(record.manifest["timings"]["retrain_train_s"])
    assert record.metrics["cost.speedup"] == pytest.approx(1.0)
    assert record.manifest["reference_time"] in ("measured", "cache")


def test_retrain_run_as_a_method_reproduces_the_reference_exactly(tiny_task, tiny_splits, make_request,
                                                                 trained_original):
    recipe = tiny_task.recipe(0)
    reference = recipe.train(recipe.initial_model(), tiny_splits.retain, torch.device("cpu"))
    torch.manual_seed(123)  # the global RNG state must not matter
    retrained = Retrain().unlearn(trained_original, make_request())
    for name, weight in reference.state_dict().items():
        assert torch.equal(weight, retrained.state_dict()[name]), name


def test_new_model_is_seeded_by_its_generator_and_leaves_the_global_rng_alone(tiny_task):
    recipe = tiny_task.recipe(0)
    state = torch.random.get_rng_state()
    a = recipe.new_model(torch.Generator().manual_seed(5)).state_dict()
    assert torch.equal(state, torch.random.get_rng_state())
    b = recipe.new_model(torch.Generator().manual_seed(5)).state_dict()
    c = recipe.new_model(torch.Generator().manual_seed(6)).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert any(not torch.equal(a[k], c[k]) for k in a if a[k].is_floating_point())


def test_one_failing_attack_loses_only_its_metrics(extra, tmp_path, cache_dir):
    cell = _cell("grad_ascent", attacks=["broken_attack", "df_dr_auc"])
    store, _ = _run(tmp_path, cache_dir, [cell])
    record = store.get(cell.cell_id)
    assert record.status == "flagged" and record.flags == ["attack failed"]
    assert "attack broken_attack: ValueError: no such split" in record.error
    assert "auc.df_vs_dr" in record.metrics and "probe.broken" not in record.metrics
    timings = record.manifest["timings"]  # the failed attack's time is recorded too
    stages = [timings[k] for k in ("evaluate_s", "attack_broken_attack_s", "attack_df_dr_auc_s")]
    assert all(t >= 0 for t in stages) and sum(stages) <= timings["cell_s"]


def test_non_finite_metrics_flag_the_record(extra, tmp_path, cache_dir):
    cell = _cell("grad_ascent", attacks=["nan_attack"])
    store, summary = _run(tmp_path, cache_dir, [cell])
    record = store.get(cell.cell_id)
    assert record.status == "flagged" and "probe.value" in record.error
    assert record.flags == ["non-finite metrics"]
    assert summary.flagged == 2  # the original row runs the same attack


def test_delta_l2_measures_how_far_a_method_moved_the_model(extra, tmp_path, cache_dir):
    store, _ = _run(tmp_path, cache_dir, [_cell("noop"), _cell("grad_ascent")])
    delta = {r.method: r.metrics["delta.l2"] for r in store.records()}
    assert delta["original"] == 0.0 and delta["noop"] == 0.0
    assert delta["grad_ascent"] > 1e-4
    assert store.records()[0].directions["delta.l2"] == "info"


def test_the_same_cell_twice_gives_identical_metrics(tmp_path, cache_dir):
    """Determinism: each cell is seeded and runs deterministic kernels, so two runs of one cell
    in one process agree exactly, whatever the thread count (cost.* are timings: excluded)."""
    cell = _cell("finetune", attacks=["df_dr_auc", "mia_loss"])
    threads = torch.get_num_threads()
    torch.set_num_threads(2)  # where reduction order can differ between runs
    try:
        first, _ = _run(tmp_path / "a", cache_dir, [cell])
        second, _ = _run(tmp_path / "b", cache_dir, [cell])
    finally:
        torch.set_num_threads(threads)
    a, b = first.get(cell.cell_id).metrics, second.get(cell.cell_id).metrics
    assert {k: v for k, v in a.items() if not k.startswith("cost.")} == \
        {k: v for k, v in b.items() if not k.startswith("cost.")}


def test_manifest_names_the_cpu_and_threads(tmp_path, cache_dir):
    store, _ = _run(tmp_path, cache_dir, [_cell("grad_ascent")])
    hw = store.records()[0].manifest["hardware"]
    assert hw["cpu"] and hw["cpu"] not in ("x86_64", "") and hw["torch_threads"] == torch.get_num_threads()
    assert hw["torch"] == torch.__version__


def test_each_group_trains_its_original_and_reference_once_whatever_the_methods(extra, tmp_path):
    cells = [_cell("noop"), _cell("grad_ascent"), _cell("finetune")]
    store = Store(tmp_path / "results")
    first = Runner(store, tmp_path / "cache").run(cells)
    assert first.trained == {"original": 1, "retrain": 1} and first.loaded == {}
    assert first.data_s > 0  # the task's data was prepared once, outside cells and training
    assert first.wall_s >= first.train_s + first.cells_s + first.data_s - 1e-6 and first.harness_s >= 0
    assert first.harness_share == pytest.approx(first.harness_s / first.wall_s)  # one worker
    assert first.idle_s == 0  # inline: its one worker is never without a job
    again = Runner(Store(tmp_path / "more"), tmp_path / "cache").run(cells)  # a new store, same cache
    assert again.trained == {} and again.loaded == {"original": 1, "retrain": 1}
    assert any(line.startswith("models trained: none") for line in again.cost_lines())


def test_the_summary_splits_worker_time_into_work_harness_and_idle():
    """Two workers for 100 s: 150 s with a job running, of which 120 s were cells, 10 s
    training and 5 s data preparation; so 15 s of harness and 50 s idle."""
    summary = RunSummary(workers=2, wall_s=100.0, busy_s=150.0, cells_s=120.0, train_s=10.0, data_s=5.0)
    assert (summary.harness_s, summary.idle_s) == pytest.approx((15.0, 50.0))
    assert (summary.harness_share, summary.idle_share) == pytest.approx((0.075, 0.25))
    assert summary.to_dict()["idle_share"] == pytest.approx(0.25)
    assert "harness 15 s (7.5%), idle 50 s (25.0%)" in summary.cost_lines()[1]


def test_a_sequential_cell_applies_the_method_once_per_request_in_order(extra, tmp_path, cache_dir):
    _Recorder.calls.clear()
    spec = ForgetSpec(kind="sequential", fraction=0.2, steps=3, step=2)
    cell = CellSpec.make("emoji_retrieval", TINY_EMOJI, "recorder", {}, spec, 0, [], 600.0)
    store, summary = _run(tmp_path, cache_dir, [cell])
    assert summary.failed == 0
    task = EmojiRetrieval(**TINY_EMOJI)
    task.prepare(cache_dir)
    splits = task.splits(0, spec)
    assert [forget for forget, _ in _Recorder.calls] == [r.tolist() for r in splits.requests]
    first_retain, second_retain = (set(retain) for _, retain in _Recorder.calls)
    assert second_retain == first_retain - set(splits.requests[1].tolist())
    assert second_retain == set(splits.retain.tolist())  # the reference is retrained on it
