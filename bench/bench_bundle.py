"""Figures for the frozen app against a one-window PySide6 app frozen the same way.

    .venv/bin/python bench/bench_bundle.py            use dist/ as built (builds what's missing)
    .venv/bin/python bench/bench_bundle.py --build    rebuild both first (--clean: from an empty
                                                      PyInstaller cache, as on a fresh clone)

Prints: bundle size (folder and .tar.gz) and its ratio to the baseline (goal <= 1.2x), what
the app adds over the baseline by component, `--smoke-test` start-up time (median of N runs
after one warm-up, each bundle in a clean environment, offscreen), and the build times.
Also writes bench/out/bundle.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
GOAL = 1.2


class _CountingGzip:
    """A write-only sink that gzips (level 6, like the tarball) and counts the bytes."""

    def __init__(self) -> None:
        self._z = zlib.compressobj(6, zlib.DEFLATED, 31)
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(self._z.compress(data))
        return len(data)

    def close(self) -> int:
        self.size += len(self._z.flush())
        return self.size


def compressed_size(folder: Path) -> int:
    sink = _CountingGzip()
    with tarfile.open(fileobj=sink, mode="w|") as archive:  # type: ignore[call-overload]
        archive.add(folder, arcname=folder.name)
    return sink.close()


def files(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def component(relative: str) -> str:
    parts = relative.split("/")
    if parts[0] == "_internal" and len(parts) > 2:
        return "/".join(parts[:2]) + "/"
    return relative


def load_or_build(name: str, build: bool, clean: bool) -> dict:
    info_path = DIST / f"{name}.build.json"
    if build or not info_path.exists():
        command = [sys.executable, str(ROOT / "packaging" / "build.py")]
        if name == "OneWindow":
            command.append("--baseline")
        if clean:
            command.append("--clean")
        subprocess.run(command, cwd=ROOT, check=True)
    return json.loads(info_path.read_text(encoding="utf-8"))


def clean_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "CONDA", "MOUNTSEA_", "DBUS_SESSION"))
    }
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env.update(
        HOME=str(home), XDG_RUNTIME_DIR=str(runtime), QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8"
    )
    if sys.platform.startswith("linux"):
        env["PATH"] = "/nonexistent"
    return env


def _smoke_command(
    exe: Path, scratch: Path, from_source: bool
) -> tuple[list[str], dict[str, str], Path]:
    home = scratch / (exe.stem + ("-source" if from_source else ""))
    home.mkdir()
    if from_source:  # the same app run by the venv's Python, for scale
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home)}
        return [str(exe), "-m", "app", "--smoke-test", "--data-dir", str(home / "data")], env, ROOT
    env = clean_env(home)
    return [str(exe), "--smoke-test", "--data-dir", str(home / "data")], env, home


def _time_once(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, timeout=120)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        stderr = result.stderr.decode(errors="replace")
        raise SystemExit(f"{command[0]} --smoke-test failed ({result.returncode}):\n{stderr}")
    return elapsed


def startup_times(subjects: dict[str, tuple[Path, bool]], runs: int) -> dict[str, list[float]]:
    """One warm-up each (disk cache, first-run data dir), then `runs` rounds, interleaved so
    a change in machine load hits every subject alike."""
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as scratch:
        commands = {
            name: _smoke_command(exe, Path(scratch), source)
            for name, (exe, source) in subjects.items()
        }
        for command in commands.values():
            _time_once(*command)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                times[name].append(_time_once(*command))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--build", action="store_true", help="rebuild both bundles first")
    parser.add_argument(
        "--clean", action="store_true", help="with --build: empty PyInstaller cache"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    app = load_or_build("MountseaImageStudio", args.build, args.clean)
    base = load_or_build("OneWindow", args.build, args.clean)
    if app.get("trimmed") != base.get("trimmed"):
        raise SystemExit(
            "the two bundles were not built the same way (MOUNTSEA_PYI_NO_TRIM differs)"
        )

    app_folder, base_folder = Path(app["folder"]), Path(base["folder"])
    app_files, base_files = files(app_folder), files(base_folder)
    app_bytes, base_bytes = sum(app_files.values()), sum(base_files.values())
    app_gz, base_gz = compressed_size(app_folder), compressed_size(base_folder)

    extra: Counter[str] = Counter()
    for rel, size in app_files.items():
        base_rel = rel.replace("MountseaImageStudio", "OneWindow")
        extra[component(rel)] += size - base_files.get(base_rel, 0)

    times = startup_times(
        {
            "app": (Path(app["executable"]), False),
            "baseline": (Path(base["executable"]), False),
            "source": (Path(sys.executable), True),
        },
        args.runs,
    )
    app_times, base_times, source_times = times["app"], times["baseline"], times["source"]

    mb = 1e6
    ratio, ratio_gz = app_bytes / base_bytes, app_gz / base_gz
    app_median, base_median = statistics.median(app_times), statistics.median(base_times)
    print(
        f"Mountsea Image Studio {app['version']} on {app['platform']}/{app['machine']}, "
        f"Python {app['python']}, PySide6 {app['pyside6']}, PyInstaller {app['pyinstaller']}, "
        f"trimmed={app['trimmed']}"
    )
    print()
    print("Bundle size                 folder      .tar.gz")
    print(f"  app (one-folder)      {app_bytes / mb:8.1f} MB {app_gz / mb:8.1f} MB")
    print(f"  one-window baseline   {base_bytes / mb:8.1f} MB {base_gz / mb:8.1f} MB")
    verdict = "meets" if ratio <= GOAL else "misses"
    print(
        f"  ratio                 {ratio:8.2f} x  {ratio_gz:8.2f} x   (goal <= {GOAL} x: {verdict})"
    )
    print()
    print("What the app adds over the baseline (top 12)")
    for name, size in extra.most_common(12):
        print(f"  {size / mb:7.2f} MB  {name}")
    print()
    print(
        f"Start-up, --smoke-test, offscreen, median of {args.runs} interleaved runs (after 1 warm-up)"
    )
    print(
        f"  app                   {app_median * 1000:7.0f} ms  (min {min(app_times) * 1000:.0f}, max {max(app_times) * 1000:.0f})"
    )
    print(
        f"  one-window baseline   {base_median * 1000:7.0f} ms  (min {min(base_times) * 1000:.0f}, max {max(base_times) * 1000:.0f})"
    )
    print(
        f"  ratio                 {app_median / base_median:7.2f} x  (+{(app_median - base_median) * 1000:.0f} ms)"
    )
    source_median = statistics.median(source_times)
    print(f"  for scale: the same app from source (python -m app): {source_median * 1000:.0f} ms")
    print()
    print("Build time (packaging/build.py, nice 10)")
    for info in (app, base):
        cache = "empty PyInstaller cache" if info.get("clean_build") else "warm PyInstaller cache"
        print(
            f"  {info['name']:<22}{info['build_seconds']:7.0f} s  ({cache}, {os.cpu_count()} CPUs)"
        )

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bundle.json").write_text(
        json.dumps(
            {
                "app": {**app, "bytes": app_bytes, "targz_bytes": app_gz, "startup_s": app_times},
                "baseline": {
                    **base,
                    "bytes": base_bytes,
                    "targz_bytes": base_gz,
                    "startup_s": base_times,
                },
                "ratio_size": ratio,
                "ratio_targz": ratio_gz,
                "ratio_startup_median": app_median / base_median,
                "source_startup_s": source_times,
                "extra_by_component": dict(extra.most_common()),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
