"""A results store as one portable JSON file (``unlearnbench export`` / ``import``).

A submitter exports the records of a run, with their manifests (method origin, source hash and
package version, hardware, code commit), and sends the file; a maintainer imports it into a
results dir, renders the leaderboard from it, and re-runs the same suite to compare. The file
holds the store's schema version and is refused, with the reason, if it is not such a file or
was written by another schema version. Import never overwrites: a record whose cell id is
already in the store is kept as it is there (and counted). A path ending in ``.gz`` is written
and read gzip-compressed (the tuning trials shipped beside the presets: about a tenth the size).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, fields
from pathlib import Path

from bench.errors import UserError
from bench.record import FAILED, FLAGGED, OK, Record
from bench.store import SCHEMA_VERSION, Store

FORMAT = "unlearnbench-results"


def export_records(store: Store, path: Path | str) -> int:
    """Writes every record of ``store`` to ``path`` (atomically); returns how many."""
    return write_records(store.records(), path)


def write_records(records: list[Record], path: Path | str) -> int:
    """Writes ``records`` to ``path`` as an exported file (atomically); returns how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    text = json.dumps({"format": FORMAT, "schema_version": SCHEMA_VERSION,
                       "records": [asdict(r) for r in records]}, sort_keys=True, default=str)
    # mtime=0: the same records give the same bytes, so a shipped file changes only with them
    tmp.write_bytes(gzip.compress(text.encode(), mtime=0) if _gzipped(path) else text.encode())
    tmp.replace(path)
    return len(records)


def read_records(path: Path | str) -> list[Record]:
    """The records of an exported file, each checked for the fields a record has."""
    try:
        raw = Path(path).read_bytes()
        data = json.loads(gzip.decompress(raw) if _gzipped(Path(path)) else raw)
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: cannot read it as an exported results file ({type(exc).__name__}); "
                        "give a file written by `unlearnbench export`.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError(f"{path}: not an unlearnbench results file (written by `unlearnbench export`).")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise UserError(f"{path}: written with results schema {data.get('schema_version')}, this "
                        f"unlearnbench reads {SCHEMA_VERSION}; export it again with this version.")
    return [_record(raw, i, path) for i, raw in enumerate(data.get("records", []))]


def _gzipped(path: Path) -> bool:
    return path.suffix == ".gz"


def _record(raw, i: int, path) -> Record:
    names = {f.name for f in fields(Record)}
    problem = ""
    if not isinstance(raw, dict) or set(raw) != names:
        problem = f"fields must be {', '.join(sorted(names))}"
    elif raw["status"] not in (OK, FAILED, FLAGGED):
        problem = f"unknown status {raw['status']!r}"
    elif not isinstance(raw["cell"], dict) or not {"task", "method", "seed"} <= set(raw["cell"]):
        problem = "its cell lacks task, method or seed"
    elif not all(isinstance(v, (int, float)) for v in raw["metrics"].values()):
        problem = "a metric is not a number"
    if problem:
        raise UserError(f"{path}: record {i} is malformed ({problem}); nothing was imported.")
    return Record(**raw)


def import_records(store: Store, records: list[Record]) -> tuple[int, int]:
    """Adds ``records`` (from ``read_records``, which checks them all) to ``store``:
    (imported, kept because their cell id was already there)."""
    imported = kept = 0
    for record in records:
        if store.get(record.cell_id) is not None:
            kept += 1
            continue
        store.put(record)
        imported += 1
    return imported, kept
