"""Our top-level packages must be the ones in this repo: PyPI has unrelated packages called `schema` and `flows`."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from schema.config import PROJECT_ROOT


@pytest.mark.parametrize("name", ["flows", "extractors", "schema", "warehouse"])
def test_top_level_package_comes_from_this_repo(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve().parent == PROJECT_ROOT / name


def test_imports_run_one_way() -> None:
    """extractors and warehouse never import each other; nothing outside flows imports flows."""
    for package, forbidden in [
        ("extractors", ("warehouse", "flows")),
        ("warehouse", ("extractors", "flows")),
        ("schema", ("extractors", "warehouse", "flows")),
    ]:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            imported = _imported_packages(path)
            for other in forbidden:
                assert other not in imported, f"{path} imports {other}"


def _imported_packages(path: Path) -> set[str]:
    """Top-level names of every import statement in a module, wherever it sits (in a function too); words in strings
    and comments are not imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names
