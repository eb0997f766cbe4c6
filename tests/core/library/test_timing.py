"""The typical job time is learned from the library's finished jobs: per flavour, size and
quality, demo apart from real, the median of the latest, nothing below three samples."""

from __future__ import annotations

from app.core.api.models import Flavour, ImageRequest
from app.core.library import JobState, Library
from app.core.library.timing import KEEP, MIN_SAMPLES, Timings, progress, timing_key

URL = "https://api.mountsea.ai"


def finished(
    lib: Library,
    seconds: float,
    *,
    size: str = "1024x1024",
    quality: str = "high",
    flavour: Flavour = Flavour.tasks,
    state: JobState = JobState.completed,
    demo: bool = False,
) -> None:
    request = ImageRequest(prompt="p", size=size, quality=quality)
    job_id = lib.begin_job(request, flavour, URL, demo=demo)
    with lib._write() as c:
        c.execute(
            "UPDATE jobs SET state = ?, finished_at = created_at + ? WHERE job_id = ?",
            (str(state), seconds, job_id),
        )


KEY = timing_key("async", {"size": "1024x1024", "quality": "high"}, False)


def test_the_median_of_completed_jobs_with_the_same_settings(lib: Library) -> None:
    for seconds in (40, 50, 3000):  # one job waited out an outage: the median ignores it
        finished(lib, seconds)
    finished(lib, 5, state=JobState.failed)  # not how long the work takes
    finished(lib, 7, size="1536x1024")  # other settings
    finished(lib, 9, quality="low")
    finished(lib, 11, flavour=Flavour.compat)
    finished(lib, 2, demo=True)  # the demo simulator is quick: learned apart
    timings = lib.timings()
    assert timings.loaded
    assert timings.count(KEY) == 3 and timings.typical(KEY) == 50
    assert (
        timings.typical(timing_key("async", {"size": "1536x1024", "quality": "high"}, False))
        is None
    )
    assert timings.count(timing_key("async", {"size": "1024x1024", "quality": "high"}, True)) == 1


def test_fewer_than_three_samples_give_no_estimate(lib: Library) -> None:
    for _ in range(MIN_SAMPLES - 1):
        finished(lib, 30)
    timings = lib.timings()
    assert timings.typical(KEY) is None
    timings.add(KEY, 60)
    assert timings.typical(KEY) == 30


def test_only_the_latest_are_kept_and_absurd_durations_are_not_learned() -> None:
    timings = Timings()
    for _ in range(KEEP):
        timings.add(KEY, 100)
    for _ in range(KEEP):
        timings.add(KEY, 20)  # the service got faster
    timings.add(KEY, 0)
    timings.add(KEY, -5)
    timings.add(KEY, 10 * 3600)  # a task checked again the next day
    assert timings.count(KEY) == KEEP and timings.typical(KEY) == 20


def test_progress_never_claims_done_before_the_result() -> None:
    assert progress(10, None) is None
    assert progress(10, 0) is None
    assert progress(25, 100) == 0.25
    assert progress(500, 100) == 0.95
