"""Python's cyclic garbage collector, held off while a call builds its decisions."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector for the body, then let it run again.

    A wave builds an allocation, a shipment and a few tuples per order: hundreds of
    thousands of objects that live on in the result, none of them in a reference
    cycle. Each batch of them wakes the collector, and its full collections walk
    every object of the caller's process too (the network, the orders, the
    caller's own data): about a tenth of a benchmark day's time. Reference
    counting still frees everything the call drops, so only cyclic garbage waits
    for the collector's next turn after the call.

    Nothing changes when the collector is already off (the caller's choice is
    kept). Calls overlapping in threads are safe: the one that turned it off turns
    it on again; the others find it off and leave it alone.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
