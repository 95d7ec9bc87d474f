"""SVC membership inference, "MIA-efficacy" (Jia et al., 2023, "Model Sparsity Can Simplify
Machine Unlearning", the l1-sparse paper; also SalUn's headline MIA), on the features of
Song & Mittal (2021, "Systematic Evaluation of Privacy Risks of Machine Learning Models").

An attacker trains a support vector classifier, one per feature, on the unlearned model's
outputs for retained pairs (members, label 1) and held-out pairs (non-members, label 0), then
applies it to D_f. The score is the share of D_f predicted non-member (1.0: all of D_f looks
unseen). Features of the per-example probabilities ``p`` and true class ``y``: for a
classification model, its class probabilities (``context.probs``); for a retrieval model, the
softmax of the image's similarity logits over its own caption (``y``) and the captions of
``distractors`` held-out items, the same for every row (``context.ranking_probs``).

- ``conf``: ``p_y``;
- ``entropy``: ``-sum_i p_i log p_i``;
- ``m_entropy``: Song & Mittal's modified entropy,
  ``-(1 - p_y) log p_y - sum_{i != y} p_i log(1 - p_i)``. The widely copied public version
  (``evaluation/SVC_MIA.py`` of the l1-sparse and SalUn code) takes ``log p_i`` where
  ``log(1 - p_i)`` belongs, and indexes ``[:, labels]`` so that every row gets the columns of
  every label in the batch; neither is repeated here.

Metrics ``mia.svc_conf``, ``mia.svc_entropy``, ``mia.svc_m_entropy`` and ``mia.svc_efficacy``
(the ``m_entropy`` one, the papers' headline), all direction ``retrain``: the retrained
reference never saw D_f, so it sees D_f as non-members in about the share that it sees its own
held-out pairs; an unlearned model should match that share, not drive it to 1.

Protocol choices:
- Non-members are a held-out split, ``nonmembers``: the validation split by default (the test
  split stays untouched while tuning), or ``"test"`` as in the reference code.
- Members are drawn from D_r (as the reference's "shadow train"). Both sides are subsampled
  without replacement (``default_rng(seed)``) to the same size, at most ``max_per_class``, so
  the classifier has no majority class and the attack takes seconds (an SVC's fit is
  quadratic in its training size). The same rows serve all three features.
- ``SVC(C=3, gamma="auto", kernel="rbf")`` as in the reference, after a ``StandardScaler``
  fitted on the training rows. The reference feeds raw features, so ``gamma = 1 /
  n_features = 1`` is a kernel width in the feature's own units; on the emoji task the
  retrained model's ITM confidences have a standard deviation of about 0.02, and the unscaled
  SVC fitted its own training rows worse than chance (0.48). Scaled, the width is one standard
  deviation of the feature, whatever its units.
- Why retrieval rows are ranked rather than read off the ITM head: what a retrieval model
  memorizes is which caption its image ranks first, and the ITM match probability of a pair
  barely shows it. Measured on emoji_retrieval (seed 0, 1000 rows per side), the original's
  ITM confidence ranks D_f above held-out pairs with ROC-AUC 0.54 and the SVC on it predicted
  0.51 +- 0.43 of D_f non-member over 3 seeds, against the retrain's 0.64 +- 0.40; ranked
  against 31 held-out captions, the original's m_entropy SVC predicts 0.19 of D_f non-member
  and the retrain's 0.59, where it predicts 0.60 of the held-out pairs themselves.
- The distractor items are drawn (``default_rng([seed, 1])``) from the non-member split and
  left out of its non-member rows, so no row is ranked against its own caption twice. A
  distractor whose caption equals a row's own caption (duplicate texts) is kept: it halves that
  row's confidence for every model alike.
- Logarithms clip their argument at 1e-30 (Song & Mittal's ``_log_value``), so a probability
  of exactly 0 or 1 gives a finite feature.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, ClassVar, Literal

import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import bench
from bench.directions import RETRAIN
from bench.pair_model import RETRIEVAL

TINY = 1e-30


def _log(x: np.ndarray) -> np.ndarray:
    return np.log(np.clip(x, TINY, None))


def _true_class_mask(probs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """[N, C] booleans, True at each row's true class."""
    return np.arange(probs.shape[1])[None, :] == np.asarray(targets)[:, None]


def confidence(probs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """[N] probability of the true class."""
    return probs[np.arange(len(probs)), targets]


def entropy(probs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """[N] Shannon entropy of each row (``0 log 0 = 0``); ``targets`` unused, for a common
    signature."""
    return -(probs * _log(probs)).sum(axis=1)


def modified_entropy(probs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """[N] Song & Mittal's Mentr: ``-(1 - p_y) log p_y - sum_{i != y} p_i log(1 - p_i)``."""
    true = _true_class_mask(probs, targets)
    terms = np.where(true, (1.0 - probs) * _log(probs), probs * _log(1.0 - probs))
    return -terms.sum(axis=1)


FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "conf": confidence, "entropy": entropy, "m_entropy": modified_entropy,
}


def balanced_subsample(n_members: int, n_nonmembers: int, max_per_class: int,
                       seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted positions into the member and non-member pools, the same number from each:
    ``min(n_members, n_nonmembers, max_per_class)``, drawn without replacement."""
    n = min(n_members, n_nonmembers, max_per_class)
    if n < 1:
        raise ValueError(f"need at least one member and one non-member, got {n_members} and {n_nonmembers}")
    rng = np.random.default_rng(seed)
    return (np.sort(rng.choice(n_members, size=n, replace=False)),
            np.sort(rng.choice(n_nonmembers, size=n, replace=False)))


def share_predicted_nonmember(member_feature: np.ndarray, nonmember_feature: np.ndarray,
                              target_feature: np.ndarray) -> float:
    """Fits the SVC on members (1) vs non-members (0) of one feature; the share of the target
    rows it predicts non-member."""
    x = np.concatenate([member_feature, nonmember_feature])[:, None]
    y = np.concatenate([np.ones(len(member_feature)), np.zeros(len(nonmember_feature))])
    attacker = make_pipeline(StandardScaler(), SVC(C=3, gamma="auto", kernel="rbf"))
    attacker.fit(x, y)
    return float(1.0 - attacker.predict(np.asarray(target_feature)[:, None]).mean())


def split_distractors(pool: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(k distractor items, the rest of the pool)``, both sorted, drawn without replacement."""
    if not 0 < k < len(pool):
        raise ValueError(f"need 0 < distractors < {len(pool)} (the non-member split's size), got {k}")
    chosen = np.random.default_rng([seed, 1]).choice(len(pool), size=k, replace=False)
    rest = np.ones(len(pool), dtype=bool)
    rest[chosen] = False
    return np.sort(pool[chosen]), pool[rest]


def _checked(probs, targets, name: str) -> tuple[np.ndarray, np.ndarray]:
    probs, targets = np.asarray(probs, dtype=np.float64), np.asarray(targets, dtype=np.int64)
    if probs.ndim != 2 or len(probs) == 0 or len(targets) != len(probs):
        raise ValueError(f"{name}: need [N, C] probabilities with N >= 1 and [N] classes, "
                         f"got {probs.shape} and {targets.shape}")
    if not np.isfinite(probs).all():
        raise ValueError(f"{name} contains NaN or infinite probabilities")
    return probs, targets


def mia_svc(members, nonmembers, forget) -> dict[str, float]:
    """Each argument is ``(probs [N, C], true class [N])``, the training rows already balanced;
    returns ``{feature: share of D_f predicted non-member}`` for every feature in FEATURES."""
    members, nonmembers, forget = (_checked(*members, "members"), _checked(*nonmembers, "nonmembers"),
                                   _checked(*forget, "forget"))
    return {name: share_predicted_nonmember(f(*members), f(*nonmembers), f(*forget))
            for name, f in FEATURES.items()}


@bench.register_attack("mia_svc")
class MiaSvc(bench.Attack):
    """SVC MIA-efficacy of the unlearned model on D_f, trained on D_r vs a held-out split.

    Args:
        nonmembers: the held-out split of the non-members: ``"val"`` (default; keeps the test
            split untouched while tuning) or ``"test"`` (the reference code's choice).
        max_per_class: cap on the training rows per class (default 1000: a fit of about a
            second, and more than the validation split of the built-in tasks holds).
        distractors: retrieval models only: how many held-out captions each image ranks its own
            caption against (default 31: a 32-way choice, as in a batch of 32).
    """

    name = "mia_svc"
    param_bounds = {"max_per_class": (1, None), "distractors": (1, None)}
    directions: ClassVar[dict[str, str]] = {
        "mia.svc_conf": RETRAIN, "mia.svc_entropy": RETRAIN, "mia.svc_m_entropy": RETRAIN,
        "mia.svc_efficacy": RETRAIN,
    }

    def __init__(self, nonmembers: Literal["val", "test"] = "val", max_per_class: int = 1000,
                 distractors: int = 31):
        if nonmembers not in ("val", "test"):
            raise ValueError(f"nonmembers must be 'val' or 'test', got {nonmembers!r}")
        self.nonmembers = nonmembers
        self.max_per_class = max_per_class
        self.distractors = distractors

    def run(self, original, unlearned, splits, context) -> dict[str, float]:
        retain, held_out = context.indices("retain"), context.indices(self.nonmembers)
        if unlearned.kind == RETRIEVAL:
            texts, held_out = split_distractors(held_out, self.distractors, context.seed)
            probs = partial(context.ranking_probs, unlearned, distractors=texts)
        else:
            probs = partial(context.probs, unlearned)
        # Subsampled before any forward pass: only the rows the attacker trains on are scored.
        m, n = balanced_subsample(len(retain), len(held_out), self.max_per_class, context.seed)
        shares = mia_svc(probs(retain[m]), probs(held_out[n]), probs("forget"))
        out = {f"mia.svc_{name}": share for name, share in shares.items()}
        return {**out, "mia.svc_efficacy": out["mia.svc_m_entropy"]}
