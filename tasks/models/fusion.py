"""An ALBEF-style fusion pair model, sized for a CPU, over any first-modality tower.

Structure (Li et al., 2021, "Align before Fuse"): a unimodal tower for the first modality (an
image CNN or a molecule GNN) yields tokens; the text tower is frozen MiniLM token states plus a
trainable adapter; image-text contrastive (ITC) alignment acts on the pooled, projected unimodal
embeddings; a fusion encoder (text self-attention, then cross-attention to the first modality's
tokens) produces the joint representation at the text [CLS] position, and an image-text
matching (ITM) head classifies it as matched or not, with hard negatives drawn from the ITC
similarities. Retrieval is scored with ITC similarities (ITM barely trains in a CPU budget).

The per-example loss and probabilities of the pair-model contract use both halves, so methods
and attacks that work per example (Fisher, saliency, NPO, loss or confidence attacks) see the
fusion encoder and ITM head as well as the towers: see ``example_losses`` and ``example_probs``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tasks.text_features import HIDDEN, TextTokens


class FusionLayer(nn.Module):
    """Pre-norm transformer layer: self-attention over text, cross-attention to the other tower."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.self_attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.cross_attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ff = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x, x_mask, ctx, ctx_mask, first_only: bool = False):
        """``first_only``: compute the output at the first position only (the [CLS] that the
        last layer feeds to the ITM head). Exact: every other position's output would be
        discarded, and position 0 reads the others only as keys and values."""
        h = self.norm1(x)
        if first_only:
            x, q = x[:, :1], h[:, :1]
        else:
            q = h
        x = x + self.self_attn(q, h, h, key_padding_mask=~x_mask, need_weights=False)[0]
        h = self.norm2(x)
        x = x + self.cross_attn(h, ctx, ctx, key_padding_mask=~ctx_mask, need_weights=False)[0]
        return x + self.ff(self.norm3(x))


def _masked_mean(tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(tokens.dtype)
    return (tokens * m).sum(1) / m.sum(1).clamp_min(1.0)


class FusionEncoder(nn.Module):
    """The towers and the fusion encoder: ``encode_a``, ``encode_b``, ``joint`` and ``represent``
    of the pair-model contract, shared by the retrieval model below and the classifier of the
    matching tasks (``tasks.models.fusion_classifier``), which add their heads and losses.

    ``a_tower(a) -> (tokens [B, T, dim], mask [B, T])``; ``text_hidden`` is the width of the
    text token states the adapter reads (MiniLM's, or a fine-tuned encoder's: ``chebi20``).
    """

    def __init__(self, a_tower: nn.Module, dim: int = 128, heads: int = 4, fusion_layers: int = 1,
                 text_hidden: int = HIDDEN):
        super().__init__()
        self.a_tower = a_tower
        self.text_adapter = nn.Sequential(nn.Linear(text_hidden, dim), nn.GELU(), nn.Linear(dim, dim))
        self.a_proj = nn.Linear(dim, dim)
        self.b_proj = nn.Linear(dim, dim)
        self.fusion = nn.ModuleList(FusionLayer(dim, heads) for _ in range(fusion_layers))
        self.fusion_norm = nn.LayerNorm(dim)

    # -- unimodal --------------------------------------------------------------------------
    def _b_tokens(self, b: TextTokens) -> tuple[torch.Tensor, torch.Tensor]:
        return self.text_adapter(b.states.float()), b.mask

    def _embed(self, tokens, mask, proj) -> torch.Tensor:
        return F.normalize(proj(_masked_mean(tokens, mask)), dim=-1)

    def encode_a(self, a) -> torch.Tensor:
        return self._embed(*self.a_tower(a), self.a_proj)

    def encode_b(self, b: TextTokens) -> torch.Tensor:
        return self._embed(*self._b_tokens(b), self.b_proj)

    # -- multimodal ------------------------------------------------------------------------
    def _fuse(self, b_tok, b_mask, a_tok, a_mask) -> torch.Tensor:
        x = b_tok
        last = len(self.fusion) - 1
        for i, layer in enumerate(self.fusion):
            x = layer(x, b_mask, a_tok, a_mask, first_only=i == last)
        return self.fusion_norm(x[:, 0])  # the text [CLS] position

    def joint(self, a, b: TextTokens) -> torch.Tensor:
        return self._fuse(*self._b_tokens(b), *self.a_tower(a))

    def represent(self, a, b: TextTokens) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(joint(a, b), encode_a(a), encode_b(b))`` from one pass of each tower."""
        a_tok, a_mask = self.a_tower(a)
        b_tok, b_mask = self._b_tokens(b)
        return (self._fuse(b_tok, b_mask, a_tok, a_mask), self._embed(a_tok, a_mask, self.a_proj),
                self._embed(b_tok, b_mask, self.b_proj))


class FusionPairModel(FusionEncoder):
    """Implements the pair-model contract (``bench.PairModel``) for retrieval tasks.

    ``temperature`` is fixed (ALBEF's initial value) rather than learned, so similarity scales
    are comparable across methods. ``itm_pairs`` caps how many of a batch's items get ITM
    positives and hard negatives (ALBEF uses all): the fusion encoder runs on 3 pairs per item
    and dominated training time at batch 256 on a CPU; ITC still sees the whole batch.
    """

    kind = "retrieval"
    n_classes = 2  # ITM classes: 0 = not matched, 1 = matched

    def __init__(self, a_tower: nn.Module, dim: int = 128, heads: int = 4, fusion_layers: int = 1,
                 temperature: float = 0.07, itm_pairs: int = 32, text_hidden: int = HIDDEN):
        super().__init__(a_tower, dim=dim, heads=heads, fusion_layers=fusion_layers, text_hidden=text_hidden)
        self.itm_head = nn.Linear(dim, 2)
        self.temperature = temperature
        self.itm_pairs = itm_pairs

    def outputs(self, batch) -> torch.Tensor:
        """In-batch a->b similarity logits [B, B]."""
        return self.encode_a(batch["a"]) @ self.encode_b(batch["b"]).T / self.temperature

    def pair_scores(self, a, b: TextTokens) -> torch.Tensor:
        """[B] ITC cosine similarity of each matched pair."""
        return (self.encode_a(a) * self.encode_b(b)).sum(-1)

    def example_losses(self, batch) -> torch.Tensor:
        """[B] loss of each matched pair on its own: ITC term + ITM term.

        ITC term: ``(1 - cos) / temperature``, the pair's similarity logit gap to a perfect match
        (the in-batch contrastive loss would depend on the other pairs). ITM term:
        ``-log p(matched)`` of the ITM head on the pair's fused representation (the positive
        half of ALBEF's ITM loss; its hard negatives come from the rest of the batch). Together
        they reach every parameter ``loss`` trains: both towers, the projections, the fusion
        encoder and the ITM head.
        """
        a_tok, a_mask = self.a_tower(batch["a"])
        b_tok, b_mask = self._b_tokens(batch["b"])
        ea, eb = self._embed(a_tok, a_mask, self.a_proj), self._embed(b_tok, b_mask, self.b_proj)
        cos = (ea * eb).sum(-1)
        itm_logits = self.itm_head(self._fuse(b_tok, b_mask, a_tok, a_mask))
        return (1.0 - cos) / self.temperature - F.log_softmax(itm_logits, dim=-1)[:, 1]

    def example_probs(self, batch) -> torch.Tensor:
        """[B, 2] ITM probabilities of each matched pair (column 1 = matched), batch-independent."""
        return self.itm_head(self.joint(batch["a"], batch["b"])).softmax(dim=-1)

    def loss(self, batch) -> torch.Tensor:
        a_tok, a_mask = self.a_tower(batch["a"])
        b_tok, b_mask = self._b_tokens(batch["b"])
        ea = self._embed(a_tok, a_mask, self.a_proj)
        eb = self._embed(b_tok, b_mask, self.b_proj)
        sim = ea @ eb.T / self.temperature
        target = torch.arange(len(sim), device=sim.device)
        itc = (F.cross_entropy(sim, target) + F.cross_entropy(sim.T, target)) / 2
        return itc + self._itm_loss(sim.detach(), a_tok, a_mask, b_tok, b_mask)

    def _itm_loss(self, sim, a_tok, a_mask, b_tok, b_mask) -> torch.Tensor:
        """ALBEF's ITM: each pair, plus one hard negative text per image and one hard negative
        image per text, sampled in proportion to their softmaxed ITC similarity."""
        n = min(len(sim), self.itm_pairs)  # the batch is shuffled: its first items are a random subset
        if n < 2:
            return sim.new_zeros(())
        sim, a_tok, a_mask, b_tok, b_mask = sim[:n, :n], a_tok[:n], a_mask[:n], b_tok[:n], b_mask[:n]
        off_diag = ~torch.eye(n, dtype=torch.bool, device=sim.device)
        weights = sim.float().softmax(1) * off_diag + 1e-6 * off_diag
        neg_b = torch.multinomial(weights, 1).squeeze(1)
        weights_t = sim.T.float().softmax(1) * off_diag + 1e-6 * off_diag
        neg_a = torch.multinomial(weights_t, 1).squeeze(1)
        joint = torch.cat([
            self._fuse(b_tok, b_mask, a_tok, a_mask),
            self._fuse(b_tok[neg_b], b_mask[neg_b], a_tok, a_mask),
            self._fuse(b_tok, b_mask, a_tok[neg_a], a_mask[neg_a]),
        ])
        labels = torch.cat([torch.ones(n), torch.zeros(2 * n)]).long().to(joint.device)
        return F.cross_entropy(self.itm_head(joint), labels)
