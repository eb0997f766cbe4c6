"""The frozen app, as users get it: built by `packaging/build.py`, run with no Python around.

Slow (a PyInstaller build), so it is marked `packaging` and runs as its own CI step:

    .venv/bin/python -m pytest -m packaging tests/packaging

By default the session builds dist/ first. MOUNTSEA_PACKAGING_REUSE=1 reuses an existing
build instead (the release workflow builds once, then runs these tests against it).

Every frozen run gets a clean environment: no PYTHON* variables, no virtualenv, a PATH
without any Python on it, a fresh HOME and data dir, QT_QPA_PLATFORM=offscreen.
The keyring checks use the bundle's probe (packaging/rthooks/bundle_probe.py), which runs
inside the frozen app's own process when MOUNTSEA_BUNDLE_PROBE=1 and prints JSON.
"""

from __future__ import annotations

import configparser
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
sys.path.insert(0, str(ROOT / "packaging"))
import pyi_common  # noqa: E402

LINUX = sys.platform.startswith("linux")
WINDOWS = sys.platform == "win32"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Frozen:
    folder: Path  # dist/MountseaImageStudio
    gui: Path  # the windowed executable (inside the .app on macOS)
    cli: Path  # the executable to use for command-line runs (console twin on Windows)
    internal: Path  # where the bundle's files live (sys._MEIPASS)
    info: dict


def _build_info() -> dict:
    return json.loads((DIST / "MountseaImageStudio.build.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def frozen() -> Frozen:
    reuse = os.environ.get("MOUNTSEA_PACKAGING_REUSE") == "1"
    if not (reuse and (DIST / "MountseaImageStudio.build.json").exists()):
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py")], cwd=ROOT, check=True)
    info = _build_info()
    gui = Path(info["executable"])
    folder = Path(info["folder"])
    cli = folder / "mountsea.exe" if WINDOWS else gui
    if sys.platform == "darwin":
        internal = gui.parent.parent / "Frameworks"
    else:
        internal = folder / "_internal"
    assert gui.exists(), gui
    return Frozen(folder, gui, cli, internal, info)


def _python_free_path(tmp: Path) -> str:
    """PATH for the frozen app: the system dirs it may need, minus any holding a Python."""
    if LINUX:
        empty = tmp / "bin"
        empty.mkdir(exist_ok=True)
        return str(empty)  # the frozen app needs no external program for these checks
    keep = []
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if not entry or "venv" in entry.lower():
            continue
        if shutil.which("python", path=entry) or shutil.which("python3", path=entry):
            continue
        keep.append(entry)
    return os.pathsep.join(keep)


@pytest.fixture
def clean_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("PYTHON", "PYTEST", "VIRTUAL_ENV", "CONDA", "PIP_", "MOUNTSEA_", "DBUS_")
        )
    }
    home = tmp_path / "home"
    home.mkdir()
    runtime = tmp_path / "xdg-runtime"
    runtime.mkdir(mode=0o700)
    env.update(
        PATH=_python_free_path(tmp_path),
        HOME=str(home),
        USERPROFILE=str(home) if WINDOWS else env.get("USERPROFILE", ""),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        QT_QPA_PLATFORM="offscreen",
        LANG="C.UTF-8",
    )
    env = {k: v for k, v in env.items() if v != ""}
    for key in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    assert shutil.which("python3", path=env["PATH"]) is None
    assert shutil.which("python", path=env["PATH"]) is None
    yield env


def _run(
    args: list[str], env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        env=env,
        cwd=env["HOME"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )


def _probe(frozen: Frozen, env: dict[str, str], wrapper: list[str] | None = None) -> dict:
    env = {**env, "MOUNTSEA_BUNDLE_PROBE": "1"}
    result = _run([*(wrapper or []), str(frozen.cli)], env)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no probe output: {result.stdout!r} {result.stderr!r}"
    return json.loads(lines[-1])


# --- the command line, frozen -------------------------------------------------------


def test_smoke_test_exits_zero(frozen: Frozen, clean_env: dict[str, str], tmp_path: Path) -> None:
    result = _run(
        [str(frozen.gui), "--smoke-test", "--data-dir", str(tmp_path / "data")], clean_env
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr


def test_the_windows_demo_server_runs_from_the_bundle_and_ends_with_its_stdin(
    frozen: Frozen, clean_env: dict[str, str]
) -> None:
    # What demo mode starts (app.simulator.process): the same executable with `simulator`.
    import urllib.request

    args = [str(frozen.gui), "simulator", "--port", "0", "--latency", "0", "--exit-with-stdin"]
    with subprocess.Popen(
        args,
        env=clean_env,
        cwd=clean_env["HOME"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as server:
        assert server.stdin is not None and server.stdout is not None
        try:
            url = server.stdout.readline().decode().strip()
            assert url.startswith("http://127.0.0.1:"), (
                server.stderr.read() if server.stderr else ""
            )
            request = urllib.request.Request(
                f"{url}/openai/v1/images/generations",
                data=json.dumps({"model": "gpt-image-2", "prompt": "a red fox"}).encode(),
                headers={"Authorization": "Bearer sk-demo", "Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=60) as answer:
                assert json.loads(answer.read())["data"][0]["b64_json"]
            server.stdin.close()  # the window closing, or dying
            assert server.wait(timeout=30) == 0
        finally:
            if server.poll() is None:
                server.kill()


def test_generate_demo_saves_a_png(
    frozen: Frozen, clean_env: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    result = _run(
        [str(frozen.cli), "generate", "a red fox", "--demo", "--data-dir", str(data)], clean_env
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    paths = [Path(line.strip()) for line in result.stdout.splitlines() if line.strip()]
    assert paths, f"no path printed; stderr:\n{result.stderr}"
    saved = paths[-1]
    assert saved.is_file(), saved
    assert data in saved.parents, f"{saved} is not in the data dir"
    assert saved.read_bytes()[:8] == PNG_MAGIC

    from PIL import Image

    with Image.open(saved) as image:
        image.verify()
        assert image.size[0] > 0 and image.size[1] > 0
    with Image.open(saved) as image:
        # The prompt is written along the bottom in white, at a readable size, even though the
        # bundle has no FreeType (app/simulator/painter.py scales Pillow's bitmap font up).
        w, h = image.size
        band = image.convert("RGB").crop((0, h - h // 6, w, h))
        white = band.point(lambda v: 255 if v == 255 else 0).convert("L")
        white = white.point(lambda v: 255 if v == 255 else 0)
        box = white.getbbox()
        assert box, "no caption in the demo picture"
        assert box[3] - box[1] >= 0.6 * max(12, min(w, h) // 48), box


def test_edit_demo_with_mask_saves_webp(
    frozen: Frozen, clean_env: dict[str, str], tmp_path: Path
) -> None:
    from PIL import Image

    data = tmp_path / "data"
    source = tmp_path / "source.png"
    Image.new("RGB", (256, 256), (200, 60, 40)).save(source)
    mask = tmp_path / "mask.png"
    painted = Image.new("RGBA", (256, 256), (0, 0, 0, 255))
    painted.paste((0, 0, 0, 0), (64, 64, 192, 192))  # transparent = repaint here
    painted.save(mask)
    result = _run(
        [
            str(frozen.cli),
            "edit",
            "make it blue",
            "--image",
            str(source),
            "--mask",
            str(mask),
            "--format",
            "webp",
            "--demo",
            "--data-dir",
            str(data),
        ],
        clean_env,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    saved = Path(result.stdout.strip().splitlines()[-1])
    head = saved.read_bytes()[:12]
    assert head[:4] == b"RIFF" and head[8:12] == b"WEBP", saved


def test_bad_usage_exits_2_with_a_message(frozen: Frozen, clean_env: dict[str, str]) -> None:
    result = _run(
        [str(frozen.cli), "generate", "x", "--quality", "astonishing", "--demo"], clean_env
    )
    assert result.returncode == 2, result
    assert result.stderr.strip()
    assert "Traceback" not in result.stderr


def test_frozen_app_runs_from_its_own_bundle(frozen: Frozen, clean_env: dict[str, str]) -> None:
    info = _probe(frozen, clean_env)
    assert info["frozen"] is True
    assert Path(info["meipass"]).resolve() == frozen.internal.resolve()
    assert info.get("resources_ok") is True, info
    assert info.get("svg_icons_ok") is True, info  # the task list's icons draw frozen
    assert Path(info["resources_dir"]).resolve() == (frozen.internal / "resources").resolve()


def test_translations_load_frozen(frozen: Frozen, clean_env: dict[str, str]) -> None:
    """Ours from resources/translations, Qt's own (standard dialogs) from the trimmed Qt."""
    info = _probe(frozen, clean_env)
    assert "qt_error" not in info, info
    assert info["app_zh_CN_loads"] is True, info
    assert info["qt_zh_CN_loads"] is True, info
    assert frozen.internal.resolve() in Path(info["qt_translations_path"]).resolve().parents


# --- keyring ------------------------------------------------------------------------

NOT_BUNDLED = ("ModuleNotFoundError", "ImportError", "No module named", "SecretStorage required")


def test_os_keyring_backend_is_bundled(frozen: Frozen, clean_env: dict[str, str]) -> None:
    """The frozen app can use this OS's keyring: the backend imports and, where the OS
    service runs (always on Windows and macOS), is the one keyring picks."""
    info = _probe(frozen, clean_env)
    assert "keyring_error" not in info, info
    reasons = info["keyring_backends"]
    if LINUX:
        # No Secret Service in this clean environment (no D-Bus session): the backend must
        # still be importable, failing only because the service is absent.
        assert not any(marker in reasons["SecretService"] for marker in NOT_BUNDLED), reasons
    elif WINDOWS:
        assert reasons["Windows"].startswith("viable"), reasons
        assert info["keyring_backend"] == "keyring.backends.Windows.WinVaultKeyring", info
    elif sys.platform == "darwin":
        assert reasons["macOS"].startswith("viable"), reasons
        assert info["keyring_backend"] == "keyring.backends.macOS.Keyring", info


def _secret_service_wrapper(tmp_path: Path) -> list[str]:
    dbus = shutil.which("dbus-run-session")
    bus_daemon = shutil.which("dbus-daemon")
    daemon = shutil.which("gnome-keyring-daemon")
    if not (dbus and bus_daemon and daemon):
        pytest.skip(
            "needs dbus-run-session and gnome-keyring-daemon (apt install dbus gnome-keyring)"
        )
    script = tmp_path / "with-secret-service.sh"
    script.write_text(
        "#!/bin/sh\n"
        "# A throwaway Secret Service: its own D-Bus session, keyring files under the test HOME.\n"
        # A non-empty password makes --unlock create the login keyring (no GUI prompt).
        f"printf 'probe' | '{daemon}' --unlock --components=secrets >/dev/null 2>&1\n"
        'exec "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    # Absolute paths throughout: the frozen app's PATH has no system directories.
    return [dbus, f"--dbus-daemon={bus_daemon}", "--", str(script)]


@pytest.mark.skipif(not LINUX, reason="Secret Service is the Linux keyring")
def test_frozen_app_uses_secret_service_when_running(
    frozen: Frozen, clean_env: dict[str, str], tmp_path: Path
) -> None:
    wrapper = _secret_service_wrapper(tmp_path)
    env = {**clean_env, "MOUNTSEA_BUNDLE_PROBE_ROUNDTRIP": "1"}
    info = _probe(frozen, env, wrapper)
    assert info["keyring_backend"] == "keyring.backends.SecretService.Keyring", info
    # set/get/delete through the encrypted session: proves secretstorage's crypto is bundled.
    assert info["keyring_roundtrip"] == "ok", info


# --- what is (not) in the bundle ----------------------------------------------------


def test_bundle_is_trimmed(frozen: Frozen) -> None:
    if not frozen.info.get("trimmed", True):
        pytest.skip("built with MOUNTSEA_PYI_NO_TRIM=1")
    # Qt's files: PySide6/Qt/ on Linux and macOS, PySide6/ itself on Windows.
    qt = frozen.internal / "PySide6" / ("" if WINDOWS else "Qt")
    assert (qt / "plugins").is_dir(), f"no Qt plugins under {qt}"
    plugins = qt / "plugins"
    for plugin in plugins.rglob("*"):
        if plugin.is_file():
            plugin_type = plugin.parent.relative_to(plugins).as_posix()
            assert not pyi_common._plugin_excluded(plugin_type, plugin.name), plugin
    translations = sorted(p.name for p in (qt / "translations").glob("*.qm"))
    assert translations and all(
        any(fnmatch.fnmatchcase(name, keep) for keep in pyi_common.QT_TRANSLATIONS_KEEP)
        for name in translations
    ), translations
    heavy_modules = ["QtQml", "QtQuick", "QtDesigner", "QtPdf", "QtWebEngineCore"]
    heavy_modules += [
        m.split(".", 1)[1] for m in pyi_common.qt_module_excludes() if m.endswith("QtNetwork")
    ]
    for heavy in heavy_modules:
        assert not list(frozen.internal.rglob(f"*{heavy}.*")), f"{heavy} was bundled"
    assert not list(frozen.internal.rglob("*gtk-3*")), "GTK was bundled (platformthemes/qgtk3)"
    assert not list(frozen.internal.rglob("opengl32sw.dll"))
    for platform_plugin in ("qoffscreen",):
        assert list((plugins / "platforms").glob(f"*{platform_plugin}*")), platform_plugin


def test_bundle_leaves_out_test_tools_sdk_and_async(frozen: Frozen) -> None:
    """The executable's Python archive holds the app's runtime only: no test tools (anyio's
    asyncio backend names pytest), no OpenAI SDK (the app talks HTTP through httpx), nothing
    of what pyi_common.PY_EXCLUDES drops."""
    from PyInstaller.archive.readers import CArchiveReader

    modules = set(CArchiveReader(str(frozen.gui)).open_embedded_archive("PYZ.pyz").toc)
    assert "app.main" in modules and "keyring" in modules and "httpx" in modules
    unwanted = {"openai", "pytest", "_pytest", "pytestqt", "anyio", "asyncio", "multiprocessing"}
    unwanted |= set(pyi_common.PY_EXCLUDES) - {"PIL._imagingft"}
    found = sorted(m for m in modules if m.split(".")[0] in unwanted or m in unwanted)
    assert not found, found
    assert not list(frozen.internal.rglob("_imagingft*")), "Pillow's FreeType was bundled"


@pytest.mark.skipif(not LINUX, reason="Pillow's vendored libXau: Linux wheels")
def test_pillow_libxau_is_the_small_system_copy(frozen: Frozen) -> None:
    """pyi_common.share_system_libxau: when the system libXau.so.6 is bundled (for Qt's xcb),
    it stands in for the wheel's 2 MB, mostly-padding copy (see the function for why)."""
    if not (frozen.internal / "libXau.so.6").exists():
        pytest.skip("no system libXau collected on this build machine")
    vendored = list((frozen.internal / "pillow.libs").glob("libXau-*.so*"))
    assert vendored, "Pillow's libxcb needs its libXau"
    assert all(p.stat().st_size < 200_000 for p in vendored), vendored


@pytest.mark.skipif(not LINUX, reason="ELF dependency check")
def test_every_bundled_qt_plugin_finds_its_qt_libraries(frozen: Frozen) -> None:
    """Trimming must not drop a Qt library a kept plugin links to."""
    ldd = shutil.which("ldd")
    if not ldd:
        pytest.skip("needs ldd")
    qt_lib = frozen.internal / "PySide6" / "Qt" / "lib"
    env = {"LD_LIBRARY_PATH": f"{frozen.internal}:{qt_lib}", "PATH": os.environ.get("PATH", "")}
    problems = []
    for plugin in (frozen.internal / "PySide6" / "Qt" / "plugins").rglob("*.so"):
        out = subprocess.run([ldd, str(plugin)], env=env, capture_output=True, text=True).stdout
        for line in out.splitlines():
            if "not found" in line and "libQt6" in line:
                problems.append(f"{plugin.name}: {line.strip()}")
    assert not problems, "\n".join(problems)


def _tarball(frozen: Frozen) -> Path:
    assert "tarball" in frozen.info, (
        "dist/ was built with --no-tarball; rebuild with packaging/build.py"
    )
    return Path(frozen.info["tarball"])


@pytest.mark.skipif(not LINUX, reason="the tarball is the Linux artefact")
def test_linux_tarball_has_app_desktop_entry_and_icons(frozen: Frozen) -> None:
    tarball = _tarball(frozen)
    with tarfile.open(tarball) as archive:
        members = {m.name: m for m in archive.getmembers()}
        top = tarball.name.removesuffix(".tar.gz")
        exe = members[f"{top}/MountseaImageStudio"]
        assert exe.mode & 0o111, "executable bit lost"
        assert members[f"{top}/install-desktop-entry.sh"].mode & 0o111
        assert f"{top}/mountsea-image-studio.png" in members
        assert f"{top}/icons/hicolor/256x256/apps/mountsea-image-studio.png" in members
        assert f"{top}/_internal/resources/icons/app-256.png" in members
        desktop_file = archive.extractfile(members[f"{top}/mountsea-image-studio.desktop"])
        assert desktop_file is not None
        text = desktop_file.read().decode("utf-8")
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "MountseaImageStudio"
    assert entry["Icon"] == "mountsea-image-studio"
    assert entry["Name"] == "Mountsea Image Studio"


@pytest.mark.skipif(not LINUX, reason="the tarball is the Linux artefact")
def test_unpacked_tarball_runs_from_anywhere(
    frozen: Frozen, clean_env: dict[str, str], tmp_path: Path
) -> None:
    tarball = _tarball(frozen)
    unpack = tmp_path / "somewhere else"
    unpack.mkdir()
    with tarfile.open(tarball) as archive:
        archive.extractall(unpack, filter="data")
    exe = unpack / tarball.name.removesuffix(".tar.gz") / "MountseaImageStudio"
    result = _run([str(exe), "--smoke-test", "--data-dir", str(tmp_path / "data")], clean_env)
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"


@pytest.mark.skipif(not LINUX, reason="the tarball is the Linux artefact")
def test_install_desktop_entry_script_points_at_the_unpacked_app(
    frozen: Frozen, tmp_path: Path
) -> None:
    tarball = _tarball(frozen)
    unpack = tmp_path / "unpack dir"  # a space, on purpose
    unpack.mkdir()
    with tarfile.open(tarball) as archive:
        members = [m for m in archive.getmembers() if "/_internal/" not in m.name]
        archive.extractall(unpack, members=members, filter="data")
    top = unpack / tarball.name.removesuffix(".tar.gz")
    data_home = tmp_path / "share"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(data_home)}
    subprocess.run(
        [str(top / "install-desktop-entry.sh")], env=env, check=True, capture_output=True
    )
    entry = (data_home / "applications" / "mountsea-image-studio.desktop").read_text(
        encoding="utf-8"
    )
    assert f'Exec="{top}/MountseaImageStudio"' in entry
    assert (
        data_home / "icons" / "hicolor" / "48x48" / "apps" / "mountsea-image-studio.png"
    ).is_file()
    subprocess.run(
        [str(top / "install-desktop-entry.sh"), "--uninstall"],
        env=env,
        check=True,
        capture_output=True,
    )
    assert not (data_home / "applications" / "mountsea-image-studio.desktop").exists()
