"""The notes under a table: how to read it, where its times were measured, what failed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from bench.record import FAILED, FLAGGED
from leaderboard.columns import COMPOSITE, Column, is_gap
from leaderboard.flags import FLAG_RULES
from leaderboard.formatting import HARDWARE_MARK
from leaderboard.records import done, value_order

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
COMPOSITE_NOTE = ("Score: mean normalized gap to retrain, the mean over seeds of ½·(forgetting) + "
                  "½·(utility), each the mean of |method − retrain| on the same seed divided by "
                  "the metric's full scale (100 for recall in %, 1 for AUCs and accuracies); 0 is "
                  "retrain, lower is better. Rows are sorted by it (# is the rank); collapsed "
                  "rows are ranked after healthy ones.")
ERROR_CHARS = 160


def table_notes(columns: Sequence[Column], rows: Sequence[Any],
                row_records: Sequence[pd.DataFrame], extra: Sequence[str],
                main_hardware: str) -> list[str]:
    """``rows`` in display order, ``row_records`` each row's frame rows (failed ones
    included); ``extra`` are notes from building the columns and choosing the reference rows;
    ``main_hardware`` is where most of the table was measured."""
    notes = [COMPOSITE_NOTE] if any(c.metric == COMPOSITE for c in columns) else []
    if any(RECALL_METRIC.search(c.metric) for c in columns if not is_gap(c.metric)):
        notes.append(RECALL_NOTE)
    notes += [INTERVAL_NOTE, ARROW_NOTE]
    if any(is_gap(c.metric) for c in columns):
        notes.append(GAP_NOTE)
    raised = {flag for row in rows for flag in row.flags}
    notes += [rule for flag, rule in FLAG_RULES.items() if flag in raised]
    notes += extra
    records = pd.concat(row_records) if row_records else pd.DataFrame()
    if any(m.get("reference_time") == "cache" for m in records.get("manifest", [])):
        notes.append(CACHE_NOTE)
    hardware = sorted(set(done(records)["hardware"])) if not records.empty else []
    if hardware:
        notes.append("Measured on: " + "; ".join(hardware) + ".")
    if len(hardware) > 1:
        notes.append(f"{HARDWARE_MARK} marks cost cells of rows measured (partly) on other "
                     f"hardware than {main_hardware}; their times do not compare with the rest.")
    for row, group in zip(rows, row_records):
        external = sorted({p for p in group.get("provenance", []) if p and not p.startswith("built-in")})
        if external:  # a submitted method: say where its code came from
            notes.append(f"{row.label} is not built in: {'; '.join(external)}.")
    for row, group in zip(rows, row_records):
        presets = sorted({preset_text(m["preset"]) for m in group.get("manifest", []) if (m or {}).get("preset")})
        if presets:  # its parameters came from `unlearnbench tune`, not from the constructor
            notes.append(f"{row.label} runs a tuned preset: {'; '.join(presets)}.")
    for row, group in zip(rows, row_records):
        for _, r in group.sort_values("seed", key=_seed_order).iterrows():
            if r["status"] in (FAILED, FLAGGED):
                reason = r["error"] or ", ".join(r["flags"])
                notes.append(f"{row.label} (seed {r['seed']}) {r['status']}: {_truncate(reason)}")
    return notes


def preset_text(source: dict) -> str:
    """Where a tuned preset came from (``bench.tuning.presets``); an oracle rule says so."""
    rule = source.get("rule")
    rule_text = "ORACLE rule, which read the retrained reference" if rule == "oracle" else f"rule {rule}"
    commit = str((source.get("code_version") or {}).get("commit", "unknown"))[:12]
    return (f"bench/presets/{source.get('file')} ({rule_text}, {source.get('trials_per_method')} trials per "
            f"method on tuning seeds {source.get('tuning_seeds')}, {source.get('date')}, code {commit})")


def _seed_order(seeds: pd.Series) -> pd.Series:
    return seeds.map(value_order)


def _truncate(text: str) -> str:
    text = re.sub(r"\s+", " ", str(text or "")).strip() or "(no error text)"
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"
