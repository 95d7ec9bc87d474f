"""Shared fixtures: a tiny but real emoji_retrieval task and a model trained on it."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import copy  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

from bench import ForgetSpec, UnlearnRequest  # noqa: E402

from tasks.emoji_retrieval import EmojiRetrieval  # noqa: E402

TINY_EMOJI = EmojiRetrieval.smoke_params


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def tiny_task(cache_dir):
    torch.set_num_threads(1)
    task = EmojiRetrieval(**TINY_EMOJI)
    task.prepare(cache_dir)
    return task


@pytest.fixture(scope="session")
def tiny_splits(tiny_task):
    return tiny_task.splits(0, ForgetSpec(fraction=0.2))


@pytest.fixture(scope="session")
def trained_original(tiny_task, tiny_splits):
    recipe = tiny_task.recipe(0)
    return recipe.train(recipe.initial_model(), tiny_splits.train, torch.device("cpu"))


@pytest.fixture
def original_copy(trained_original):
    return copy.deepcopy(trained_original)


@pytest.fixture
def make_request(tiny_task, tiny_splits):
    def make(budget_s: float = 600.0, full_train: bool = False) -> UnlearnRequest:
        return UnlearnRequest(
            forget_loader=tiny_task.loader(tiny_splits.forget, shuffle=True, seed=0),
            retain_loader=tiny_task.loader(tiny_splits.retain, shuffle=True, seed=1),
            val_loader=tiny_task.loader(tiny_splits.val, shuffle=False, seed=0),
            device=torch.device("cpu"), seed=0, budget_s=budget_s, recipe=tiny_task.recipe(0),
            forget_indices=tiny_splits.forget, retain_indices=tiny_splits.retain,
            pairs=tiny_task.pair_batch,
            full_train_loader=tiny_task.loader(tiny_splits.train, shuffle=True, seed=2) if full_train else None,
        )

    return make
