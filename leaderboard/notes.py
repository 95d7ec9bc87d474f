"""The notes under a table: how to read it, where its times were measured, what failed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bench.record import FAILED, FLAGGED
from leaderboard.columns import Column, is_gap
from leaderboard.flags import FLAG_RULES
from leaderboard.records import done, seed, value_order

RECALL_METRIC = re.compile(r"\.(r_mean|(a2b|b2a)_r\d+)$")
RECALL_NOTE = ("Recall@K (R̄ = mean Recall@K, in percent) is measured at equal gallery size "
               "(|D_f| items) on forget, retain and test, so the three splits are comparable.")
INTERVAL_NOTE = ("± is the half width of a two-sided 95% Student-t interval over seeds; a value "
                 "without ± comes from a single seed.")
ARROW_NOTE = ("↑ higher is better, ↓ lower is better, ≈R closest to the retrained reference "
              "(retrain) is best, · reported but not ranked.")
GAP_NOTE = ("Δ columns (gap.<metric>) are paired per seed: the method's value minus retrain's on "
            "the same seed; 0 is best.")
CACHE_NOTE = ("Speedup uses reference training times read from a model cache (measured when the "
              "cache was built, possibly on other hardware).")
ERROR_CHARS = 160


def table_notes(columns: Sequence[Column], rows: Sequence[Any],
                row_records: Sequence[list[Any]], extra: Sequence[str]) -> list[str]:
    """``rows`` in display order, ``row_records`` each row's records (failed ones included);
    ``extra`` are notes from building the columns and choosing the reference rows."""
    notes = []
    if any(RECALL_METRIC.search(c.metric) for c in columns if not is_gap(c.metric)):
        notes.append(RECALL_NOTE)
    notes += [INTERVAL_NOTE, ARROW_NOTE]
    if any(is_gap(c.metric) for c in columns):
        notes.append(GAP_NOTE)
    raised = {flag for row in rows for flag in row.flags}
    notes += [rule for flag, rule in FLAG_RULES.items() if flag in raised]
    notes += extra
    records = [r for group in row_records for r in group]
    if any(_manifest(r).get("reference_time") == "cache" for r in records):
        notes.append(CACHE_NOTE)
    hardware = sorted({_hardware(r) for r in done(records)})
    if hardware:
        notes.append("Measured on: " + "; ".join(hardware) + ".")
    for row, group in zip(rows, row_records):
        for r in sorted(group, key=lambda r: value_order(seed(r))):
            if r.status in (FAILED, FLAGGED):
                reason = r.error or ", ".join(r.flags)
                notes.append(f"{row.label} (seed {seed(r)}) {r.status}: {_truncate(reason)}")
    return notes


def _manifest(record: Any) -> dict:
    return getattr(record, "manifest", None) or {}


def _hardware(record: Any) -> str:
    """Where a record's times were measured (times only compare on the same machine)."""
    hw = _manifest(record).get("hardware", {})
    host = f"CPU {hw.get('cpu') or 'unknown'}, {hw.get('torch_threads', '?')} torch threads"
    return f"GPU {hw['gpu']}, {host}" if hw.get("gpu") else host


def _truncate(text: str) -> str:
    text = re.sub(r"\s+", " ", str(text or "")).strip() or "(no error text)"
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"
