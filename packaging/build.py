"""Build the app for this OS with PyInstaller: `make package` runs this.

    .venv/bin/python packaging/build.py              the app -> dist/MountseaImageStudio/
                                                     (+ Linux tarball, + macOS .app)
    .venv/bin/python packaging/build.py --baseline   the one-window yardstick -> dist/OneWindow/
    options: --clean (drop PyInstaller's cache first), --no-tarball

Each build writes dist/<name>.build.json (seconds, bytes, versions) for bench/bench_bundle.py.
The build runs at lower CPU priority (nice 10) so a desktop or a shared CI box stays usable.
Set MOUNTSEA_PYI_NO_TRIM=1 to build without the Qt trimming (see packaging/pyi_common.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import pyi_common  # noqa: E402

APP_NAME = "MountseaImageStudio"
BASELINE_NAME = "OneWindow"
DESKTOP_ID = "mountsea-image-studio"


def folder_size(path: Path) -> int:
    """Bytes on disk as a user would count them; symlinks (macOS .app) counted once."""
    total = 0
    for entry in path.rglob("*"):
        if entry.is_file() and not entry.is_symlink():
            total += entry.stat().st_size
    return total


def executable(dist: Path, name: str) -> Path:
    """The frozen program to run, per OS."""
    if sys.platform == "darwin" and name == APP_NAME:
        return dist / "Mountsea Image Studio.app" / "Contents" / "MacOS" / APP_NAME
    suffix = ".exe" if sys.platform == "win32" else ""
    return dist / name / f"{name}{suffix}"


def _lower_priority() -> None:
    os.nice(10)


def run_pyinstaller(spec: Path, dist: Path, work: Path, clean: bool) -> float:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        os.environ.get("PYI_LOG_LEVEL", "WARN"),
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
    ]
    if clean:
        command.append("--clean")
    command.append(str(spec))
    print("+", " ".join(command), flush=True)
    started = time.perf_counter()
    subprocess.run(
        command,
        cwd=ROOT,
        check=True,
        preexec_fn=_lower_priority if os.name == "posix" else None,
    )
    return time.perf_counter() - started


def linux_tarball(dist: Path, version: str) -> Path:
    """dist/MountseaImageStudio-<version>-linux-<arch>.tar.gz with .desktop, icons, installer."""
    arch = platform.machine() or "unknown"
    top = f"{APP_NAME}-{version}-linux-{arch}"
    tarball = dist / f"{top}.tar.gz"
    staging = dist / f".{top}-extras"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shutil.copy2(HERE / "linux" / f"{DESKTOP_ID}.desktop", staging / f"{DESKTOP_ID}.desktop")
    shutil.copy2(HERE / "linux" / "install-desktop-entry.sh", staging / "install-desktop-entry.sh")
    icons = ROOT / "resources" / "icons"
    shutil.copy2(icons / "app-256.png", staging / f"{DESKTOP_ID}.png")
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        target = staging / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copy2(icons / f"app-{size}.png", target / f"{DESKTOP_ID}.png")

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    tmp = tarball.with_suffix(".tmp")
    with tarfile.open(tmp, "w:gz", compresslevel=6) as archive:
        archive.add(dist / APP_NAME, arcname=top, filter=normalise)
        for item in sorted(staging.iterdir()):
            archive.add(item, arcname=f"{top}/{item.name}", filter=normalise)
    tmp.replace(tarball)
    shutil.rmtree(staging)
    return tarball


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--baseline", action="store_true", help="build the one-window baseline instead"
    )
    parser.add_argument("--clean", action="store_true", help="clear PyInstaller's cache first")
    parser.add_argument("--no-tarball", action="store_true", help="Linux: skip the tarball")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build")
    args = parser.parse_args(argv)

    name = BASELINE_NAME if args.baseline else APP_NAME
    spec = HERE / "baseline" / "one_window.spec" if args.baseline else HERE / "mountsea.spec"
    if not args.baseline and not (ROOT / "app" / "main.py").exists():
        print("packaging: app/main.py does not exist yet; nothing to freeze", file=sys.stderr)
        return 2
    dist = args.dist.resolve()
    seconds = run_pyinstaller(spec, dist, args.work.resolve() / name, args.clean)

    version = pyi_common.version()
    folder = dist / name
    exe = executable(dist, name)
    if not exe.exists():
        print(f"packaging: expected {exe} after the build", file=sys.stderr)
        return 1
    info = {
        "name": name,
        "version": version,
        "platform": sys.platform,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "pyinstaller": _version_of("pyinstaller"),
        "pyside6": _version_of("PySide6_Essentials"),
        "trimmed": pyi_common.TRIM,
        "build_seconds": round(seconds, 1),
        "clean_build": args.clean,
        "folder": str(folder),
        "executable": str(exe),
        "bytes": folder_size(folder),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if sys.platform == "darwin" and not args.baseline:
        info["app_bundle"] = str(dist / "Mountsea Image Studio.app")
    if sys.platform.startswith("linux") and not args.baseline and not args.no_tarball:
        tarball = linux_tarball(dist, version)
        info["tarball"] = str(tarball)
        info["tarball_bytes"] = tarball.stat().st_size
    (dist / f"{name}.build.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")

    print(f"built {folder}  {info['bytes'] / 1e6:.1f} MB  in {seconds:.0f} s")
    if "tarball" in info:
        print(f"tarball {info['tarball']}  {info['tarball_bytes'] / 1e6:.1f} MB")
    return 0


def _version_of(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main())
