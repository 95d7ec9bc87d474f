"""Statistics behind every leaderboard number: mean ± 95% CI over seeds, and paired gaps.

Seeds are the unit of replication: each seed draws its own forget set, trains its own original
and retrained reference, and runs the method once, so the spread over seeds is the spread a
reader re-running the benchmark would see. With a handful of seeds the normal approximation is
too narrow, hence the Student-t interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95


def mean_ci(values: Iterable[float]) -> tuple[float, float, int]:
    """(mean, half_width, n) of a two-sided 95% Student-t interval for the mean.

    NaN values are ignored (they are not evidence about the mean) and n counts the rest.
    With n == 0 the mean is NaN; with n < 2 the half width is NaN (no spread to estimate).
    """
    x = np.asarray([float(v) for v in values], dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, 0
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, n
    if math.isfinite(mean) and np.all(x == x[0]):  # x.std() would give rounding noise, 4e-17
        return mean, 0.0, n
    t = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1))
    with np.errstate(invalid="ignore"):  # an inf value gives a NaN width, flagged upstream
        half_width = t * float(x.std(ddof=1)) / math.sqrt(n)
    return mean, half_width, n


def paired_gaps(method_values: pd.Series, ref_values: pd.Series) -> pd.Series:
    """Per-seed differences method − reference (both indexed by seed), over the seeds both
    have a number for, sorted by seed.

    Pairing removes the seed-to-seed variation both share (same forget set, same original),
    so the interval of the gaps is the honest one for "how far from the reference".
    """
    gaps = method_values.astype(float).sub(ref_values.astype(float)).dropna()
    try:
        return gaps.sort_index()
    except TypeError:  # mixed seed types; any stable order will do
        return gaps.iloc[sorted(range(len(gaps)), key=lambda i: repr(gaps.index[i]))]
