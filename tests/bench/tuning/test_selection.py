"""The selection rules on trial records like the issue's gradient-ascent learning-rate sweep."""

import math
from collections.abc import Mapping

import pytest

from bench.errors import UserError
from bench.tuning.evidence import config_of, gather
from bench.tuning.selection import MAX_UTILITY_LOSS, RULES, get_rule, select

from tuning_records import CELL, SWEEP, record, sweep_records

CONFIG = config_of(CELL)


def pick(records, rule="default"):
    trials, references = gather(records, CONFIG, "grad_ascent")
    chosen = select(trials, references, RULES[rule])
    return None if chosen is None else chosen[0].params["lr"]


def test_default_rule_picks_lr_1e4_and_never_the_collapsed_trial():
    assert pick(sweep_records()) == 1e-4


def test_the_unlearned_models_own_held_out_target_would_pick_collapse():
    """Why the target is the original's: |forget − own val| is smallest at the collapsed lr."""
    own = {lr: abs(m["forget.r_mean"] - m["val.r_mean"]) for lr, m in SWEEP.items()}
    assert min(own, key=own.get) == 4e-4


def test_a_collapsed_trial_closest_to_the_target_is_still_not_selected():
    sweep = {**SWEEP, 4e-4: {"forget.r_mean": 39.0, "val.r_mean": 8.9, "retain.r_mean": 11.0}}
    trials, references = gather(sweep_records(sweep), CONFIG, "grad_ascent")
    scores = {t.params["lr"]: RULES["default"].score(t, references) for t in trials}
    # its forgetting term is 0, but it drifted 30.1 points of validation and 69 of retain utility
    assert scores[4e-4].distance == pytest.approx(0.5 * 0.0 + 0.5 * (30.1 + 69.0) / 2)
    assert not scores[4e-4].feasible
    assert scores[4e-4].objective > max(s.objective for s in scores.values() if s.feasible)
    assert pick(sweep_records(sweep)) == 1e-4


def test_retain_utility_alone_can_make_a_trial_infeasible():
    sweep = {1e-4: {**SWEEP[1e-4], "retain.r_mean": 80.0 * (1 - MAX_UTILITY_LOSS) - 1}, 5e-5: SWEEP[5e-5]}
    assert pick(sweep_records(sweep)) == 5e-5


def test_no_feasible_trial_selects_nothing_and_a_failed_seed_is_infeasible():
    assert pick(sweep_records({4e-4: SWEEP[4e-4], 2e-4: SWEEP[2e-4]})) is None
    records = sweep_records({1e-4: SWEEP[1e-4], 5e-5: SWEEP[5e-5]}, seeds=(100, 101))
    records = [r for r in records if not (r.seed == 101 and r.cell["method_params"].get("lr") == 1e-4)]
    records.append(record("grad_ascent", 101, {}, {"epochs": 2, "lr": 1e-4}, trial=0, status="failed"))
    trials, references = gather(records, CONFIG, "grad_ascent")
    assert RULES["default"].score(trials[0], references).reason == "failed on a tuning seed"
    assert pick(records) == 5e-5


def test_distance_is_half_forgetting_half_utility_drift_over_the_tuning_seeds():
    """Forgetting: the mean over seeds of |forget − the original's validation| = (3.5 + 4.5) / 2;
    utility: the mean over validation and retain of |trial − original| = (|34.5 − 38.5| +
    |70 − 80|) / 2 = 7; distance = ½ · 4 + ½ · 7."""
    records = sweep_records({1e-4: SWEEP[1e-4]}, seeds=(100, 101))
    records[3].metrics["val.r_mean"] = 38.0  # seed 101's original row
    trials, references = gather(records, CONFIG, "grad_ascent")
    score = RULES["default"].score(trials[0], references)
    assert score.distance == pytest.approx(0.5 * 4.0 + 0.5 * 7.0)


def test_of_two_trials_that_forget_alike_the_one_that_keeps_more_utility_is_selected():
    keeps = {"forget.r_mean": 42.5, "val.r_mean": 37.0, "retain.r_mean": 78.0}
    loses = {"forget.r_mean": 42.5, "val.r_mean": 30.0, "retain.r_mean": 60.0}  # within the limit
    assert pick(sweep_records({2e-4: loses, 1e-4: keeps})) == 1e-4


def test_oracle_aims_at_the_retrained_forget_metric_and_is_labelled():
    sweep = {**SWEEP, 1.5e-4: {"forget.r_mean": 35.0, "val.r_mean": 33.0, "retain.r_mean": 66.0}}
    assert pick(sweep_records(sweep), "default") == 1e-4  # 42.5 is closest to 39.0
    assert pick(sweep_records(sweep), "oracle") == 1.5e-4  # 35.0 is closest to 34.6
    assert "ORACLE" in RULES["oracle"].label and "retrain" in RULES["oracle"].label
    with pytest.raises(UserError, match="unknown selection rule"):
        get_rule("best")


class Watched(Mapping):
    """A record's metrics that log every name read; iterating would read them all."""

    def __init__(self, values, reads, owner):
        self._values, self._reads, self._owner = values, reads, owner

    def __getitem__(self, name):
        self._reads.append((self._owner, name))
        return self._values[name]

    def __iter__(self):
        self._reads.append((self._owner, "*"))
        return iter(self._values)

    def __len__(self):
        return len(self._values)


def test_default_rule_never_reads_test_metrics_nor_the_retrained_reference():
    reads = []
    records = sweep_records(seeds=(100, 101))
    for r in records:
        r.metrics = Watched(r.metrics, reads, r.method)
    assert pick(records) == 1e-4
    assert reads, "the watch saw nothing"
    assert not [name for _, name in reads if name.startswith("test.") or name == "*"]
    assert not [owner for owner, _ in reads if owner == "retrain"]
    reads.clear()
    pick(records, "oracle")
    assert any(owner == "retrain" for owner, _ in reads)  # the watch does see the reference


def test_a_trial_without_validation_metrics_is_never_selected():
    sweep = {1e-4: {k: v for k, v in SWEEP[1e-4].items() if k != "val.r_mean"}}
    trials, references = gather(sweep_records(sweep), CONFIG, "grad_ascent")
    score = RULES["default"].score(trials[0], references)
    assert not score.feasible and "validation attack" in score.reason and math.isfinite(score.objective)
