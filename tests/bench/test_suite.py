"""Suite expansion: sequential specs become one cell per request, class specs go where labels are."""

from bench.splits import ForgetSpec
from bench.suite import expand, parse_suite


def _suite(forget, tasks=("emoji_retrieval",)):
    return parse_suite({"tasks": {t: {} for t in tasks}, "methods": ["finetune"], "seeds": [0],
                        "forget": forget}, "test suite")


def test_a_sequential_spec_gives_one_cell_per_request():
    cells = expand(_suite({"kind": "sequential", "fraction": 0.15, "steps": 3}))
    assert [c.forget.step for c in cells] == [1, 2, 3]
    assert len({c.cell_id for c in cells}) == 3


def test_class_forgetting_runs_only_on_labelled_tasks():
    suite = _suite([{"kind": "random", "fraction": 0.1}, {"kind": "class", "count": 1}],
                   tasks=("emoji_retrieval", "molecule_retrieval"))
    by_task = {}
    for cell in expand(suite):
        by_task.setdefault(cell.task, set()).add(cell.forget.kind)
    assert by_task == {"emoji_retrieval": {"random", "class"}, "molecule_retrieval": {"random"}}
    assert ForgetSpec(kind="class", count=1) in suite.forget
