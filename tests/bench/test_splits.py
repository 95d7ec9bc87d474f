import numpy as np
import pytest

from bench.errors import UserError
from bench.splits import ForgetSpec, Splits


def test_splits_partition_the_data_and_are_deterministic():
    s = Splits.build(1000, seed=3, forget=ForgetSpec(fraction=0.1))
    parts = np.concatenate([s.train, s.val, s.test])
    assert sorted(parts.tolist()) == list(range(1000))
    assert (len(s.val), len(s.test), len(s.forget)) == (100, 100, 80)
    assert set(s.forget) | set(s.retain) == set(s.train) and not set(s.forget) & set(s.retain)
    again = Splits.build(1000, seed=3, forget=ForgetSpec(fraction=0.1))
    assert np.array_equal(again.forget, s.forget) and s.forget_hash() == again.forget_hash()
    other = Splits.build(1000, seed=4, forget=ForgetSpec(fraction=0.1))
    assert not np.array_equal(other.forget, s.forget)


def test_count_wins_over_fraction():
    assert len(Splits.build(500, 0, ForgetSpec(fraction=0.5, count=7)).forget) == 7


@pytest.mark.parametrize("spec", [dict(kind="sequential"), dict(fraction=1.5), dict(count=0)])
def test_bad_forget_specs_are_user_errors(spec):
    with pytest.raises(UserError):
        ForgetSpec(**spec)


def test_forget_larger_than_train_is_a_user_error():
    with pytest.raises(UserError, match="must leave some to retain"):
        Splits.build(20, 0, ForgetSpec(count=50))


def test_numeric_strings_are_read_as_numbers_and_other_strings_refused():
    assert ForgetSpec.parse({"fraction": "0.1"}).fraction == 0.1
    assert ForgetSpec.parse({"count": 7.0}).count == 7
    with pytest.raises(UserError, match="fraction must be a number, got 'ten percent'"):
        ForgetSpec.parse({"fraction": "ten percent"})
    with pytest.raises(UserError, match="whole number"):
        ForgetSpec.parse({"count": 2.5})
    with pytest.raises(UserError, match="unknown key"):
        ForgetSpec.parse({"fractoin": 0.1})


def test_groups_never_cross_splits():
    groups = np.repeat(np.arange(100), 5)  # five captions per image
    s = Splits.build(500, 0, ForgetSpec(fraction=0.1), groups=groups)
    parts = [set(groups[p]) for p in (s.train, s.val, s.test)]
    assert not parts[0] & parts[1] and not parts[0] & parts[2] and not parts[1] & parts[2]
    assert (len(s.val), len(s.test)) == (50, 50)


def test_train_does_not_depend_on_the_forget_spec():
    groups, labels = np.repeat(np.arange(100), 5), np.arange(500) % 4
    specs = [ForgetSpec(fraction=0.1), ForgetSpec(kind="image", count=3), ForgetSpec(kind="class", count=1)]
    trains = [Splits.build(500, 0, spec, groups=groups, labels=labels).train for spec in specs]
    assert all(np.array_equal(trains[0], t) for t in trains[1:])


def test_image_forgetting_takes_every_pair_of_the_chosen_groups():
    groups = np.repeat(np.arange(100), 5)
    s = Splits.build(500, 0, ForgetSpec(kind="image", count=4), groups=groups)
    forgotten = set(groups[s.forget])
    assert len(forgotten) == 4 and len(s.forget) == 20
    assert not forgotten & set(groups[s.retain])


def test_class_forgetting_takes_every_pair_of_the_chosen_labels():
    labels = np.arange(300) % 3
    s = Splits.build(300, 0, ForgetSpec(kind="class", classes=(2,)), labels=labels)
    assert set(labels[s.forget]) == {2} and 2 not in set(labels[s.retain])
    assert len(s.forget) == (labels[s.train] == 2).sum()
    drawn = Splits.build(300, 0, ForgetSpec(kind="class", count=1), labels=labels)
    assert len(set(labels[drawn.forget])) == 1


def test_class_forgetting_needs_labels_and_existing_classes():
    with pytest.raises(UserError, match="no class labels"):
        Splits.build(100, 0, ForgetSpec(kind="class", count=1))
    with pytest.raises(UserError, match="do not occur in train"):
        Splits.build(100, 0, ForgetSpec(kind="class", classes=(9,)), labels=np.arange(100) % 3)
    with pytest.raises(UserError, match="only for kind: class"):
        ForgetSpec(kind="random", classes=(1,))
