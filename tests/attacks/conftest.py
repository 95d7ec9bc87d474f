import numpy as np
import pytest


class FakeContext:
    """Fixed per-example losses for (model, split), the splits laid out one after another as
    dataset positions, so an attack may also ask for an index set. Records what was asked, by
    split name (an index set by the name of the split that holds it)."""

    def __init__(self, losses, seed=0):
        self.seed, self.calls = seed, []
        self._splits, self._values, start = {}, {}, 0
        for (model, split), values in losses.items():
            if split not in self._splits:
                self._splits[split] = np.arange(start, start + len(values))
                start += len(values)
            self._values.update({(model, int(i)): v for i, v in zip(self._splits[split], values)})

    def indices(self, part):
        return self._splits[part] if isinstance(part, str) else np.asarray(part)

    def losses(self, model, part):
        positions = self.indices(part)
        self.calls.append((model, part if isinstance(part, str) else
                           next(name for name, held in self._splits.items() if np.isin(positions, held).all())))
        return np.array([self._values[(model, int(i))] for i in positions], dtype=float)


@pytest.fixture
def fake_context():
    return FakeContext
