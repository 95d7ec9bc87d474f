"""scikit-learn's convention: constructors take hyperparameters only, stored under their own
names, so ``get_params()`` is the full configuration and can be hashed into a cell id.

User-given params (from a suite's YAML) are checked against the constructor's annotations before
anything runs, so a typo costs one line of error, not a failed cell an hour into a run.
Supported annotations: ``int``, ``float``, ``bool``, ``str``, ``X | None``, ``Literal[...]``,
``list[X]``, ``tuple[X, ...]``, ``tuple[X, Y]``, ``dict[K, V]``; any other annotation, and an
unannotated parameter, lets the value through unchecked.
"""

from __future__ import annotations

import inspect
import numbers
import types
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, Union

import yaml

from bench.errors import UserError

_DESCRIPTIONS = {int: "an integer", float: "a number (float)", bool: "true or false", str: "a string",
                 type(None): "null"}


class Configurable:
    #: Inclusive numeric bounds of parameters, ``{"lr": (0, None), "epochs": (1, None)}``;
    #: None leaves that side unbounded. Checked on user-given values only, after type coercion.
    param_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {}

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
    def from_params(cls, kind: str, name: str, params: Any):
        """Build from user-supplied params (a mapping, or None for all defaults), checked and
        coerced by ``coerce_params``; whatever the constructor rejects becomes a UserError too."""
        coerced = coerce_params(cls, kind, name, params)
        try:
            return cls(**coerced)
        except UserError:
            raise
        except (TypeError, ValueError) as exc:
            message = " ".join(str(exc).split())  # the CLI prints errors as one line
            raise UserError(f"{kind} {name!r}: {cls.__qualname__} rejected its parameters: {message}") from exc


def coerce_params(cls: type[Configurable], kind: str, name: str, params: Any) -> dict[str, Any]:
    """``params`` checked against ``cls``'s constructor: known names, annotated types, and
    ``cls.param_bounds``. Returns them converted where the intent is unambiguous (an int or a
    numeric string such as "2e-5" for a float, which PyYAML reads as a string; an integral float
    for an int); raises UserError naming the fix otherwise. ``kind`` and ``name`` (e.g.
    "method", "finetune") only label the messages."""
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise UserError(f"{kind} {name!r}: parameters must be a mapping of name: value, "
                        f"got {_a(type(params).__name__)}.")
    names = cls.param_names()
    stray_bounds = sorted(set(cls.param_bounds) - set(names))
    if stray_bounds:  # a developer's typo, which would otherwise silently disable the bound
        raise TypeError(f"{cls.__qualname__}.param_bounds names no parameter: {', '.join(stray_bounds)}")
    unknown = [key for key in params if key not in names]
    if unknown:
        raise UserError(
            f"{kind} {name!r} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters are: {', '.join(names) or '(none)'}."
        )
    annotations = _constructor_annotations(cls)
    defaults = {p: param.default for p, param in inspect.signature(cls.__init__).parameters.items()}
    coerced = {}
    for param, value in params.items():
        where = f"{kind} {name!r}: parameter {param}"
        if param in annotations:
            try:
                value = _coerce(value, annotations[param])
            except _Mismatch:
                raise UserError(f"{where} must be {_describe(annotations[param])}, got {_shown(value)}"
                                f"{_example(param, defaults[param])}.") from None
        if param in cls.param_bounds:
            _check_bounds(where, value, *cls.param_bounds[param])
        coerced[param] = value
    return coerced


def _constructor_annotations(cls: type) -> dict[str, Any]:
    """The constructor's resolved annotations. Each is resolved on its own, so one that cannot
    be (a name imported only for type checkers, say) leaves just that parameter unchecked."""
    init = inspect.unwrap(cls.__init__)
    module_globals = getattr(init, "__globals__", {})
    resolved = {}
    for param, annotation in getattr(init, "__annotations__", {}).items():
        holder = types.SimpleNamespace(__annotations__={param: annotation})
        try:
            resolved.update(typing.get_type_hints(holder, globalns=module_globals))
        except Exception:  # evaluating an annotation can fail in many ways; none is the user's
            continue
    return resolved


class _Mismatch(Exception):
    """A value that does not fit an annotation (the caller words the message)."""


def _coerce(value: Any, annotation: Any, strict: bool = False) -> Any:
    """``value`` converted to fit ``annotation``, or _Mismatch. ``strict`` forbids conversions:
    a union first looks for a member that takes the value as it is, so ``float | str`` keeps
    "2e-5" a string and ``int | float`` keeps 3.0 a float."""
    origin, args = typing.get_origin(annotation) or annotation, typing.get_args(annotation)
    if origin in (Union, types.UnionType):
        for strict_pass in (True,) if strict else (True, False):
            for member in args:
                try:
                    return _coerce(value, member, strict_pass)
                except _Mismatch:
                    pass
        raise _Mismatch
    if origin is Literal:
        # By type too, or True would pass for Literal[1] (True == 1).
        if any(type(value) is type(option) and value == option for option in args):
            return value
        raise _Mismatch
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise _Mismatch
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(value) != len(args):
                raise _Mismatch
            return tuple(_coerce(item, arg, strict) for item, arg in zip(value, args))
        items = [_coerce(item, args[0], strict) for item in value] if args else list(value)
        return origin(items)
    if origin is dict:
        if not isinstance(value, Mapping):
            raise _Mismatch
        if not args:
            return dict(value)
        return {_coerce(k, args[0], strict): _coerce(v, args[1], strict) for k, v in value.items()}
    if origin is type(None):
        if value is None:
            return None
        raise _Mismatch
    if origin is bool:
        if isinstance(value, bool):
            return value
        raise _Mismatch
    if origin is str:
        if isinstance(value, str):
            return value
        raise _Mismatch
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if origin is int:
        if is_number and (isinstance(value, numbers.Integral) or (not strict and float(value).is_integer())):
            return int(value)
        raise _Mismatch
    if origin is float:
        if is_number and (isinstance(value, float) or not strict):
            return float(value)
        if isinstance(value, str) and not strict:
            try:
                return float(value)
            except ValueError:
                raise _Mismatch from None
        raise _Mismatch
    return value  # an annotation this module does not check (a class, Any, a Callable...)


def _describe(annotation: Any) -> str:
    """What a value of ``annotation`` looks like, in the user's terms (YAML's null, a list)."""
    origin, args = typing.get_origin(annotation) or annotation, typing.get_args(annotation)
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(member) for member in args)
    if origin is Literal:
        return f"one of {', '.join(map(repr, args))}"
    if origin in (list, tuple):
        if not args:
            return "a list"
        if origin is list or args[-1] is Ellipsis:
            return f"a list [{_describe(args[0])}, ...]"
        return f"a list [{', '.join(map(_describe, args))}]"
    if origin is dict:
        return f"a mapping {{{_describe(args[0])}: {_describe(args[1])}}}" if args else "a mapping"
    # The fallback names an unchecked annotation inside a checked one (the Path of dict[str, Path]).
    return _DESCRIPTIONS.get(origin) or _a(getattr(origin, "__name__", repr(origin)))


def _shown(value: Any) -> str:
    """The value as the message quotes it, with its type where the quote alone hides it
    ('2e-5' from YAML is a str; True may have been written `yes`)."""
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return f"{value!r} ({type(value).__name__})"


def _example(param: str, default: Any) -> str:
    """'; write e.g. lr: 0.0005' from the default, in YAML (so 5e-5 reads 5.0e-05, which YAML
    takes as a float); only for scalar defaults, a container's shape is in the description."""
    if not isinstance(default, (bool, int, float, str)):
        return ""
    return f"; write e.g. {param}: {yaml.safe_dump(default).splitlines()[0]}"


def _check_bounds(where: str, value: Any, low: float | None, high: float | None) -> None:
    if value is None:  # allowed by the annotation (``X | None``), so not a number to bound
        return
    # `not low <= value` rather than `value < low`, so NaN fails every bound.
    if (low is not None and not low <= value) or (high is not None and not value <= high):
        if low is not None and high is not None:
            expected = f"between {low} and {high} (inclusive)"
        else:
            expected = f"at least {low}" if low is not None else f"at most {high}"
        raise UserError(f"{where} must be {expected}, got {_shown(value)}.")


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"
