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
    """Flush the C library's buffered stdout, so what was buffered goes where fd 1
    points now. Never raises: where there is no C library to ask, nothing is flushed."""
    # Anything may fail here (Windows has no libc by that name: TypeError), and a
    # failure must not keep fd 1 from being restored.
    with suppress(Exception):
        ctypes.CDLL(None).fflush(None)


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """Discard what is written to file descriptor 1 inside the block.

    Python's ``sys.stdout`` and the C library's stdout are flushed first, so nothing
    written before the block is lost. While the block runs, other threads' writes
    to the process's stdout are discarded too (solves are serialized by a lock).
    Where fd 1 cannot be duplicated or ``os.devnull`` opened, the block runs
    unchanged. fd 1 is restored however the block ends.
    """
    with _LOCK:
        with suppress(AttributeError, OSError, ValueError):  # no stdout, or closed
            sys.stdout.flush()
        _flush_c_stdout()
        saved = devnull = None
        try:
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
        except OSError:
            _close(saved, devnull)
            saved = devnull = None
        if saved is None or devnull is None:
            yield
            return
        try:
            os.dup2(devnull, 1)
            yield
        finally:
            try:
                _flush_c_stdout()
            finally:
                os.dup2(saved, 1)
                _close(saved, devnull)


def _close(*fds: int | None) -> None:
    for fd in fds:
        if fd is not None:
            os.close(fd)
