"""Shared fixtures: every registered task at its smoke size, a model trained on it, and
unlearning requests over it (``setting_for``); the emoji setting under short names."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import copy  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

from bench import ForgetSpec, UnlearnRequest  # noqa: E402
from bench.registry import TASKS  # noqa: E402
from bench.splits import Splits  # noqa: E402
from bench.task import Task  # noqa: E402

from tasks.emoji_retrieval import EmojiRetrieval  # noqa: E402

TINY_EMOJI = EmojiRetrieval.smoke_params
CPU = torch.device("cpu")


@dataclass
class Setting:
    task: Task
    splits: Splits
    original: torch.nn.Module

    def model(self) -> torch.nn.Module:
        return copy.deepcopy(self.original)

    def request(self, budget_s: float = 600.0, seed: int = 0, full_train: bool = False) -> UnlearnRequest:
        task, s, size = self.task, self.splits, self.task.unlearn_batch_size
        return UnlearnRequest(
            forget_loader=task.loader(s.forget, shuffle=True, seed=seed, batch_size=size),
            retain_loader=task.loader(s.retain, shuffle=True, seed=seed + 1, batch_size=size),
            val_loader=task.loader(s.val, shuffle=False, seed=seed, batch_size=size),
            device=CPU, seed=seed, budget_s=budget_s, recipe=task.recipe(seed),
            forget_indices=s.forget, retain_indices=s.retain, pairs=task.pair_batch,
            full_train_loader=task.loader(s.train, shuffle=True, seed=seed + 2, batch_size=size)
            if full_train else None,
        )


_settings: dict[str, Setting] = {}


@pytest.fixture(scope="session")
def setting_for(cache_dir):
    """``setting_for(task_name)``: the task at its smoke size, trained once per session."""

    def get(name: str) -> Setting:
        if name not in _settings:
            torch.set_num_threads(1)
            task = TASKS.get(name)(**TASKS.get(name).smoke_params)
            task.prepare(cache_dir)
            splits = task.splits(0, ForgetSpec(fraction=0.2))
            recipe = task.recipe(0)
            _settings[name] = Setting(task, splits, recipe.train(recipe.initial_model(), splits.train, CPU))
        return _settings[name]

    return get


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def emoji_setting(setting_for) -> Setting:
    return setting_for("emoji_retrieval")


@pytest.fixture(scope="session")
def tiny_task(emoji_setting):
    return emoji_setting.task


@pytest.fixture(scope="session")
def tiny_splits(emoji_setting):
    return emoji_setting.splits


@pytest.fixture(scope="session")
def trained_original(emoji_setting):
    return emoji_setting.original


@pytest.fixture
def original_copy(emoji_setting):
    return emoji_setting.model()


@pytest.fixture
def make_request(emoji_setting):
    return emoji_setting.request
