"""Keep the solver's console chatter out of the caller's standard output.

HiGHS is asked not to print (``disp=False``), but some of its code paths (presolve
and debug reports among them) write to the C-level standard output regardless of
its options. A library with no I/O must not write there, so while HiGHS runs its
file descriptor 1 points at ``os.devnull``.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

_LOCK = threading.RLock()
"""One redirection at a time, so concurrent solves in threads restore the real stdout,
not each other's ``os.devnull`` (re-entrant: a nested block restores what it found)."""


def _flush_c_stdout() -> None:
    """Flush the C library's buffered stdout, so what HiGHS buffered goes where fd 1
    points now, not to wherever it points later."""
    with suppress(OSError, AttributeError):  # no C library to ask (not Linux or macOS)
        ctypes.CDLL(None).fflush(None)


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """Discard what is written to file descriptor 1 inside the block.

    Python's own ``sys.stdout`` is flushed first, so nothing printed before the
    block is lost. While the block runs, other threads' writes to the process's
    stdout are discarded too; solves are serialized by a lock. Where fd 1 cannot
    be duplicated (closed, or not a real file), the block runs unchanged.
    """
    with _LOCK:
        with suppress(AttributeError, OSError, ValueError):  # no stdout, or closed
            sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:
            yield
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            yield
        finally:
            _flush_c_stdout()
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
