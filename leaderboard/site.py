"""The static HTML site: ``index.html`` (``html_page``) and its plots (``plots``) in one
directory, written whole or not at all.

The site is built in a temporary directory beside the target and moved into place at the
end, so an error (or a Ctrl-C) never leaves a half-written site, and an existing site is
replaced only by a complete new one.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from leaderboard.frontier import Frontier
from leaderboard.frontier_page import render_frontier_page
from leaderboard.frontier_plot import write_frontier_plot
from leaderboard.html_page import render_html
from leaderboard.plots import write_plots
from leaderboard.sequential import step_views
from leaderboard.step_plot import write_step_plot
from leaderboard.table import Table

FRONTIER_PAGE = "frontier.html"


def provenance(df: pd.DataFrame) -> dict[str, str]:
    """Footer facts: unlearnbench version(s) and code commit(s) from the records' manifests,
    the hardware they were measured on, and when the page was generated (UTC)."""
    def values(column: str) -> str:
        found = sorted({str(v) for v in df[column]}) if column in df else []
        return ", ".join(found) or "unknown"

    return {"unlearnbench": values("version"), "code commit": values("commit"),
            "hardware": values("hardware"),
            "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def write_site(tables: Sequence[Table], out_dir: str | Path,
               facts: dict[str, str] | None = None, frontiers: Sequence[Frontier] = ()) -> Path:
    """Write the site into ``out_dir`` (replacing what is there); returns its index.html.
    ``facts`` are the footer's provenance (``provenance(df)``); ``frontiers``, when a tuning
    run is in the store, add ``frontier.html`` and its pictures (``leaderboard.frontier``)."""
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    work.chmod(0o755)  # mkdtemp's 0700 would hide the site from a web server
    try:
        plots = []
        for i, table in enumerate(tables, 1):
            written = write_plots(table, work / f"table-{i}")
            plots.append({kind: path.name for kind, path in written.items()})
        views = step_views(tables)
        step_plots = [write_step_plot(view, work / f"steps-{i}.png") for i, view in enumerate(views, 1)]
        if frontiers:
            pictures = [write_frontier_plot(f, work / f"frontier-{i}.png").name for i, f in enumerate(frontiers, 1)]
            (work / FRONTIER_PAGE).write_text(render_frontier_page(frontiers, pictures, facts or {}), encoding="utf-8")
        html = render_html(tables, plots, facts or {},
                           [(view, path.name if path else None) for view, path in zip(views, step_plots)],
                           [(FRONTIER_PAGE, "Forgetting–utility frontier of the tuning trials")] if frontiers else [])
        (work / "index.html").write_text(html, encoding="utf-8")
        _replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out / "index.html"


def _replace(new: Path, out: Path) -> None:
    """Move ``new`` to ``out``; an existing ``out`` is moved aside first and removed after."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} exists and is not a directory")
    old = out.with_name(f".{out.name}.old") if out.exists() else None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
    new.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
