"""app/core and app/simulator stay plain Python: no PySide6, however it is imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
PLAIN = ["core", "simulator"]


def qt_imports(path: Path, root: Path = APP.parent) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
            "import_module", "__import__"
        ):
            names = [a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        found += [f"{path.relative_to(root)}:{node.lineno}: {n}" for n in names
                  if n.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6")]
    return found


@pytest.mark.parametrize("package", PLAIN)
def test_plain_layers_do_not_import_qt(package):
    files = sorted((APP / package).rglob("*.py"))
    assert files, f"app/{package} has no Python files"
    offenders = [hit for f in files for hit in qt_imports(f)]
    assert offenders == []


def test_the_checker_catches_every_import_form(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import PySide6\nfrom PySide6.QtCore import QObject\nimport importlib\n"
        "importlib.import_module('PySide6.QtGui')\n__import__('shiboken6')\n"
    )
    assert len(qt_imports(sample, tmp_path)) == 4
