"""``unlearnbench new-method NAME``: a documented method file that already passes
``unlearnbench check-method``, for a researcher to edit rather than write from nothing."""

from __future__ import annotations

import re
from pathlib import Path

from bench.errors import UserError
from bench.registry import METHODS

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")

TEMPLATE = '''"""{name}: <one line saying what it does> (<Authors>, <Venue Year>, "<Paper title>", <arXiv id>).

`unlearnbench list methods` shows this docstring's first sentence: say what the method does and
which paper it comes from. Below it, say how you adapted the method to pair models (retrieval:
in-batch similarity logits, re-paired texts; classification: class logits) and where each
default comes from.

The contract (checked by `unlearnbench check-method {name}.py`):
* `unlearn(model, request)` receives a private copy of the original model, already on
  `request.device`, and returns the unlearned model: change `model` in place and return it, or
  return a copy and leave `model` as it was. Keep the architecture; never return NaN/inf weights.
* The request holds `forget_loader` (D_f), `retain_loader` (D_r), `val_loader` (validation,
  for any model or checkpoint selection), `forget_indices` / `retain_indices`,
  `pairs(a_indices, b_indices)` (batches with re-paired texts), `recipe` (the task's
  `new_model`, `random_model`, `train`), `device`, `seed` with `generator(stream)` for seeded
  draws, and the soft deadline `seconds_left()` / `out_of_time()`. It never holds the test split
  or the retrained reference: do not go looking for them.
* The model (`bench.PairModel`) offers `loss(batch)` (the task's training loss), `outputs(batch)`
  (logits), `example_losses(batch)` / `example_probs(batch)` (per example), `encode_a`,
  `encode_b`, `joint`, `kind` and `n_classes`. Move batches with `bench.batches.to_device`.
* Hyperparameters are constructor keyword arguments only, with JSON-able defaults, stored under
  their own names (they are hashed into the result's id); `param_bounds` refuses bad values
  before a run starts. All work happens in `unlearn`.
* Obey the deadline: check `request.out_of_time()` before each step or pass (`run_steps` does it
  for you and sets `request.stopped_early`, which flags the record).
* Be deterministic for a seed: draw randomness from `request.generator(stream)` or torch's
  global RNG (the harness seeds it); no time-based choices. Do not touch global state (threads,
  default dtype, deterministic flags), the data on disk, or other methods.
* Import only `bench` (its public surface and helpers such as `bench.loops`, `bench.batches`),
  torch and your own code; never the runner, other methods, tasks or attacks.
"""

from __future__ import annotations

import torch

from bench import Method, UnlearnRequest, register_method
from bench.batches import cycle, to_device
from bench.loops import adamw, run_steps


@register_method("{name}")
class {class_name}(Method):
    """Descends the task loss on D_r while ascending it on D_f (a NegGrad+-style starting point:
    replace the objective with yours).

    Args:
        alpha: weight of the retain loss; 1 - alpha weighs the forget loss (default 0.8).
        epochs: passes over D_r, each step also drawing one forget batch (default 1).
        lr: AdamW learning rate (default 5e-4).
    """

    name = "{name}"
    param_bounds = {{"alpha": (0, 1), "epochs": (1, None), "lr": (0, None)}}

    def __init__(self, alpha: float = 0.8, epochs: int = 1, lr: float = 5e-4):
        self.alpha = alpha
        self.epochs = epochs
        self.lr = lr

    def unlearn(self, model: torch.nn.Module, request: UnlearnRequest) -> torch.nn.Module:
        forget, retain = cycle(request.forget_loader), cycle(request.retain_loader)

        def step_loss() -> torch.Tensor:
            forget_batch = to_device(next(forget), request.device)
            retain_batch = to_device(next(retain), request.device)
            return self.alpha * model.loss(retain_batch) - (1 - self.alpha) * model.loss(forget_batch)

        # run_steps checks the deadline before every step and clips the gradient norm at 1.
        run_steps(model, adamw(model, self.lr), self.epochs * len(request.retain_loader), step_loss,
                  request, desc=self.name)
        return model
'''


def render(name: str) -> str:
    class_name = "".join(part.capitalize() for part in name.split("_") if part)
    return TEMPLATE.format(name=name, class_name=class_name)


def write_template(name: str, directory: Path) -> Path:
    """Writes ``directory/NAME.py``; refuses a bad or taken name and an existing file."""
    if not NAME_PATTERN.fullmatch(name):
        raise UserError(f"method name {name!r}: use lowercase letters, digits and underscores, "
                        "starting with a letter (it is the file name and the registry key).")
    if name in METHODS:
        raise UserError(f"method {name!r} is already registered ({METHODS.origin(name)}); choose another name.")
    path = Path(directory) / f"{name}.py"
    if path.exists():
        raise UserError(f"{path} already exists; choose another name or --dir.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(name))
    return path
