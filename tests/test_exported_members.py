"""Every module's `__all__` is true: it lists what the module defines and nothing it only imports.

In the spirit of httpx's tests/test_exported_members.py: `from module import *` and a reader of
`__all__` see exactly the module's public classes and functions, and its public constants.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import statuslens.pipelines
import statuslens.transforms


def _module_names() -> list[str]:
    names = []
    for package in (statuslens.transforms, statuslens.pipelines):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            names.append(info.name)
    return sorted(names)


MODULES = _module_names()


def _top_level_definitions(module: ModuleType) -> set[str]:
    """Names the module's own source binds at top level (assignments, defs, classes), not imports."""
    tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))
    names: set[str] = set()
    statements: list[ast.stmt] = list(tree.body)
    while statements:
        statement = statements.pop()
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                names.update(node.id for node in ast.walk(target) if isinstance(node, ast.Name))
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)) and isinstance(statement.target, ast.Name):
            names.add(statement.target.id)
        elif isinstance(statement, (ast.If, ast.Try)):
            statements.extend(statement.body)
            statements.extend(statement.orelse)
            for handler in getattr(statement, "handlers", ()):
                statements.extend(handler.body)
            statements.extend(getattr(statement, "finalbody", ()))
    return names


def _is_package(module: ModuleType) -> bool:
    return hasattr(module, "__path__")


@pytest.mark.parametrize("name", MODULES)
def test_all_names_what_the_module_defines(name: str) -> None:
    module = importlib.import_module(name)
    if _is_package(module) and not hasattr(module, "__all__"):
        return  # a package whose __init__ is only its docstring exports nothing
    exported = getattr(module, "__all__", None)
    assert isinstance(exported, list), f"{name} has no __all__ list"
    assert len(exported) == len(set(exported)), f"{name}.__all__ repeats a name"
    defined = _top_level_definitions(module)
    for member in exported:
        assert hasattr(module, member), f"{name}.__all__ lists {member!r}, which the module does not have"
        value = getattr(module, member)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__module__ == name, f"{name}.__all__ lists {member!r}, defined in {value.__module__}"
        else:
            assert member in defined, f"{name}.__all__ lists {member!r}, which the module only imports"


@pytest.mark.parametrize("name", MODULES)
def test_every_public_class_and_function_is_in_all(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(getattr(module, "__all__", ()))
    public = {
        member
        for member, value in vars(module).items()
        if not member.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == name
    }
    assert sorted(public - exported) == [], f"public in {name} but not in its __all__"
