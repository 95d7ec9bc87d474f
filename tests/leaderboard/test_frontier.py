"""The forgetting-utility frontier from tuning records: points, Pareto fronts, collapse as
failure, summaries with intervals, tuning cost, and its three outputs (markdown, picture, page)."""

import math

import pytest

from bench.record import Record
from bench.store import Store
from leaderboard import build_tables, frame, records_frame, write_site
from leaderboard.frontier import TOLERANCE, build_frontiers
from leaderboard.frontier_text import render_frontier

CELL = {"task": "emoji_retrieval", "task_params": {}, "forget": {"kind": "random", "fraction": 0.1},
        "attacks": {}, "device": "cpu", "precision": "fp32"}


def rec(method, seed, forget, test, params=None, mark=None, preset=None, cell_s=10.0):
    manifest = {"timings": {"cell_s": cell_s}}
    if mark is not None:
        manifest["tuning"] = mark
    if preset is not None:
        manifest["preset"] = preset
    cell = {**CELL, "method": method, "method_params": params or {}, "seed": seed}
    return Record(f"{method}-{seed}-{params}-{mark is not None}", cell, "ok",
                  metrics={"forget.r_mean": forget, "test.r_mean": test, "retain.r_mean": 70.0},
                  directions={"forget.r_mean": "retrain", "test.r_mean": "higher", "retain.r_mean": "higher"},
                  manifest=manifest)


def trial(method, number, forget, test, rule="default", seeds=(100,), **params):
    return [rec(method, s, forget, test, params, {"role": "trial", "trial": number, "rule": rule}) for s in seeds]


REFS = [rec("original", 100, 80.0, 40.0, mark={"role": "reference"}),
        rec("retrain", 100, 35.0, 38.0, mark={"role": "reference"})]
TRIALS = [*trial("grad_ascent", 0, 75.0, 39.0, lr=5e-5), *trial("grad_ascent", 1, 38.0, 34.0, lr=1e-4),
          *trial("grad_ascent", 2, 36.0, 36.0, lr=2e-4),   # dominates trial 1: closer and more useful
          *trial("grad_ascent", 3, 34.0, 8.0, lr=4e-4),    # collapsed: test below half of 40
          *trial("finetune", 0, 60.0, 39.5, lr=5e-4), *trial("finetune", 1, 58.0, 37.0, lr=1e-3)]
MAIN = [r for s, (f, t) in enumerate([(36.0, 35.0), (40.0, 33.0), (38.0, 34.0)])
        for r in (rec("original", s, 80.0, 40.0), rec("retrain", s, 35.0 + s, 38.0),
                  rec("grad_ascent", s, f, t, {"lr": 2e-4}, preset={"file": "emoji_retrieval.yaml"}))]


def frontier(records=REFS + TRIALS + MAIN):
    (f,) = build_frontiers(records_frame(records))
    return f


def points(f, method):
    return {p.label: p for p in f.trials if p.method == method}


def test_every_trial_is_a_point_with_its_paired_gap_to_retrain():
    ga = points(frontier(), "grad_ascent")
    assert sorted(ga) == [f"trial {i}" for i in range(4)]
    assert ga["trial 1"].forgetting.mean == 3.0 and ga["trial 1"].utility.mean == 34.0
    assert ga["trial 0"].params == {"lr": 5e-5}  # only what the trials varied


def test_pareto_front_skips_dominated_and_collapsed_trials():
    ga = points(frontier(), "grad_ascent")
    assert ga["trial 3"].collapsed and not ga["trial 3"].on_front
    assert {label for label, p in ga.items() if p.on_front} == {"trial 0", "trial 2"}
    assert not ga["trial 1"].on_front


def test_summary_best_utility_within_tolerance_ignores_collapse_and_states_cost():
    f = frontier()
    assert f.tolerance == TOLERANCE * 100
    summaries = {s.method: s for s in f.summaries}
    ga, ft = summaries["grad_ascent"], summaries["finetune"]
    assert ga.best_within.mean == 36.0 and ga.collapsed_trials == 1  # trial 3 is closer but collapsed
    assert ft.best_within is None  # no trial near retrain's forgetting
    assert (ga.trials, ga.tuning_s, ft.trials, ft.tuning_s) == (4, 40.0, 2, 20.0)


def test_reported_rows_carry_an_interval_over_the_reported_seeds():
    (reported,) = [p for p in frontier().reported if p.method == "grad_ascent"]
    assert reported.label == "tuned preset" and reported.utility.n == 3
    assert reported.forgetting.mean == pytest.approx((1 + 4 + 1) / 3)  # |36-35|, |40-36|, |38-37|: per seed
    assert math.isfinite(reported.utility.half_width) and reported.utility.half_width > 0


def test_trials_of_two_tuning_seeds_get_an_interval():
    refs = REFS + [rec("original", 101, 80.0, 40.0, mark={"role": "reference"}),
                   rec("retrain", 101, 36.0, 38.0, mark={"role": "reference"})]
    f = frontier(refs + trial("finetune", 0, 37.0, 36.0, seeds=(100, 101), lr=5e-4))
    (p,) = f.trials
    assert p.forgetting.n == 2 and p.forgetting.mean == 1.5 and p.utility.half_width == 0.0


def test_markdown_states_cost_and_labels_oracle_tuning():
    text = render_frontier(build_frontiers(records_frame(REFS + TRIALS + trial("npo", 0, 36.0, 37.0, rule="oracle",
                                                                               beta=0.1))))
    assert "| grad\\_ascent " in text and "4 × 10 s = 40 s" in text
    assert "npo (ORACLE-tuned (the rule read the retrained reference))" in text
    assert "✗" in text and "★" in text
    assert render_frontier([]).startswith("No tuning trials")


def test_store_frame_keeps_tuning_records_out_of_the_tables(tmp_path):
    store = Store(tmp_path)
    for r in REFS + TRIALS + MAIN:
        store.put(r)
    store.close()
    assert set(frame(tmp_path)["seed"]) == {0, 1, 2}
    assert set(frame(tmp_path, trials=True)["seed"]) == {0, 1, 2, 100}
    assert build_tables(frame(tmp_path)) == build_tables(records_frame(MAIN))


def test_site_has_a_frontier_page_linked_from_the_index_with_user_strings_escaped(tmp_path):
    hostile = trial("x<b>y</b>", 0, 36.0, 37.0, lr=1e-3)
    df = records_frame(REFS + TRIALS + hostile + MAIN)
    index = write_site(build_tables(df), tmp_path / "site", {}, build_frontiers(df))
    assert 'href="frontier.html"' in index.read_text()
    page = (tmp_path / "site" / "frontier.html").read_text()
    assert "x&lt;b&gt;y&lt;/b&gt;" in page and "<b>y</b>" not in page
    assert "4 × 10 s = 40 s" in page and (tmp_path / "site" / "frontier-1.png").stat().st_size > 0


@pytest.mark.parametrize("rule, label", [("default", "(rule default,"),
                                         ("oracle", "(ORACLE rule, which read the retrained reference,")])
def test_rows_that_run_a_preset_say_so_and_oracle_presets_are_labelled(rule, label):
    source = {"file": "emoji_retrieval.yaml", "rule": rule, "trials_per_method": 6, "tuning_seeds": [100],
              "date": "2026-11-28", "code_version": {"commit": "abc"}}
    records = [rec("original", 0, 80.0, 40.0), rec("grad_ascent", 0, 40.0, 35.0, {"lr": 1e-4}, preset=source)]
    (table,) = build_tables(records_frame(records))
    (note,) = [n for n in table.notes if "runs a tuned preset" in n]
    assert note.startswith("grad_ascent runs a tuned preset: bench/presets/emoji_retrieval.yaml " + label)
    assert "6 trials per method on tuning seeds [100], 2026-11-28, code abc" in note
