"""Methods that fail in each way a cell can fail, loaded with ``--method-file`` (or
``CellSpec.method_file``) so that worker processes of the ``local`` executor find them too."""

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
