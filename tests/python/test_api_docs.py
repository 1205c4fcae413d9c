"""Every public name of the package carries a docstring, and the typing files ship with it."""

import inspect
import pathlib

import tensorbridge as tb

# Plain values (dtype singletons, aliases, version string) document themselves through their type.
def _public_names():
    for name in dir(tb):
        if name.startswith("_"):
            continue
        obj = getattr(tb, name)
        if isinstance(obj, (tb.dtype, str, int, float)) or inspect.ismodule(obj):
            continue
        yield name, obj


def test_every_public_name_has_a_docstring():
    missing = [name for name, obj in _public_names() if not (getattr(obj, "__doc__", None) or "").strip()]
    assert missing == []


def test_every_public_tensor_method_has_a_docstring():
    missing = []
    for name in dir(tb.Tensor):
        if name.startswith("_"):
            continue
        doc = getattr(getattr(tb.Tensor, name), "__doc__", None)
        if not (doc or "").strip():
            missing.append(name)
    assert missing == []


def test_package_ships_typing_information():
    pkg = pathlib.Path(tb.__file__).parent
    assert (pkg / "py.typed").exists()
    assert (pkg / "_core.pyi").exists()
