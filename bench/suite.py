"""Suites: a YAML file (or a built-in name) that expands into cells.

    name: quick
    tasks: {emoji_retrieval: {}, molecule_retrieval: {n_compounds: 6000}}
    methods: {retrain: {}, multidelete: {lr: 5.0e-4}}
    forget: {kind: random, fraction: 0.1}
    seeds: [0, 1, 2]
    attacks: [df_dr_auc, mia_loss]
    budget_s: 900          # per-cell unlearning budget, the same for every method

Everything is validated while expanding, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.errors import UserError
from bench.registry import ATTACKS, METHODS, TASKS
from bench.spec import CellSpec
from bench.splits import ForgetSpec

BUILTIN_DIR = Path(__file__).parent / "suites"
KEYS = {"name", "tasks", "methods", "forget", "seeds", "attacks", "budget_s"}


@dataclass
class Suite:
    name: str
    tasks: dict[str, dict[str, Any]]
    methods: dict[str, dict[str, Any]]
    forget: ForgetSpec
    seeds: list[int]
    attacks: list[str]
    budget_s: float


def builtin_suites() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def load_suite(name_or_path: str) -> Suite:
    path = Path(name_or_path)
    if not path.suffix and (BUILTIN_DIR / f"{name_or_path}.yaml").exists():
        path = BUILTIN_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        raise UserError(
            f"suite {name_or_path!r} is neither a built-in suite ({', '.join(builtin_suites())}) "
            "nor an existing YAML file; check the name or the path."
        )
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({str(exc).splitlines()[0]}).") from None
    return parse_suite(raw, str(path))


def parse_suite(raw: Any, where: str) -> Suite:
    if not isinstance(raw, dict):
        raise UserError(f"{where}: a suite must be a YAML mapping with keys {', '.join(sorted(KEYS))}.")
    unknown = set(raw) - KEYS
    if unknown:
        raise UserError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(KEYS))}.")
    forget = raw.get("forget", {})
    if not isinstance(forget, dict):
        raise UserError(f"{where}: 'forget' must be a mapping such as {{kind: random, fraction: 0.1}}.")
    try:
        forget_spec = ForgetSpec(**forget)
    except TypeError:
        raise UserError(f"{where}: 'forget' takes kind, fraction and count; got {sorted(forget)}.") from None
    return Suite(
        name=str(raw.get("name", Path(where).stem)),
        tasks=_named_params(raw.get("tasks"), "tasks", where),
        methods=_named_params(raw.get("methods"), "methods", where),
        forget=forget_spec,
        seeds=parse_seeds(raw.get("seeds", [0])),
        attacks=list(raw.get("attacks") or []),
        budget_s=float(raw.get("budget_s", 900)),
    )


def _named_params(value: Any, key: str, where: str) -> dict[str, dict[str, Any]]:
    if isinstance(value, list):
        value = {name: {} for name in value}
    if not isinstance(value, dict) or not value:
        raise UserError(f"{where}: '{key}' must be a non-empty mapping of name -> parameters.")
    return {str(name): dict(params or {}) for name, params in value.items()}


def parse_seeds(value: Any) -> list[int]:
    """Seeds from a YAML list or a CLI string like ``0,1,2``."""
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else [value]
    seeds = []
    for item in items:
        try:
            seed = int(str(item).strip())
        except ValueError:
            raise UserError(f"bad seed {str(item).strip()!r}: seeds are non-negative integers, e.g. --seeds 0,1,2.") from None
        if seed < 0:
            raise UserError(f"bad seed {seed}: seeds are non-negative integers, e.g. --seeds 0,1,2.")
        seeds.append(seed)
    if not seeds or len(set(seeds)) != len(seeds):
        raise UserError("seeds must be a non-empty list without repeats, e.g. --seeds 0,1,2.")
    return seeds


def select(chosen: dict[str, dict], names: list[str] | None) -> dict[str, dict]:
    """``--methods a,b``: the suite's params where it has them, defaults otherwise."""
    if names is None:
        return chosen
    return {name: chosen.get(name, {}) for name in names}


def expand(suite: Suite, tasks: list[str] | None = None, methods: list[str] | None = None,
           seeds: list[int] | None = None) -> list[CellSpec]:
    """Cells of the suite, each with resolved (defaults included) task and method params."""
    task_params = {name: _resolve(TASKS, "task", name, p) for name, p in select(suite.tasks, tasks).items()}
    method_params = {name: _resolve(METHODS, "method", name, p) for name, p in select(suite.methods, methods).items()}
    for name in suite.attacks:
        ATTACKS.get(name)
    return [
        CellSpec.make(task, tp, method, mp, suite.forget, seed, suite.attacks, suite.budget_s)
        for task, tp in task_params.items()
        for seed in (seeds or suite.seeds)
        for method, mp in method_params.items()
    ]


def _resolve(registry, kind: str, name: str, params: dict) -> dict:
    return registry.get(name).from_params(kind, name, params).get_params()
