"""Tuning records like a store holds them: the original and retrain rows of a tuning seed and
gradient-ascent trials, with the figures measured on emoji_retrieval (issue 13)."""

from bench.record import FAILED, OK, Record
from bench.tuning.evidence import TUNING

CELL = {"task": "emoji_retrieval", "task_params": {}, "forget": {"kind": "random", "fraction": 0.1, "count": None},
        "device": "cpu", "precision": "fp32", "attacks": {"validation": {}}}
# original: forget 80.6, held out 39.0 (val and test); retrain forgets down to 34.6
ORIGINAL = {"forget.r_mean": 80.6, "val.r_mean": 39.0, "test.r_mean": 39.0, "retain.r_mean": 80.0}
RETRAIN = {"forget.r_mean": 34.6, "val.r_mean": 37.5, "test.r_mean": 37.8, "retain.r_mean": 79.0}
# lr -> metrics: 4e-4 collapsed (forget 10.7 vs test 8.6); 1e-4 is the one to pick
SWEEP = {
    2e-5: {"forget.r_mean": 76.0, "val.r_mean": 39.2, "test.r_mean": 39.1, "retain.r_mean": 79.5},
    5e-5: {"forget.r_mean": 63.0, "val.r_mean": 38.4, "test.r_mean": 38.0, "retain.r_mean": 76.0},
    1e-4: {"forget.r_mean": 42.5, "val.r_mean": 34.5, "test.r_mean": 34.0, "retain.r_mean": 70.0},
    2e-4: {"forget.r_mean": 24.0, "val.r_mean": 21.0, "test.r_mean": 20.5, "retain.r_mean": 41.0},
    4e-4: {"forget.r_mean": 10.7, "val.r_mean": 8.9, "test.r_mean": 8.6, "retain.r_mean": 11.0},
}


def record(method, seed, metrics, params=None, role="trial", trial=None, status=OK):
    cell = {**CELL, "method": method, "method_params": params or {}, "seed": seed}
    mark = {"role": role, **({"trial": trial, "study": "s"} if role == "trial" else {})}
    return Record(f"{method}-{seed}-{trial}", cell, status, metrics=metrics,
                  manifest={TUNING: mark, "timings": {"cell_s": 10.0}})


def sweep_records(sweep=SWEEP, seeds=(100,), original=ORIGINAL, retrain=RETRAIN):
    rows = []
    for seed in seeds:
        rows += [record("original", seed, dict(original), role="reference"),
                 record("retrain", seed, dict(retrain), role="reference")]
        for number, (lr, metrics) in enumerate(sweep.items()):
            rows.append(record("grad_ascent", seed, dict(metrics), {"epochs": 2, "lr": lr}, trial=number,
                               status=FAILED if metrics is None else OK))
    return rows
