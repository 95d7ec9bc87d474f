"""GINE encoder for molecule graphs: the graph side of the graph-text fusion model.

The ALBEF-style fusion model cross-attends from text tokens to the other modality's tokens; for
images those are CNN patch features, here they are the atom states after message passing. So
the tower returns per-node states padded to ``[B, T, dim]`` plus a mask instead of one pooled
vector, and the fusion model pools (for ``encode_a``) or cross-attends (for ``joint``) itself.

GINE (Hu et al. 2020, "Strategies for Pre-training GNNs") is GIN with bond features added to
each message; GIN's sum aggregation is as discriminative as the 1-WL test, and bonds (single vs
aromatic, conjugation) carry much of a molecule's identity. Inputs are the categorical
features of ``torch_geometric.utils.from_smiles``: each column gets its own embedding table
(sized from ``x_map`` / ``e_map``) and the columns are summed, as in OGB's AtomEncoder. Each
layer adds a residual and a LayerNorm so that deeper stacks train stably from scratch and node
states stay at unit scale, like the text tokens they are attended together with.
"""

from __future__ import annotations

from torch import Tensor, nn
from torch_geometric.data import Batch
from torch_geometric.nn import GINEConv
from torch_geometric.utils import to_dense_batch
from torch_geometric.utils.smiles import e_map, x_map


class CategoricalEncoder(nn.Module):
    """Sum of one embedding per column of a long feature matrix ``[N, len(sizes)]``."""

    def __init__(self, sizes: list[int], dim: int):
        super().__init__()
        self.tables = nn.ModuleList(nn.Embedding(size, dim) for size in sizes)

    def forward(self, features: Tensor) -> Tensor:
        return sum(table(features[:, i]) for i, table in enumerate(self.tables))


class GraphTower(nn.Module):
    """``forward(batch) -> (tokens [B, T, dim], mask [B, T])``; mask is True at real atoms."""

    def __init__(self, dim: int = 128, layers: int = 3):
        super().__init__()
        self.dim = dim
        self.atoms = CategoricalEncoder([len(v) for v in x_map.values()], dim)
        self.bonds = CategoricalEncoder([len(v) for v in e_map.values()], dim)
        self.convs = nn.ModuleList(
            GINEConv(nn.Sequential(nn.Linear(dim, 2 * dim), nn.ReLU(), nn.Linear(2 * dim, dim)))
            for _ in range(layers)
        )
        self.norms = nn.ModuleList(nn.LayerNorm(dim) for _ in range(layers))

    def forward(self, batch: Batch) -> tuple[Tensor, Tensor]:
        h = self.atoms(batch.x)
        e = self.bonds(batch.edge_attr)
        for conv, norm in zip(self.convs, self.norms):
            h = norm(h + conv(h, batch.edge_index, e))
        return to_dense_batch(h, batch.batch, batch_size=batch.num_graphs)
