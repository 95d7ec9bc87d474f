"""Suites: a YAML file (or a built-in name) that expands into cells.

    name: quick
    tasks: {emoji_retrieval: {}, molecule_retrieval: {n_compounds: 6000}}
    methods: {retrain: {}, multidelete: {lr: 5.0e-4}}
    forget: {kind: random, fraction: 0.1}     # or a list of forget specs (bench.splits):
                                              # class specs run on tasks with labels only;
                                              # {kind: sequential, steps: 3} runs each step
    seeds: [0, 1, 2]
    attacks: [df_dr_auc, mia_loss]            # or {mia_loss: {n_splits: 5}}
    budget_s: 900          # per-cell unlearning budget, the same for every method
    data_dir: ~/datasets   # where tasks that read the user's disk find their data (not part
                           # of the cell id; `run --data-dir` overrides it; docs/real_data.md)
    precision: fp32        # or bf16: autocast forward passes (bench.precision; part of the
                           # cell id; `run --precision` overrides it)

Everything is validated while expanding, before anything is written: names, parameter types
and ranges (against each constructor's annotations), forget specs, and what each task can check
without training (``Task.check``: data present, sizes that fit). Each problem is one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.errors import UserError
from bench.registry import ATTACKS, METHODS, TASKS
from bench.source import code_hash
from bench.spec import CellSpec, parse_precision
from bench.splits import ForgetSpec
from bench.task import DATA_DIR

BUILTIN_DIR = Path(__file__).parent / "suites"
KEYS = {"name", "tasks", "methods", "forget", "seeds", "attacks", "budget_s", "data_dir", "precision"}


@dataclass
class Suite:
    name: str
    tasks: dict[str, Any]
    methods: dict[str, Any]
    forget: list[ForgetSpec]
    seeds: list[int]
    attacks: dict[str, Any]
    budget_s: float
    data_dir: str | None = None
    precision: str = "fp32"


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
    try:
        specs = [step for f in (forget if isinstance(forget, list) else [forget])
                 for step in ForgetSpec.parse(f).expand()]
    except UserError as exc:
        raise UserError(f"{where}: {exc}") from None
    if not specs or len(set(specs)) != len(specs):
        raise UserError(f"{where}: 'forget' must list one or more distinct forget specs.")
    return Suite(
        name=str(raw.get("name", Path(where).stem)),
        tasks=_named_params(raw.get("tasks"), "tasks", where),
        methods=_named_params(raw.get("methods"), "methods", where),
        forget=specs,
        seeds=parse_seeds(raw.get("seeds", [0])),
        attacks=_named_params(raw.get("attacks") or {}, "attacks", where, allow_empty=True),
        budget_s=parse_budget(raw.get("budget_s", 900), where),
        data_dir=parse_data_dir(raw.get("data_dir"), where),
        precision=parse_precision(raw.get("precision", "fp32"), where),
    )


def _named_params(value: Any, key: str, where: str, allow_empty: bool = False) -> dict[str, Any]:
    """A mapping of name -> params, or a list of names. Params are checked when expanding."""
    example = f"e.g. {key}: [a, b] or {key}: {{a: {{param: value}}}}"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = {name: {} for name in value}
    if not isinstance(value, dict) or not (value or allow_empty):
        raise UserError(f"{where}: '{key}' must be a list of names or a mapping of name -> parameters ({example}).")
    return {str(name): params for name, params in value.items()}


def parse_budget(value: Any, where: str) -> float:
    try:
        budget = float(value)
    except (TypeError, ValueError):
        raise UserError(f"{where}: budget_s must be a number of seconds, got {value!r}; e.g. budget_s: 900.") from None
    if isinstance(value, bool) or not 0 < budget < float("inf"):
        raise UserError(f"{where}: budget_s must be a positive number of seconds, got {value!r}.")
    return budget


def parse_data_dir(value: Any, where: str) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise UserError(f"{where}: data_dir must be a directory path, got {value!r}; e.g. data_dir: ~/datasets.")
    return value


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


def select(chosen: dict[str, Any], names: list[str] | None) -> dict[str, Any]:
    """``--methods a,b``: the suite's params where it has them, defaults otherwise."""
    if names is None:
        return chosen
    return {name: chosen.get(name, {}) for name in names}


def expand(suite: Suite, tasks: list[str] | None = None, methods: list[str] | None = None,
           seeds: list[int] | None = None, device: str = "cpu", precision: str | None = None,
           presets=None) -> list[CellSpec]:
    """Cells of the suite, each with resolved (defaults included) task, method and attack
    params; every task checks the suite's forget specs before anything runs. With ``presets``
    (``bench.tuning.presets.Presets``), a method the suite gives no parameters runs its tuned
    preset where one exists for the task's parameters and the forget spec. ``precision``
    overrides the suite's."""
    precision = parse_precision(precision or suite.precision, "precision")
    built_tasks = {name: _build(TASKS, "task", name, _located(name, p, suite.data_dir))
                   for name, p in select(suite.tasks, tasks).items()}
    given = select(suite.methods, methods)
    method_params = {name: _build(METHODS, "method", name, p).get_params() for name, p in given.items()}
    attack_params = {name: _build(ATTACKS, "attack", name, p).get_params() for name, p in suite.attacks.items()}
    forget = {name: applicable_forget(suite.forget, task) for name, task in built_tasks.items()}
    unused = [spec for spec in suite.forget if not any(spec in specs for specs in forget.values())]
    if unused:
        raise UserError(f"forget spec ({unused[0].label()}) needs class labels, which none of the "
                        f"tasks {', '.join(built_tasks)} has; run it on a labelled task "
                        f"({', '.join(labelled_tasks())}).")
    for name, task in built_tasks.items():
        task.check(forget[name])
    return [
        CellSpec.make(name, task.get_params(), method,
                      _preset_params(presets, name, task, spec, method) if presets and not given[method] else mp,
                      spec, seed, attack_params, suite.budget_s, device, precision,
                      {"task": code_hash(type(task)), "method": code_hash(METHODS.get(method))},
                      data_dir=getattr(task, DATA_DIR, None))
        for name, task in built_tasks.items()
        for spec in forget[name]
        for seed in (seeds or suite.seeds)
        for method, mp in method_params.items()
    ]


def _located(name: str, params: Any, data_dir: str | None) -> Any:
    """A task's params with the suite's data dir, for a task that reads the user's disk and was
    not given its own (params that are not a mapping are left for ``from_params`` to reject)."""
    if data_dir is None or not isinstance(params, (dict, type(None))) or \
            DATA_DIR not in TASKS.get(name).param_names():
        return params
    return {DATA_DIR: data_dir, **(params or {})}


def applicable_forget(specs: list[ForgetSpec], task) -> list[ForgetSpec]:
    """A suite's forget specs that ``task`` can run: ``class`` forgetting only where the task
    has class labels, so one suite can list every protocol over every task."""
    return [spec for spec in specs if spec.kind != "class" or task.has_labels]


def labelled_tasks() -> list[str]:
    return [name for name in TASKS.names() if TASKS.get(name).has_labels]


def _preset_params(presets, task_name: str, task, spec: ForgetSpec, method: str) -> dict[str, Any]:
    """The method's resolved params with its tuned preset for this task and forget spec (its
    defaults where there is none)."""
    preset = presets.get(task_name, task.get_params(), spec.to_dict(), method)
    return _build(METHODS, "method", method, preset.params if preset else {}).get_params()


def _build(registry, kind: str, name: str, params: Any):
    return registry.get(name).from_params(kind, name, params)
