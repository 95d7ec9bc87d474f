"""The matching tasks' statements and labels: balanced, and true for re-paired batches too."""

import numpy as np
import pytest

from bench import ForgetSpec
from tasks.emoji_matching import OTHER, SAME, SIBLING, EmojiMatching
from tasks.molecule_matching import MATCH, MISMATCH, MoleculeMatching, most_similar_names


@pytest.fixture(scope="module", params=[EmojiMatching, MoleculeMatching])
def task(request, cache_dir):
    task = request.param(**request.param.smoke_params)
    task.prepare(cache_dir)
    return task


def test_one_statement_per_entity_and_balanced_labels(task):
    assert task._entity.tolist() == list(range(len(task)))
    counts = np.bincount(task._labels, minlength=len(task.class_names))
    assert counts.min() >= 0.8 * counts.max(), counts  # molecules: half match, half mismatch


def test_repaired_batches_carry_the_label_of_their_new_pairing(task):
    a, b = np.arange(0, 40), np.arange(40, 80)
    batch = task.pair_batch(a, b)
    assert batch["label"].tolist() == task.relation(task._entity[a], task._named[b]).tolist()
    assert task.pair_batch(a, a)["label"].tolist() == task._labels[a].tolist()


def test_image_forgetting_deletes_every_statement_of_an_entity(task):
    s = task.splits(0, ForgetSpec(kind="image", fraction=0.1))
    forgotten = set(task._entity[s.forget].tolist())
    assert forgotten.isdisjoint(task._entity[s.retain].tolist())
    assert forgotten.isdisjoint(task._entity[s.test].tolist())


def test_emoji_relations(cache_dir):
    task = EmojiMatching(**EmojiMatching.smoke_params)
    task.prepare(cache_dir)
    cats, names = task._categories, task._name_ids
    entities = np.arange(len(names))
    assert (task.relation(entities, entities) == SAME).all()
    for i, j in [(0, 1), (0, 50), (3, 99)]:
        expected = SAME if names[i] == names[j] else SIBLING if cats[i] == cats[j] else OTHER
        assert task.relation(np.array([i]), np.array([j]))[0] == expected
    s = task.splits(0, ForgetSpec(kind="class", classes=[int(cats[0])]))
    assert set(task.item_labels()[s.forget]) == {cats[0]}  # class forgetting: an emoji category


def test_molecule_relation_and_hard_negatives():
    names = ["methyl acetate", "ethyl acetate", "benzene", "chlorobenzene", "water"]
    nearest = most_similar_names(names)
    assert nearest[0] == 1 and nearest[1] == 0 and nearest[2] == 3 and nearest[3] == 2
    task = MoleculeMatching(**MoleculeMatching.smoke_params)
    assert task.relation(np.array([0, 1]), np.array([0, 2])).tolist() == [MATCH, MISMATCH]
