"""A method file travels with its cells: any process can load it from the cell, and the path
is not part of the cell's identity (the file's code hash is)."""

from dataclasses import replace

from bench.method_file import method_class
from bench.spec import CellSpec
from bench.splits import ForgetSpec

SOURCE = '''from bench import Method, register_method


@register_method("travelling_method")
class Travelling(Method):
    name = "travelling_method"
'''


def test_a_cell_loads_its_method_file_and_the_path_is_not_its_identity(tmp_path):
    path = tmp_path / "travelling_method.py"
    path.write_text(SOURCE)
    cell = CellSpec.make("emoji_retrieval", {}, "travelling_method", {}, ForgetSpec(fraction=0.1), 0, [], 60,
                         code={"method": "abc", "task": "def"})
    with_file = replace(cell, method_file=str(path))
    assert method_class(with_file.method, with_file.method_file).__name__ == "Travelling"
    assert with_file.cell_id == cell.cell_id and with_file == cell
    assert "method_file" not in with_file.to_dict()
    assert replace(cell, code=(("method", "other"), ("task", "def"))).cell_id != cell.cell_id
