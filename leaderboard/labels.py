"""Readable names for tables and rows: show only the params that tell configurations apart.

Params are resolved, defaults included, so listing all of them would bury the one that
differs; a label lists the keys whose values differ among the tables of the same task (or the
rows of the same method), and nothing when there is only one setting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from leaderboard.records import canonical

_ABSENT = object()  # a key one params dict lacks differs from every value another gives it


def distinguishing_keys(params: Iterable[Mapping[str, Any]]) -> list[str]:
    """Keys whose value is not the same in every one of the dicts, sorted."""
    params = list(params)
    keys = sorted({k for p in params for k in p})
    return [k for k in keys
            if len({canonical(p[k]) if k in p else _ABSENT for p in params}) > 1]


def params_label(name: str, params: Mapping[str, Any], keys: Iterable[str]) -> str:
    """``name (k=v, ...)`` over the given keys the params have; just ``name`` when none."""
    shown = [f"{k}={value_text(params[k])}" for k in keys if k in params]
    return f"{name} ({', '.join(shown)})" if shown else name


def table_title(task: str, task_params: Mapping[str, Any], forget: Mapping[str, Any],
                keys: Iterable[str]) -> str:
    """E.g. ``emoji_retrieval · forget random 10%`` or ``t (epochs=15) · forget random n=50``."""
    return f"{params_label(task, task_params, keys)} · {forget_text(forget)}"


def forget_text(forget: Mapping[str, Any]) -> str:
    """``forget <kind> <size>`` and any further settings; ``count`` wins over ``fraction`` (as
    in ``ForgetSpec``), so only the one in effect is shown."""
    parts = ["forget", str(forget.get("kind", "?"))]
    if forget.get("count") is not None:
        parts.append(f"n={value_text(forget['count'])}")
    elif isinstance(forget.get("fraction"), (int, float)):
        parts.append(f"{forget['fraction'] * 100:g}%")
    parts += [f"{k}={value_text(v)}" for k, v in sorted(forget.items())
              if k not in ("kind", "count", "fraction") and v is not None]
    return " ".join(parts)


def value_text(value: Any) -> str:
    """Strings bare, everything else as compact JSON (floats keep every digit, so two
    settings never print alike)."""
    return value if isinstance(value, str) else canonical(value)
