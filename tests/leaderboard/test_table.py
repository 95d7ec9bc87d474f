import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from leaderboard import build_tables
from leaderboard.table import COST, FORGETTING, GAP_METRIC, HIGHER, LOWER, RETRAIN, UTILITY


def _row(table, method):
    return next(r for r in table.rows if r.method == method)


def test_one_table_per_task_sorted(rec):
    records = [rec("retrain", 0, {"forget.r_mean": 1.0}, task=t) for t in ("zeta", "alpha", "mid")]
    assert [t.task for t in build_tables(records)] == ["alpha", "mid", "zeta"]
    assert build_tables([]) == []


def test_row_order_original_retrain_then_alphabetical(grid, rec):
    grid.append(rec("Amnesiac", 0, {"forget.r_mean": 1.0}))
    (table,) = build_tables(grid)
    assert [r.method for r in table.rows] == ["original", "retrain", "Amnesiac", "neggrad", "scrub"]


def test_default_columns_order_groups_and_headers(grid):
    (table,) = build_tables(grid)
    assert [c.metric for c in table.columns] == [
        "forget.r_mean", "auc.df_vs_dr", "mia.loss_auc", GAP_METRIC, "test.r_mean",
        "retain.r_mean", "cost.unlearn_s", "cost.speedup", "cost.peak_rss_mb",
    ]  # no record has cost.peak_gpu_alloc_mb; retention.joint_mse is not a column
    groups = {c.metric: c.group for c in table.columns}
    assert groups["forget.r_mean"] == groups[GAP_METRIC] == FORGETTING
    assert groups["test.r_mean"] == UTILITY and groups["cost.unlearn_s"] == COST
    by_metric = {c.metric: c for c in table.columns}
    assert by_metric["forget.r_mean"].header.endswith("≈R")
    assert by_metric[GAP_METRIC].direction == RETRAIN
    assert by_metric["test.r_mean"].direction == HIGHER and "↑" in by_metric["test.r_mean"].header
    assert by_metric["cost.unlearn_s"].direction == LOWER and "↓" in by_metric["cost.unlearn_s"].header


def test_declared_direction_wins_over_default(rec):
    records = [rec("retrain", 0, {"mia.loss_auc": 0.5}, directions={"mia.loss_auc": "lower"})]
    (table,) = build_tables(records)
    (column,) = table.columns
    assert column.direction == LOWER and column.header.endswith("↓")


def test_cells_are_mean_and_t_interval(grid):
    (table,) = build_tables(grid)
    cell = _row(table, "scrub").cells["forget.r_mean"]
    x = np.array([70.0, 66.0, 65.0])
    assert cell.mean == pytest.approx(x.mean())
    assert cell.half_width == pytest.approx(stats.t.ppf(0.975, 2) * x.std(ddof=1) / math.sqrt(3))
    assert cell.n == 3


def test_failed_records_counted_not_averaged(grid):
    (table,) = build_tables(grid)
    scrub = _row(table, "scrub")
    assert (scrub.n_seeds, scrub.n_failed) == (3, 1)
    assert scrub.cells["forget.r_mean"].n == 3
    note = next(n for n in table.notes if "failed" in n and "scrub" in n)
    assert "RuntimeError: boom" in note and len(note) < 250  # truncated
    assert _row(table, "retrain").n_failed == 0


def test_only_failed_records_give_an_empty_row(rec):
    records = [rec("retrain", 0, {"forget.r_mean": 60.0}), rec("x", 0, status="failed", error="e")]
    (table,) = build_tables(records)
    x = _row(table, "x")
    assert (x.n_seeds, x.n_failed) == (0, 1)
    assert x.cells["forget.r_mean"].n == 0 and not x.flags


def test_gap_column_is_paired_difference_to_retrain(grid):
    (table,) = build_tables(grid)
    gaps = np.array([70.0, 66.0, 65.0]) - np.array([61.0, 58.0, 60.0])
    cell = _row(table, "scrub").cells[GAP_METRIC]
    assert cell.mean == pytest.approx(gaps.mean())
    assert cell.half_width == pytest.approx(stats.t.ppf(0.975, 2) * gaps.std(ddof=1) / math.sqrt(3))
    retrain = _row(table, "retrain").cells[GAP_METRIC]
    assert (retrain.mean, retrain.half_width, retrain.n) == (0.0, 0.0, 3)


def test_gap_pairs_only_shared_seeds(rec):
    records = [rec("retrain", s, {"forget.r_mean": 60.0 + s}) for s in (0, 1)]
    records += [rec("m", s, {"forget.r_mean": 70.0}) for s in (1, 2)]
    (table,) = build_tables(records)
    cell = _row(table, "m").cells[GAP_METRIC]
    assert (cell.mean, cell.n) == (9.0, 1) and math.isnan(cell.half_width)


def test_gap_column_absent_without_retrain(rec):
    (table,) = build_tables([rec("original", 0, {"forget.r_mean": 90.0}), rec("m", 0, {"forget.r_mean": 1.0})])
    assert GAP_METRIC not in [c.metric for c in table.columns]
    failed_retrain = rec("retrain", 0, {"forget.r_mean": 60.0}, status="failed")
    (table,) = build_tables([rec("m", 0, {"forget.r_mean": 1.0}), failed_retrain])
    assert GAP_METRIC not in [c.metric for c in table.columns]


def test_sanity_flags_do_not_fire_on_healthy_grid(grid):
    (table,) = build_tables(grid)
    assert all(row.flags == [] for row in table.rows)


def test_no_memorization_flag(rec):
    records = [rec("original", s, {"forget.r_mean": 60.0, "test.r_mean": 61.0}) for s in (0, 1)]
    (table,) = build_tables(records)
    assert _row(table, "original").flags == ["no memorization"]


def test_forget_far_from_test_flag(rec):
    far = [rec("retrain", 0, {"forget.r_mean": 80.0, "test.r_mean": 60.0})]
    near = [rec("retrain", 0, {"forget.r_mean": 69.0, "test.r_mean": 60.0})]
    assert build_tables(far)[0].rows[0].flags == ["forget far from test"]
    assert build_tables(near)[0].rows[0].flags == []
    # only retrain is held to this: other methods are meant to differ
    other = [rec("scrub", 0, {"forget.r_mean": 80.0, "test.r_mean": 60.0})]
    assert build_tables(other)[0].rows[0].flags == []


def test_nan_metric_flag(rec):
    records = [rec("m", s, {"auc.df_vs_dr": float("nan"), "test.r_mean": 50.0}) for s in (0, 1)]
    (table,) = build_tables(records)
    row = _row(table, "m")
    assert row.flags == ["NaN metric: auc.df_vs_dr"]
    assert math.isnan(row.cells["auc.df_vs_dr"].mean) and row.cells["auc.df_vs_dr"].n == 0


def test_partial_nan_is_flagged_and_ignored(rec):
    records = [rec("m", 0, {"test.r_mean": float("nan")}), rec("m", 1, {"test.r_mean": 50.0})]
    row = build_tables(records)[0].rows[0]
    assert row.cells["test.r_mean"].mean == 50.0 and row.cells["test.r_mean"].n == 1
    assert row.flags == ["NaN in test.r_mean (1/2 seeds)"]


def test_flagged_records_are_averaged_and_flagged(rec):
    records = [rec("m", 0, {"test.r_mean": 40.0}), rec("m", 1, {"test.r_mean": 50.0}, status="flagged",
                                                          error="over budget")]
    (table,) = build_tables(records)
    row = table.rows[0]
    assert row.cells["test.r_mean"].mean == 45.0 and row.n_seeds == 2
    assert row.flags == ["1/2 runs flagged"]
    assert any("over budget" in n for n in table.notes)


def test_notes_explain_gallery_size_and_interval(grid):
    notes = " ".join(build_tables(grid)[0].notes)
    assert "equal gallery size" in notes and "|D_f|" in notes
    assert "forget, retain and test" in notes
    assert "± is the half width of a two-sided 95% Student-t interval over seeds" in notes


def test_leaderboard_does_not_import_torch():
    code = "import sys, leaderboard, bench.store; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


def test_reads_records_back_from_the_store(grid, tmp_path):
    from bench.store import Store

    grid[0].metrics["mia.loss_auc"] = float("nan")  # NaN survives the store's JSON columns
    store = Store(tmp_path)
    for record in grid:
        store.put(record)
    stored = Store(tmp_path, create=False).records()
    store.close()
    (table,) = build_tables(stored)
    assert [r.method for r in table.rows] == ["original", "retrain", "neggrad", "scrub"]
    assert _row(table, "scrub").n_failed == 1
    assert _row(table, "original").flags == ["NaN in mia.loss_auc (1/3 seeds)"]


def test_notes_name_the_hardware_times_were_measured_on(rec):
    gpu = rec("retrain", 0, {"cost.unlearn_s": 1.0})
    gpu.manifest = {"hardware": {"cpu": "x86_64", "gpu": "NVIDIA H100", "torch_threads": 16}}
    cpu = rec("finetune", 0, {"cost.unlearn_s": 2.0})
    cpu.manifest = {"hardware": {"cpu": "x86_64", "torch_threads": 2}}
    notes = build_tables([gpu, cpu])[0].notes
    assert "Measured on: NVIDIA H100, 16 torch threads; x86_64, 2 torch threads." in notes
