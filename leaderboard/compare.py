"""``unlearnbench compare A B``: two leaderboards side by side, each a results dir (its
store) or a JSON leaderboard (schema ``unlearnbench.leaderboard/2`` or ``/3``).

What is compared: tables matched by (task, task params, forget spec), rows by (method, method
params); what is left unmatched on both sides is then paired by task and forget spec, or by
method, where exactly one is left on each side (so one suite run with two settings of a method
compares row to row). Cells: the composite score and the headline metrics
(``columns.HEADLINE`` and their gaps) both sides have; the report lists the cells that differ.

A difference B − A is *larger than its CIs* (marked ◆) when both sides have a 95% interval
(two seeds or more) and |B − A| > √(ci_A² + ci_B²), the half width of the difference's own
interval when A and B are independent runs with similar spread. No claim is made from a single
seed. A store compared with itself shows no difference at all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tabulate import tabulate

from bench.errors import UserError
from leaderboard.columns import COMPOSITE, HEADLINE, HEADLINE_GAPS, gap_metric
from leaderboard.formatting import MISSING, format_value
from leaderboard.frame import frame
from leaderboard.json_table import document
from leaderboard.labels import distinguishing_keys, params_label
from leaderboard.records import canonical
from leaderboard.table import build_tables

SCHEMAS = ("unlearnbench.leaderboard/2", "unlearnbench.leaderboard/3")
MARK = "◆"
COMPARED = {COMPOSITE} | HEADLINE | {gap_metric(m) for m in HEADLINE_GAPS}


@dataclass(frozen=True)
class Difference:
    table: str  # A's title (B's after an arrow where they differ)
    row: str  # A's label (B's after an arrow where they differ)
    metric: str
    a: dict  # {"mean", "ci95", "n"} as in the JSON schema
    b: dict

    @property
    def delta(self) -> float:
        return self.b["mean"] - self.a["mean"]

    @property
    def differs(self) -> bool:
        """Beyond float rounding (the same numbers summed in another order)."""
        return not math.isclose(self.a["mean"], self.b["mean"], rel_tol=1e-9, abs_tol=1e-12)

    @property
    def beyond_cis(self) -> bool:
        a, b = self.a["ci95"], self.b["ci95"]
        return (self.differs and a is not None and b is not None
                and abs(self.delta) > math.hypot(a, b))


def load(path: str | Path) -> dict:
    """A leaderboard document from a results dir or a JSON leaderboard file."""
    path = Path(path)
    if path.is_dir():
        return document(build_tables(frame(path)))
    if not path.is_file():
        raise UserError(f"{path}: no such results dir or JSON leaderboard.")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: not a JSON leaderboard ({exc}).") from None
    if not isinstance(doc, dict) or doc.get("schema") not in SCHEMAS:
        schema = doc.get("schema") if isinstance(doc, dict) else None
        raise UserError(f"{path}: schema {schema!r} is not one of {', '.join(SCHEMAS)}; write it "
                        f"with `unlearnbench leaderboard --format json`.")
    return doc


def differences(a: dict, b: dict) -> tuple[list[Difference], list[str]]:
    """(compared cells, lines about tables and rows found on one side only)."""
    found, unmatched = [], []
    tables = _match(a["tables"], b["tables"], _table_key,
                    lambda t: (t["task"], canonical(t["forget"])))
    for ta, tb in tables.pairs:
        title = _both(ta["title"], tb["title"])
        rows = _match(ta["rows"], tb["rows"], _row_key, lambda r: r["method"])
        metrics = [c["metric"] for c in ta["columns"] if c["metric"] in COMPARED
                   and c["metric"] in {c["metric"] for c in tb["columns"]}]
        for ra, rb in rows.pairs:
            found += [Difference(title, _row_name(ra, rb), m, ra["cells"][m],
                                 rb["cells"][m]) for m in metrics
                      if ra["cells"][m]["mean"] is not None and rb["cells"][m]["mean"] is not None]
        unmatched += [f"{title}: row {r['label']} only in {side}" for side, r in rows.alone]
    unmatched += [f"table {t['title']} only in {side}" for side, t in tables.alone]
    return found, unmatched


def compare(path_a: str | Path, path_b: str | Path) -> str:
    """The comparison report of two inputs; a bad input raises ``UserError`` (one line)."""
    a, b = load(path_a), load(path_b)
    try:
        return render_comparison(str(path_a), str(path_b), a, b)
    except (KeyError, TypeError, AttributeError) as exc:
        raise UserError(f"a leaderboard is malformed (missing or wrong field {exc}); write it "
                        f"again with `unlearnbench leaderboard --format json`.") from None


def render_comparison(a_name: str, b_name: str, a: dict, b: dict) -> str:
    found, unmatched = differences(a, b)
    changed = [d for d in found if d.differs]
    lines = [f"A = {a_name}", f"B = {b_name}", ""]
    for title in dict.fromkeys(d.table for d in changed):
        body = [[d.row, d.metric, _cell(d.metric, d.a), _cell(d.metric, d.b),
                 format_value(d.metric, d.delta), MARK if d.beyond_cis else ""]
                for d in changed if d.table == title]
        lines += [title, tabulate(body, headers=["Row", "Metric", "A", "B", "B − A", ""],
                                  disable_numparse=True), ""]
    lines += unmatched + ([""] if unmatched else [])
    beyond = sum(d.beyond_cis for d in found)
    lines.append(f"{len(found)} cells compared, {len(changed)} differ, {beyond} by more than "
                 f"their 95% CIs ({MARK}).")
    return "\n".join(lines) + "\n"


@dataclass
class _Matched:
    pairs: list[tuple[dict, dict]]
    alone: list[tuple[str, dict]]  # ("A" | "B", item)


def _match(a: list[dict], b: list[dict], exact: Callable, loose: Callable) -> _Matched:
    b_by_key = {exact(item): item for item in b}
    pairs = [(item, b_by_key.pop(exact(item))) for item in a if exact(item) in b_by_key]
    paired = {id(x) for pair in pairs for x in pair}
    rest_a = [x for x in a if id(x) not in paired]
    rest_b = list(b_by_key.values())
    for item in list(rest_a):
        same_a = [x for x in rest_a if loose(x) == loose(item)]
        same_b = [x for x in rest_b if loose(x) == loose(item)]
        if len(same_a) == len(same_b) == 1:
            pairs.append((item, same_b[0]))
            rest_a.remove(item)
            rest_b.remove(same_b[0])
    return _Matched(pairs, [("A", x) for x in rest_a] + [("B", x) for x in rest_b])


def _table_key(table: dict) -> tuple:
    return table["task"], canonical(table["task_params"]), canonical(table["forget"])


def _row_key(row: dict) -> tuple:
    return row["method"], canonical(row["method_params"])


def _row_name(a: dict, b: dict) -> str:
    """A's label; where the params differ, each side's with the params that differ."""
    if a["method_params"] == b["method_params"]:
        return a["label"]
    keys = distinguishing_keys([a["method_params"], b["method_params"]])
    return (f"{params_label(a['method'], a['method_params'], keys)} → "
            f"{params_label(b['method'], b['method_params'], keys)}")


def _both(a: str, b: str) -> str:
    return a if a == b else f"{a} → {b}"


def _cell(metric: str, cell: dict) -> str:
    if cell["mean"] is None:
        return MISSING
    mean = format_value(metric, cell["mean"])
    return mean if cell["ci95"] is None else f"{mean} ± {format_value(metric, cell['ci95'])}"
