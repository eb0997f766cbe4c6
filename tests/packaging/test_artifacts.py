"""Fast checks of the packaging inputs (no build): icons, installer script, desktop entry,
workflow, signing script, and the trimming rules. These run in the normal `make test`."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
sys.path.insert(0, str(PACKAGING))
import make_icons  # noqa: E402
import pyi_common  # noqa: E402

# --- icons ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", make_icons.PNG_SIZES)
def test_png_icon_sizes(size: int) -> None:
    with Image.open(ICONS / f"app-{size}.png") as image:
        assert image.size == (size, size)
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0, "corners should be transparent (rounded tile)"


def test_ico_has_every_windows_size() -> None:
    with Image.open(ICONS / "app.ico") as image:
        assert set(image.info["sizes"]) == {(s, s) for s in make_icons.ICO_SIZES}


def test_icns_has_retina_and_1024() -> None:
    with Image.open(ICONS / "app.icns") as image:
        sizes = set(image.info["sizes"])
    assert (512, 512, 2) in sizes  # 1024 px
    assert {(16, 16, 2), (32, 32, 2), (128, 128, 1), (256, 256, 1)} <= sizes


@pytest.mark.parametrize("size", [16, 64, 256])
def test_committed_icons_match_the_svg(qapp: object, size: int) -> None:
    """Edited app.svg without re-running packaging/make_icons.py? This catches it."""
    rendered = make_icons.render(size)
    with Image.open(ICONS / f"app-{size}.png") as committed:
        difference = ImageChops.difference(rendered, committed.convert("RGBA"))
    worst = max(high for _low, high in difference.getextrema())
    assert worst <= 8, f"app-{size}.png differs from app.svg; run packaging/make_icons.py"


# --- trimming rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plugin_type", "plugin_file"),
    [
        ("platformthemes", "libqgtk3.so"),
        ("platformthemes", "qgtk3.dll"),
        ("platforms", "libqeglfs.so"),
        ("platforms", "qdirect2d.dll"),
        ("egldeviceintegrations", "libqeglfs-x11-integration.so"),
        ("imageformats", "libqpdf.dylib"),
        ("wayland-shell-integration", "libivi-shell.so"),
        ("networkinformation", "libqglib.so"),
        ("tls", "qopensslbackend.dll"),
    ],
)
def test_trimmed_plugins(plugin_type: str, plugin_file: str) -> None:
    assert pyi_common._plugin_excluded(plugin_type, plugin_file)


@pytest.mark.parametrize(
    ("plugin_type", "plugin_file"),
    [
        ("platforms", "libqxcb.so"),
        ("platforms", "libqwayland.so"),
        ("platforms", "libqoffscreen.so"),
        ("platforms", "qwindows.dll"),
        ("platforms", "libqcocoa.dylib"),
        ("platformthemes", "libqxdgdesktopportal.so"),
        ("platforminputcontexts", "libibusplatforminputcontextplugin.so"),
        ("platforminputcontexts", "libcomposeplatforminputcontextplugin.so"),
        ("imageformats", "libqjpeg.so"),
        ("imageformats", "qwebp.dll"),
        ("imageformats", "libqgif.dylib"),
        ("styles", "qmodernwindowsstyle.dll"),
        ("styles", "libqmacstyle.dylib"),
        ("wayland-shell-integration", "libxdg-shell.so"),
        ("iconengines", "libqsvgicon.so"),
    ],
)
def test_kept_plugins(plugin_type: str, plugin_file: str) -> None:
    assert not pyi_common._plugin_excluded(plugin_type, plugin_file)


def test_no_qt_module_the_app_uses_is_excluded() -> None:
    excluded = {name.split(".", 1)[1] for name in pyi_common.qt_module_excludes()}
    assert not excluded & pyi_common.qt_modules_used_by_app()
    assert not excluded & {"QtCore", "QtGui", "QtWidgets"}


def _imported_modules(path: Path) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_app_uses_nothing_the_frozen_build_leaves_out() -> None:
    """pyi_common.PY_EXCLUDES drops modules on the grounds that the app never uses them
    (asyncio/anyio, multiprocessing, xml, ...); an import of one in app/ would work from
    source and fail only in the frozen app."""
    excluded = set(pyi_common.PY_EXCLUDES)
    problems = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for name in _imported_modules(path):
            parts = name.split(".")
            if any(".".join(parts[:i]) in excluded for i in range(1, len(parts) + 1)):
                problems.append(f"{path.relative_to(ROOT)} imports {name}")
        text = path.read_text(encoding="utf-8")
        # The async HTTP client needs anyio; process pools need multiprocessing.
        for name in ("AsyncClient", "AsyncHTTPTransport", "ProcessPoolExecutor"):
            if name in text:
                problems.append(f"{path.relative_to(ROOT)} uses {name}")
    assert not problems, "\n".join(problems)


def test_translation_filter_keeps_only_shipped_languages() -> None:
    kept = pyi_common.trim_toc(
        [
            ("PySide6/Qt/translations/qtbase_zh_CN.qm", "src", "DATA"),
            ("PySide6/Qt/translations/qt_zh_CN.qm", "src", "DATA"),
            ("PySide6/Qt/translations/qtbase_de.qm", "src", "DATA"),
            ("PySide6/Qt/translations/qt_help_zh_CN.qm", "src", "DATA"),
            ("PySide6\\opengl32sw.dll", "src", "BINARY"),
            ("PySide6\\translations\\qtbase_fr.qm", "src", "DATA"),
            ("PySide6\\translations\\qtbase_zh_CN.qm", "src", "DATA"),
            ("resources/translations/app_zh_CN.qm", "src", "DATA"),
            ("resources/translations/app_zh_CN.ts", "src", "DATA"),
            ("resources\\translations\\update.py", "src", "DATA"),
        ]
    )
    assert [entry[0] for entry in kept] == [
        "PySide6/Qt/translations/qtbase_zh_CN.qm",
        "PySide6/Qt/translations/qt_zh_CN.qm",
        "PySide6\\translations\\qtbase_zh_CN.qm",
        "resources/translations/app_zh_CN.qm",
    ]


# --- installers and release -------------------------------------------------------------


def _iss() -> str:
    return (PACKAGING / "windows" / "installer.iss").read_text(encoding="utf-8")


def test_windows_installer_is_per_user_and_upgrades_in_place() -> None:
    iss = _iss()
    # Never change the AppId: Windows uses it to recognise the next version as an upgrade.
    assert "AppId={{4E0D338E-C5EE-4D89-9EC8-12CADC013BB8}" in iss
    assert re.search(r"^PrivilegesRequired=lowest$", iss, re.M)
    assert r"DefaultDirName={localappdata}\Programs\{#AppName}" in iss
    assert re.search(r"^CloseApplications=yes$", iss, re.M)
    assert 'Name: "desktopicon"' in iss and "Flags: unchecked" in iss
    assert "{autoprograms}" in iss
    assert "AppVersion={#AppVersion}" in iss and "AppPublisher={#AppPublisher}" in iss
    assert r'Name: "{app}\_internal"' in iss  # stale libraries removed on upgrade


def test_desktop_entry() -> None:
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(PACKAGING / "linux" / "mountsea-image-studio.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "MountseaImageStudio"
    assert entry["Icon"] == "mountsea-image-studio"
    assert entry["Terminal"] == "false"
    assert "Graphics;" in entry["Categories"]
    # Wayland matches windows to this entry by app id (QGuiApplication.setDesktopFileName).
    main = (ROOT / "app" / "main.py").read_text(encoding="utf-8")
    assert 'setDesktopFileName("mountsea-image-studio")' in main


def test_release_workflow_covers_three_runners_and_publishes() -> None:
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert re.search(r'tags:\s*\["v\*"\]', text)
    for runner in ("ubuntu-", "windows-latest", "macos-latest"):
        assert f"os: {runner}" in text
    assert "pip install -c constraints.txt" in text
    assert "python packaging/build.py" in text
    assert "pytest -m packaging tests/packaging" in text
    assert "--smoke-test" in text and 'generate "a red fox" --demo' in text
    assert "installer.iss" in text and "make_dmg.sh" in text and "sign_and_notarize.sh" in text
    assert "softprops/action-gh-release" in text


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("mode", ["app", "dmg"])
def test_macos_signing_skips_cleanly_without_credentials(tmp_path: Path, mode: str) -> None:
    result = subprocess.run(
        ["bash", str(PACKAGING / "macos" / "sign_and_notarize.sh"), mode, str(tmp_path / "x")],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "skipping signing" in result.stdout


def test_spec_declares_the_macos_bundle() -> None:
    spec = (PACKAGING / "mountsea.spec").read_text(encoding="utf-8")
    for key in (
        'BUNDLE_ID = "ai.mountsea.imagestudio"',
        '"NSHighResolutionCapable": True',
        '"NSRequiresAquaSystemAppearance": False',
        '"LSMinimumSystemVersion"',
        '"CFBundleDisplayName"',
        'collect_submodules("app"',
        '(str(ROOT / "resources"), "resources")',
    ):
        assert key in spec, key
    assert re.fullmatch(r"\d+\.\d+", pyi_common.macos_minimum_version())
