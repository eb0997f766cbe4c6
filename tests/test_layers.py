"""The layers of design.md, checked on the source: app/core and app/simulator stay plain Python
(no PySide6, however it is imported) and arrows only point down."""

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


def app_imports(path: Path) -> list[tuple[int, str]]:
    """Every absolute import of an app.* module in `path` (including `from app import x`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "app"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "app":
                found += [(node.lineno, f"app.{a.name}") for a in node.names]
            elif node.module.split(".")[0] == "app":
                found.append((node.lineno, node.module))
    return found


# What each plain layer must never reach up to (design.md: ui -> services -> core, simulator -> core, cli -> core).
FORBIDDEN = {
    "core": ("app.ui", "app.services", "app.simulator", "app.cli", "app.main"),
    "simulator": ("app.ui", "app.services", "app.cli", "app.main"),
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_arrows_point_down(package):
    offenders = [
        f"{f.relative_to(APP.parent)}:{line}: {name}"
        for f in sorted((APP / package).rglob("*.py"))
        for line, name in app_imports(f)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[package])
    ]
    assert offenders == []
