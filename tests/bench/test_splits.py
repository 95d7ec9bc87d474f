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


SEQUENTIAL = ForgetSpec(kind="sequential", fraction=0.3, steps=3)


def test_a_sequential_spec_expands_into_one_spec_per_request():
    steps = SEQUENTIAL.expand()
    assert [s.step for s in steps] == [1, 2, 3] and steps[0].expand() == [steps[0]]
    assert ForgetSpec().expand() == [ForgetSpec()]
    assert steps[1].to_dict() == {"kind": "sequential", "fraction": 0.3, "count": None, "steps": 3, "step": 2}
    assert "steps" not in ForgetSpec().to_dict()  # other kinds keep their cell ids
    assert steps[1].label() == "sequential: 30% of pairs in 3 requests, after request 2"
    assert ForgetSpec.parse({"kind": "sequential", "steps": 3, "fraction": 0.3}) == SEQUENTIAL


def test_sequential_requests_are_disjoint_prefixes_of_one_draw():
    n = 200
    by_step = [Splits.build(n, seed=4, forget=spec) for spec in SEQUENTIAL.expand()]
    final = by_step[-1]
    assert len(final.requests) == 3 and sum(len(r) for r in final.requests) == len(final.forget) == 48
    assert np.array_equal(np.sort(np.concatenate(final.requests)), final.forget)
    for j, splits in enumerate(by_step, start=1):
        assert len(splits.requests) == j
        assert all(np.array_equal(a, b) for a, b in zip(splits.requests, final.requests))
        assert np.array_equal(splits.train, final.train)
        assert np.array_equal(np.union1d(splits.forget, splits.retain), splits.train)
    steps = final.steps()
    deleted = set()
    for (forget, retain), request in zip(steps, final.requests):
        deleted |= set(request.tolist())
        assert np.array_equal(forget, request)
        assert set(retain.tolist()) == set(final.train.tolist()) - deleted
    assert np.array_equal(steps[-1][1], final.retain)


def test_a_single_request_is_one_step():
    splits = Splits.build(100, seed=0, forget=ForgetSpec(fraction=0.2))
    (forget, retain), = splits.steps()
    assert np.array_equal(forget, splits.forget) and np.array_equal(retain, splits.retain)


@pytest.mark.parametrize("raw", [
    {"kind": "sequential"}, {"kind": "random", "steps": 3}, {"kind": "sequential", "steps": 1},
    {"kind": "sequential", "steps": 3, "step": 4}, {"kind": "random", "step": 1},
])
def test_bad_sequential_specs_are_user_errors(raw):
    with pytest.raises(UserError):
        ForgetSpec.parse(raw)


def test_more_requests_than_pairs_is_a_user_error():
    with pytest.raises(UserError, match="fewer pairs than requests"):
        ForgetSpec(kind="sequential", count=2, steps=3).check(100, has_labels=False)
