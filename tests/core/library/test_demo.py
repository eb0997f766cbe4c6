"""Demo is not money: demo results are marked, left out of spend and budget, filtered, and
removed in one action."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.api.models import Flavour, ImageRequest
from app.core.library import Library, spend
from tests.core.library.helpers import make_result
from tests.core.library.test_durability import drop_database


def land(lib: Library, prompt: str, *, demo: bool) -> int:
    job = lib.begin_job(ImageRequest(prompt=prompt), Flavour.tasks, "http://127.0.0.1:1", demo=demo)
    return lib.save_result(job, make_result(seed=len(prompt)))[0].id


def test_a_demo_only_library_spends_nothing_and_never_blocks_real_work(lib: Library) -> None:
    ids = [land(lib, f"demo cat {i}", demo=True) for i in range(20)]  # about 3.3 USD if paid
    assert all(lib.item(i).demo for i in ids) and all(
        lib.job(j.job_id).demo for j in lib.recent_jobs()
    )
    assert lib.spend_by_month() == [] and lib.spend_by_day() == []
    assert lib.usage_totals("%Y-%m") == [] and lib.usage_rows() == []
    assert spend.this_month(lib).cost == 0.0
    spend.set_monthly_budget(lib, 1.0)
    assert not lib.would_exceed_budget(spend.estimate_output_tokens("1024x1024", "high"))
    # Real work counts as before.
    land(lib, "a real cat", demo=False)
    (month,) = lib.spend_by_month()
    assert month.images == 1 and month.output_tokens == 4160
    assert month.cost == pytest.approx(spend.Prices().cost(50, 0, 4160))


def test_demo_filter_in_search_count_and_matches(lib: Library) -> None:
    real = land(lib, "a real harbour", demo=False)
    demo = land(lib, "a demo harbour", demo=True)
    for text in ("", "harbour"):
        assert lib.search(text) == [demo, real] and lib.count(text) == 2
        assert lib.search(text, demo="exclude") == [real] and lib.count(text, demo="exclude") == 1
        assert lib.search(text, demo="only") == [demo] and lib.count(text, demo="only") == 1
        assert lib.matches(demo, text, demo="only") and not lib.matches(demo, text, demo="exclude")
        assert lib.matches(real, text, demo="exclude") and not lib.matches(real, text, demo="only")
    assert lib.cells([demo, real])[demo].demo and not lib.cells([real])[real].demo
    with pytest.raises(ValueError, match="demo must be one of"):
        lib.search(demo="maybe")  # type: ignore[arg-type]


def test_removing_every_demo_result_in_one_action_and_undo(lib: Library) -> None:
    real = land(lib, "real", demo=False)
    demos = {land(lib, f"demo {i}", demo=True) for i in range(3)}
    removed = lib.delete_demo_items()
    assert set(removed) == demos and lib.search() == [real]
    assert lib.delete_demo_items() == []  # nothing left to remove
    lib.undelete_items(removed)
    assert set(lib.search()) == demos | {real}


def test_the_demo_mark_survives_a_rebuild_from_the_files(data_dir: Path) -> None:
    with Library.open(data_dir) as lib:
        land(lib, "demo fox", demo=True)
        land(lib, "real fox", demo=False)
    drop_database(data_dir)
    with Library.open(data_dir) as lib:
        assert lib.rebuild_from_files().added == 2
        (demo,) = lib.search(demo="only")
        assert lib.item(demo).prompt == "demo fox"
        (month,) = lib.spend_by_month()  # spend restored from the files: the real one only
        assert month.images == 1
