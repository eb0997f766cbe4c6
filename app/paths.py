"""Where the data folder is: one answer for the window and the command line.

`roaming=False`: on Windows the library (images of many megabytes) belongs in the local
profile, not in one that is copied between machines at every sign-in.
"""

from __future__ import annotations

from pathlib import Path

from app import APP_NAME, ORG_NAME


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, ORG_NAME, roaming=False))


def resolve_data_dir(given: Path | None) -> Path:
    """The folder to use: the one given (--data-dir) or the platform default, made absolute."""
    return (given or default_data_dir()).expanduser().resolve()
