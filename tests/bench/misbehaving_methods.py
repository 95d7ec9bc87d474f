"""Methods that fail in each way a cell can fail (raise, NaN weights, oversleep, die, exhaust
memory, take their Ray slot down), loaded with ``--method-file`` (or ``CellSpec.method_file``) so that worker processes of
the ``local``, ``ray`` and ``slurm`` executors find them too."""

import os
import signal
import time

import torch

import bench


@bench.register_method("raises")
class Raises(bench.Method):
    def unlearn(self, model, request):
        raise RuntimeError("kaboom")


@bench.register_method("nan_weights")
class NanWeights(bench.Method):
    def unlearn(self, model, request):
        with torch.no_grad():
            next(model.parameters()).fill_(float("nan"))
        return model


@bench.register_method("oversleeps")
class Oversleeps(bench.Method):
    """Ignores its deadline: only an executor that can terminate it stops it."""

    def unlearn(self, model, request):
        time.sleep(600)
        return model


@bench.register_method("dies")
class Dies(bench.Method):
    """Its process is killed mid-call, as the kernel's OOM killer would."""

    def unlearn(self, model, request):
        os.kill(os.getpid(), signal.SIGKILL)
        return model


@bench.register_method("kills_ray_slot")
class KillsRaySlot(bench.Method):
    """Kills the Ray actor whose fork server forked its process, as a node's death would (and
    refuses to run anywhere else: its grandparent would be the driver)."""

    def unlearn(self, model, request):
        import psutil

        slot = psutil.Process(os.getppid()).parent()
        if not slot.name().startswith("ray::"):
            raise RuntimeError(f"kills_ray_slot runs on the ray executor only (its grandparent is {slot.name()})")
        slot.kill()
        time.sleep(60)  # the server, and so this process, die with the slot
        return model


@bench.register_method("hogs_memory")
class HogsMemory(bench.Method):
    """Allocates (and touches) 256 MB blocks until an allocation fails: only a memory limit
    stops it. Refuses to start without one, so a mistaken inline run cannot exhaust the machine."""

    def unlearn(self, model, request):
        import resource

        if resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY and \
                not os.environ.get("UNLEARNBENCH_MAX_MEMORY_MB"):
            raise RuntimeError("hogs_memory runs only under a memory limit (--max-memory-gb)")
        blocks = []
        for _ in range(64):  # 16 GB at most
            blocks.append(torch.ones(64 * 2**20))  # 256 MB of float32, every page written
        return model
