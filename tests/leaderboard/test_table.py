import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from leaderboard import build_tables

GAP = "gap.forget.r_mean"


def _row(table, label):
    return next(r for r in table.rows if r.label == label)


def _t_half_width(x):
    x = np.asarray(x, dtype=float)
    return stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))


def test_one_table_per_task_sorted(rec):
    records = [rec("retrain", 0, {"forget.r_mean": 1.0}, task=t) for t in ("zeta", "alpha", "mid")]
    assert [t.task for t in build_tables(records)] == ["alpha", "mid", "zeta"]
    assert build_tables([]) == []


def test_tables_are_keyed_by_task_params_and_forget_spec(rec):
    records = []
    for epochs in (15, 5):
        for fraction in (0.1, 0.05):
            value = epochs + 100 * fraction  # distinct per configuration
            for seed in (0, 1):
                records.append(rec("m", seed, {"forget.r_mean": value + seed}, task="t",
                                   task_params={"epochs": epochs, "dim": 8},
                                   forget={"kind": "random", "fraction": fraction, "count": None}))
    records.append(rec("m", 0, {"forget.r_mean": 1.0}, task="u", task_params={"epochs": 3},
                       forget={"kind": "random", "fraction": 0.1, "count": 50}))
    tables = build_tables(records)
    # epochs is the only task param that differs, so it is the only one shown; params and
    # forget fractions sort by value (5 before 15, 5% before 10%); u has one setting.
    assert [t.title for t in tables] == [
        "t (epochs=5) · forget random 5%", "t (epochs=5) · forget random 10%",
        "t (epochs=15) · forget random 5%", "t (epochs=15) · forget random 10%",
        "u · forget random n=50",
    ]
    assert tables[1].task_params == {"epochs": 5, "dim": 8}
    assert tables[1].forget == {"kind": "random", "fraction": 0.1, "count": None}
    # never averaged across configurations: each table holds its own two seeds only
    assert [t.rows[0].cells["forget.r_mean"].mean for t in tables] == [10.5, 15.5, 20.5, 25.5, 1.0]
    assert [t.rows[0].n_seeds for t in tables] == [2, 2, 2, 2, 1]


def test_title_without_task_params_when_the_task_has_one_setting(rec):
    record = rec("m", 0, {"test.r_mean": 1.0}, task="emoji_retrieval", task_params={"epochs": 15})
    (table,) = build_tables([record])
    assert (table.task, table.title) == ("emoji_retrieval", "emoji_retrieval · forget random 10%")


def test_rows_are_keyed_by_method_params(rec):
    records = []
    for lr, values in ((0.001, [30.0, 50.0]), (0.0005, [10.0, 20.0])):
        for seed, value in enumerate(values):
            records.append(rec("multidelete", seed, {"forget.r_mean": value},
                               method_params={"lr": lr, "ukr_split": "both"}))
    records += [rec("scrub", s, {"forget.r_mean": 5.0}, method_params={"alpha": 0.5}) for s in (0, 1)]
    records += [rec("retrain", s, {"forget.r_mean": 60.0}) for s in (0, 1)]
    (table,) = build_tables(records)
    # sorted by score: forget gaps to retrain 30, 10 (lr=0.001); 50, 40; 55 (scrub)
    assert [r.label for r in table.rows] == [
        "retrain", "multidelete (lr=0.001)", "multidelete (lr=0.0005)", "scrub"]
    low, high = table.rows[2], table.rows[1]
    assert (low.method, low.method_params) == ("multidelete", {"lr": 0.0005, "ukr_split": "both"})
    assert (low.cells["forget.r_mean"].mean, high.cells["forget.r_mean"].mean) == (15.0, 40.0)
    assert low.n_seeds == high.n_seeds == 2 and low.flags == high.flags == []  # no duplicate seeds


def test_row_order_references_then_by_score(grid, rec):
    grid.append(rec("Amnesiac", 0, {"forget.r_mean": 1.0}))
    (table,) = build_tables(grid)
    assert [r.method for r in table.rows] == ["original", "retrain", "scrub", "neggrad", "Amnesiac"]
    assert [r.rank for r in table.rows] == [None, None, 1, 2, 3]
    assert [r.label for r in table.rows] == [r.method for r in table.rows]


def test_cells_are_mean_and_t_interval(grid):
    (table,) = build_tables(grid)
    cell = _row(table, "scrub").cells["forget.r_mean"]
    assert cell.mean == pytest.approx(np.mean([70.0, 66.0, 65.0]))
    assert cell.half_width == pytest.approx(_t_half_width([70.0, 66.0, 65.0]))
    assert cell.n == 3


def test_failed_records_counted_not_averaged(grid):
    (table,) = build_tables(grid)
    scrub = _row(table, "scrub")
    assert (scrub.n_seeds, scrub.n_failed) == (3, 1)
    assert scrub.cells["forget.r_mean"].n == 3
    note = next(n for n in table.notes if "failed" in n and "scrub" in n)
    assert note.startswith("scrub (seed 3) failed: RuntimeError: boom")
    assert len(note) < 250  # truncated
    assert _row(table, "retrain").n_failed == 0


def test_only_failed_records_give_an_empty_row(rec):
    records = [rec("retrain", 0, {"forget.r_mean": 60.0}), rec("x", 0, status="failed", error="e")]
    (table,) = build_tables(records)
    x = _row(table, "x")
    assert (x.n_seeds, x.n_failed) == (0, 1)
    assert x.cells["forget.r_mean"].n == 0 and x.flags == ["failed (1/1 seeds)"]


def test_gap_column_is_paired_difference_to_retrain(grid):
    (table,) = build_tables(grid)
    gaps = np.array([70.0, 66.0, 65.0]) - np.array([61.0, 58.0, 60.0])
    cell = _row(table, "scrub").cells[GAP]
    assert cell.mean == pytest.approx(gaps.mean())  # 4.0
    assert cell.half_width == pytest.approx(_t_half_width(gaps))
    retrain = _row(table, "retrain").cells[GAP]
    assert (retrain.mean, retrain.half_width, retrain.n) == (0.0, 0.0, 3)
    original = _row(table, "original").cells[GAP]  # how far from retrain the start was
    assert original.mean == pytest.approx(np.mean([31.0, 32.0, 34.0]))


def test_every_metric_judged_against_retrain_gets_a_gap(rec):
    directions = {"auc.df_vs_dr": "retrain", "mia.svc_efficacy": "retrain", "test.r_mean": "higher"}
    retrain = {"auc.df_vs_dr": [0.60, 0.62, 0.64], "mia.svc_efficacy": [0.5, 0.5, 0.5]}
    method = {"auc.df_vs_dr": [0.70, 0.69, 0.75], "mia.svc_efficacy": [0.9, 0.8, 0.7]}
    records = []
    for name, values in (("retrain", retrain), ("m", method)):
        for seed in range(3):
            metrics = {k: v[seed] for k, v in values.items()} | {"test.r_mean": 50.0}
            records.append(rec(name, seed, metrics, directions=directions))
    (table,) = build_tables(records, detail=True)
    gap_columns = [c for c in table.columns if c.metric.startswith("gap.")]
    assert [c.metric for c in gap_columns] == ["gap.auc.df_vs_dr", "gap.mia.svc_efficacy"]
    assert [c.header for c in gap_columns] == ["ΔDf/Dr AUC ≈R", "ΔSVC MIA ≈R"]
    m = _row(table, "m")
    auc_gaps = [0.10, 0.07, 0.11]
    assert m.cells["gap.auc.df_vs_dr"].mean == pytest.approx(np.mean(auc_gaps))  # 0.09333
    assert m.cells["gap.auc.df_vs_dr"].half_width == pytest.approx(_t_half_width(auc_gaps))
    svc = m.cells["gap.mia.svc_efficacy"]  # gaps 0.4, 0.3, 0.2: sd 0.1
    assert svc.mean == pytest.approx(0.3)
    assert svc.half_width == pytest.approx(stats.t.ppf(0.975, 2) * 0.1 / math.sqrt(3))
    assert _row(table, "retrain").cells["gap.auc.df_vs_dr"].mean == 0.0


def test_gap_pairs_only_shared_seeds(rec):
    records = [rec("retrain", s, {"forget.r_mean": 60.0 + s}) for s in (0, 1)]
    records += [rec("m", s, {"forget.r_mean": 70.0}) for s in (1, 2)]
    (table,) = build_tables(records)
    cell = _row(table, "m").cells[GAP]
    assert (cell.mean, cell.n) == (9.0, 1) and math.isnan(cell.half_width)


def test_gap_column_absent_without_retrain(rec):
    (table,) = build_tables([rec("original", 0, {"forget.r_mean": 90.0}), rec("m", 0, {"forget.r_mean": 1.0})])
    assert GAP not in [c.metric for c in table.columns]
    failed_retrain = rec("retrain", 0, {"forget.r_mean": 60.0}, status="failed")
    (table,) = build_tables([rec("m", 0, {"forget.r_mean": 1.0}), failed_retrain])
    assert GAP not in [c.metric for c in table.columns]


def test_several_retrain_settings_use_the_first_as_reference(rec):
    records = [rec("retrain", 0, {"forget.r_mean": 60.0}, method_params={"epochs": 1}),
               rec("retrain", 0, {"forget.r_mean": 50.0}, method_params={"epochs": 2}),
               rec("m", 0, {"forget.r_mean": 65.0})]
    (table,) = build_tables(records)
    assert _row(table, "m").cells[GAP].mean == 5.0
    assert _row(table, "retrain (epochs=2)").cells[GAP].mean == -10.0
    assert "Several retrain rows; retrain (epochs=1) is the one gaps and flags use." in table.notes


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


def test_leaderboard_does_not_import_torch():
    code = "import sys, leaderboard, bench.store; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


def test_reads_records_back_from_the_store(grid, tmp_path):
    from bench.store import Store

    grid[0].metrics["mia.loss_auc"] = float("nan")  # NaN survives the store's JSON columns
    grid[3].status, grid[3].flags = "flagged", ["early stop"]  # retrain, seed 0
    store = Store(tmp_path)
    for record in grid:
        store.put(record)
    stored = Store(tmp_path, create=False).records()
    store.close()
    (table,) = build_tables(stored)
    assert [r.method for r in table.rows] == ["original", "retrain", "scrub", "neggrad"]
    assert _row(table, "scrub").n_failed == 1
    assert _row(table, "original").flags == ["NaN in mia.loss_auc (1/3 seeds)"]
    assert _row(table, "retrain").flags == ["early stop (1/3 seeds)"]
