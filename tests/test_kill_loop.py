"""A few rounds of the kill loop (bench/kill_loop.py; the full loop is `--rounds 20`): the window
and the command line SIGKILLed with async tasks in flight, then a clean start lands the rest.
Nothing may be lost, landed twice, created twice or half-written, and the index stays sound."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = 11
ROUNDS = 3


def _load_loop() -> ModuleType:
    # bench/ is not a package: load the harness by its path, as `python bench/kill_loop.py` runs it.
    spec = importlib.util.spec_from_file_location("kill_loop", ROOT / "bench" / "kill_loop.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


kill_loop = _load_loop()


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("kill-loop")
    sim = kill_loop.make_simulator(SEED)
    lines: list[str] = []
    counts = kill_loop.run_loop(ROUNDS, SEED, work, say=lines.append, sim=sim)
    return counts, work / "data", sim, lines


def test_killed_rounds_lose_nothing_and_bill_nothing_twice(loop) -> None:
    counts, _data_dir, sim, lines = loop
    report = "\n".join([*lines, *counts.lines(), repr(counts.details)])
    assert len(lines) == ROUNDS
    assert sim.created_tasks > 0, report  # the kills came with tasks in flight
    assert counts.integrity == "ok", report
    assert counts.settled, report
    assert counts.lost == 0, report
    assert counts.landed_twice == 0, report
    assert counts.created_twice == 0, report
    assert counts.half_written == 0, report
    assert counts.unindexed == 0, report
    assert counts.unfinished == 0, report
    assert counts.failures() == [], report
    # Every task the server made is either in the library or was cut off before its id came back.
    assert counts.items + counts.unanswered == counts.tasks, report


def test_the_checks_see_a_broken_file_and_a_second_copy(loop, tmp_path: Path) -> None:
    """The checks are not vacuous: a truncated picture and a copy of one under a new name count."""
    counts, data_dir, sim, _lines = loop
    assert counts.items >= 2
    damaged = tmp_path / "data"
    shutil.copytree(data_dir, damaged)
    pictures = sorted(
        p for p in (damaged / "images").rglob("*.png") if kill_loop.PARTIAL_DIR not in p.parts
    )
    first, second = pictures[0], pictures[1]
    shutil.copyfile(first, first.with_name(f"copy-{first.name}"))
    second.write_bytes(second.read_bytes()[: second.stat().st_size // 2])
    # Items point to absolute paths in the loop's folder: point them at the copy.
    _repoint(damaged, data_dir)
    again = kill_loop.check(damaged, sim)
    assert again.half_written == 1
    assert again.landed_twice == 1
    assert again.unindexed == 1
    assert again.lost == counts.lost == 0


def _repoint(damaged: Path, original: Path) -> None:
    conn = kill_loop.sqlite3.connect(damaged / kill_loop.DB_NAME)
    with conn:
        for column in ("path", "raw_path"):
            conn.execute(
                f"UPDATE items SET {column} = replace({column}, ?, ?) WHERE {column} IS NOT NULL",
                (str(original), str(damaged)),
            )
    conn.close()
