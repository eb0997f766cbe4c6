"""Work around PySide6 6.12.0 on CPython 3.11: every call of a void Qt method from Python drops
one reference to None (the cp310-abi3 wheel returns None without a new reference, which is only
safe where None is immortal, 3.12+). After a few thousand calls the process aborts with
"Fatal Python error: none_dealloc". Giving None a very large reference count makes it
effectively immortal, as it is on 3.12+."""

from __future__ import annotations

import ctypes
import sys


def keep_none_alive() -> None:
    if sys.version_info < (3, 12):
        # True and False are hit the same way by some calls (they too are immortal on 3.12+).
        for obj in (None, True, False):
            ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
