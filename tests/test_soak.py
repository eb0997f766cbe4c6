"""A small soak of the money path (bench/soak.py): 60 jobs of both flavours, a few at a time,
through app.core.jobs.run_job against a simulator that misbehaves at random on every route."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import jobs
from bench import soak


def zeros(report: soak.Report) -> tuple[int, ...]:
    return (
        report.hung,
        report.crashes,
        report.paid_lost,
        report.created_twice,
        report.broken_files,
        report.unclear,
    )


def test_sixty_jobs_against_a_misbehaving_server_lose_nothing_and_pay_once(tmp_path: Path) -> None:
    report = soak.run_soak(60, seed=11, threads=4, data_dir=tmp_path)
    assert zeros(report) == (0, 0, 0, 0, 0, 0), "\n".join(report.lines() + report.problems)
    assert report.ok and report.jobs == 60
    # The run did meet trouble, and came through it the way a person would.
    assert report.faults >= 20 and report.landed >= 30
    assert report.checked_again >= 1 and report.recovered_by_check_again >= 1


def test_the_soak_counts_a_picture_that_did_not_land(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ledger is not blind: a pipeline that drops every result is caught."""

    def drop(spec, job_id, request, result, late, lib, emit, composited) -> None:
        emit(jobs.Failed("save", "dropped on purpose", OSError(28, "No space left"), job_id))

    monkeypatch.setattr(jobs, "_land_now", drop)
    report = soak.run_soak(8, seed=2, threads=2, rate=0.0, data_dir=tmp_path)
    assert report.paid_lost == 8 and not report.ok
