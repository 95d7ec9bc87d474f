from bench.directions import HIGHER, INFO, LOWER, RETRAIN
from leaderboard import build_tables
from leaderboard.columns import COMPOSITE_COLUMN, COST, DISTANCE, FORGETTING, OTHER, UTILITY


def _by_metric(table):
    return {c.metric: c for c in table.columns}


def _metrics(table):
    """The metric columns: every table starts with the composite score."""
    assert table.columns[0] == COMPOSITE_COLUMN
    return [c.metric for c in table.columns[1:]]


def test_columns_come_from_the_records_in_display_order(grid):
    (table,) = build_tables(grid, detail=True)
    assert _metrics(table) == [
        "forget.r_mean", "auc.df_vs_dr", "mia.loss_auc",
        "gap.forget.r_mean", "gap.auc.df_vs_dr", "gap.mia.loss_auc",
        "test.r_mean", "retain.r_mean", "retention.joint_mse",
        "delta.l2",
        "cost.unlearn_s", "cost.speedup", "cost.peak_rss_mb",
    ]  # no record has cost.peak_gpu_alloc_mb, so it is no column
    assert [c.header for c in table.columns[1:]] == [
        "Forget R̄ ≈R", "Df/Dr AUC ≈R", "MIA AUC ≈R", "ΔForget R̄ ≈R", "ΔDf/Dr AUC ≈R",
        "ΔMIA AUC ≈R", "Test R̄ ↑", "Retain R̄ ↑", "retention.joint_mse ↓", "‖Δθ‖/‖θ‖ ·",
        "Time (s) ↓", "Speedup ↑", "Peak RSS (MB) ↓",
    ]
    assert [c.group for c in table.columns[1:]] == (
        [FORGETTING] * 6 + [UTILITY] * 3 + [DISTANCE] + [COST] * 3)
    assert [c.direction for c in table.columns[1:]] == (
        [RETRAIN] * 6 + [HIGHER, HIGHER, LOWER, INFO, LOWER, HIGHER, LOWER])


def test_prefix_order_and_other_metrics_last(rec):
    names = ["cost.unlearn_s", "zeta.custom", "retention.joint", "val.r_mean", "relearn.gain",
             "mia.ulira_tpr@0.01", "mia.loss_acc", "forget.acc", "test.acc", "alpha.custom"]
    (table,) = build_tables([rec("m", 0, {n: 1.0 for n in names})], detail=True)
    assert _metrics(table) == [
        "forget.acc", "mia.loss_acc", "mia.ulira_tpr@0.01", "relearn.gain",
        "test.acc", "val.r_mean", "retention.joint", "cost.unlearn_s",
        "alpha.custom", "zeta.custom",
    ]
    columns = _by_metric(table)
    assert columns["alpha.custom"].group == OTHER and columns["relearn.gain"].group == FORGETTING
    # nothing declared: well-known metrics keep their usual direction, the rest read "higher"
    assert columns["forget.acc"].header == "Forget acc ≈R"
    assert columns["test.acc"].header == "Test acc ↑"
    assert columns["zeta.custom"].header == "zeta.custom ↑"


def test_per_k_recall_columns_only_in_detail(rec):
    metrics = {"forget.r_mean": 50.0, "forget.a2b_r10": 70.0, "forget.a2b_r1": 30.0,
               "forget.b2a_r5": 40.0, "forget.a2b_r5": 50.0, "test.b2a_r1": 20.0}
    records = [rec("retrain", 0, metrics, directions={m: "retrain" for m in metrics})]
    (table,) = build_tables(records)
    assert _metrics(table) == ["forget.r_mean", "gap.forget.r_mean"]
    (detailed,) = build_tables(records, detail=True)
    assert _metrics(detailed) == [
        "forget.r_mean", "forget.a2b_r1", "forget.a2b_r5", "forget.a2b_r10", "forget.b2a_r5",
        "gap.forget.r_mean", "gap.forget.a2b_r1", "gap.forget.a2b_r5", "gap.forget.a2b_r10",
        "gap.forget.b2a_r5", "gap.test.b2a_r1", "test.b2a_r1",
    ]


def test_declared_direction_wins_over_default(rec):
    records = [rec("retrain", 0, {"mia.loss_auc": 0.5}, directions={"mia.loss_auc": "lower"})]
    (table,) = build_tables(records)
    (_, column) = table.columns  # lower: no gap column
    assert column.direction == LOWER and column.header.endswith("↓")


def test_majority_direction_and_a_note_when_records_disagree(rec):
    records = [rec("m", s, {"x.score": 1.0}, directions={"x.score": d})
               for s, d in enumerate(["lower", "higher", "lower"])]
    (table,) = build_tables(records, detail=True)
    assert table.columns[1].direction == LOWER
    assert ("Records disagree on the direction of x.score (lower ×2, higher ×1); lower is used."
            in table.notes)


def test_direction_tie_does_not_depend_on_record_order(rec):
    records = [rec("m", 0, {"x.score": 1.0}, directions={"x.score": "lower"}),
               rec("m", 1, {"x.score": 1.0}, directions={"x.score": "higher"})]
    forward = build_tables(records, detail=True)[0]
    backward = build_tables(records[::-1], detail=True)[0]
    assert forward.columns[1].direction == backward.columns[1].direction == HIGHER
    assert forward.notes == backward.notes


def test_metrics_of_failed_records_and_record_gaps_are_not_columns(rec):
    records = [rec("m", 0, {"test.r_mean": 1.0, "gap.test.r_mean": 5.0}),
               rec("m", 1, {"cost.unlearn_s": 1.0}, status="failed", error="boom")]
    (table,) = build_tables(records)
    assert _metrics(table) == ["test.r_mean"]


def test_warm_workers_rss_growth_is_a_headline_cost_column(rec):
    # A warm worker records the RSS growth of the unlearning call, not a peak (docs/executors.md).
    (table,) = build_tables([rec("m", 0, {"cost.unlearn_s": 2.0, "cost.peak_rss_delta_mb": 40.0})])
    column = next(c for c in table.columns if c.metric == "cost.peak_rss_delta_mb")
    assert (column.header, column.direction, column.group) == ("RSS growth (MB) ↓", LOWER, COST)
