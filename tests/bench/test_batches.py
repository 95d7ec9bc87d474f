import torch
from torch_geometric.data import Batch, Data

from bench.batches import evaluating, take, validation_accuracy
from tasks.text_features import TextTokens


class _FixedOutputs(torch.nn.Module):
    """outputs(batch) returns the logits stored in the batch itself."""

    def outputs(self, batch):
        return batch["logits"]


def test_validation_accuracy_retrieval_and_labels():
    # Retrieval: rows 0 and 2 rank their own partner first, row 1 does not -> 2/3.
    retrieval = {"logits": torch.tensor([[3.0, 1.0, 0.0], [2.0, 1.0, 0.0], [0.0, 1.0, 5.0]])}
    # Classification: argmax [1, 0] vs labels [1, 1] -> 1/2.
    labelled = {"logits": torch.tensor([[0.0, 1.0], [1.0, 0.0]]), "label": torch.tensor([1, 1])}
    model = _FixedOutputs().train()
    assert validation_accuracy(model, [retrieval], torch.device("cpu")) == 2 / 3
    assert validation_accuracy(model, [labelled], torch.device("cpu")) == 1 / 2
    assert validation_accuracy(model, [retrieval, labelled], torch.device("cpu")) == 3 / 5
    assert model.training  # mode restored


def test_evaluating_restores_mode_and_disables_grad():
    model = torch.nn.Linear(2, 2).train()
    with evaluating(model):
        assert not model.training and not torch.is_grad_enabled()
    assert model.training


def test_take_selects_rows_of_every_batch_part():
    index = torch.tensor([2, 0])
    tokens = TextTokens(torch.arange(12.0).view(3, 2, 2), torch.tensor([[1, 0], [1, 1], [0, 1]]).bool())
    picked = take(tokens, index)
    assert torch.equal(picked.states, tokens.states[[2, 0]]) and torch.equal(picked.mask, tokens.mask[[2, 0]])
    graphs = Batch.from_data_list([Data(x=torch.full((n, 1), float(n))) for n in (1, 2, 3)])
    assert [g.num_nodes for g in take(graphs, index).to_data_list()] == [3, 1]
