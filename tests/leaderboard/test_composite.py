"""Known answers for the composite score (hand-computed) and its place in the table."""

import math

import pytest
from scipy import stats

from leaderboard import build_tables
from leaderboard.columns import COMPOSITE

RETRAIN_FORGET, RETRAIN_TEST = [61.0, 58.0, 60.0], [60.0, 61.0, 62.0]


def _table(rec, rows, directions=None):
    records = [rec(method, seed, {k: v[seed] for k, v in metrics.items()},
                   directions=directions or {"forget.r_mean": "retrain", "test.r_mean": "higher",
                                             "auc.df_vs_dr": "retrain"})
               for method, metrics in rows.items() for seed in range(3)]
    (table,) = build_tables(records)
    return {row.label: row for row in table.rows}


def test_known_answer_two_families(rec):
    """Per seed: forgetting |70−61|, |66−58|, |65−60| / 100 = .09, .08, .05; utility |58−60|,
    |61−61|, |59−62| / 100 = .02, 0, .03. Score = ½·F + ½·U = .055, .04, .04: mean .045, sd
    .0086603 (√(.000075)), half width t(.975, 2) · sd / √3 = 4.3027 · .0086603 / 1.7321
    = .021513."""
    rows = _table(rec, {
        "retrain": {"forget.r_mean": RETRAIN_FORGET, "test.r_mean": RETRAIN_TEST},
        "m": {"forget.r_mean": [70.0, 66.0, 65.0], "test.r_mean": [58.0, 61.0, 59.0]}})
    cell = rows["m"].cells[COMPOSITE]
    assert (cell.mean, cell.n) == (pytest.approx(0.045), 3)
    assert cell.half_width == pytest.approx(0.021513, abs=1e-6)
    expected = stats.t.ppf(0.975, 2) * math.sqrt(0.000075) / math.sqrt(3)
    assert cell.half_width == pytest.approx(expected)
    retrain = rows["retrain"].cells[COMPOSITE]
    assert (retrain.mean, retrain.half_width) == (0.0, 0.0)


def test_each_family_weighs_half_whatever_its_size(rec):
    """Fractions count at scale 1: AUC gaps .2 on every seed and forget gaps 10 points (.1)
    average to .15 in the forgetting family; utility is equal (0): score ½ · .15 = .075."""
    rows = _table(rec, {
        "retrain": {"forget.r_mean": RETRAIN_FORGET, "auc.df_vs_dr": [0.5] * 3,
                    "test.r_mean": RETRAIN_TEST},
        "m": {"forget.r_mean": [71.0, 68.0, 70.0], "auc.df_vs_dr": [0.7] * 3,
              "test.r_mean": RETRAIN_TEST}})
    cell = rows["m"].cells[COMPOSITE]
    assert cell.mean == pytest.approx(0.075) and cell.half_width == pytest.approx(0.0, abs=1e-12)


def test_without_a_family_the_other_is_the_score(rec):
    rows = _table(rec, {"retrain": {"forget.r_mean": RETRAIN_FORGET},
                        "m": {"forget.r_mean": [71.0, 68.0, 70.0]}})
    assert rows["m"].cells[COMPOSITE].mean == pytest.approx(0.1)


def test_no_retrain_no_score(rec):
    rows = _table(rec, {"m": {"forget.r_mean": [70.0, 66.0, 65.0], "test.r_mean": RETRAIN_TEST}})
    cell = rows["m"].cells[COMPOSITE]
    assert cell.n == 0 and math.isnan(cell.mean) and rows["m"].rank is None


def test_unscaled_and_info_metrics_do_not_count(rec):
    """delta.l2 (info), cost.* and a metric without a known scale never enter the score."""
    base = {"forget.r_mean": RETRAIN_FORGET, "test.r_mean": RETRAIN_TEST}
    rows = _table(rec, {"retrain": {**base, "delta.l2": [0.0] * 3, "cost.unlearn_s": [1.0] * 3,
                                    "relearn.gain": [0.0] * 3},
                        "m": {**base, "delta.l2": [9.0] * 3, "cost.unlearn_s": [99.0] * 3,
                              "relearn.gain": [5.0] * 3}})
    assert rows["m"].cells[COMPOSITE].mean == 0.0


def test_score_is_the_same_in_detail_tables(grid):
    (short,), (detail,) = build_tables(grid), build_tables(grid, detail=True)
    assert [r.cells[COMPOSITE] for r in short.rows] == [r.cells[COMPOSITE] for r in detail.rows]
