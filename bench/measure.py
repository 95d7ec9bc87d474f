"""Cost of one call: wall time, peak RSS of this process (sampled), and CUDA peak memory."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

import psutil
import torch


class _RssSampler(threading.Thread):
    """Polls the process RSS; the peak of a call is what matters, not its end state."""

    def __init__(self, interval_s: float = 0.01):
        super().__init__(daemon=True)
        self._process = psutil.Process()
        self._interval = interval_s
        self._finished = threading.Event()
        self.peak = self._process.memory_info().rss

    def run(self) -> None:
        while not self._finished.wait(self._interval):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def stop(self) -> int:
        self._finished.set()
        self.join()
        return max(self.peak, self._process.memory_info().rss)


@contextmanager
def measure_cost(device: torch.device) -> Iterator[dict[str, float]]:
    """Fills the yielded dict with ``cost.*`` metrics when the block exits."""
    costs: dict[str, float] = {}
    on_cuda = device.type == "cuda"
    if on_cuda:
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    sampler = _RssSampler()
    sampler.start()
    start = time.perf_counter()
    try:
        yield costs
    finally:
        if on_cuda:
            torch.cuda.synchronize(device)
        costs["cost.unlearn_s"] = time.perf_counter() - start
        costs["cost.peak_rss_mb"] = sampler.stop() / 2**20
        if on_cuda:
            costs["cost.peak_gpu_alloc_mb"] = torch.cuda.max_memory_allocated(device) / 2**20
            costs["cost.peak_gpu_reserved_mb"] = torch.cuda.max_memory_reserved(device) / 2**20
