"""The results frame: one row per record, metrics as columns, spec fields flattened."""

import math

import pandas as pd
import pytest

import leaderboard
from bench.errors import UserError
from bench.store import Store
from leaderboard import build_tables, frame, records_frame


@pytest.fixture
def store_dir(grid, rec, tmp_path):
    grid.append(rec("scrub", 9, {"forget.r_mean": float("nan")}, method_params={"alpha": 0.5},
                    manifest={"code_commit": "abc", "packages": {"unlearnbench": "0.1.0"},
                              "hardware": {"cpu": "Test CPU", "torch_threads": 2}}))
    store = Store(tmp_path)
    for record in grid:
        store.put(record)
    store.close()
    return tmp_path


def test_one_row_per_record_with_metrics_as_columns(store_dir, grid):
    df = frame(store_dir)
    assert isinstance(df, pd.DataFrame) and len(df) == len(grid)  # the fixture added one
    assert leaderboard.frame is frame
    assert {"cell_id", "task", "method", "seed", "status", "error", "flags", "hardware"} <= set(df)
    assert df.attrs["metrics"] == sorted(df.attrs["metrics"])
    assert "forget.r_mean" in df.attrs["metrics"] and df["forget.r_mean"].dtype == float
    scrub = df[(df.method == "scrub") & (df.seed == 0)].iloc[0]
    assert scrub["forget.r_mean"] == 70.0
    # notebook-style use
    means = df[df.status != "failed"].groupby("method")["forget.r_mean"].mean()
    assert means["retrain"] == pytest.approx(59.6667, abs=1e-4)


def test_spec_fields_are_flattened_and_provenance_is_read(store_dir):
    df = frame(store_dir)
    row = df[df.seed == 9].iloc[0]
    assert row["method_params.alpha"] == 0.5 and row["method_params"] == {"alpha": 0.5}
    assert row["forget_spec.kind"] == "random" and row["forget_spec.fraction"] == 0.1
    assert (row["commit"], row["version"]) == ("abc", "0.1.0")
    assert row["hardware"] == "CPU Test CPU, 2 torch threads"
    assert math.isnan(row["forget.r_mean"]) and "forget.r_mean" in row["reported"]
    assert math.isnan(row["test.r_mean"]) and "test.r_mean" not in row["reported"]


def test_tables_from_the_frame_equal_tables_from_records(store_dir):
    stored = Store(store_dir, create=False)
    records = stored.records()
    stored.close()
    assert build_tables(frame(store_dir)) == build_tables(records)


def test_no_store_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no results"):
        frame(tmp_path / "none")


def test_empty_frame_has_the_base_columns():
    df = records_frame([])
    assert df.empty and df.attrs["metrics"] == [] and "table_key" in df
    assert build_tables(df) == []
