"""Known answers for the retention metrics: cosines to the original and the linear probe."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import bench
from bench.directions import HIGHER
from bench.registry import ATTACKS
from attacks.retention import Retention, mean_cosine, probe_accuracy, representations

# -- functional core ------------------------------------------------------------------------


def test_mean_cosine_hand_cases():
    x = np.array([[1.0, 0.0], [3.0, 4.0], [1.0, 1.0]])
    assert mean_cosine(x, x) == pytest.approx(1.0, abs=1e-12)
    assert mean_cosine(x, 2.5 * x) == pytest.approx(1.0, abs=1e-12)  # scale-free
    assert mean_cosine(x, -x) == pytest.approx(-1.0, abs=1e-12)
    y = np.array([[0.0, 1.0], [4.0, -3.0], [1.0, 0.0]])
    # Rows: orthogonal 0, orthogonal 0, cos 45 degrees -> mean (0 + 0 + 1/sqrt 2) / 3.
    assert mean_cosine(x, y) == pytest.approx(1 / np.sqrt(2) / 3, abs=1e-12)
    assert mean_cosine(np.zeros((2, 3)), np.ones((2, 3))) == 0.0  # zero rows count as 0
    with pytest.raises(ValueError):
        mean_cosine(x, y[:2])
    with pytest.raises(ValueError):
        mean_cosine(np.empty((0, 2)), np.empty((0, 2)))


def test_probe_is_perfect_on_separable_embeddings():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 40)
    embeddings = 10.0 * np.eye(8)[labels] + rng.normal(size=(120, 8))
    assert probe_accuracy(embeddings, labels, folds=5, seed=0) == 1.0


def test_probe_is_near_chance_on_label_free_embeddings():
    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1], 300)
    # Tolerance 0.08: about 4 standard errors of an accuracy over 600 rows at chance.
    assert probe_accuracy(rng.normal(size=(600, 4)), labels, folds=5, seed=0) == pytest.approx(0.5, abs=0.08)


def test_probe_matches_sklearn_and_drops_rare_labels():
    rng = np.random.default_rng(2)
    labels = np.r_[np.repeat([0, 1], 50), [2, 2, 2]]  # label 2: fewer rows than folds
    embeddings = rng.normal(size=(103, 6)) + labels[:, None] * 0.8
    kept = labels < 2
    expected = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
                               embeddings[kept], labels[kept],
                               cv=StratifiedKFold(5, shuffle=True, random_state=3)).mean()
    assert probe_accuracy(embeddings, labels, folds=5, seed=3) == pytest.approx(expected, abs=1e-12)
    with pytest.raises(ValueError):
        probe_accuracy(embeddings[:52], np.r_[np.zeros(50), [1, 1]], folds=5, seed=0)


# -- a tiny pair model and context ----------------------------------------------------------

N, D = 60, 4
LABELS = np.arange(N) % 3


class Towers(torch.nn.Module):
    """Pair model whose embeddings are fixed projections of the inputs onto some coordinates:
    two models with disjoint ``coords`` produce orthogonal embeddings."""

    kind, n_classes = "retrieval", 2

    def __init__(self, coords):
        super().__init__()
        self.register_buffer("select", torch.eye(2 * D)[:, list(coords)].T.contiguous())  # [D, 2D]

    def _place(self, x):
        return x @ self.select

    def encode_a(self, a):
        return self._place(a)

    def encode_b(self, b):
        return self._place(2.0 * b + 1.0)

    def joint(self, a, b):
        return self._place(a + b)


class Task:
    def __init__(self, labels):
        self.labels = labels

    def item_labels(self):
        return self.labels


class Context:
    """Items whose ``a`` features carry the label (separable), ``b`` random; records loaders."""

    def __init__(self, labels=LABELS, seed=0):
        rng = np.random.default_rng(5)
        self.a = torch.tensor(5.0 * np.eye(D)[LABELS] + rng.normal(size=(N, D)), dtype=torch.float32)
        self.b = torch.tensor(rng.normal(size=(N, D)), dtype=torch.float32)
        self.splits = {"retain": np.arange(10, N), "forget": np.arange(10)}
        self.task, self.seed, self.device, self.loaded = Task(labels), seed, torch.device("cpu"), []

    def indices(self, part):
        return self.splits[part] if isinstance(part, str) else np.asarray(part)

    def part_key(self, part):
        return tuple(self.indices(part).tolist())

    def memoized(self, model, key, compute):  # no memo: every pass shows in ``loaded``
        return compute()

    def loader(self, part):
        idx = self.indices(part)
        self.loaded.append(idx.tolist())
        return [{"a": self.a[chunk], "b": self.b[chunk], "index": torch.as_tensor(chunk)}
                for chunk in np.array_split(idx, 3)]


def test_identical_model_retains_everything():
    model = Towers(range(D))
    out = Retention().run(model, model, splits=None, context=Context())
    for key in ("retention.joint", "retention.unimodal_a", "retention.unimodal_b"):
        assert out[key] == pytest.approx(1.0, abs=1e-12), key
    assert out["retention.probe_a"] == 1.0  # a carries the label, separably
    assert 0.0 <= out["retention.probe_b"] < 0.8  # b is noise: about chance (1/3)
    assert set(out) == set(Retention.directions)


def test_orthogonal_towers_retain_nothing():
    original, unlearned = Towers(range(D)), Towers(range(D, 2 * D))
    out = Retention().run(original, unlearned, splits=None, context=Context())
    assert out["retention.joint"] == 0.0
    assert out["retention.unimodal_a"] == 0.0
    assert out["retention.unimodal_b"] == 0.0
    assert out["retention.probe_a"] == 1.0  # still useful on its own: the probe needs no alignment


def test_probe_omitted_without_labels_and_retain_capped():
    model = Towers(range(D))
    ctx = Context(labels=None)
    out = Retention(max_items=20).run(model, model, splits=None, context=ctx)
    assert set(out) == {"retention.joint", "retention.unimodal_a", "retention.unimodal_b"}
    first, second = ctx.loaded
    assert first == second and len(first) == 20  # both models on the same capped subset
    assert set(first) <= set(range(10, N)) and first == sorted(first)
    other_seed = Context(labels=None, seed=1)
    Retention(max_items=20).run(model, model, splits=None, context=other_seed)
    assert other_seed.loaded[0] != first


def test_representations_restore_training_mode():
    model = Towers(range(D)).train()
    reps = representations(model, Context().loader("retain"), torch.device("cpu"))
    assert model.training
    assert {k: v.shape for k, v in reps.items()} == {"joint": (50, 2 * D), "a": (50, 2 * D), "b": (50, 2 * D)}
    assert all(v.dtype == np.float64 for v in reps.values())


def test_wrapper_params_and_registry():
    assert Retention().get_params() == {"max_items": 500, "probe_folds": 5}
    assert set(Retention.directions.values()) == {HIGHER}
    assert issubclass(Retention, bench.Attack)
    assert ATTACKS.get("retention") is Retention
