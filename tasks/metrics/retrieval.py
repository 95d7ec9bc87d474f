"""Cross-modal retrieval Recall@K, as pure functions.

``sim`` is an ``[N, N]`` similarity matrix between N queries of modality A (rows) and their N
matched items of modality B (columns); the match of row ``i`` is column ``i``. Higher similarity
means "more likely the match".

Identical texts (``text_ids``): two items may share a caption word for word (two emoji are both
"man in tuxedo, people & body"). As in multi-caption retrieval evaluation, any item whose text
equals the true one is a correct answer: ``text_ids`` is an integer vector of length N, equal ids
meaning identical text. For an A->B query ``i`` every column ``j`` with
``text_ids[j] == text_ids[i]`` is correct; for a B->A query ``j`` every row ``i`` with that text
is. The query is answered at the position of its best-scoring correct item. Without
``text_ids`` only the diagonal is correct.

Tie rule (expected value under uniformly random tie-breaking): let ``c`` be the best correct
score, ``s`` the number of incorrect items scoring above ``c``, ``t`` the incorrect items tied
at ``c`` and ``m`` the correct ones tied at ``c``. The query's Recall@K hit is the probability
that a random order of the tied block puts a correct item within the top K:
``1 - C(t, K-s) / C(t+m, K-s)`` (0 when ``K <= s``), which for one correct item is
``clip((K - s) / (t + 1), 0, 1)``. A constant matrix therefore scores chance, ``K / N``,
neither 0 (pessimistic ranks would reward nothing) nor 100 (optimistic ranks would let a
collapsed, e.g. over-unlearned, model look perfect).

Recall@K depends on the gallery size N (Recall@10 over 10 items is always 100), so splits of
different sizes (forget vs test) are compared at one common gallery size: ``gallery_recall``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch

DEFAULT_KS = (1, 5, 10)
TextIds = Sequence[int] | np.ndarray | None  # equal ids = identical text; None: all distinct


def _check(sim: torch.Tensor) -> torch.Tensor:
    sim = torch.as_tensor(sim).detach().cpu()
    if sim.dtype not in (torch.float32, torch.float64):  # half precision and integers: widen
        sim = sim.double()  # (float32 is compared as given: widening it changes no comparison)
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1]:
        raise ValueError(f"sim must be a square [N, N] matrix, got shape {tuple(sim.shape)}")
    if sim.shape[0] == 0:
        raise ValueError("sim is empty: no queries to rank")
    if torch.isnan(sim).any():
        raise ValueError("sim contains NaN; a NaN similarity has no rank")
    return sim


def _correct_mask(n: int, text_ids: TextIds) -> torch.Tensor | None:
    """[N, N] True where column j's text equals row i's true text (the diagonal at least);
    None when only the diagonal is correct (``_standings`` then takes a faster path)."""
    if text_ids is None:
        return None
    ids = torch.as_tensor(np.asarray(text_ids)).ravel()
    if ids.numel() != n or ids.is_floating_point():
        raise ValueError(f"text_ids must be {n} integer ids, got {ids.numel()} of {ids.dtype}")
    return ids[:, None] == ids[None, :]


def _standings(sim: torch.Tensor, correct: torch.Tensor | None) -> tuple[torch.Tensor, ...]:
    """Per query (row): incorrect items above the best correct score, incorrect items tied with
    it, and correct items at it. Returns three integer tensors of length N. ``correct=None``
    means the diagonal alone: two passes over ``sim`` instead of a dozen (5,000 x 5,000 in
    about a third of the time)."""
    count = dict(dim=1, dtype=torch.int32)  # summing a bool mask into int64 costs twice as much
    if correct is None:
        best = sim.diagonal().unsqueeze(1)
        tied = (sim == best).sum(**count) - 1  # the diagonal ties with itself
        return (sim > best).sum(**count), tied, torch.ones_like(tied)
    best = sim.masked_fill(~correct, float("-inf")).amax(dim=1, keepdim=True)
    above = (~correct & (sim > best)).sum(**count)
    tied_wrong = (~correct & (sim == best)).sum(**count)
    tied_right = (correct & (sim == best)).sum(**count)
    return above, tied_wrong, tied_right


def _transposed(sim: torch.Tensor, correct: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The b->a view: columns become queries. Copied to contiguous memory, since reducing the
    rows of a transposed view reads memory out of order (2x slower at 5,000 x 5,000)."""
    return sim.T.contiguous(), None if correct is None else correct.T


def _hit_probability(above, tied_wrong, tied_right, k: int) -> torch.Tensor:
    """P(a correct item lands in the top k) with the tied block in uniformly random order."""
    # Slots of the top k left for the tied block; past tied_wrong + 1 a correct item is sure to
    # be in, and capping there keeps every factor below well defined.
    slots = torch.minimum((k - above).clamp_min(0), tied_wrong + 1)
    miss = torch.ones(above.shape, dtype=torch.float64)  # P(every slot holds an incorrect item)
    for i in range(int(slots.max())):
        factor = (tied_wrong - i).double() / (tied_wrong + tied_right - i).double()
        miss = torch.where(i < slots, miss * factor, miss)
    return 1.0 - miss


def correct_ranks(sim: torch.Tensor, text_ids: TextIds = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Expected 1-based rank of the best-placed correct item: ``(a2b, b2a)``, each of length N.

    ``a2b[i]`` ranks row ``i``'s correct columns among all columns; ``b2a[j]`` ranks column
    ``j``'s correct rows among all rows. With ``s``, ``t``, ``m`` as in the module docstring the
    expected rank is ``s + 1 + t / (m + 1)`` (the first of m correct items among t + m randomly
    ordered ones sits, on average, at (t + m + 1) / (m + 1)); without ties it is the plain rank.
    """
    sim = _check(sim)
    correct = _correct_mask(sim.shape[0], text_ids)
    ranks = []
    for scores, mask in ((sim, correct), _transposed(sim, correct)):
        above, tied_wrong, tied_right = _standings(scores, mask)
        ranks.append(above + 1 + tied_wrong.double() / (tied_right + 1))
    return ranks[0], ranks[1]


def recall_at_k(
    sim: torch.Tensor, ks: Sequence[int] = DEFAULT_KS, text_ids: TextIds = None
) -> dict[str, float]:
    """Recall@K in percent (0-100) in both directions, plus ``r_mean``.

    Returns ``a2b_r{k}`` and ``b2a_r{k}`` for every ``k`` in ``ks`` and ``r_mean``, the mean of
    those values (the six values for the default ``ks``). Each query contributes its expected
    hit under random tie-breaking (a fraction when it ties with incorrect items). A ``k`` larger
    than N is clipped to N (so it reads 100); the key keeps the requested ``k`` so that tables
    line up across splits. ``text_ids``: see the module docstring.
    """
    if not ks or any(int(k) < 1 for k in ks):
        raise ValueError(f"ks must be positive integers, got {ks!r}")
    sim = _check(sim)
    n = sim.shape[0]
    correct = _correct_mask(n, text_ids)
    out: dict[str, float] = {}
    for direction, (scores, mask) in (("a2b", (sim, correct)), ("b2a", _transposed(sim, correct))):
        standings = _standings(scores, mask)
        for k in ks:
            hit = _hit_probability(*standings, min(int(k), n))
            out[f"{direction}_r{int(k)}"] = 100.0 * hit.mean().item()
    out["r_mean"] = float(np.mean(list(out.values())))
    return out


def gallery_recall(
    sim_fn: Callable[[np.ndarray], torch.Tensor],
    n_items: int,
    gallery_size: int,
    n_draws: int,
    seed: int,
    ks: Sequence[int] = DEFAULT_KS,
    text_ids: TextIds = None,
) -> dict[str, float]:
    """Recall@K averaged over ``n_draws`` random galleries of ``gallery_size`` items.

    Each draw is a sorted set of ``gallery_size`` distinct indices in ``range(n_items)``
    (``numpy.random.default_rng(seed)``, without replacement); ``sim_fn(indices)`` returns the
    ``[g, g]`` similarity matrix of those items and ``recall_at_k`` scores it, with
    ``text_ids[indices]`` when ``text_ids`` (length ``n_items``) is given. If ``gallery_size ==
    n_items`` the whole set is scored once (``np.arange(n_items)``), since every draw would be
    the same gallery. A ``gallery_size`` above ``n_items`` is an error rather than a silently
    smaller gallery: callers comparing splits choose one size that every split can hold.
    Deterministic for a seed.
    """
    if text_ids is not None and len(text_ids) != n_items:
        raise ValueError(f"text_ids has {len(text_ids)} entries for {n_items} items")
    results = []
    for idx in draw_galleries(n_items, gallery_size, n_draws, seed):
        sim = sim_fn(idx)
        if tuple(sim.shape) != (len(idx), len(idx)):
            raise ValueError(
                f"sim_fn returned shape {tuple(sim.shape)} for a gallery of {len(idx)} items"
            )
        ids = None if text_ids is None else np.asarray(text_ids)[idx]
        results.append(recall_at_k(sim, ks, ids))
    return {key: float(np.mean([r[key] for r in results])) for key in results[0]}


def draw_galleries(n_items: int, gallery_size: int, n_draws: int, seed: int) -> list[np.ndarray]:
    """The galleries ``gallery_recall`` scores: ``n_draws`` sorted sets of ``gallery_size``
    distinct indices in ``range(n_items)`` (``numpy.random.default_rng(seed)``), or the whole
    set once when ``gallery_size == n_items``."""
    if n_items < 1:
        raise ValueError(f"n_items must be >= 1, got {n_items}")
    if not 1 <= gallery_size <= n_items:
        raise ValueError(f"gallery_size must be in [1, n_items={n_items}], got {gallery_size}")
    if n_draws < 1:
        raise ValueError(f"n_draws must be >= 1, got {n_draws}")
    if gallery_size == n_items:
        return [np.arange(n_items)]
    rng = np.random.default_rng(seed)
    return [np.sort(rng.choice(n_items, size=gallery_size, replace=False)) for _ in range(n_draws)]
