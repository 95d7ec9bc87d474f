import pytest

from bench.errors import UserError
from bench.registry import ATTACKS, METHODS, TASKS, Registry


def test_lazy_target_resolves_on_get():
    reg = Registry("widget", "unlearnbench.test-widgets", {"ordered": "collections:OrderedDict"})
    from collections import OrderedDict

    assert reg.get("ordered") is OrderedDict
    assert reg.names() == ["ordered"]


def test_decorator_registers_and_rejects_duplicates():
    reg = Registry("widget", "unlearnbench.test-widgets", {})

    @reg.decorator("a")
    class A:
        pass

    assert reg.get("a") is A
    with pytest.raises(ValueError, match="already registered"):
        reg.register("a", "collections:OrderedDict")
    with pytest.raises(ValueError, match="already registered"):

        @reg.decorator("a")
        class B:
            pass


def test_decorator_replaces_its_own_lazy_builtin():
    own = f"{__name__}:test_decorator_replaces_its_own_lazy_builtin.<locals>.Own"
    reg = Registry("widget", "unlearnbench.test-widgets", {"own": own})

    @reg.decorator("own")
    class Own:
        pass

    assert reg.get("own") is Own


def test_unknown_name_suggests_near_matches():
    with pytest.raises(UserError) as info:
        METHODS.get("multidelet")
    message = str(info.value)
    assert "unknown method 'multidelet'" in message and "multidelete" in message
    assert "unlearnbench list methods" in message


def test_entry_point_plugins_are_loaded(monkeypatch):
    from importlib.metadata import EntryPoint

    import bench.registry as registry

    ep = EntryPoint(name="plug", value="collections:Counter", group="unlearnbench.test-widgets")
    monkeypatch.setattr(registry, "entry_points", lambda group: [ep] if group == ep.group else [])
    reg = Registry("widget", "unlearnbench.test-widgets", {})
    from collections import Counter

    assert reg.get("plug") is Counter


@pytest.mark.parametrize("registry", [METHODS, TASKS, ATTACKS], ids=lambda r: r.kind)
def test_every_builtin_resolves_to_a_class_with_its_own_name(registry):
    for name in registry.names():
        assert registry.get(name).name == name


def test_origin_and_target_without_importing(monkeypatch):
    from importlib.metadata import EntryPoint

    import bench.registry as registry

    ep = EntryPoint(name="plug", value="collections:Counter", group="unlearnbench.test-widgets")
    monkeypatch.setattr(registry, "entry_points", lambda group: [ep] if group == ep.group else [])
    reg = Registry("widget", "unlearnbench.test-widgets", {"ordered": "collections:OrderedDict"})

    @reg.decorator("mine")
    class Mine:
        pass

    assert reg.origin("ordered") == "built-in"
    assert reg.origin("plug").startswith("plugin ")
    assert reg.origin("mine") == "registered"
    assert reg.target("plug") == "collections:Counter" and reg.target("mine").endswith(":" + Mine.__qualname__)


def test_a_taken_name_is_a_one_line_user_error_naming_its_holder():
    from bench.registry import DuplicateNameError

    reg = Registry("widget", "unlearnbench.test-widgets", {"ordered": "collections:OrderedDict"})
    with pytest.raises(DuplicateNameError, match=r"'ordered' is already registered \(built-in\)") as info:
        reg.register("ordered", "collections:Counter")
    assert isinstance(info.value, UserError)
