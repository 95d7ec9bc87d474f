import time

import numpy as np
import torch

from bench.measure import measure_cost


def test_wall_time_and_peak_rss_of_a_call():
    with measure_cost(torch.device("cpu")) as idle:
        time.sleep(0.05)
    with measure_cost(torch.device("cpu")) as busy:
        block = np.ones(300 * 2**20 // 8)  # 300 MiB, touched, then freed before the block ends
        time.sleep(0.05)
        del block
    assert idle["cost.unlearn_s"] >= 0.05
    assert busy["cost.peak_rss_mb"] - idle["cost.peak_rss_mb"] > 250
    assert "cost.peak_gpu_alloc_mb" not in busy
