"""Our top-level packages must be the ones in this repo: PyPI has unrelated packages called `schema` and `flows`."""

from __future__ import annotations

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
            text = path.read_text(encoding="utf-8")
            for other in forbidden:
                assert f"from {other}" not in text and f"import {other}" not in text, f"{path} imports {other}"
