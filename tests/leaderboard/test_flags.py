import pytest

from bench.record import ATTACK_FAILED, EARLY_STOP, NON_FINITE
from leaderboard import build_tables

ORIGINAL_FORGET = [90.0, 92.0, 94.0]
ORIGINAL_TEST = [60.0, 61.0, 62.0]


def _flags(records, label):
    (table,) = build_tables(records)
    return next(r for r in table.rows if r.label == label).flags


def _with_original(rec, forget, test=(60.0, 61.0, 62.0), delta=0.0):
    """An original row and a method ``m`` over seeds 0-2 (``delta`` is m's delta.l2)."""
    records = [rec("original", s, {"forget.r_mean": f, "test.r_mean": t, "delta.l2": 0.0})
               for s, (f, t) in enumerate(zip(ORIGINAL_FORGET, ORIGINAL_TEST))]
    records += [rec("m", s, {"forget.r_mean": f, "test.r_mean": t, "delta.l2": delta})
                for s, (f, t) in enumerate(zip(forget, test))]
    return records


def test_sanity_flags_do_not_fire_on_healthy_grid(grid):
    (table,) = build_tables(grid)
    assert {row.label: row.flags for row in table.rows} == {
        "original": [], "retrain": [], "neggrad": [], "scrub": ["failed (1/4 seeds)"]}


def test_no_op_when_nothing_moved(rec):
    assert _flags(_with_original(rec, ORIGINAL_FORGET), "m") == ["no-op"]


@pytest.mark.parametrize("forget, expected", [
    # paired differences +1, -1, 0: mean 0, inside any interval
    ([91.0, 91.0, 94.0], ["no-op"]),
    # differences 1, 2, 3: mean 2, half width t(0.975, 2)·1/√3 = 2.48 holds 0
    ([91.0, 94.0, 97.0], ["no-op"]),
    # differences 5, 6, 7: mean 6 > 2.48, the forget set did move
    ([95.0, 98.0, 101.0], []),
    # a constant shift of -10 has a zero-width interval that excludes 0
    ([80.0, 82.0, 84.0], []),
])
def test_no_op_needs_forget_metrics_indistinguishable_from_the_original(rec, forget, expected):
    assert _flags(_with_original(rec, forget), "m") == expected


def test_no_op_needs_a_negligible_parameter_change(rec):
    assert _flags(_with_original(rec, ORIGINAL_FORGET, delta=1e-6), "m") == []
    assert _flags(_with_original(rec, ORIGINAL_FORGET, delta=9e-7), "m") == ["no-op"]


def test_no_op_needs_evidence(rec):
    # no delta.l2 at all
    records = _with_original(rec, ORIGINAL_FORGET)
    for r in records:
        del r.metrics["delta.l2"]
    assert _flags(records, "m") == []
    # no original on the method's seeds
    records = _with_original(rec, ORIGINAL_FORGET)
    for r in records[3:]:
        r.cell["seed"] += 10
    assert _flags(records, "m") == []


def test_reference_rows_are_never_no_op(rec):
    records = _with_original(rec, ORIGINAL_FORGET)
    for r in records[3:]:
        r.cell["method"] = "retrain"
    assert _flags(records, "original") == []
    assert "no-op" not in _flags(records, "retrain")


@pytest.mark.parametrize("test, expected", [
    ([29.0, 30.0, 31.0], ["collapsed"]),  # mean 30 < 0.5 × 61
    ([30.5, 30.5, 30.5], []),  # exactly half is not below half
])
def test_collapsed_when_test_utility_falls_below_half_the_original(rec, test, expected):
    assert _flags(_with_original(rec, [60.0, 60.0, 60.0], test=test, delta=0.1), "m") == expected


def test_collapsed_compares_on_shared_seeds_only(rec):
    records = _with_original(rec, [60.0, 60.0, 60.0], test=[40.0, 40.0, 40.0], delta=0.1)
    records.append(rec("m", 7, {"forget.r_mean": 60.0, "test.r_mean": 0.0}))  # original lacks seed 7
    assert _flags(records, "m") == []


def test_classification_scores_use_accuracy(rec):
    original = [rec("original", s, {"forget.acc": 0.99, "test.acc": 0.9}) for s in (0, 1)]
    collapsed = [rec("m", s, {"forget.acc": 0.5, "test.acc": 0.4}) for s in (0, 1)]
    assert _flags(original + collapsed, "m") == ["collapsed"]  # 0.4 < 0.45
    unmemorized = [rec("original", 0, {"forget.acc": 0.85, "test.acc": 0.9})]
    assert _flags(unmemorized, "original") == ["no memorization"]
    # accuracy is a fraction: 10% of its scale is 0.1
    assert _flags([rec("retrain", 0, {"forget.acc": 0.75, "test.acc": 0.6})], "retrain") == [
        "forget far from test"]
    assert _flags([rec("retrain", 0, {"forget.acc": 0.65, "test.acc": 0.6})], "retrain") == []


def test_no_memorization_flag(rec):
    records = [rec("original", s, {"forget.r_mean": 60.0, "test.r_mean": 61.0}) for s in (0, 1)]
    assert _flags(records, "original") == ["no memorization"]


def test_forget_far_from_test_flag(rec):
    far = [rec("retrain", 0, {"forget.r_mean": 80.0, "test.r_mean": 60.0})]
    near = [rec("retrain", 0, {"forget.r_mean": 69.0, "test.r_mean": 60.0})]
    assert _flags(far, "retrain") == ["forget far from test"]
    assert _flags(near, "retrain") == []
    # only retrain is held to this: other methods are meant to differ
    assert _flags([rec("scrub", 0, {"forget.r_mean": 80.0, "test.r_mean": 60.0})], "scrub") == []


def test_harness_flags_count_seeds(rec):
    records = [rec("m", 0, {"test.r_mean": 40.0}),
               rec("m", 1, {"test.r_mean": 50.0}, status="flagged", flags=[EARLY_STOP]),
               rec("m", 2, {"test.r_mean": 45.0}, status="flagged",
                   flags=[EARLY_STOP, ATTACK_FAILED]),
               rec("m", 3, status="failed", error="boom")]
    assert _flags(records, "m") == [
        "attack failed (1/4 seeds)", "early stop (2/4 seeds)", "failed (1/4 seeds)"]
    non_finite = [rec("m", 0, {"test.r_mean": float("nan")}, status="flagged", flags=[NON_FINITE])]
    assert _flags(non_finite, "m") == ["NaN metric: test.r_mean", "non-finite metrics (1/1 seeds)"]


def test_flagged_records_are_averaged_and_flagged(rec):
    records = [rec("m", 0, {"test.r_mean": 40.0}),
               rec("m", 1, {"test.r_mean": 50.0}, status="flagged", error="over budget")]
    (table,) = build_tables(records)
    row = table.rows[0]
    assert row.cells["test.r_mean"].mean == 45.0 and row.n_seeds == 2
    assert row.flags == ["flagged (1/2 seeds)"]
    assert "m (seed 1) flagged: over budget" in table.notes


def test_flag_rules_are_explained_when_raised(rec, grid):
    records = _with_original(rec, ORIGINAL_FORGET)
    records += [rec("broken", s, {"forget.r_mean": 0.0, "test.r_mean": 1.0, "delta.l2": 3.0})
                for s in range(3)]
    (table,) = build_tables(records)
    assert [(r.label, r.flags) for r in table.rows] == [
        ("original", []), ("broken", ["collapsed"]), ("m", ["no-op"])]
    assert any(n.startswith("no-op: mean delta.l2 < 1e-6") for n in table.notes)
    assert any(n.startswith("collapsed: mean test utility below half") for n in table.notes)
    assert not any(n.startswith(("no-op", "collapsed")) for n in build_tables(grid)[0].notes)


def test_memorization_must_clear_the_interval_of_the_paired_gaps(rec):
    # forget − test per seed: +1, +9, −4: mean +2 but the interval holds 0
    noisy = [rec("original", s, {"forget.r_mean": f, "test.r_mean": t})
             for s, (f, t) in enumerate([(61.0, 60.0), (69.0, 60.0), (56.0, 60.0)])]
    assert _flags(noisy, "original") == ["no memorization"]
    clear = [rec("original", s, {"forget.r_mean": 70.0 + s, "test.r_mean": 40.0 + 2 * s}) for s in range(3)]
    assert _flags(clear, "original") == []


def test_retrain_gap_inside_its_interval_is_not_flagged_however_large(rec):
    # forget − test per seed: +30, −10, +25: mean 15 > 10 points, but the interval holds 0
    wide = [rec("retrain", s, {"forget.r_mean": f, "test.r_mean": 50.0})
            for s, f in enumerate([80.0, 40.0, 75.0])]
    assert _flags(wide, "retrain") == []


def test_retrain_below_test_on_a_forgotten_class_is_expected_not_flagged(rec):
    records = [rec("retrain", s, {"forget.acc": 0.2 + 0.01 * s, "test.acc": 0.5},
                   forget={"kind": "class", "fraction": 0.1, "count": 1}) for s in range(3)]
    assert _flags(records, "retrain") == []
    as_random = [rec("retrain", s, {"forget.acc": 0.2 + 0.01 * s, "test.acc": 0.5}) for s in range(3)]
    assert _flags(as_random, "retrain") == ["forget far from test"]
