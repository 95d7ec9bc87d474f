"""Record factories for leaderboard tests: real `bench.record.Record` objects, no models."""

from __future__ import annotations

import itertools

import pytest

from bench.record import Record

_ids = itertools.count()


def make_record(method: str, seed: int, metrics: dict | None = None, *, task: str = "toy",
                status: str = "ok", error: str = "", directions: dict | None = None) -> Record:
    cell = {"task": task, "task_params": {}, "method": method, "method_params": {},
            "forget": {"kind": "random", "fraction": 0.1}, "seed": seed, "attacks": []}
    return Record(cell_id=f"cell{next(_ids)}", cell=cell, status=status, error=error,
                  metrics=dict(metrics or {}), directions=dict(directions or {}))


@pytest.fixture
def rec():
    return make_record


@pytest.fixture
def grid():
    """Three seeds of original, retrain and two methods on one task, plus one failed run."""
    forget = {"original": [92.0, 90.0, 94.0], "retrain": [61.0, 58.0, 60.0],
              "scrub": [70.0, 66.0, 65.0], "neggrad": [40.0, 45.0, 50.0]}
    records = []
    for method, values in forget.items():
        for seed, value in enumerate(values):
            records.append(make_record(method, seed, {
                "forget.r_mean": value, "test.r_mean": 60.0 + seed, "retain.r_mean": 88.0,
                "auc.df_vs_dr": 0.5 + 0.01 * seed, "mia.loss_auc": 0.55,
                "cost.unlearn_s": 1.5 + seed, "cost.speedup": 10.0, "cost.peak_rss_mb": 900.0,
                "retention.joint_mse": 0.1,  # a metric no column names: ignored
            }))
    records.append(make_record("scrub", 3, status="failed", error="RuntimeError: boom\n" + "x" * 500))
    return records
