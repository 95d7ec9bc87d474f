import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from leaderboard.stats import mean_ci, paired_gaps


def test_mean_ci_known_answer():
    values = [61.0, 58.0, 60.0, 63.5]
    x = np.array(values)
    expected_hw = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    mean, hw, n = mean_ci(values)
    assert n == 4
    assert mean == pytest.approx(60.625)
    assert hw == pytest.approx(expected_hw)
    assert hw == pytest.approx(3.182446305 * 2.2867 / 2, rel=1e-3)  # t(0.975, 3) by hand


def test_mean_ci_ignores_nan():
    assert mean_ci([1.0, float("nan"), 3.0]) == pytest.approx(mean_ci([1.0, 3.0]), nan_ok=True)
    assert mean_ci([1.0, float("nan"), 3.0])[2] == 2


def test_mean_ci_small_n():
    mean, hw, n = mean_ci([5.0])
    assert (mean, n) == (5.0, 1) and math.isnan(hw)
    mean, hw, n = mean_ci([])
    assert n == 0 and math.isnan(mean) and math.isnan(hw)
    mean, hw, n = mean_ci([float("nan")])
    assert n == 0 and math.isnan(mean)


def test_mean_ci_constant_values_have_zero_width():
    assert mean_ci([2.0, 2.0, 2.0]) == (2.0, 0.0, 3)
    assert np.std([0.1, 0.1, 0.1], ddof=1) > 0  # rounding noise the interval must not show
    assert mean_ci([0.1, 0.1, 0.1])[1] == 0.0


def test_paired_gaps_uses_common_seeds_only():
    method = pd.Series({0: 70.0, 1: 66.0, 2: 65.0, 5: 1.0, 6: float("nan")})
    ref = pd.Series({0: 61.0, 1: 58.0, 2: 60.0, 6: 3.0, 7: 2.0})
    assert paired_gaps(method, ref).to_dict() == {0: 9.0, 1: 8.0, 2: 5.0}
    gaps = paired_gaps(pd.Series({10: 1.0, 2: 1.0}), pd.Series({2: 0.0, 10: 0.0}))
    assert list(gaps.index) == [2, 10]
    assert paired_gaps(pd.Series({0: 1.0}), pd.Series({1: 1.0})).empty


def test_paired_gap_interval_known_answer():
    """Hand-computed: gaps 9, 8, 5 have mean 22/3 and sd √(13/3) = 2.0817; t(0.975, 2) = 4.3027,
    so the half width is 4.3027 · 2.0817 / √3 = 5.1712."""
    gaps = paired_gaps(pd.Series({0: 70.0, 1: 66.0, 2: 65.0}),
                       pd.Series({0: 61.0, 1: 58.0, 2: 60.0}))
    mean, half_width, n = mean_ci(gaps)
    assert (mean, n) == (pytest.approx(22 / 3), 3)
    assert half_width == pytest.approx(5.1712, abs=1e-4)
