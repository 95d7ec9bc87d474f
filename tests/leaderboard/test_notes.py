from bench.record import EARLY_STOP
from leaderboard import build_tables
from leaderboard.notes import CACHE_NOTE, GAP_NOTE, RECALL_NOTE


def test_notes_explain_gallery_size_interval_and_gaps(grid):
    notes = build_tables(grid)[0].notes
    text = " ".join(notes)
    assert "equal gallery size" in text and "|D_f|" in text
    assert "forget, retain and test" in text
    assert "± is the half width of a two-sided 95% Student-t interval over seeds" in text
    assert "· reported but not ranked" in text
    assert GAP_NOTE in notes


def test_recall_and_gap_notes_only_when_their_columns_exist(rec):
    notes = build_tables([rec("m", 0, {"test.acc": 0.9})])[0].notes
    assert RECALL_NOTE not in notes and GAP_NOTE not in notes


def test_notes_name_the_cpu_model_threads_and_gpu(rec):
    gpu = rec("retrain", 0, {"cost.unlearn_s": 1.0}, manifest={"hardware": {
        "cpu": "Intel(R) Xeon(R) Platinum 8480+", "gpu": "NVIDIA H100", "torch_threads": 16}})
    cpu = rec("finetune", 0, {"cost.unlearn_s": 2.0},
              manifest={"hardware": {"cpu": "AMD EPYC 7763", "torch_threads": 2}})
    failed = rec("x", 0, status="failed", manifest={"hardware": {"cpu": "elsewhere"}})
    notes = build_tables([gpu, cpu, failed])[0].notes
    assert ("Measured on: CPU AMD EPYC 7763, 2 torch threads; GPU NVIDIA H100, "
            "CPU Intel(R) Xeon(R) Platinum 8480+, 16 torch threads.") in notes


def test_cached_reference_time_is_noted(rec):
    measured = rec("m", 0, {"cost.speedup": 3.0}, manifest={"reference_time": "measured"})
    cached = rec("m", 1, {"cost.speedup": 4.0}, manifest={"reference_time": "cache"})
    assert CACHE_NOTE not in build_tables([measured])[0].notes
    assert CACHE_NOTE in build_tables([measured, cached])[0].notes
    assert CACHE_NOTE.startswith("Speedup uses reference training times read from a model cache")


def test_failed_and_flagged_notes_use_row_labels_and_seed_order(rec):
    records = [rec("m", 2, status="failed", error="second", method_params={"lr": 1}),
               rec("m", 1, status="failed", error="first", method_params={"lr": 1}),
               rec("m", 0, {"test.r_mean": 1.0}, status="flagged", flags=[EARLY_STOP],
                   method_params={"lr": 2})]
    notes = build_tables(records)[0].notes
    assert notes[-3:] == ["m (lr=1) (seed 1) failed: first", "m (lr=1) (seed 2) failed: second",
                          "m (lr=2) (seed 0) flagged: early stop"]
