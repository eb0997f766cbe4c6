"""PySide6 6.12.0 on CPython 3.11 drops a reference to None (and to True/False) on many Qt
calls: its abi3 wheel assumes these are immortal, which they are only from Python 3.12. A
few thousand calls later the process aborts ("Fatal Python error: none_dealloc" /
"bool_dealloc"), often at exit, after every test passed. Give them a huge reference count,
as 3.12 does. The proper home for this is the shared conftest and the app's start-up (or a
PySide6 without the bug); until then the tests that drive widgets import it themselves."""

from __future__ import annotations

import ctypes
import sys

_done = False


def keep_singletons_alive() -> None:
    global _done
    if _done or sys.version_info >= (3, 12):
        return
    _done = True
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40


keep_singletons_alive()
