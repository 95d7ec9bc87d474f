"""Fixtures of the executor tests."""

import pytest

from bench.registry import METHODS


@pytest.fixture
def registry_left_as_found(monkeypatch):
    """Loading a method file registers its methods; undo that after each test, so that no
    other test sees them in the global registry."""
    monkeypatch.setattr(METHODS, "_entries", dict(METHODS._entries))
    monkeypatch.setattr("bench.method_file._loaded", {})
