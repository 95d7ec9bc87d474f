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
