"""Who owns a running job: a token per process, and a lock that dies with the process.

A job journaled by the window must not be resumed (or marked interrupted) by a command line
started beside it, and a job whose process was killed must be taken over by whichever process
starts next. So each process that journals jobs holds an owner token, written into the jobs it
runs, and proves it is alive by holding an exclusive lock on `<data dir>/owners/<token>.lock`.

Why a lock file and not only a process id: a pid says nothing once the process is gone (the
number is reused), and telling a reused pid apart needs the process start time, which only
Linux offers without psutil (/proc/<pid>/stat field 22). An OS file lock is released by the
kernel when its holder dies, however it dies (SIGKILL, a crash, a power cut), on Linux, macOS
(fcntl.flock) and Windows (msvcrt.locking) alike. "Is the owner alive?" becomes "can I lock
its file?": yes means its holder is gone. The token still starts with the pid and the start
time, for people reading the journal, and for the fallback when a file system refuses locks
(some network shares): then the pid is checked (and on Linux its start time).

Creating a token's file and taking its lock is not one step, so a checker could find a fresh,
not yet locked file and take its owner for dead: both happen under a short lock on
`owners/.registry`.

A process holds one token per data folder while any Library on it is open; closing the last
one releases it (its unfinished jobs are then orphans, as they would be after an exit).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

OWNERS_DIR = "owners"
_REGISTRY = ".registry"
_BUSY = {errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK, errno.EDEADLK}

if sys.platform == "win32":
    import msvcrt

    def _try_lock(f: IO[bytes]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)

    def _block_lock(f: IO[bytes]) -> None:
        f.seek(0)
        # LK_LOCK retries for about 10 s, then raises: the registry is held for microseconds.
        msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)

    def _unlock(f: IO[bytes]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    # flock, not lockf: flock locks belong to the open file, so a second open in this very
    # process conflicts too, and a fork's child closing its copy does not release the parent's.
    def _try_lock(f: IO[bytes]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _block_lock(f: IO[bytes]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)

    def _unlock(f: IO[bytes]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _start_time(pid: int) -> str | None:
    """The process start time in clock ticks since boot (Linux only), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 2 (the command) may hold spaces and parentheses: split after its last ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None  # field 22 of the whole line


def make_token(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    started = _start_time(pid) or f"t{int(time.time())}"
    return f"{pid}:{started}:{secrets.token_hex(4)}"


def token_pid(token: str | None) -> int | None:
    try:
        return int(str(token).split(":", 1)[0])
    except ValueError:
        return None


@dataclass
class _Held:
    token: str
    pid: int
    file: IO[bytes] | None
    users: int = 0
    path: Path | None = None


@dataclass
class _Registry:
    held: dict[Path, _Held] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_registry = _Registry()


def _forget_after_fork() -> None:
    # The child is a new process: it must not pass for its parent (the parent's lock stays
    # the parent's; closing the child's copies of the files does not release it).
    for held in _registry.held.values():
        if held.file is not None:
            with contextlib.suppress(OSError):
                held.file.close()
    _registry.held.clear()
    _registry.lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


@atexit.register
def _close_at_exit() -> None:
    # The OS drops the locks with the process anyway; closing the files says it was meant
    # (a Library still open at exit would otherwise warn of an unclosed file).
    for held in _registry.held.values():
        if held.file is not None:
            with contextlib.suppress(OSError):
                held.file.close()


@contextlib.contextmanager
def _registry_lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / _REGISTRY, "a+b") as f:
        try:
            _block_lock(f)
        except OSError:
            yield  # a file system without locks: go on, the pid fallback decides
            return
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                _unlock(f)


def acquire(data_dir: Path) -> str:
    """This process's owner token for `data_dir` (taken on first use); pair with release()."""
    key = Path(data_dir).absolute()
    with _registry.lock:
        held = _registry.held.get(key)
        if held is None:
            held = _take(key)
            _registry.held[key] = held
        held.users += 1
        return held.token


def _take(data_dir: Path) -> _Held:
    folder = data_dir / OWNERS_DIR
    token = make_token()
    path = folder / f"{token.replace(':', '-')}.lock"
    with _registry_lock(folder):
        f = open(path, "w+b")  # noqa: SIM115 (held open for the life of the token)
        try:
            _try_lock(f)
        except OSError:
            f.close()
            return _Held(token, os.getpid(), None, path=path)  # the pid fallback will do
        f.write(token.encode())
        f.flush()
    return _Held(token, os.getpid(), f, path=path)


def release(data_dir: Path) -> None:
    key = Path(data_dir).absolute()
    with _registry.lock:
        held = _registry.held.get(key)
        if held is None:
            return
        held.users -= 1
        if held.users > 0:
            return
        del _registry.held[key]
        with _registry_lock(key / OWNERS_DIR):
            if held.file is not None:
                with contextlib.suppress(OSError):
                    _unlock(held.file)
                held.file.close()
            if held.path is not None:
                with contextlib.suppress(OSError):
                    held.path.unlink()


def own_token(data_dir: Path) -> str | None:
    """This process's token for `data_dir`, if it holds one now."""
    held = _registry.held.get(Path(data_dir).absolute())
    return held.token if held is not None and held.pid == os.getpid() else None


def is_alive(data_dir: Path, token: str | None) -> bool:
    """Is the process that holds `token` still running? (No token: an old journal row, whose
    owner is unknown: taken for gone.)"""
    if not token:
        return False
    if token == own_token(data_dir):
        return True
    folder = Path(data_dir).absolute() / OWNERS_DIR
    path = folder / f"{token.replace(':', '-')}.lock"
    with _registry_lock(folder):
        try:
            f = open(path, "r+b")  # noqa: SIM115 (closed below, before the unlink Windows needs)
        except FileNotFoundError:
            return False  # released at a clean exit, or swept after a crash
        except OSError:
            return _pid_alive(token)
        try:
            try:
                _try_lock(f)
            except OSError as exc:
                if exc.errno in _BUSY or isinstance(exc, BlockingIOError | PermissionError):
                    return True
                return _pid_alive(token)  # locks refused here: fall back to the pid
            with contextlib.suppress(OSError):
                _unlock(f)
        finally:
            f.close()
        # We could lock it: its holder is gone. Sweep the file (still under the registry lock).
        with contextlib.suppress(OSError):
            path.unlink()
        return False


def _pid_alive(token: str) -> bool:
    pid = token_pid(token)
    if pid is None:
        return False
    started = token.split(":")[1] if token.count(":") >= 2 else None
    if started and not started.startswith("t"):
        # Linux: the start time tells a reused pid from the owner.
        return _start_time(pid) == started
    if sys.platform == "win32":
        return (
            False  # no cheap check without psutil: a second poll is harmless, landing is idempotent
        )
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, someone else's
    return True


def sweep(data_dir: Path) -> int:
    """Remove the lock files of processes that are gone; returns how many."""
    folder = Path(data_dir).absolute() / OWNERS_DIR
    if not folder.is_dir():
        return 0
    gone = 0
    for p in folder.glob("*.lock"):
        token = p.stem.replace("-", ":", 2)
        if not is_alive(data_dir, token):
            gone += 1
    return gone
