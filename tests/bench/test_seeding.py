"""``bench.seeding.deterministic``: torch's deterministic mode for a block, restored after it,
without importing torch's compiler. Run in fresh interpreters: this one may have loaded it."""

import json
import subprocess
import sys

IN_A_FRESH_PROCESS = """
import json, os, sys, torch
from bench.seeding import deterministic
seen = {}
with deterministic():
    seen["inside"] = [torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()]
    seen["compiler_loaded_by_block"] = "torch._inductor.config" in sys.modules
    if LOAD_COMPILER:
        import torch._inductor.config as inductor
        seen["compiler_inside"] = inductor.deterministic
seen["after"] = [torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()]
seen["env_after"] = os.environ.get("TORCHINDUCTOR_DETERMINISTIC")
if LOAD_COMPILER:
    seen["compiler_after"] = inductor.deterministic
print(json.dumps(seen))
"""


def _probe(load_compiler: bool) -> dict:
    code = IN_A_FRESH_PROCESS.replace("LOAD_COMPILER", str(load_compiler))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_block_is_deterministic_and_restores_the_mode_without_loading_the_compiler():
    seen = _probe(load_compiler=False)
    assert seen["inside"] == [True, True]
    assert seen["after"] == [False, False]
    assert seen["compiler_loaded_by_block"] is False  # ~1 s of torch._dynamo per process
    assert seen["env_after"] is None


def test_a_compiler_loaded_inside_the_block_is_deterministic_there_and_restored_after():
    seen = _probe(load_compiler=True)
    assert seen["compiler_inside"] is True
    assert seen["compiler_after"] is False
