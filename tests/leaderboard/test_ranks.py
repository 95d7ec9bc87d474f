"""Ranks per column by declared direction; rows ordered by composite score."""

from leaderboard import build_tables

DIRECTIONS = {"forget.r_mean": "retrain", "test.r_mean": "higher", "cost.unlearn_s": "lower",
              "delta.l2": "info"}


def _rows(rec, values, original=None):
    """values: method -> (forget, test, time) on seeds 0 and 1 alike; retrain forgets 60."""
    records = []
    for method, (forget, test, time) in {"retrain": (60.0, 60.0, 9.0), **values}.items():
        for seed in (0, 1):
            records.append(rec(method, seed, {"forget.r_mean": forget, "test.r_mean": test,
                                              "cost.unlearn_s": time, "delta.l2": 0.1},
                               directions=DIRECTIONS))
    if original is not None:
        records += [rec("original", s, {"forget.r_mean": 95.0, "test.r_mean": original,
                                        "delta.l2": 0.0}, directions=DIRECTIONS) for s in (0, 1)]
    (table,) = build_tables(records)
    return table.rows


def test_each_column_ranks_by_its_direction(rec):
    rows = _rows(rec, {"a": (70.0, 50.0, 1.0), "b": (55.0, 58.0, 3.0), "c": (90.0, 59.0, 2.0)})
    ranks = {r.label: r.ranks for r in rows}
    assert [ranks[m]["test.r_mean"] for m in "abc"] == [3, 2, 1]  # higher
    assert ranks["a"]["cost.unlearn_s"] == 1 and ranks["b"]["cost.unlearn_s"] == 3  # lower
    # closest to retrain's 60: b (5 away), a (10), c (30); the gap column agrees
    assert [ranks[m]["forget.r_mean"] for m in "abc"] == [2, 1, 3]
    assert [ranks[m]["gap.forget.r_mean"] for m in "abc"] == [2, 1, 3]
    assert "delta.l2" not in ranks["a"]  # info is never ranked
    assert ranks["retrain"] == {}  # the reference is not an entry


def test_rows_follow_the_composite_rank(rec):
    rows = _rows(rec, {"a": (70.0, 50.0, 1.0), "b": (55.0, 58.0, 3.0), "c": (90.0, 59.0, 2.0)})
    # scores: b ½(.05 + .02) = .035, a ½(.10 + .10) = .10, c ½(.30 + .01) = .155
    assert [(r.label, r.rank) for r in rows] == [("retrain", None), ("b", 1), ("a", 2), ("c", 3)]


def test_ties_share_the_best_rank(rec):
    rows = _rows(rec, {"a": (70.0, 50.0, 1.0), "b": (50.0, 50.0, 1.0), "c": (60.0, 40.0, 2.0)})
    ranks = {r.label: r.ranks for r in rows}
    assert [ranks[m]["cost.unlearn_s"] for m in "abc"] == [1, 1, 3]
    assert [ranks[m]["forget.r_mean"] for m in "abc"] == [2, 2, 1]


def test_a_collapsed_row_is_never_ranked_above_a_healthy_one(rec):
    # "lucky" matches retrain on forgetting but kept a third of the original's test utility;
    # its score (½ · .4 = .2) is better than "meh"'s (½(.3 + .2) = .25), its rank is not.
    rows = _rows(rec, {"lucky": (60.0, 20.0, 1.0), "meh": (90.0, 40.0, 5.0)}, original=60.0)
    by_label = {r.label: r for r in rows}
    assert by_label["lucky"].flags == ["collapsed"]
    assert [r.label for r in rows] == ["original", "retrain", "meh", "lucky"]
    assert (by_label["meh"].rank, by_label["lucky"].rank) == (1, 2)
    assert by_label["lucky"].ranks["cost.unlearn_s"] == 2  # in every column
    assert by_label["lucky"].ranks["forget.r_mean"] == 2


def test_unscored_rows_come_last_alphabetically(rec):
    records = [rec("retrain", 0, {"forget.r_mean": 60.0}), rec("zeta", 0, {"forget.r_mean": 70.0}),
               rec("beta", 0, {"test.r_mean": 1.0}), rec("alpha", 0, {"test.r_mean": 2.0})]
    (table,) = build_tables(records)
    assert [(r.label, r.rank) for r in table.rows] == [
        ("retrain", None), ("zeta", 1), ("alpha", None), ("beta", None)]


def test_cost_columns_rank_only_rows_measured_on_the_main_hardware(showcase):
    (table,) = build_tables(showcase)
    remote = next(r for r in table.rows if r.label == "remote")
    assert "cost.unlearn_s" not in remote.ranks and "cost.peak_rss_mb" not in remote.ranks
    assert remote.ranks["forget.r_mean"] and remote.rank == 3  # ranked everywhere else
