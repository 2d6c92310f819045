"""Tools for testing code built on omnichannel.

The conformance kit (``check_sourcing``, ``check_policy``, ``check_return_strategy``,
``parametrize_with_checks``; see :mod:`omnichannel.testing.conformance`) needs
neither pytest nor hypothesis. ``omnichannel.testing.strategies`` holds
hypothesis strategies for every domain type and for whole consistent scenarios
(it needs the ``test`` extra).
"""

from .conformance import check_policy as check_policy
from .conformance import check_return_strategy as check_return_strategy
from .conformance import check_sourcing as check_sourcing
from .conformance import parametrize_with_checks as parametrize_with_checks

__all__ = ["check_policy", "check_return_strategy", "check_sourcing", "parametrize_with_checks"]
