"""The specification: plain, per-order Python implementations of every built-in decision.

Slow on purpose and written for reading. The engine must give identical
decisions (same nodes, same quantities, same unfulfilled lines and reasons,
costs equal to 1e-9 relative); hypothesis tests check it on random scenarios.
Great-circle distance is shared with the engine (``omnichannel._core.geo``):
it is geometry, not a decision, and sharing it keeps both on the same floats.

Covered: allocation by ``Sequential`` and ``FairShare`` with every built-in
sourcing strategy, promise at checkout and availability (each option one order allocated alone),
re-sourcing after rejections (``reallocate``), cancellation (``cancel``),
and return routing with every built-in return strategy.
The solver-based policies are specified by their model instead (see
``omnichannel.allocation.lower_bound``).
"""

from ._allocate import allocate as allocate
from ._cancel import cancel as cancel
from ._promise import availability as availability
from ._promise import promise as promise
from ._reallocate import reallocate as reallocate
from ._returns import route_returns as route_returns

__all__ = ["allocate", "availability", "cancel", "promise", "reallocate", "route_returns"]
