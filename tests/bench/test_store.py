import sqlite3

import pytest

from bench.errors import UserError
from bench.record import FAILED, OK, Record
from bench.store import SCHEMA_VERSION, Store


def _record(cell_id="c1", status=OK, **metrics):
    cell = {"task": "t", "method": "m", "seed": 3, "task_params": {"n": 1}}
    return Record(cell_id, cell, status, "" if status == OK else "boom", dict(metrics),
                  {k: "higher" for k in metrics}, {"code_commit": "abc"})


def test_round_trip(tmp_path):
    store = Store(tmp_path)
    rec = _record(**{"test.r_mean": 41.5, "cost.unlearn_s": float("nan")})
    store.put(rec)
    store.close()
    again = Store(tmp_path, create=False).get("c1")
    assert again.cell == rec.cell and again.status == OK and again.manifest == rec.manifest
    assert again.metrics["test.r_mean"] == 41.5
    assert again.metrics["cost.unlearn_s"] != again.metrics["cost.unlearn_s"]  # NaN survives
    assert (again.task, again.method, again.seed) == ("t", "m", 3)


def test_put_replaces_a_failed_record(tmp_path):
    store = Store(tmp_path)
    store.put(_record(status=FAILED))
    store.put(_record(**{"x": 1.0}))
    assert [r.status for r in store.records()] == [OK]


def test_missing_store_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no results"):
        Store(tmp_path / "nothing", create=False)
    assert not (tmp_path / "nothing").exists()


def test_other_schema_version_is_refused(tmp_path):
    Store(tmp_path).close()
    with sqlite3.connect(tmp_path / "results.sqlite") as db:
        db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(UserError, match="schema version"):
        Store(tmp_path)
