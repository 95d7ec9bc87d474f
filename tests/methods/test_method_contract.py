"""Every registered method on every registered task, tested without new test code (like
scikit-learn's parametrize_with_checks). The checks are ``bench.method_checks``, the same code
``unlearnbench check-method`` runs; a method runs once per task at its defaults (twice, for
determinism, and once more with an exhausted deadline) and the checks read those runs."""

import pytest

from bench.method_checks import SKIP, TASK_CHECKS, MethodRuns, check_class, check_on_task
from bench.registry import METHODS, TASKS

_runs: dict[tuple[str, str], MethodRuns] = {}


@pytest.mark.parametrize("method", METHODS.names())
def test_class_contract(method):
    for result in check_class(method, METHODS.get(method)):
        assert result.passed, result.line()


@pytest.mark.parametrize("check", list(TASK_CHECKS))
@pytest.mark.parametrize("task", TASKS.names())
@pytest.mark.parametrize("method", METHODS.names())
def test_task_contract(method, task, check, setting_for):
    key = (method, task)
    if key not in _runs:
        _runs[key] = MethodRuns(METHODS.get(method), setting_for(task))
    result = check_on_task(_runs[key], check)
    if result.status == SKIP:
        pytest.skip(result.reason)
    assert result.passed, result.line()
