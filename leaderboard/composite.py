"""The composite score, the leaderboard's default sort: mean normalized gap to retrain over
forgetting and utility, with its 95% interval.

For a row and each seed s it shares with the retrain row (same forget set, same original)::

    g_m(s)   = |x_m(s) − x_m^retrain(s)| / scale_m          for each component metric m
    score(s) = ½ · mean_{m ∈ F} g_m(s)  +  ½ · mean_{m ∈ U} g_m(s)

``scale_m`` is the metric's full scale: 100 for recall in percent, 1 for fractions (AUCs,
accuracies, MIA scores), so every g is a share of its metric's range. ``F`` are the forgetting
components, ``U`` the utility ones; a family with no component on a seed is left out (the score
is then the other family's mean). The two families weigh the same, so a table with many attacks
does not drown utility. The reported score is mean ± two-sided 95% Student-t half width of
score(s) over seeds: 0 means indistinguishable from retraining on every component, and lower
is better. Utility is judged by its distance to retrain as well: the retrained model is the
target of unlearning, on the data kept as on the data deleted.

Components are the headline metrics (``columns.HEADLINE``) with a known scale, so the score is
the same in every output format: forgetting metrics judged against retrain (``forget.*``,
``auc.*``, ``mia.*``: e.g. forget.r_mean, auc.df_vs_dr, mia.loss_auc, mia.svc_efficacy) and
utility on the test and retain splits (test.r_mean or test.acc, retain.r_mean or retain.acc).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from bench.directions import RETRAIN
from leaderboard.columns import FORGETTING, HEADLINE, Column, is_gap
from leaderboard.formatting import precision_kind
from leaderboard.records import per_seed
from leaderboard.stats import paired_gaps

SCALES = {"percent": 100.0, "fraction": 1.0}
UTILITY_PREFIXES = ("test.", "retain.")


def components(columns: Sequence[Column]) -> tuple[list[str], list[str]]:
    """(forgetting, utility) metrics of a table that enter the score."""
    known = [c for c in columns if c.metric in HEADLINE and not is_gap(c.metric)
             and precision_kind(c.metric) in SCALES]
    forgetting = [c.metric for c in known if c.group == FORGETTING and c.direction == RETRAIN]
    utility = [c.metric for c in known if c.metric.startswith(UTILITY_PREFIXES)]
    return forgetting, utility


def score_per_seed(mine: pd.DataFrame, retrain: pd.DataFrame,
                   families: Sequence[Sequence[str]]) -> pd.Series:
    """score(s) for a row's non-failed records against retrain's, indexed by seed."""
    means = []
    for metrics in families:
        gaps = {m: paired_gaps(per_seed(mine, m), per_seed(retrain, m)).abs()
                / SCALES[precision_kind(m)] for m in metrics}
        if gaps:
            means.append(pd.concat(gaps, axis=1).mean(axis=1))
    return pd.concat(means, axis=1).mean(axis=1).dropna() if means else pd.Series(dtype=float)
