"""Record factories for leaderboard tests: real `bench.record.Record` objects, no models."""

from __future__ import annotations

import itertools

import pytest

from bench.record import Record

_ids = itertools.count()
RANDOM_10 = {"kind": "random", "fraction": 0.1, "count": None}
# What the tasks and attacks declare for the grid's metrics (Record.directions).
DIRECTIONS = {
    "forget.r_mean": "retrain", "auc.df_vs_dr": "retrain", "mia.loss_auc": "retrain",
    "test.r_mean": "higher", "retain.r_mean": "higher", "retention.joint_mse": "lower",
    "delta.l2": "info", "cost.unlearn_s": "lower", "cost.speedup": "higher",
    "cost.peak_rss_mb": "lower",
}


def make_record(method: str, seed: int, metrics: dict | None = None, *, task: str = "toy",
                status: str = "ok", error: str = "", directions: dict | None = None,
                method_params: dict | None = None, task_params: dict | None = None,
                forget: dict | None = None, flags: list | None = None,
                manifest: dict | None = None) -> Record:
    """A record in the shape ``CellSpec.to_dict()`` gives its cell."""
    cell = {"task": task, "task_params": dict(task_params or {}), "method": method,
            "method_params": dict(method_params or {}), "forget": dict(forget or RANDOM_10),
            "seed": seed, "attacks": {}, "device": "cpu", "precision": "fp32"}
    return Record(cell_id=f"cell{next(_ids)}", cell=cell, status=status, error=error,
                  metrics=dict(metrics or {}), directions=dict(directions or {}),
                  manifest=dict(manifest or {}), flags=list(flags or []))


@pytest.fixture
def rec():
    return make_record


@pytest.fixture
def grid():
    """Three seeds of original, retrain and two methods on one task, plus one failed run."""
    forget = {"original": [92.0, 90.0, 94.0], "retrain": [61.0, 58.0, 60.0],
              "scrub": [70.0, 66.0, 65.0], "neggrad": [40.0, 45.0, 50.0]}
    delta = {"original": 0.0, "retrain": 1.0, "scrub": 0.02, "neggrad": 0.3}
    records = []
    for method, values in forget.items():
        for seed, value in enumerate(values):
            metrics = {
                "forget.r_mean": value, "test.r_mean": 60.0 + seed, "retain.r_mean": 88.0,
                "auc.df_vs_dr": 0.5 + 0.01 * seed, "mia.loss_auc": 0.55,
                "retention.joint_mse": 0.1, "delta.l2": delta[method],
                "cost.unlearn_s": 1.5 + seed, "cost.speedup": 10.0, "cost.peak_rss_mb": 900.0,
            }
            records.append(make_record(method, seed, metrics, directions=DIRECTIONS))
    records.append(make_record("scrub", 3, status="failed", error="RuntimeError: boom\n" + "x" * 500))
    return records


HOSTILE = "x<b>y</b>|$_&%"  # markup of HTML, markdown, LaTeX and CSV at once


@pytest.fixture
def hostile():
    """The showcase's hostile method name."""
    return HOSTILE


@pytest.fixture
def showcase(grid):
    """The grid, measured on one machine, plus what a published leaderboard must show: a
    hostile method name, a collapsed row, an early stop, and a row timed on other hardware."""
    here = {"code_commit": "abc1234", "packages": {"unlearnbench": "0.1.0"},
            "hardware": {"cpu": "Test CPU", "torch_threads": 2}}
    elsewhere = {**here, "hardware": {"cpu": "Other CPU", "torch_threads": 8}}
    for record in grid:
        record.manifest = dict(here)
    extra = {HOSTILE: ([75.0, 72.0, 74.0], [58.0, 60.0, 61.0], here, []),
             "broken": ([1.0, 2.0, 1.5], [1.0, 2.0, 1.0], here, []),
             "slow": ([62.0, 60.0, 59.0], [59.0, 60.0, 62.0], here, ["early stop"]),
             "remote": ([66.0, 64.0, 63.0], [60.0, 61.0, 62.0], elsewhere, [])}
    for method, (forget, test, manifest, flags) in extra.items():
        for seed in range(3):
            metrics = {"forget.r_mean": forget[seed], "test.r_mean": test[seed],
                       "retain.r_mean": 85.0 + seed, "auc.df_vs_dr": 0.52 + 0.01 * seed,
                       "mia.loss_auc": 0.56, "retention.joint_mse": 0.2, "delta.l2": 0.05,
                       "cost.unlearn_s": 2.0 + seed, "cost.speedup": 8.0,
                       "cost.peak_rss_mb": 950.0 + 10 * seed}
            grid.append(make_record(method, seed, metrics, directions=DIRECTIONS,
                                    manifest=manifest, flags=flags if seed == 1 else [],
                                    status="flagged" if flags and seed == 1 else "ok"))
    return grid
