"""GraphTower: shapes and mask per graph, gradients, batch independence, node-order invariance."""

import pytest
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.utils import from_smiles
from torch_geometric.utils.smiles import e_map, x_map

from tasks.models.graph_tower import GraphTower

SMILES = ["CCO", "c1ccccc1O", "CC(=O)Oc1ccccc1C(=O)O", "[Na+].[Cl-]", "CN1C=NC2=C1C(=O)N(C(=O)N2C)C"]


@pytest.fixture
def graphs():
    return [from_smiles(s) for s in SMILES]


@pytest.fixture
def tower():
    torch.manual_seed(0)
    return GraphTower(dim=32, layers=2).eval()


def _permuted(g: Data, perm: torch.Tensor) -> Data:
    """The same molecule with node i of the result = node perm[i] of ``g``."""
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(len(perm))
    return Data(x=g.x[perm], edge_index=inverse[g.edge_index], edge_attr=g.edge_attr)


def _pooled(tokens, mask):
    m = mask.unsqueeze(-1).to(tokens.dtype)
    return (tokens * m).sum(1) / m.sum(1)


def test_embedding_tables_match_the_feature_maps():
    tower = GraphTower(dim=8, layers=1)
    assert [t.num_embeddings for t in tower.atoms.tables] == [len(v) for v in x_map.values()]
    assert [t.num_embeddings for t in tower.bonds.tables] == [len(v) for v in e_map.values()]
    assert len(GraphTower(dim=8, layers=4).convs) == 4


def test_shapes_and_mask_follow_atom_counts(tower, graphs):
    tokens, mask = tower(Batch.from_data_list(graphs))
    n_atoms = [g.num_nodes for g in graphs]
    assert tokens.shape == (len(graphs), max(n_atoms), 32)
    assert mask.dtype == torch.bool and mask.shape == tokens.shape[:2]
    assert mask.sum(1).tolist() == n_atoms
    for i, n in enumerate(n_atoms):
        assert mask[i, :n].all() and not mask[i, n:].any()  # real atoms first, padding after
        assert (tokens[i, n:] == 0).all()
        assert torch.isfinite(tokens[i, :n]).all()


def test_gradients_reach_every_embedding_table(graphs):
    torch.manual_seed(0)
    tower = GraphTower(dim=16, layers=2)
    tokens, mask = tower(Batch.from_data_list(graphs))
    # A random projection: the plain sum of a LayerNorm output has zero gradient by design.
    loss = (tokens[mask] @ torch.randn(16)).pow(2).mean()
    loss.backward()
    for table in [*tower.atoms.tables, *tower.bonds.tables]:
        assert table.weight.grad is not None and table.weight.grad.abs().sum() > 0
    for p in tower.parameters():
        assert p.grad is not None


def test_a_graph_does_not_depend_on_its_batch_companions(tower, graphs):
    tower.train()  # per-example losses need this in training too (no BatchNorm-style coupling)
    alone, alone_mask = tower(Batch.from_data_list(graphs[2:3]))
    together, mask = tower(Batch.from_data_list(graphs))
    n = graphs[2].num_nodes
    torch.testing.assert_close(together[2, :n], alone[0, :n], atol=1e-5, rtol=1e-5)


def test_output_is_invariant_to_node_order(tower, graphs):
    torch.manual_seed(1)
    perms = [torch.randperm(g.num_nodes) for g in graphs]
    permuted = [_permuted(g, p) for g, p in zip(graphs, perms)]
    tokens, mask = tower(Batch.from_data_list(graphs))
    tokens_p, mask_p = tower(Batch.from_data_list(permuted))
    torch.testing.assert_close(_pooled(tokens_p, mask_p), _pooled(tokens, mask), atol=1e-5, rtol=1e-5)
    for i, (g, p) in enumerate(zip(graphs, perms)):  # and equivariant node by node
        torch.testing.assert_close(tokens_p[i, : g.num_nodes], tokens[i, p], atol=1e-5, rtol=1e-5)


def test_tower_sees_bonds():
    """Same atoms, different bond type: the edge embeddings must change the output."""
    torch.manual_seed(0)
    tower = GraphTower(dim=16, layers=2).eval()
    single, double = from_smiles("CC"), from_smiles("C=C")
    double.x = single.x.clone()  # keep the atom features identical, change only the bond
    tokens, mask = tower(Batch.from_data_list([single, double]))
    assert not torch.allclose(tokens[0], tokens[1], atol=1e-4)
