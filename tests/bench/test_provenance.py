"""Where a record's code came from: built in, a plugin distribution, a method file, or neither."""

from bench.method_file import load_method_file
from bench.provenance import label, provenance
from bench.registry import METHODS


def test_a_builtin_method_is_unlearnbench_at_its_version():
    found = provenance("method", METHODS.get("finetune"))
    assert found["method_origin"] == "built-in"
    assert found["method_package"].startswith("unlearnbench ")
    assert len(found["method_source"]) == 16


def test_a_method_file_is_a_file_with_its_path_and_hash(tmp_path):
    path = tmp_path / "file_method_x.py"
    path.write_text('"""A file."""\nfrom bench import Method, register_method\n\n\n'
                    '@register_method("file_method_x")\nclass FileMethodX(Method):\n    name = "file_method_x"\n')
    assert load_method_file(path) == ["file_method_x"]
    assert load_method_file(path) == ["file_method_x"]  # idempotent: a cell may load it again
    found = provenance("method", METHODS.get("file_method_x"))
    assert found["method_origin"] == "file" and found["method_package"] is None
    assert found["method_file"] == str(path) and found["method_source"] != "unknown"
    assert label(found) == f"file @ {found['method_source']}"


def test_code_that_is_no_package_is_external_and_no_class_is_nothing():
    class Local:
        pass

    assert provenance("method", Local)["method_origin"] == "external"
    assert provenance("method", None) == {"method_origin": None, "method_package": None, "method_source": None}
    assert label({"method_origin": None}) == ""
