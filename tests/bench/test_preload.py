"""``bench.executors.preload``: what a job process loads before its first job. Run in a fresh
interpreter, since this one has imported everything already."""

import json
import subprocess
import sys

PROBE = """
import json, os, sys, threading
from bench.executors.preload import preload
preload(["emoji_retrieval"])
loaded = set(sys.modules)
from bench.seeding import deterministic
with deterministic():
    pass
print(json.dumps({"threads": threading.active_count(), "native_threads": len(os.listdir("/proc/self/task")),
                  "new_after_deterministic": sorted(set(sys.modules) - loaded),
                  "modules": [m for m in ("sklearn.svm", "methods.scrub", "attacks.mia_svc", "tasks.emoji_retrieval")
                              if m in sys.modules]}))
"""


def test_preload_loads_what_cells_import_and_starts_no_thread():
    """After it, a cell's first deterministic block imports nothing (it used to import torch's
    compiler for ~1 s inside timed calls), the attacks' scikit-learn, the methods and the named
    task are loaded, and the process is still single-threaded, so a fork server may fork."""
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True,
                         env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["new_after_deterministic"] == []
    assert probe["modules"] == ["sklearn.svm", "methods.scrub", "attacks.mia_svc", "tasks.emoji_retrieval"]
    assert probe["threads"] == 1 and probe["native_threads"] == 1


SERVER = """
import json, os, sys
from bench.executors.preload import preload
preload(["emoji_retrieval"])
from bench.executors.payload import cell_payload
from bench.executors.process import _new_worker, _prepare_task
from bench.spec import CellSpec
from bench.splits import ForgetSpec
from tasks.emoji_retrieval import EmojiRetrieval

cell = CellSpec.make("emoji_retrieval", EmojiRetrieval.smoke_params, "finetune", {}, ForgetSpec(fraction=0.2), 0, [], 60.0)
job = {"kind": "run_cell", "payload": cell_payload(cell, sys.argv[1], 60.0)}
worker = _new_worker()
pid = os.fork()
if pid == 0:  # a first job's child: prepares the task with cold caches, which it writes
    worker.prepare_task(job["payload"])
    os._exit(0)
assert os.waitpid(pid, 0)[1] == 0
seconds = _prepare_task(worker, job)
again = _prepare_task(worker, job)
pid = os.fork()
if pid == 0:  # a later job's child: its parallel kernels must not wait on threads it never got
    import signal, torch
    signal.alarm(60)  # a hang reads as SIGALRM
    torch.set_num_threads(2)
    torch.ones(1 << 22).abs().sum()
    os._exit(0)
print(json.dumps({"seconds": seconds, "again": again, "child": os.waitpid(pid, 0)[1]}))
"""


def test_a_fork_server_prepares_a_task_once_and_can_still_fork(tmp_path):
    """After a child has prepared the task (writing its caches), the server prepares it once,
    on one thread: a server that ran a parallel kernel on two threads leaves its children's
    OpenMP waiting forever for threads that fork did not copy. A second job's preparation is
    already done."""
    out = subprocess.run([sys.executable, "-c", SERVER, str(tmp_path)], capture_output=True, text=True,
                         check=True, env={"OMP_NUM_THREADS": "2", "PATH": "/usr/bin:/bin"})
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["seconds"] > 0 and probe["again"] == 0
    assert probe["child"] == 0
