"""The graph-text fusion model of ``chebi20``: ``molecule_retrieval``'s ALBEF-style model (GINE
graph tower, fusion encoder, ITC + ITM) whose text tower is a pretrained BERT-like encoder
fine-tuned with the rest, instead of frozen MiniLM states cached once.

Why fine-tuned: ChEBI-20's descriptions are technical prose (SciBERT's domain), and the
published graph-text models of this family (Text2Mol, which introduced ChEBI-20; MoMu;
MoleculeSTM) train their SciBERT text encoder; a frozen encoder's token states for 33k
descriptions would also be gigabytes to cache (33,010 x 128 tokens x 768 x 2 bytes = 6.5 GB). The
encoder's token states go through the same trainable adapter (sized to its hidden width) as
MiniLM's do, so ``encode_b`` is the masked mean of the adapted tokens and the fusion encoder's
[CLS] query is the encoder's own [CLS] position. Every pair-model method of
``tasks.models.fusion`` applies unchanged, and ``example_losses`` reaches the encoder as it
reaches the adapter.
"""

from __future__ import annotations

import torch
from torch import nn

from tasks.models.fusion import FusionPairModel
from tasks.real.text import Tokens


class GraphTextFusion(FusionPairModel):
    """``FusionPairModel`` over ``graph_tower`` with ``text_encoder`` (a ``transformers``
    encoder whose output has ``last_hidden_state``) reading the token ids of batch part ``b``."""

    def __init__(self, graph_tower: nn.Module, text_encoder: nn.Module, dim: int, fusion_layers: int):
        super().__init__(graph_tower, dim=dim, fusion_layers=fusion_layers,
                         text_hidden=text_encoder.config.hidden_size)
        self.text_encoder = text_encoder

    def _b_tokens(self, b: Tokens) -> tuple[torch.Tensor, torch.Tensor]:
        states = self.text_encoder(input_ids=b.input_ids, attention_mask=b.attention_mask).last_hidden_state
        return self.text_adapter(states), b.attention_mask.bool()
