import numpy as np
import pytest


class FakeContext:
    """Returns fixed per-example losses for (model, split); records what was asked."""

    def __init__(self, losses, seed=0):
        self._losses, self.seed, self.calls = losses, seed, []

    def losses(self, model, split):
        self.calls.append((model, split))
        return np.asarray(self._losses[(model, split)], dtype=float)


@pytest.fixture
def fake_context():
    return FakeContext
