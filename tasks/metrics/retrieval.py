"""Cross-modal retrieval Recall@K, as pure functions.

``sim`` is an ``[N, N]`` similarity matrix between N queries of modality A (rows) and their N
matched items of modality B (columns); the match of row ``i`` is column ``i``. Higher similarity
means "more likely the match".

Tie rule (pessimistic): the rank of the correct item is ``1 + #(other items scoring >= it)``.
A correct item is therefore retrieved at rank 1 only if it scores strictly higher than every
other candidate; a model that outputs a constant matrix gets Recall@1 = 0, not 100. This keeps
a collapsed (e.g. over-unlearned) model from looking good through ties.

Recall@K depends on the gallery size N (Recall@10 over 10 items is always 100), so splits of
different sizes (forget vs test) must be compared at equal gallery size: ``gallery_recall``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch

DEFAULT_KS = (1, 5, 10)


def _check(sim: torch.Tensor) -> torch.Tensor:
    sim = torch.as_tensor(sim).detach().cpu()
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1]:
        raise ValueError(f"sim must be a square [N, N] matrix, got shape {tuple(sim.shape)}")
    if sim.shape[0] == 0:
        raise ValueError("sim is empty: no queries to rank")
    if torch.isnan(sim).any():
        raise ValueError("sim contains NaN; a NaN similarity has no rank")
    return sim


def correct_ranks(sim: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """1-based pessimistic ranks of the matched item: ``(a2b, b2a)``, each of length N.

    ``a2b[i]`` ranks column ``i`` among all columns for row ``i``; ``b2a[j]`` ranks row ``j``
    among all rows for column ``j``. Counting ``>=`` includes the correct item itself, which
    makes the count exactly ``1 + #(others >= correct)``.
    """
    sim = _check(sim)
    diag = sim.diagonal()
    a2b = (sim >= diag[:, None]).sum(dim=1)
    b2a = (sim >= diag[None, :]).sum(dim=0)
    return a2b, b2a


def recall_at_k(sim: torch.Tensor, ks: Sequence[int] = DEFAULT_KS) -> dict[str, float]:
    """Recall@K in percent (0-100) in both directions, plus ``r_mean``.

    Returns ``a2b_r{k}`` and ``b2a_r{k}`` for every ``k`` in ``ks`` and ``r_mean``, the mean of
    those values (the six values for the default ``ks``). A ``k`` larger than N is clipped to N
    (so it reads 100); the key keeps the requested ``k`` so that tables line up across splits.
    """
    if not ks or any(int(k) < 1 for k in ks):
        raise ValueError(f"ks must be positive integers, got {ks!r}")
    a2b, b2a = correct_ranks(sim)
    n = a2b.numel()
    out: dict[str, float] = {}
    for direction, ranks in (("a2b", a2b), ("b2a", b2a)):
        for k in ks:
            hit = ranks <= min(int(k), n)
            out[f"{direction}_r{int(k)}"] = 100.0 * hit.double().mean().item()
    out["r_mean"] = float(np.mean(list(out.values())))
    return out


def gallery_recall(
    sim_fn: Callable[[np.ndarray], torch.Tensor],
    n_items: int,
    gallery_size: int,
    n_draws: int,
    seed: int,
    ks: Sequence[int] = DEFAULT_KS,
) -> dict[str, float]:
    """Recall@K averaged over ``n_draws`` random galleries of ``gallery_size`` items.

    Each draw is a sorted set of ``gallery_size`` distinct indices in ``range(n_items)``
    (``numpy.random.default_rng(seed)``, without replacement); ``sim_fn(indices)`` returns the
    ``[g, g]`` similarity matrix of those items and ``recall_at_k`` scores it. If
    ``gallery_size >= n_items`` the whole set is scored once (``np.arange(n_items)``), since
    every draw would be the same gallery. Deterministic for a seed.
    """
    if n_items < 1:
        raise ValueError(f"n_items must be >= 1, got {n_items}")
    if gallery_size < 1:
        raise ValueError(f"gallery_size must be >= 1, got {gallery_size}")
    if n_draws < 1:
        raise ValueError(f"n_draws must be >= 1, got {n_draws}")
    if gallery_size >= n_items:
        galleries = [np.arange(n_items)]
    else:
        rng = np.random.default_rng(seed)
        galleries = [
            np.sort(rng.choice(n_items, size=gallery_size, replace=False)) for _ in range(n_draws)
        ]
    results = []
    for idx in galleries:
        sim = sim_fn(idx)
        if tuple(sim.shape) != (len(idx), len(idx)):
            raise ValueError(
                f"sim_fn returned shape {tuple(sim.shape)} for a gallery of {len(idx)} items"
            )
        results.append(recall_at_k(sim, ks))
    return {key: float(np.mean([r[key] for r in results])) for key in results[0]}
