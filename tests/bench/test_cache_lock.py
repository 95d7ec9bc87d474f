"""The model cache's file lock: two concurrent requests for one missing model train it once."""

import threading
import time

import torch

from bench.cache import ModelCache


def test_concurrent_requests_train_a_model_once(tmp_path):
    calls, results = [], []

    def train(model):
        calls.append(1)
        time.sleep(0.5)  # long enough for the other request to arrive while this one trains
        return model, {"cost.unlearn_s": 0.5}

    def request():  # a cache object each, as two processes would have
        results.append(ModelCache(tmp_path).get_or_train("original", {"seed": 0}, lambda: torch.nn.Linear(2, 2), train))

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert sorted(r.from_cache for r in results) == [False, True]
