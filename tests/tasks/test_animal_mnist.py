"""Animal-MNIST: data read safely from the wheel, duplicates dropped, the unimodal batch."""

import gzip
import pickle

import numpy as np
import pytest

from bench import ForgetSpec
from tasks.animal_mnist import CLASSES, N_UNIQUE, AnimalMnist, _ArrayUnpickler, load_animals


def test_the_data_has_every_class_and_no_duplicates():
    images, labels = load_animals()
    assert images.shape == (N_UNIQUE, 28, 28) and images.dtype == np.uint8
    assert len(np.unique(images.reshape(len(images), -1), axis=0)) == N_UNIQUE
    assert set(labels.tolist()) == set(range(len(CLASSES)))


def test_the_unpickler_admits_only_numpy_arrays(tmp_path):
    path = tmp_path / "evil.gz"
    with gzip.open(path, "wb") as f:
        pickle.dump(print, f)  # any callable but numpy's array reconstruction
    with gzip.open(path, "rb") as f, pytest.raises(pickle.UnpicklingError):
        _ArrayUnpickler(f).load()


def test_batches_and_class_forgetting(cache_dir):
    task = AnimalMnist(**AnimalMnist.smoke_params)
    task.prepare(cache_dir)
    batch = task.pair_batch([0, 1, 2], [5, 6, 7])
    assert batch["a"].shape == (3, 1, 28, 28)
    assert (batch["b"] == task.pair_batch([5, 6, 7], [5, 6, 7])["a"]).all()
    assert batch["label"].tolist() == task.item_labels()[[0, 1, 2]].tolist()
    s = task.splits(0, ForgetSpec(kind="class", classes=[3]))
    assert set(task.item_labels()[s.forget]) == {3} and 3 not in set(task.item_labels()[s.retain])
