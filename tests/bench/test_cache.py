import torch

from bench.cache import ModelCache


def _trainer(calls):
    def train(model):
        calls.append(1)
        with torch.no_grad():
            model.weight.fill_(0.5)
        return model, {"cost.unlearn_s": 1.5, "cost.peak_rss_mb": 10.0}
    return train


def test_trains_once_then_loads(tmp_path):
    cache, calls, spec = ModelCache(tmp_path), [], {"task": "t", "seed": 0}
    first = cache.get_or_train("original", spec, lambda: torch.nn.Linear(3, 2), _trainer(calls))
    second = cache.get_or_train("original", spec, lambda: torch.nn.Linear(3, 2), _trainer(calls))
    assert len(calls) == 1 and not first.from_cache and second.from_cache
    assert torch.equal(second.model.weight, torch.full((2, 3), 0.5)) and second.train_s == 1.5
    assert second.costs == {"cost.unlearn_s": 1.5, "cost.peak_rss_mb": 10.0}


def test_corrupt_or_mismatching_files_are_rebuilt(tmp_path):
    cache, calls, spec = ModelCache(tmp_path), [], {"task": "t", "seed": 0}
    cache.get_or_train("original", spec, lambda: torch.nn.Linear(3, 2), _trainer(calls))
    path = cache.path("original", spec)
    path.write_bytes(path.read_bytes()[:40])  # truncated
    cache.get_or_train("original", spec, lambda: torch.nn.Linear(3, 2), _trainer(calls))
    assert len(calls) == 2
    other_shape = cache.get_or_train("original", spec, lambda: torch.nn.Linear(4, 2), _trainer(calls))
    assert len(calls) == 3 and other_shape.model.weight.shape == (2, 4)


def test_spec_names_the_file(tmp_path):
    cache = ModelCache(tmp_path)
    assert cache.path("retrain", {"seed": 0}) != cache.path("retrain", {"seed": 1})
    assert cache.path("retrain", {"seed": 0}) != cache.path("original", {"seed": 0})
