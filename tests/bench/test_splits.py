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


@pytest.mark.parametrize("spec", [dict(kind="class"), dict(fraction=1.5), dict(count=0)])
def test_bad_forget_specs_are_user_errors(spec):
    with pytest.raises(UserError):
        ForgetSpec(**spec)


def test_forget_larger_than_train_is_a_user_error():
    with pytest.raises(UserError, match="does not fit"):
        Splits.build(20, 0, ForgetSpec(count=50))
