from __future__ import annotations

import math
from pathlib import Path
from typing import ClassVar, Literal, Optional

import pytest
import yaml

from bench.errors import UserError
from bench.params import Configurable, coerce_params
from bench.registry import ATTACKS, METHODS, TASKS


class Scalars(Configurable):
    def __init__(self, epochs: int = 3, lr: float = 5e-4, shuffle: bool = True, tag: str = "x"):
        self.epochs, self.lr, self.shuffle, self.tag = epochs, lr, shuffle, tag


class Shapes(Configurable):
    def __init__(self, n_items: int | None = None, scale: Optional[float] = 1.0,
                 distance: Literal["cosine", "mse"] = "cosine", widths: list[int] | None = None,
                 sizes: tuple[float, ...] = (1.0,), pair: tuple[int, str] = (1, "a"),
                 weights: dict[str, float] | None = None, extra: dict | None = None):
        self.n_items, self.scale, self.distance, self.widths = n_items, scale, distance, widths
        self.sizes, self.pair, self.weights, self.extra = sizes, pair, weights, extra


class Unions(Configurable):
    def __init__(self, either: int | float = 1, number_or_name: float | str = 1.0):
        self.either, self.number_or_name = either, number_or_name


class Loose(Configurable):
    """Unannotated, unchecked and unresolvable annotations all let the value through."""

    def __init__(self, anything=None, path: Path | None = None, hidden: NotImportedHere = None,  # noqa: F821
                 count: int = 1):
        self.anything, self.path, self.hidden, self.count = anything, path, hidden, count


class Bounded(Configurable):
    param_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {
        "lr": (0, None), "fraction": (0, 1), "temperature": (None, 10), "limit": (1, None),
    }

    def __init__(self, lr: float = 1e-3, fraction: float = 0.1, temperature: float = 1.0,
                 limit: int | None = None):
        self.lr, self.fraction, self.temperature, self.limit = lr, fraction, temperature, limit


class Picky(Configurable):
    def __init__(self, size: int = 1, kind: str = "a"):
        if size > 100:
            raise ValueError("size must be at most 100\n(memory)")
        if kind == "user":
            raise UserError("picky: kind 'user' is reserved.")
        self.size, self.kind = size, kind


def build(cls, **params):
    return cls.from_params("method", "dummy", params).get_params()


def error(cls, **params) -> str:
    with pytest.raises(UserError) as info:
        cls.from_params("method", "dummy", params)
    message = str(info.value)
    assert "\n" not in message
    return message


def typed(params: dict) -> dict:
    """Params with their types, so 3 and 3.0 compare unequal."""
    return {k: (v, type(v)) for k, v in params.items()}


# -- the params value as a whole ---------------------------------------------------------------


def test_params_must_be_a_mapping():
    with pytest.raises(UserError, match=r"^method 'finetune': parameters must be a mapping of name: value, got a list\.$"):
        Scalars.from_params("method", "finetune", [1, 2])
    with pytest.raises(UserError, match="got an int"):
        Scalars.from_params("method", "finetune", 3)


def test_none_params_mean_all_defaults():
    assert Scalars.from_params("method", "dummy", None).get_params() == Scalars().get_params()


def test_unknown_names_are_listed_with_the_known_ones():
    assert error(Scalars, lrr=1, epoch=2) == (
        "method 'dummy' has no parameter 'lrr', 'epoch'; its parameters are: epochs, lr, shuffle, tag."
    )


def test_non_string_keys_are_unknown_names():
    with pytest.raises(UserError, match="has no parameter 1;"):
        Scalars.from_params("method", "dummy", {1: 2})


# -- scalars -------------------------------------------------------------------------------------


def test_well_typed_values_pass_unchanged():
    params = dict(epochs=7, lr=0.1, shuffle=False, tag="y")
    assert typed(build(Scalars, **params)) == typed(params)


@pytest.mark.parametrize("given, expected", [(1, 1.0), ("2e-5", 2e-5), ("0.1", 0.1), (" 3 ", 3.0)])
def test_float_accepts_ints_and_numeric_strings(given, expected):
    lr = build(Scalars, lr=given)["lr"]
    assert type(lr) is float and lr == expected


def test_yaml_exponent_without_a_dot_becomes_a_float():
    # PyYAML (YAML 1.1) reads 2e-5 as the string "2e-5": exactly the case this module exists for.
    params = yaml.safe_load("lr: 2e-5")
    assert params == {"lr": "2e-5"}
    assert build(Scalars, **params)["lr"] == 2e-5


@pytest.mark.parametrize("given", ["abc", "", True, None, [0.1]])
def test_float_rejects_non_numbers(given):
    assert "method 'dummy': parameter lr must be a number (float), got " in error(Scalars, lr=given)


def test_float_message_names_the_fix():
    assert error(Scalars, lr="abc") == (
        "method 'dummy': parameter lr must be a number (float), got 'abc' (str); write e.g. lr: 0.0005."
    )


def test_int_accepts_integral_floats():
    epochs = build(Scalars, epochs=3.0)["epochs"]
    assert type(epochs) is int and epochs == 3


@pytest.mark.parametrize("given, shown", [
    (2.5, "2.5"), (True, "True (bool)"), ("3", "'3' (str)"), (math.inf, "inf"), (None, "null"),
])
def test_int_rejects_fractions_bools_strings_and_none(given, shown):
    assert error(Scalars, epochs=given) == (
        f"method 'dummy': parameter epochs must be an integer, got {shown}; write e.g. epochs: 3."
    )


@pytest.mark.parametrize("given", [1, 0, "true", "yes", None])
def test_bool_accepts_only_bools(given):
    assert "parameter shuffle must be true or false, got " in error(Scalars, shuffle=given)


@pytest.mark.parametrize("given", [1, 1.5, None, ["x"]])
def test_str_accepts_only_strings(given):
    assert "parameter tag must be a string, got " in error(Scalars, tag=given)


def test_example_is_written_in_yaml():
    class Small(Configurable):
        def __init__(self, lr: float = 5e-5, word: str = "yes"):
            self.lr, self.word = lr, word

    # 5.0e-05, not Python's 5e-05, which YAML 1.1 would read back as a string.
    assert error(Small, lr="x").endswith("write e.g. lr: 5.0e-05.")
    assert yaml.safe_load("lr: 5.0e-05") == {"lr": 5e-5}
    assert error(Small, word=1).endswith("write e.g. word: 'yes'.")  # unquoted, YAML reads True


def test_no_example_without_a_scalar_default():
    class Required(Configurable):
        def __init__(self, epochs: int, sizes: list[int] | None = None):
            self.epochs, self.sizes = epochs, sizes

    assert error(Required, epochs="x") == "method 'dummy': parameter epochs must be an integer, got 'x' (str)."
    assert error(Required, epochs=1, sizes=1).endswith("got 1.")


# -- None, Literal, containers, unions ---------------------------------------------------------


def test_none_only_where_the_annotation_allows_it():
    assert build(Shapes, n_items=None, scale=None)["n_items"] is None
    assert build(Shapes, n_items=4.0)["n_items"] == 4
    assert error(Shapes, n_items="many") == (
        "method 'dummy': parameter n_items must be an integer or null, got 'many' (str)."
    )
    assert "parameter scale must be a number (float) or null, got 'big' (str); write e.g. scale: 1.0." \
        in error(Shapes, scale="big")
    assert build(Shapes, scale="0.5")["scale"] == 0.5


def test_literal_value_must_be_one_of_the_options():
    assert build(Shapes, distance="mse")["distance"] == "mse"
    assert error(Shapes, distance="l2") == (
        "method 'dummy': parameter distance must be one of 'cosine', 'mse', got 'l2' (str); "
        "write e.g. distance: cosine."
    )


def test_literal_compares_types_too():
    class Level(Configurable):
        def __init__(self, level: Literal[1, 2] = 1):
            self.level = level

    assert "must be one of 1, 2, got True (bool)" in error(Level, level=True)


def test_list_items_are_coerced():
    widths = build(Shapes, widths=[1, 2.0])["widths"]
    assert widths == [1, 2] and all(type(w) is int for w in widths)
    assert build(Shapes, widths=(3, 4))["widths"] == [3, 4]
    assert error(Shapes, widths=[1, 2.5]) == (
        "method 'dummy': parameter widths must be a list [an integer, ...] or null, got [1, 2.5] (list)."
    )
    assert "got 'a, b' (str)" in error(Shapes, widths="a, b")


def test_tuples_homogeneous_and_fixed_length():
    assert build(Shapes, sizes=[1, "2e-1"])["sizes"] == (1.0, 0.2)
    assert build(Shapes, pair=[2, "b"])["pair"] == (2, "b")
    assert "parameter sizes must be a list [a number (float), ...], got ['x'] (list)" in error(Shapes, sizes=["x"])
    assert "parameter pair must be a list [an integer, a string], got [2] (list)" in error(Shapes, pair=[2])
    assert "got [2, 3] (list)" in error(Shapes, pair=[2, 3])


def test_dict_keys_and_values_are_coerced():
    assert typed(build(Shapes, weights={"a": 1})["weights"]) == {"a": (1.0, float)}
    assert build(Shapes, extra={1: "anything"})["extra"] == {1: "anything"}
    assert error(Shapes, weights={"a": "heavy"}) == (
        "method 'dummy': parameter weights must be a mapping {a string: a number (float)} or null, "
        "got {'a': 'heavy'} (dict)."
    )
    assert "parameter extra must be a mapping or null, got [1] (list)" in error(Shapes, extra=[1])


def test_union_prefers_a_member_that_takes_the_value_as_it_is():
    assert typed(build(Unions, either=3.0, number_or_name="2e-5")) == {
        "either": (3.0, float), "number_or_name": ("2e-5", str),
    }
    assert typed(build(Unions, either=3, number_or_name=2)) == {
        "either": (3, int), "number_or_name": (2.0, float),
    }
    assert "parameter either must be an integer or a number (float), got 'x' (str)" in error(Unions, either="x")


# -- what is not checked -------------------------------------------------------------------------


def test_unannotated_unchecked_and_unresolvable_parameters_pass_through():
    marker = object()
    params = build(Loose, anything=marker, path="out/dir", hidden=[1, "x"])
    assert params["anything"] is marker and params["path"] == "out/dir" and params["hidden"] == [1, "x"]
    # The unresolvable annotation does not cost the other parameters their checks.
    assert "parameter count must be an integer" in error(Loose, count="2")


def test_unchecked_annotation_inside_a_checked_one_is_named_in_the_message():
    class Paths(Configurable):
        def __init__(self, paths: dict[str, Path] | None = None):
            self.paths = paths

    assert build(Paths, paths={"a": "x"})["paths"] == {"a": "x"}
    assert "must be a mapping {a string: a Path} or null, got {1: 'x'} (dict)" in error(Paths, paths={1: "x"})


def test_class_without_a_constructor_takes_no_params():
    class Bare(Configurable):
        pass

    assert isinstance(Bare.from_params("method", "bare", {}), Bare)
    assert "has no parameter 'x'; its parameters are: (none)." in error(Bare, x=1)


# -- bounds --------------------------------------------------------------------------------------


def test_values_inside_inclusive_bounds_pass():
    assert build(Bounded, lr=0, fraction=1, temperature=10, limit=1) == {
        "lr": 0.0, "fraction": 1.0, "temperature": 10.0, "limit": 1,
    }


def test_bounds_messages():
    assert error(Bounded, lr=-1e-3) == "method 'dummy': parameter lr must be at least 0, got -0.001."
    assert error(Bounded, fraction=1.5) == (
        "method 'dummy': parameter fraction must be between 0 and 1 (inclusive), got 1.5."
    )
    assert error(Bounded, temperature=11) == "method 'dummy': parameter temperature must be at most 10, got 11.0."
    assert error(Bounded, limit=0) == "method 'dummy': parameter limit must be at least 1, got 0."


def test_bounds_apply_after_coercion_and_skip_none():
    assert "parameter lr must be at least 0, got -0.5." in error(Bounded, lr="-0.5")
    assert build(Bounded, limit=None)["limit"] is None


def test_nan_fails_every_bound():
    assert "must be at least 0, got nan." in error(Bounded, lr="nan")
    assert "at most 10, got nan." in error(Bounded, temperature=math.nan)


def test_bounds_naming_no_parameter_are_a_developer_error():
    class Typo(Configurable):
        param_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {"learning_rate": (0, None)}

        def __init__(self, lr: float = 1e-3):
            self.lr = lr

    with pytest.raises(TypeError, match="Typo.param_bounds names no parameter: learning_rate"):
        Typo.from_params("method", "typo", {})


def test_default_bounds_are_empty():
    assert Configurable.param_bounds == {}


# -- the constructor's own errors ----------------------------------------------------------------


def test_constructor_value_error_becomes_one_line_user_error():
    assert error(Picky, size=101) == (
        "method 'dummy': Picky rejected its parameters: size must be at most 100 (memory)"
    )


def test_constructor_user_error_passes_through_unchanged():
    assert error(Picky, kind="user") == "picky: kind 'user' is reserved."


def test_other_constructor_errors_are_not_disguised():
    class Broken(Configurable):
        def __init__(self, size: int = 1):
            raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        Broken.from_params("method", "broken", {})


def test_coerce_params_builds_nothing():
    assert coerce_params(Picky, "method", "picky", {"size": 101.0}) == {"size": 101}


# -- every registered method, task and attack --------------------------------------------------


REGISTERED = [(registry, kind, name) for registry, kind in ((METHODS, "method"), (TASKS, "task"), (ATTACKS, "attack"))
              for name in registry.names()]


@pytest.mark.parametrize("registry, kind, name", REGISTERED, ids=[f"{kind}:{name}" for _, kind, name in REGISTERED])
def test_registered_defaults_round_trip(registry, kind, name):
    cls = registry.get(name)
    defaults = cls().get_params()
    assert typed(cls.from_params(kind, name, defaults).get_params()) == typed(defaults)


@pytest.mark.parametrize("name", TASKS.names())
def test_task_smoke_params_pass_the_checks(name):
    cls = TASKS.get(name)
    params = cls.from_params("task", name, cls.smoke_params).get_params()
    assert {k: params[k] for k in cls.smoke_params} == cls.smoke_params


def test_finetune_lr_written_as_yaml_exponent():
    finetune = METHODS.get("finetune").from_params("method", "finetune", yaml.safe_load("{lr: 2e-5, epochs: 2.0}"))
    assert (finetune.lr, finetune.epochs) == (2e-5, 2) and type(finetune.epochs) is int
