"""scikit-learn's convention: constructors take hyperparameters only, stored under their own
names, so ``get_params()`` is the full configuration and can be hashed into a cell id."""

from __future__ import annotations

import inspect
from typing import Any

from bench.errors import UserError


class Configurable:
    @classmethod
    def param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [
            name
            for name, p in signature.parameters.items()
            if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]

    def get_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.param_names()}

    @classmethod
    def from_params(cls, kind: str, name: str, params: dict[str, Any]):
        """Build from user-supplied params, turning a wrong keyword into a clear UserError."""
        unknown = sorted(set(params) - set(cls.param_names()))
        if unknown:
            raise UserError(
                f"{kind} {name!r} has no parameter {', '.join(map(repr, unknown))}; "
                f"its parameters are: {', '.join(cls.param_names()) or '(none)'}."
            )
        return cls(**params)
