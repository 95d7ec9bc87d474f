"""Every registered method's search space, checked without new test code (a contract over the
METHODS registry), and the checker itself on spaces that are wrong."""

import pytest

from bench import Method
from bench.registry import METHODS
from bench.tuning.space import defaults_in_space, search_space, space_problems

UNTUNED = {"retrain"}  # serves the cached reference: nothing to tune


@pytest.mark.parametrize("method", METHODS.names())
def test_search_space_names_real_parameters_with_ranges_holding_the_default(method):
    cls = METHODS.get(method)
    assert space_problems(cls) == []
    assert bool(search_space(cls)) == (method not in UNTUNED)


@pytest.mark.parametrize("method", sorted(set(METHODS.names()) - UNTUNED))
def test_both_ends_of_every_range_build_the_method(method):
    cls = METHODS.get(method)
    for end in ("low", "high"):
        params = {d.name: int(getattr(d, end)) if d.kind == "int" else float(getattr(d, end))
                  for d in search_space(cls)}
        assert cls.from_params("method", method, params).get_params().items() >= params.items()
    assert all(d.contains(v) for d, v in zip(search_space(cls), defaults_in_space(cls).values()))


class Declared(Method):
    param_bounds = {"lr": (0, None), "alpha": (0, 1)}

    def __init__(self, lr: float = 1e-3, epochs: int = 2, alpha: float = 0.5):
        self.lr, self.epochs, self.alpha = lr, epochs, alpha


@pytest.mark.parametrize("space, fragment", [
    ({"gamma": ("log", 1e-4, 1e-2)}, "not a constructor parameter"),
    ({"lr": ("cubic", 1e-4, 1e-2)}, "kind one of"),
    ({"lr": ("log", 1e-2, 1e-4)}, "low < high"),
    ({"lr": ("log", 0.0, 1e-2)}, "low > 0"),
    ({"lr": ("log", 1e-2, 1e-1)}, "default 0.001 is outside"),
    ({"epochs": ("int", 1.0, 4.0)}, "integer bounds"),
    ({"alpha": ("float", 0.1, 1.5)}, "leaves param_bounds"),
    ({"lr": ["log", 1e-4, 1e-2]}, "expected (kind, low, high)"),
])
def test_a_wrong_space_is_named(space, fragment):
    cls = type("Wrong", (Declared,), {"search_space": space})
    problems = space_problems(cls)
    assert len(problems) == 1 and fragment in problems[0], problems


def test_a_right_space_has_no_problem_and_defaults_are_its_first_trial():
    cls = type("Right", (Declared,), {"search_space": {"lr": ("log", 1e-4, 1e-2), "epochs": ("int", 1, 4)}})
    assert space_problems(cls) == []
    assert defaults_in_space(cls) == {"lr": 1e-3, "epochs": 2}
