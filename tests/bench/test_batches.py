import torch
from torch_geometric.data import Batch, Data

from bench.batches import evaluating, take, to_device, validation_accuracy
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


def test_to_device_copies_only_pinned_tensors_without_blocking(monkeypatch):
    # No pinned memory without CUDA: stand-ins say which tensors are pinned and record the copies.
    copies = []
    monkeypatch.setattr(torch.Tensor, "is_pinned", lambda self: bool(self.sum() > 0))
    monkeypatch.setattr(torch.Tensor, "to", lambda self, device, non_blocking=False: copies.append(non_blocking) or self)
    batch = {"a": torch.ones(2), "b": TextTokens(torch.zeros(2), torch.ones(2)), "n": 3}
    moved = to_device(batch, torch.device("cpu"))
    assert copies == [True, False, True] and moved["n"] == 3 and isinstance(moved["b"], TextTokens)


def test_to_device_on_cpu_keeps_every_part():
    graphs = Batch.from_data_list([Data(x=torch.ones(2, 1)), Data(x=torch.zeros(1, 1))])
    batch = {"a": graphs, "b": (torch.arange(3), [torch.ones(1)]), "index": torch.tensor([4, 5])}
    moved = to_device(batch, torch.device("cpu"))
    assert moved["a"].num_graphs == 2 and torch.equal(moved["b"][0], torch.arange(3))
    assert isinstance(moved["b"][1], list) and torch.equal(moved["index"], batch["index"])
