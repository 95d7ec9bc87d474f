"""Shared fixtures: every registered task at its smoke size, a model trained on it, and
unlearning requests over it (``setting_for``); the emoji setting under short names."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest  # noqa: E402

from bench.smoke import Setting, build_setting  # noqa: E402

_settings: dict[str, Setting] = {}


@pytest.fixture(scope="session")
def setting_for(cache_dir):
    """``setting_for(task_name)``: the task at its smoke size, trained once per session
    (``bench.smoke``, which ``unlearnbench check-method`` uses too)."""

    def get(name: str) -> Setting:
        if name not in _settings:
            _settings[name] = build_setting(name, cache_dir)
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
